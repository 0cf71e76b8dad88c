"""Reference interfaces for the built-in kinds that have no public class to follow.

Each is a small Protocol describing what an AI-agent service's component looks like. Bind a
kind to your own production class instead (`[tool.mockguard.kinds.agent] interface =
"app.agents:SupervisorAgent"`, or `factory.register("agent", SupervisorAgent)`) and the
mocks follow that class exactly.
"""

from __future__ import annotations

from typing import Any, Protocol


class AgentInterface(Protocol):
    """An agent that answers a user's message within a context."""

    name: str
    agent_type: str

    async def run(self, context: Any, message: str) -> str: ...


class ToolInterface(Protocol):
    """A tool an agent can call."""

    name: str
    description: str

    async def run(self, **kwargs: Any) -> str: ...


class CompletionsInterface(Protocol):
    """`client.chat.completions`, OpenAI style."""

    async def create(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> Any: ...


class ChatInterface(Protocol):
    """`client.chat`."""

    completions: CompletionsInterface


class LLMClientInterface(Protocol):
    """An OpenAI-style client: `await client.chat.completions.create(model=..., messages=...)`."""

    chat: ChatInterface


class LLMManagerInterface(Protocol):
    """Hands out LLM clients and answers prompts."""

    def get_client(self, name: str | None = None) -> LLMClientInterface: ...

    async def ask(self, prompt: str, *, model: str | None = None) -> str: ...


class AgentWebSocketBridgeInterface(Protocol):
    """Turns an agent's progress into the five lifecycle events on the user's socket."""

    async def agent_started(self, context: Any, agent_name: str) -> Any: ...

    async def agent_thinking(self, context: Any, thought: str) -> Any: ...

    async def tool_executing(
        self, context: Any, tool_name: str, arguments: dict[str, Any]
    ) -> Any: ...

    async def tool_completed(self, context: Any, tool_name: str, result: Any) -> Any: ...

    async def agent_completed(self, context: Any, answer: Any) -> Any: ...


class WebSocketManagerInterface(Protocol):
    """Keeps each user's websocket connections and sends to them."""

    async def connect(self, user_id: str, websocket: Any) -> None: ...

    def disconnect(self, user_id: str, websocket: Any) -> None: ...

    def is_connected(self, user_id: str) -> bool: ...

    async def send_to_user(self, user_id: str, data: dict[str, Any]) -> int: ...

    async def broadcast(self, data: dict[str, Any]) -> int: ...


class ConfigurationInterface(Protocol):
    """Application settings."""

    environment: str
    debug: bool

    def get(self, key: str, default: Any = None) -> Any: ...


class WebSocketInterface(Protocol):
    """What a server-side websocket offers, when Starlette is not installed."""

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None: ...

    async def receive_json(self, mode: str = "text") -> Any: ...

    async def receive_text(self) -> str: ...

    async def send_json(self, data: Any, mode: str = "text") -> None: ...

    async def send_text(self, data: str) -> None: ...

    async def send_bytes(self, data: bytes) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class AsyncSessionInterface(Protocol):
    """What an async database session offers, when SQLAlchemy is not installed."""

    def add(self, instance: object, _warn: bool = True) -> None: ...

    def add_all(self, instances: Any) -> None: ...

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any: ...

    async def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any: ...

    async def get(self, entity: Any, ident: Any, **kw: Any) -> Any: ...

    async def delete(self, instance: object) -> None: ...

    async def flush(self, objects: Any = None) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def refresh(self, instance: object, attribute_names: Any = None) -> None: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> AsyncSessionInterface: ...

    async def __aexit__(self, *args: Any) -> None: ...
