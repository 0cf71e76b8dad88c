"""What the doubles of the factory mockguard replaces carried: one declaration per method.

The old `SSotMockFactory` built `MagicMock`/`AsyncMock` doubles and configured a set of
members on each. The facade's doubles follow the kind's real interface; the members of these
declarations that the real interface lacks are added to the double as *foreign* members
(see :func:`~mockguard.factory.interface.extend`): present, typed (async where the old
double awaited), recorded when a test uses them, and refused in strict migration mode.

A declaration's methods take anything, as the old mocks did, unless the real interface has
the member (then its signature rules). `guards` name the members that send or emit (see
:mod:`mockguard.factory.guards`), and `positions` name the positional arguments of those
that take anything, for the guards only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from unittest import mock

from mockguard.factory.interface import Interface, Member, compile_interface


class LegacyAgent(Protocol):
    agent_type: str

    async def execute(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    async def get_capabilities(self, *args: Any, **kwargs: Any) -> list[str]: ...


class LegacyWebSocket(Protocol):
    connection_id: str
    user_id: str

    async def send_text(self, *args: Any, **kwargs: Any) -> None: ...

    async def send_json(self, *args: Any, **kwargs: Any) -> None: ...

    async def accept(self, *args: Any, **kwargs: Any) -> None: ...

    async def close(self, *args: Any, **kwargs: Any) -> None: ...


class LegacySession(Protocol):
    async def execute(self, *args: Any, **kwargs: Any) -> Any: ...

    async def scalar(self, *args: Any, **kwargs: Any) -> Any: ...

    async def scalars(self, *args: Any, **kwargs: Any) -> Any: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def close(self) -> None: ...


class LegacyTool(Protocol):
    name: str

    async def execute(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    def get_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...


class LegacyLLMClient(Protocol):
    choices: list[Any]

    async def agenerate(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    async def get_default_client(self, *args: Any, **kwargs: Any) -> Any: ...


class LegacyConfiguration(Protocol):
    environment: str
    database_url: str
    redis_url: str
    jwt_secret_key: str


class LegacyLLMManager(Protocol):
    model: str
    temperature: float
    max_tokens: int
    timeout: int
    llm_config: Any

    async def generate_response(self, *args: Any, **kwargs: Any) -> str: ...

    async def get_embeddings(self, *args: Any, **kwargs: Any) -> list[float]: ...

    async def tokenize(self, *args: Any, **kwargs: Any) -> list[str]: ...

    async def validate_model(self, *args: Any, **kwargs: Any) -> bool: ...

    async def get_model_info(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    async def get_default_client(self, *args: Any, **kwargs: Any) -> Any: ...

    async def stream_response(self, *args: Any, **kwargs: Any) -> Any: ...


class LegacyBridge(Protocol):
    user_id: str
    run_id: str
    is_connected: bool

    async def notify_agent_started(self, *args: Any, **kwargs: Any) -> bool: ...

    async def notify_agent_thinking(self, *args: Any, **kwargs: Any) -> bool: ...

    async def notify_agent_completed(self, *args: Any, **kwargs: Any) -> bool: ...

    async def notify_tool_executing(self, *args: Any, **kwargs: Any) -> bool: ...

    async def notify_tool_completed(self, *args: Any, **kwargs: Any) -> bool: ...

    async def connect(self, *args: Any, **kwargs: Any) -> None: ...

    async def disconnect(self, *args: Any, **kwargs: Any) -> None: ...

    def is_connection_active(self, *args: Any, **kwargs: Any) -> bool: ...

    def get_connection_status(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    async def emit_event(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_critical_event(self, *args: Any, **kwargs: Any) -> Any: ...

    async def send_message(self, *args: Any, **kwargs: Any) -> Any: ...

    def get_user_context(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...


class LegacyWebSocketManager(Protocol):
    manager_type: str
    _active_connections: dict[str, Any]
    _connection_registry: Any
    _user_context: Any

    async def add_connection(self, *args: Any, **kwargs: Any) -> None: ...

    async def remove_connection(self, *args: Any, **kwargs: Any) -> None: ...

    async def send_message(self, *args: Any, **kwargs: Any) -> Any: ...

    async def broadcast_message(self, *args: Any, **kwargs: Any) -> Any: ...

    async def get_connection_count(self, *args: Any, **kwargs: Any) -> int: ...

    async def get_user_connections(self, *args: Any, **kwargs: Any) -> list[Any]: ...

    async def send_agent_event(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_critical_event(self, *args: Any, **kwargs: Any) -> Any: ...

    def is_connection_active(self, *args: Any, **kwargs: Any) -> bool: ...

    def get_connection_health(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    def get_connection(self, *args: Any, **kwargs: Any) -> Any: ...

    async def get_connections_for_user(self, *args: Any, **kwargs: Any) -> list[Any]: ...


class LegacyExecutionEngine(Protocol):
    engine_id: str
    created_at: float
    active_runs: list[Any]

    async def execute_agent_pipeline(self, *args: Any, **kwargs: Any) -> Any: ...

    async def cleanup(self, *args: Any, **kwargs: Any) -> None: ...

    async def is_active(self, *args: Any, **kwargs: Any) -> bool: ...

    async def get_user_context(self, *args: Any, **kwargs: Any) -> Any: ...

    async def get_user_execution_stats(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...


class LegacyEmitter(Protocol):
    user_id: str
    connection_id: str
    is_connected: bool

    async def emit_event(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_critical_event(self, *args: Any, **kwargs: Any) -> Any: ...

    async def send_message(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_agent_started(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_agent_thinking(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_agent_completed(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_tool_executing(self, *args: Any, **kwargs: Any) -> Any: ...

    async def emit_tool_completed(self, *args: Any, **kwargs: Any) -> Any: ...

    async def connect(self, *args: Any, **kwargs: Any) -> None: ...

    async def disconnect(self, *args: Any, **kwargs: Any) -> None: ...

    async def add_event(self, *args: Any, **kwargs: Any) -> None: ...

    async def clear_events(self, *args: Any, **kwargs: Any) -> None: ...

    async def get_events(self, *args: Any, **kwargs: Any) -> list[Any]: ...

    async def validate_event(self, *args: Any, **kwargs: Any) -> bool: ...

    async def configure(self, *args: Any, **kwargs: Any) -> None: ...


_NOTIFY = ("run_id", "agent_name")
_EMIT = ("event_type", "data")


@dataclass(frozen=True)
class LegacySpec:
    """One old double: its declaration, what its unknown attributes were (`AsyncMock`
    children are awaitable), the guarded members and their argument names, and the name of
    the real class it stood for."""

    name: str
    protocol: type
    extra_cls: type[mock.NonCallableMock] = mock.AsyncMock
    guards: Mapping[str, str] = field(default_factory=dict)
    positions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    real: str = ""
    """The class the old double stood for, to find a kind bound to it by name."""

    def interface(self) -> Interface:
        """The declaration's members, private bookkeeping attributes included."""
        found = _INTERFACES.get(self.protocol)
        if found is None:
            base = compile_interface(self.protocol)
            private = {
                name: Member(name, "attribute")
                for name in getattr(self.protocol, "__annotations__", {})
                if name.startswith("_") and not name.startswith("__")
            }
            found = Interface(
                f"{self.protocol.__module__}.{self.protocol.__qualname__}",
                None,
                {**private, **base.members},
            )
            _INTERFACES[self.protocol] = found
        return found


