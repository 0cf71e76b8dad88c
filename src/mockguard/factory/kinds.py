"""Kinds: what the factory can make. A kind names an interface, its defaults and a category."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockguard.factory import protocols
from mockguard.factory.contexts import ExecutionContext, UserExecutionContext
from mockguard.factory.errors import MockguardWarning
from mockguard.factory.interface import Interface, InterfaceError, compile_interface


@dataclass(frozen=True)
class Kind:
    """One kind of test double.

    `interface` is a class, a Protocol or an import path; `fallback` serves when the import
    path cannot be loaded (an optional dependency is missing). `defaults` are return values
    of methods and values of attributes (an exception or a function becomes a method's side
    effect). The guards: `sends` are methods whose first argument is a message on the wire
    (recorded, checked for mocks and for other users' ids); `stores` are methods whose
    arguments must hold no mock; `emits` are methods whose call *is* an event (a bridge's
    `agent_started(context, ...)`: recorded for the double's user and run); `routes` send a
    message to a user named in the call (a manager's `send_to_user(user_id, data)`).
    `behaviours` give a method a default behaviour that sees the double
    (`configuration.get(key, default)` reads the double's values). A kind with `build` makes
    real values, not mocks (contexts). `production` names the real class the kind stands
    for, for `mockguard verify`.
    """

    name: str
    interface: type | str | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    category: str = "generic"
    fallback: type | None = None
    sends: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    build: Callable[..., Any] | None = None
    production: str | None = None
    description: str = ""
    emits: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    behaviours: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def compiled(self) -> Interface:
        """The interface the kind's mocks follow (compiled once per class).

        An import path with a fallback is resolved once per process: if the real class
        cannot be imported the first time, every double follows the fallback from then on
        (never one and then the other), and a :class:`MockguardWarning` says so once."""
        if self.interface is None:
            raise InterfaceError(f"kind `{self.name}` makes values, not mocks")
        if self.fallback is None or not isinstance(self.interface, str):
            return compile_interface(self.interface)
        key = (self.interface, self.fallback)
        found = _RESOLVED.get(key)
        if found is None:
            with _RESOLVING:
                found = _RESOLVED.get(key)
                if found is None:
                    found = _resolve(self.name, self.interface, self.fallback)
                    _RESOLVED[key] = found
        return compile_interface(found)


_RESOLVED: dict[tuple[str, type], type | str] = {}
_RESOLVING = threading.Lock()


def _resolve(kind: str, path: str, fallback: type) -> type | str:
    try:
        compile_interface(path)
    except InterfaceError as exc:
        warnings.warn(
            f"mockguard: kind `{kind}` follows {fallback.__module__}.{fallback.__qualname__}, "
            f"a reference Protocol, because {exc}; install the missing dependency for doubles "
            "that follow the real class",
            MockguardWarning,
            stacklevel=4,
        )
        return fallback
    return path


def _websocket_defaults() -> dict[str, Any]:
    try:
        from starlette.websockets import WebSocketState
    except ImportError:
        return {}
    return {
        "client_state": WebSocketState.CONNECTED,
        "application_state": WebSocketState.CONNECTED,
    }


def _configuration_get(double: Any, key: str, default: Any = None) -> Any:
    """`configuration.get(key, default)`: the double's value for `key`, else `default`."""
    from mockguard.factory.strict import StrictMock

    if isinstance(double, StrictMock) and isinstance(key, str):
        return double._mg_peek(key, default)
    return default


def _user_context(
    user_context: UserExecutionContext | None = None, **values: Any
) -> UserExecutionContext:
    if user_context is not None and not values:
        return user_context
    return UserExecutionContext(**values)


def _execution_context(
    user_context: UserExecutionContext | None = None, **values: Any
) -> ExecutionContext:
    return ExecutionContext(user_context=user_context or UserExecutionContext(), **values)


LIFECYCLE_METHODS = (
    "agent_started",
    "agent_thinking",
    "tool_executing",
    "tool_completed",
    "agent_completed",
)


def builtin_kinds() -> list[Kind]:
    """The kinds every factory starts with. One declaration per kind, data rather than
    logic: kept in one list so the whole built-in catalog reads in one place."""
    return [
        Kind(
            "websocket",
            "starlette.websockets:WebSocket",
            defaults=_websocket_defaults(),
            category="websocket",
            fallback=protocols.WebSocketInterface,
            sends=("send_json", "send_text", "send_bytes", "send"),
            description="Starlette's server-side WebSocket",
        ),
        Kind(
            "database_session",
            "sqlalchemy.ext.asyncio:AsyncSession",
            category="database",
            fallback=protocols.AsyncSessionInterface,
            stores=("add", "add_all", "merge", "delete"),
            description="SQLAlchemy's AsyncSession",
        ),
        Kind(
            "sync_database_session",
            "sqlalchemy.orm:Session",
            category="database",
            stores=("add", "add_all", "merge", "delete"),
            description="SQLAlchemy's Session",
        ),
        Kind(
            "agent",
            protocols.AgentInterface,
            defaults={"name": "supervisor", "agent_type": "supervisor", "run": ""},
            category="agent",
            description="an agent: `await agent.run(context, message)`",
        ),
        Kind(
            "tool",
            protocols.ToolInterface,
            defaults={"name": "tool", "description": "", "run": ""},
            category="agent",
            description="a tool an agent calls: `await tool.run(**arguments)`",
        ),
        Kind(
            "llm_client",
            protocols.LLMClientInterface,
            category="agent",
            description="an OpenAI-style client: `await client.chat.completions.create(...)`",
        ),
        Kind(
            "llm_manager",
            protocols.LLMManagerInterface,
            defaults={"ask": ""},
            category="agent",
            description="hands out LLM clients and answers prompts",
        ),
        Kind(
            "agent_websocket_bridge",
            protocols.AgentWebSocketBridgeInterface,
            category="websocket",
            emits=LIFECYCLE_METHODS,
            description="emits the five agent lifecycle events",
        ),
        Kind(
            "websocket_manager",
            protocols.WebSocketManagerInterface,
            defaults={"send_to_user": 1, "broadcast": 0, "is_connected": True},
            category="websocket",
            routes=("send_to_user", "broadcast"),
            description="keeps users' websocket connections",
        ),
        Kind(
            "configuration",
            protocols.ConfigurationInterface,
            defaults={"environment": "test", "debug": False},
            category="generic",
            behaviours={"get": _configuration_get},
            description="application settings",
        ),
        Kind(
            "user_context",
            build=_user_context,
            category="generic",
            description="a real UserExecutionContext with unique ids",
        ),
        Kind(
            "execution_context",
            build=_execution_context,
            category="agent",
            description="a real ExecutionContext for one agent run",
        ),
    ]
