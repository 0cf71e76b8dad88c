"""`SSotMockFactory`: the facade a suite switches to by changing one import.

Every method of the factory it replaces is here, with the old parameters and defaults,
callable on the class and on an instance; each returns a double of a kind (following the
kind's real interface, a project class when the kind is bound to one) that also carries the
members the old double carried (see :mod:`mockguard.factory.legacy`).

The facade serves the factory of the running test (see :mod:`mockguard.factory.binding`):
nothing it records crosses tests. Its doubles are *lenient* by default (the factory's
`legacy_members = "record"`): a member the real interface lacks is allowed, as with the old
`MagicMock`s, and recorded for the end-of-session to-do list. Lenient is the facade's
default because the facade exists for migration: a suite of thousands of tests must pass
after the import changes, and then shrink the list; `legacy_members = "fail"` (the pytest
option `--mockguard-legacy=fail`, or the ini key `mockguard_legacy_members`) makes the same
uses errors once a team is ready. `MockFactory.create` and the fixtures stay strict.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any
from unittest import mock

from mockguard.factory import legacy as old
from mockguard.factory.binding import bound
from mockguard.factory.contexts import ExecutionContext, UserExecutionContext
from mockguard.factory.errors import MockguardDeprecationWarning, UnknownKindError
from mockguard.factory.kinds import Kind
from mockguard.factory.registry import MockFactory, default_factory


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

_ALIASES: Mapping[str, str] = {
    "create_mock_websocket_manager": "create_websocket_manager_mock",
    "create_mock_websocket": "create_websocket_mock",
    "create_mock_supervisor_agent": "create_agent_mock",
}


def current_factory() -> MockFactory:
    """The factory in effect: the running test's, else one bound with `using(...)`, else
    :data:`default_factory`."""
    found: MockFactory | None = bound()
    return found or default_factory


def _completion(content: str | None, tool_calls: list[Any] | None = None) -> Any:
    message = SimpleNamespace(role="assistant", content=content, tool_calls=tool_calls)
    return SimpleNamespace(
        choices=[SimpleNamespace(index=0, message=message, finish_reason="stop")],
        usage=SimpleNamespace(prompt_tokens=50, completion_tokens=50, total_tokens=100),
    )


async def _stream(parts: list[str]) -> Any:
    for part in parts:
        yield part


def _legacy_double(
    kind: str,
    spec: old.LegacySpec,
    values: Mapping[str, Any],
    overrides: Mapping[str, Any],
    user_context: UserExecutionContext | None,
    **options: Any,
) -> Any:
    factory = current_factory()
    if kind in factory:
        found = factory.get_kind(kind)
    else:
        found = (spec.real and factory.kind_for_class(spec.real)) or _detached(factory, kind, spec)
    return factory._legacy(found, spec, values, overrides, user_context, **options)


def _detached(factory: MockFactory, kind: str, spec: old.LegacySpec) -> Kind:
    """A kind for an old double no kind stands for (`UserExecutionEngine`): its only
    interface is the old declaration, so everything it has is foreign."""
    if factory.legacy_members == "fail":
        raise UnknownKindError(
            f"no kind stands for the old `{kind}` double; register one for the project's "
            f'class (`mock_factory.register("{kind}", YourClass)` or '
            f"[tool.mockguard.kinds.{kind}]), or run in lenient migration mode"
        )
    return Kind(kind, NoInterface, description="an old double no kind stands for")


def _missing(owner: type, name: str, stacklevel: int) -> Any:
    """What an unknown name on the facade (class or instance) resolves to."""
    canonical = _ALIASES.get(name)
    if canonical is not None:
        warnings.warn(
            f"SSotMockFactory.{name} is deprecated; use SSotMockFactory.{canonical}",
            MockguardDeprecationWarning,
            stacklevel=stacklevel + 1,
        )
        return getattr(owner, canonical)
    options = [n for n in dir(owner) if n.startswith("create")]
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
    if not name.startswith("create_"):
        raise AttributeError(f"SSotMockFactory has no attribute `{name}`{hint}")
    raise AttributeError(f"SSotMockFactory has no attribute `{name}`{hint}{_kind_hint(name)}")


def _kind_hint(name: str) -> str:
    stem = re.sub(r"^create_(mock_)?|_mock$", "", name)
    factory = current_factory()
    close = difflib.get_close_matches(stem, factory.kinds(), n=1, cutoff=0.75)
    if close:
        return (
            f" To migrate: a `{close[0]}` double is "
            f'`SSotMockFactory.create_mock("{close[0]}")` (or `mock_factory.create("{close[0]}")`).'
        )
    return (
        f" To migrate: register a kind for the real class "
        f'(`mock_factory.register("{stem}", YourClass)` or [tool.mockguard.kinds.{stem}]), '
        f'then use `SSotMockFactory.create_mock("{stem}")`.'
    )


class _Facade(type):
    """Deprecated names resolve with a warning; unknown names get suggestions."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _missing(cls, name, stacklevel=2)