_INTERFACES: dict[type, Interface] = {}

AGENT = LegacySpec("agent", LegacyAgent)
WEBSOCKET = LegacySpec("websocket", LegacyWebSocket, mock.MagicMock)
SESSION = LegacySpec("database_session", LegacySession)
TOOL = LegacySpec("tool", LegacyTool)
LLM_CLIENT = LegacySpec("llm_client", LegacyLLMClient)
CONFIGURATION = LegacySpec("configuration", LegacyConfiguration, mock.MagicMock)
LLM_MANAGER = LegacySpec("llm_manager", LegacyLLMManager)
BRIDGE = LegacySpec(
    "agent_websocket_bridge",
    LegacyBridge,
    guards={
        **{
            f"notify_{event}": "emit"
            for event in (
                "agent_started",
                "agent_thinking",
                "agent_completed",
                "tool_executing",
                "tool_completed",
            )
        },
        "emit_event": "emit",
        "emit_critical_event": "emit",
        "send_message": "emit",
    },
    positions={
        **{
            f"notify_{event}": _NOTIFY
            for event in (
                "agent_started",
                "agent_thinking",
                "agent_completed",
                "tool_executing",
                "tool_completed",
            )
        },
        "emit_event": _EMIT,
        "emit_critical_event": _EMIT,
        "send_message": ("data",),
    },
)
WEBSOCKET_MANAGER = LegacySpec(
    "websocket_manager",
    LegacyWebSocketManager,
    guards={
        "send_message": "route",
        "broadcast_message": "route",
        "send_agent_event": "route",
        "emit_critical_event": "route",
    },
    positions={
        "send_agent_event": ("user_id", "event_type", "data"),
        "emit_critical_event": ("user_id", "event_type", "data"),
        "broadcast_message": ("data",),
    },
)
EXECUTION_ENGINE = LegacySpec(
    "user_execution_engine", LegacyExecutionEngine, real="UserExecutionEngine"
)
EMITTER = LegacySpec(
    "websocket_emitter",
    LegacyEmitter,
    real="UnifiedWebSocketEmitter",
    guards={
        name: "emit"
        for name in (
            "emit_event",
            "emit_critical_event",
            "send_message",
            "emit_agent_started",
            "emit_agent_thinking",
            "emit_agent_completed",
            "emit_tool_executing",
            "emit_tool_completed",
        )
    },
    positions={
        "emit_event": _EMIT,
        "emit_critical_event": _EMIT,
        "send_message": ("data",),
        **{
            f"emit_{event}": _NOTIFY
            for event in (
                "agent_started",
                "agent_thinking",
                "agent_completed",
                "tool_executing",
                "tool_completed",
            )
        },
    },
)