class SSotMockFactory(metaclass=_Facade):
    """The single source of truth for test doubles, with the API of the factory it
    replaces. Callable on the class (`SSotMockFactory.create_agent_mock()`) and on an
    instance; each method returns a fresh double of the running test's factory."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _missing(type(self), name, stacklevel=2)

    @staticmethod
    def factory() -> MockFactory:
        """The factory the facade serves now: the running test's (under pytest, the same
        as the `mock_factory` fixture), for `.sent(ws)`, `.events`, `.assert_events()`."""
        return current_factory()

    # ------------------------------------------------------------------ agents

    @classmethod
    def create_agent_mock(
        cls,
        agent_type: str = "supervisor",
        execution_result: dict[str, Any] | None = None,
        execution_time: float = 0.1,
        *,
        name: str | None = None,
        response: Any = UNSET,
        user_context: UserExecutionContext | None = None,
        **overrides: Any,
    ) -> Any:
        """An agent: `agent_type`; `execute(...)` returns `execution_result` (by default a
        completed result carrying `execution_time`; nothing sleeps); `run(...)` returns
        `response` (else `execution_result`, else "")."""
        result = execution_result
        if result is None:
            result = {
                "status": "completed",
                "result": "Mock agent execution result",
                "execution_time": execution_time,
            }
        if response is UNSET:
            response = execution_result if execution_result is not None else ""
        values = {
            "agent_type": agent_type,
            "name": name or agent_type,
            "run": response,
            "execute": result,
            "get_capabilities": ["text_processing", "data_analysis"],
        }
        return _legacy_double("agent", old.AGENT, values, overrides, user_context)

    @classmethod
    def create_tool_mock(
        cls,
        tool_name: str = "test_tool",
        execution_result: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        result: Any = UNSET,
        description: str = "",
        user_context: UserExecutionContext | None = None,
        **overrides: Any,
    ) -> Any:
        """A tool called `tool_name`: `execute(...)` returns `execution_result` (by default
        a success result), `run(**arguments)` returns `result` (else `execution_result`,
        else ""), `get_schema()` describes it."""
        title = name or tool_name
        if result is UNSET:
            result = execution_result if execution_result is not None else ""
        values = {
            "name": title,
            "description": description,
            "run": result,
            "execute": execution_result
            or {"status": "success", "result": f"Mock {title} execution result"},
            "get_schema": {"name": title, "description": f"Mock {title} tool", "parameters": {}},
        }
        return _legacy_double("tool", old.TOOL, values, overrides, user_context)

    # -------------------------------------------------------------- websockets

    @classmethod
    def create_websocket_mock(
        cls,
        connection_id: str = "test-connection",
        user_id: str = "test-user",
        *,
        user_context: UserExecutionContext | None = None,
        **overrides: Any,
    ) -> Any:
        """A websocket for `user_id`'s connection `connection_id`: what it sends is
        recorded and checked, and a message stamped with another user's id is refused."""
        context = user_context or UserExecutionContext(
            user_id=user_id, websocket_connection_id=connection_id
        )
        connection = connection_id
        if user_context is not None and connection_id == "test-connection":
            connection = user_context.websocket_connection_id or connection_id
        values = {"connection_id": connection, "user_id": context.user_id}
        return _legacy_double(
            "websocket", old.WEBSOCKET, values, overrides, context, connection_id=connection
        )

    @classmethod
    def create_mock_agent_websocket_bridge(
        cls,
        user_id: str = "test-user",
        run_id: str = "test-run",
        should_fail: bool = False,
        *,
        user_context: UserExecutionContext | None = None,
        **overrides: Any,
    ) -> Any:
        """A bridge for `user_id`'s run `run_id`: the lifecycle calls (`agent_started`,
        `notify_agent_started`, `emit_event`, ...) are recorded as events and checked for
        other users' contexts; with `should_fail`, the `notify_*` calls raise."""
        context = user_context or UserExecutionContext(user_id=user_id, run_id=run_id)
        run = run_id if user_context is None else context.run_id
        notify: Any = Exception("WebSocket bridge failure") if should_fail else True
        events = ("agent_started", "agent_thinking", "agent_completed")
        values: dict[str, Any] = {
            "user_id": context.user_id,
            "run_id": run,
            "is_connected": True,
            **{f"notify_{e}": notify for e in (*events, "tool_executing", "tool_completed")},
            "connect": None,
            "disconnect": None,
            "is_connection_active": True,
            "get_connection_status": {"connected": True, "user_id": context.user_id, "run_id": run},
            "get_user_context": {
                "user_id": context.user_id,
                "run_id": run,
                "session_active": True,
            },
        }
        return _legacy_double(
            "agent_websocket_bridge", old.BRIDGE, values, overrides, context, run_id=run
        )

    @classmethod
    def create_websocket_manager_mock(
        cls,
        manager_type: str = "unified",
        user_isolation: bool = True,
        *,
        user_context: UserExecutionContext | None = None,
        **overrides: Any,
    ) -> Any:
        """A websocket manager: what it sends to users (`send_to_user`, `send_message`,
        `emit_critical_event`, ...) is recorded per user and checked for other users' ids."""
        context = user_context
        values: dict[str, Any] = {
            "manager_type": manager_type,
            "add_connection": None,
            "remove_connection": None,
            "get_connection_count": 0,
            "get_user_connections": [],
            "is_connection_active": True,
            "get_connection_health": {"has_active_connections": True},
            "get_connection": None,
            "_active_connections": {},
            "_connection_registry": mock.MagicMock(name="websocket_manager._connection_registry"),
            "_user_context": context,
        }
        if user_isolation:
            values["get_connections_for_user"] = []
        return _legacy_double(
            "websocket_manager", old.WEBSOCKET_MANAGER, values, overrides, context
        )

    @classmethod
    def create_mock_websocket_emitter(
        cls,
        user_id: str = "test-user",
        connection_id: str = "test-connection",
        **overrides: Any,
    ) -> Any:
        """A websocket emitter for `user_id`: its `emit_*` calls are recorded as events."""
        context = UserExecutionContext(user_id=user_id, websocket_connection_id=connection_id)
        values = {
            "user_id": user_id,
            "connection_id": connection_id,
            "is_connected": True,
            "get_events": [],
            "validate_event": True,
        }
        return _legacy_double(
            "websocket_emitter",
            old.EMITTER,
            values,
            overrides,
            context,
            connection_id=connection_id,
        )

    # ---------------------------------------------------------------- database

    @classmethod
    def create_database_session_mock(
        cls, *, user_context: UserExecutionContext | None = None, **overrides: Any
    ) -> Any:
        """An AsyncSession double (`await session.execute(...)`, `session.add(...)`, ...)."""
        return _legacy_double("database_session", old.SESSION, {}, overrides, user_context)

    # ---------------------------------------------------------------- contexts

    @classmethod
    def create_mock_user_context(
        cls,
        user_id: str | None = "test_user",
        thread_id: str | None = "test_thread",
        run_id: str | None = "test_run",
        request_id: str | None = "test_request",
        websocket_client_id: str | None = None,
        connection_id: str | None = None,
        *,
        websocket_connection_id: str | None = None,
        **kwargs: Any,
    ) -> UserExecutionContext:
        """A real UserExecutionContext (never a mock). An id given as None is a fresh one;
        the connection id defaults to `conn_<user>_<thread>`; other keyword arguments read
        as attributes (`agent_context=...`)."""
        fields = {"user_tier", "created_at", "metadata"}
        given = {k: kwargs.pop(k) for k in list(kwargs) if k in fields}
        fresh = UserExecutionContext()
        user = user_id or fresh.user_id
        thread = thread_id or fresh.thread_id
        connection = connection_id or websocket_connection_id or websocket_client_id
        if connection is None:
            connection = f"conn_{user}_{thread}"
        metadata = tuple(given.pop("metadata", ())) + tuple(kwargs.items())
        return UserExecutionContext(
            user_id=user,
            thread_id=thread,
            run_id=run_id or fresh.run_id,
            request_id=request_id or fresh.request_id,
            websocket_connection_id=connection,
            websocket_client_id=websocket_client_id or connection,
            metadata=metadata,
            **given,
        )

    @classmethod
    def create_isolated_execution_context(
        cls,
        user_id: str | None = None,
        thread_id: str | None = None,
        websocket_client_id: str | None = None,
        connection_id: str | None = None,
        **kwargs: Any,
    ) -> UserExecutionContext:
        """A user context for `user_id`'s thread `thread_id` whose run and request ids are
        derived from them and unique (`run_<user>_<thread>_<hex>`); ids not given are fresh."""
        user = user_id or f"user-{uuid.uuid4().hex}"
        thread = thread_id or f"thread-{uuid.uuid4().hex}"
        suffix = f"{int(time.time() * 1000)}_{uuid.uuid4().hex[:8]}"
        kwargs.setdefault("run_id", f"run_{user}_{thread}_{suffix}")
        kwargs.setdefault("request_id", f"req_{user}_{thread}_{suffix}")
        return cls.create_mock_user_context(
            user,
            thread,
            websocket_client_id=websocket_client_id,
            connection_id=connection_id,
            **kwargs,
        )

    @classmethod
    def create_execution_context_mock(
        cls,
        user_id: str = "test-user",
        thread_id: str = "test-thread",
        *,
        run_id: str | None = None,
        agent_name: str = "supervisor",
        user_context: UserExecutionContext | None = None,
    ) -> ExecutionContext:
        """A real ExecutionContext (not a mock: contexts are data) for `user_id`'s thread:
        `user_id`, `thread_id`, `created_at`, `get_state()`, `set_state()`."""
        user = user_context
        if user is None:
            fresh = UserExecutionContext(user_id=user_id, thread_id=thread_id)
            user = dataclasses.replace(fresh, run_id=run_id) if run_id else fresh
        return ExecutionContext(
            user_context=user, agent_name=agent_name, run_id=run_id or user.run_id
        )

    # --------------------------------------------------------------------- LLM

    @classmethod
    def create_llm_client_mock(
        cls,
        response_text: str | None = "Mock LLM response",
        *,
        response: Any = UNSET,
        tool_calls: list[Any] | None = None,
        user_context: UserExecutionContext | None = None,
    ) -> Any:
        """An OpenAI-style client: `chat.completions.create(...)` returns a completion (real
        data) whose message is `response_text`; `agenerate(...)` and `choices` as before."""
        text = response_text if response is UNSET else response
        completion = _completion(text, tool_calls)
        values = {
            "choices": completion.choices,
            "agenerate": {"response": text, "usage": {"total_tokens": 100}},
        }
        client = _legacy_double("llm_client", old.LLM_CLIENT, values, {}, user_context)
        config = client.__dict__["_mg_config"]
        if "get_default_client" in client._mg_interface.members:
            config.setdefault("get_default_client", client)
        if "chat" in client._mg_interface.members:
            client.chat.completions.create.return_value = completion
        return client

    @classmethod
    def create_mock_llm_manager(
        cls,
        model: str = "gpt-4",
        config: dict[str, Any] | None = None,
        *,
        response: str = "Mock LLM response",
        user_context: UserExecutionContext | None = None,
        **overrides: Any,
    ) -> Any:
        """An LLM manager for `model`: `ask(...)` and `generate_response(...)` return
        `response`, `get_client()` (and async `get_default_client()`) hand out an LLM client
        double, `stream_response()` streams, `llm_config` holds the settings."""
        settings = {"model": model, "temperature": 0.7, "max_tokens": 4000, "timeout": 30}
        settings.update(config or {})
        client = cls.create_llm_client_mock(response, user_context=user_context)
        values = {
            **{k: settings[k] for k in ("model", "temperature", "max_tokens", "timeout")},
            "llm_config": SimpleNamespace(**settings),
            "ask": response,
            "get_client": client,
            "generate_response": response,
            "get_embeddings": [0.1, 0.2, 0.3],
            "tokenize": ["token1", "token2"],
            "validate_model": True,
            "get_model_info": {"model": model, "max_tokens": 4000, "supports_streaming": True},
            "get_default_client": client,
            "stream_response": lambda *a, **k: _stream(["Mock", " streaming", " response"]),
        }
        return _legacy_double("llm_manager", old.LLM_MANAGER, values, overrides, user_context)

    # ------------------------------------------------------------ configuration

    @classmethod
    def create_configuration_mock(
        cls,
        environment: str = "test",
        additional_config: dict[str, Any] | None = None,
        **values: Any,
    ) -> Any:
        """Application settings for `environment`, with the old URLs and secret, and every
        key of `additional_config`; `get(key, default)` reads them all."""
        defaults = {
            "environment": environment,
            "database_url": "postgresql://test:test@localhost:5432/test",
            "redis_url": "redis://localhost:6379/0",
            "jwt_secret_key": "test-jwt-secret",
        }
        return _legacy_double(
            "configuration",
            old.CONFIGURATION,
            defaults,
            values,
            None,
            loose=dict(additional_config or {}),
        )

    # ------------------------------------------------------------ generic, suites

    @classmethod
    def create_mock_suite(
        cls, mock_types: Iterable[str], *, user_context: UserExecutionContext | None = None
    ) -> dict[str, Any]:
        """One double per name (the old names, or any kind), all for the same user (a
        fresh one when none is given). An unknown name is an error, never left out."""
        context = user_context or UserExecutionContext()
        makers = cls._suite_makers()
        factory = current_factory()
        suite: dict[str, Any] = {}
        for name in mock_types:
            maker = makers.get(name)
            suite[name] = maker(context) if maker else factory.create(name, context)
        return suite

    @classmethod
    def _suite_makers(cls) -> dict[str, Callable[[UserExecutionContext], Any]]:
        return {
            "agent": lambda c: cls.create_agent_mock(user_context=c),
            "websocket": lambda c: cls.create_websocket_mock(user_context=c),
            "database_session": lambda c: cls.create_database_session_mock(user_context=c),
            "execution_context": lambda c: cls.create_execution_context_mock(user_context=c),
            "tool": lambda c: cls.create_tool_mock(user_context=c),
            "llm_client": lambda c: cls.create_llm_client_mock(user_context=c),
            "configuration": lambda c: cls.create_configuration_mock(),
            "llm_manager": lambda c: cls.create_mock_llm_manager(user_context=c),
            "agent_websocket_bridge": lambda c: cls.create_mock_agent_websocket_bridge(
                user_context=c
            ),
            "websocket_manager": lambda c: cls.create_websocket_manager_mock(user_context=c),
        }

    @classmethod
    def create_mock(cls, mock_type: str, /, **kwargs: Any) -> Any:
        """A double by kind name (the built-in and configured kinds), by the old class
        names (`AsyncSession`, `UserExecutionEngine`, `WebSocketManager`, `LLMManager`,
        `AgentWebSocketBridge`, `UnifiedWebSocketEmitter`), or by the name of the class a
        kind is bound to. Any other name: in lenient migration mode, a generic `AsyncMock`
        configured from `kwargs` (recorded for the to-do list); in strict mode, an error."""
        factory = current_factory()
        if mock_type in factory:
            spec = factory.get_kind(mock_type)
            if spec.build is not None:
                return factory.create(mock_type, **kwargs)
            return cls._kind_double(factory, spec, kwargs)
        maker = _OLD_NAMES.get(mock_type)
        if maker is not None:
            return maker(cls, kwargs)
        spec_for_class = factory.kind_for_class(mock_type)
        if spec_for_class is not None:
            return cls._kind_double(factory, spec_for_class, kwargs)
        close = difflib.get_close_matches(mock_type, factory.kinds(), n=1, cutoff=0.6)
        if factory.legacy_members == "fail":
            factory.get_kind(mock_type)  # raises, with the closest kinds
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        factory.migration.record(
            f"create_mock({mock_type!r})",
            f"a generic AsyncMock: no kind stands for it{hint}",
            "(the double itself)",
            "created",
        )
        return mock.AsyncMock(**kwargs)

    @staticmethod
    def _kind_double(factory: MockFactory, spec: Kind, kwargs: dict[str, Any]) -> Any:
        user_context = kwargs.pop("user_context", None)
        connection_id = kwargs.pop("connection_id", None)
        if kwargs.pop("allow_extra", False) or factory.legacy_members == "fail":
            return factory.create(spec.name, user_context, connection_id=connection_id, **kwargs)
        generic = old.LegacySpec(f"{spec.name}:by-name", NoInterface, mock.MagicMock)
        return factory._legacy(spec, generic, {}, kwargs, user_context, connection_id=connection_id)


class NoInterface:
    """No interface: what a double follows when no kind stands for it (every member it has
    is foreign), and the old declaration of a double made only by kind name."""


def _engine(cls: type[SSotMockFactory], kwargs: dict[str, Any]) -> Any:
    values = {
        "engine_id": kwargs.pop("engine_id", f"engine_{uuid.uuid4().hex[:8]}"),
        "execute_agent_pipeline": None,
        "cleanup": None,
        "is_active": True,
        "get_user_context": None,
        "get_user_execution_stats": {},
        "created_at": time.time(),
        "active_runs": [],
    }
    user_context = kwargs.pop("user_context", None)
    return _legacy_double(
        "user_execution_engine", old.EXECUTION_ENGINE, values, kwargs, user_context
    )


def _emitter(cls: type[SSotMockFactory], kwargs: dict[str, Any]) -> Any:
    return cls.create_mock_websocket_emitter(**kwargs)


_OLD_NAMES: dict[str, Callable[[type[SSotMockFactory], dict[str, Any]], Any]] = {
    "AsyncSession": lambda cls, kw: cls.create_database_session_mock(**kw),
    "UserExecutionEngine": _engine,
    "WebSocketManager": lambda cls, kw: cls.create_websocket_manager_mock(**kw),
    "LLMManager": lambda cls, kw: cls.create_mock_llm_manager(**kw),
    "AgentWebSocketBridge": lambda cls, kw: cls.create_mock_agent_websocket_bridge(**kw),
    "UnifiedWebSocketEmitter": _emitter,
}
