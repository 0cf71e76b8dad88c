"""The legacy factory's contract: every method, called the old way, on the class and on an
instance, returns a double carrying every member the old one carried.

One test per method of the table in the contract; each runs against the class and an
instance (`f = SSotMockFactory(); f.create_...()`).
"""

from __future__ import annotations

import inspect
import warnings
from datetime import datetime
from typing import Any
from unittest.mock import AsyncMock

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from mockguard.factory import (
    ExecutionContext,
    MockFactory,
    MockguardDeprecationWarning,
    SSotMockFactory,
    StrictMock,
    UnknownKindError,
    UserExecutionContext,
    using,
)


@pytest.fixture(params=["class", "instance"])
def f(request: pytest.FixtureRequest) -> Any:
    """The facade as old tests reach it: the class, or an instance of it."""
    return SSotMockFactory if request.param == "class" else SSotMockFactory()


async def awaited(double: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call an async member the way old tests did, checking that it is awaitable."""
    result = getattr(double, name)(*args, **kwargs)
    assert inspect.isawaitable(result), f"{name} is not async"
    return await result


def called(double: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call a sync member, checking that it is not awaitable."""
    result = getattr(double, name)(*args, **kwargs)
    assert not inspect.isawaitable(result), f"{name} is async"
    return result


# ------------------------------------------------------------------ agent, tool


@pytest.mark.asyncio
async def test_create_agent_mock(f: Any) -> None:
    agent = f.create_agent_mock()
    assert agent.agent_type == "supervisor"
    result = await awaited(agent, "execute", "task")
    assert result["status"] == "completed" and result["execution_time"] == 0.1
    assert await awaited(agent, "run", None, "hi") == ""

    agent = f.create_agent_mock("triage", {"answer": 42}, 0.5)  # positional, as before
    assert agent.agent_type == "triage"
    assert await awaited(agent, "execute") == {"answer": 42}
    assert await awaited(agent, "run", None, "hi") == {"answer": 42}
    agent = f.create_agent_mock(agent_type="research", execution_result=None, execution_time=2)
    assert (await awaited(agent, "execute"))["execution_time"] == 2


@pytest.mark.asyncio
async def test_create_tool_mock(f: Any) -> None:
    tool = f.create_tool_mock()
    assert tool.name == "test_tool"
    assert await awaited(tool, "execute") == {
        "status": "success",
        "result": "Mock test_tool execution result",
    }
    assert called(tool, "get_schema") == {
        "name": "test_tool",
        "description": "Mock test_tool tool",
        "parameters": {},
    }
    tool = f.create_tool_mock("search", {"hits": 3})
    assert tool.name == "search"
    assert await awaited(tool, "execute", query="x") == {"hits": 3}
    assert await awaited(tool, "run", query="x") == {"hits": 3}
    tool = f.create_tool_mock(tool_name="calc", execution_result={"value": 4})
    assert (tool.name, called(tool, "get_schema")["name"]) == ("calc", "calc")


# ------------------------------------------------------------------- websockets


@pytest.mark.asyncio
async def test_create_websocket_mock(f: Any) -> None:
    ws = f.create_websocket_mock()
    assert isinstance(ws, WebSocket)
    assert (ws.connection_id, ws.user_id) == ("test-connection", "test-user")
    for name in ("accept", "close"):
        await awaited(ws, name)
    await awaited(ws, "send_text", "hello")
    await awaited(ws, "send_json", {"type": "agent_started", "user_id": "test-user"})
    ws.send_json.assert_awaited_once()

    ws = f.create_websocket_mock("conn-7", "alice")  # positional, as before
    assert (ws.connection_id, ws.user_id) == ("conn-7", "alice")
    ws = f.create_websocket_mock(connection_id="conn-8", user_id="bob")
    await ws.send_json({"type": "agent_started"})
    [event] = f.factory().sent(ws)
    assert (event.connection_id, event.user_id) == ("conn-8", "bob")


@pytest.mark.asyncio
async def test_create_mock_agent_websocket_bridge(f: Any) -> None:
    bridge = f.create_mock_agent_websocket_bridge()
    assert (bridge.user_id, bridge.run_id, bridge.is_connected) == ("test-user", "test-run", True)
    for name in (
        "notify_agent_started",
        "notify_agent_thinking",
        "notify_tool_executing",
        "notify_tool_completed",
        "notify_agent_completed",
    ):
        assert await awaited(bridge, name, "test-run", "supervisor") is True
    for name in ("connect", "disconnect", "send_message"):
        await awaited(bridge, name)
    await awaited(bridge, "emit_event", "agent_thinking", {"thought": "hm"})
    await awaited(bridge, "emit_critical_event", "agent_completed", {"result": "ok"})
    assert called(bridge, "is_connection_active") is True
    assert called(bridge, "get_connection_status") == {
        "connected": True,
        "user_id": "test-user",
        "run_id": "test-run",
    }
    assert called(bridge, "get_user_context") == {
        "user_id": "test-user",
        "run_id": "test-run",
        "session_active": True,
    }

    bridge = f.create_mock_agent_websocket_bridge("alice", "run-9")  # positional, as before
    assert (bridge.user_id, bridge.run_id) == ("alice", "run-9")
    failing = f.create_mock_agent_websocket_bridge(user_id="u", run_id="r", should_fail=True)
    with pytest.raises(Exception, match="WebSocket bridge failure"):
        await failing.notify_agent_started("r", "supervisor")


@pytest.mark.asyncio
async def test_create_websocket_manager_mock(f: Any) -> None:
    manager = f.create_websocket_manager_mock()
    assert manager.manager_type == "unified"
    for name in (
        "add_connection",
        "remove_connection",
        "send_message",
        "broadcast_message",
        "send_agent_event",
        "emit_critical_event",
    ):
        await awaited(manager, name, "test-user", {"type": "x"})
    assert await awaited(manager, "get_connection_count") == 0
    assert await awaited(manager, "get_user_connections", "u") == []
    assert await awaited(manager, "get_connections_for_user", "u") == []
    assert called(manager, "is_connection_active", "u") is True
    assert called(manager, "get_connection_health", "u") == {"has_active_connections": True}
    assert called(manager, "get_connection", "c") is None
    assert manager._active_connections == {}
    manager._connection_registry.register("c")  # the old MagicMock bookkeeping
    assert manager._user_context is None

    manager = f.create_websocket_manager_mock("isolated", False)  # positional, as before
    assert manager.manager_type == "isolated"
    manager = f.create_websocket_manager_mock(manager_type="legacy", user_isolation=True)
    assert await manager.get_connections_for_user("u") == []


# --------------------------------------------------------------------- database


@pytest.mark.asyncio
async def test_create_database_session_mock(f: Any) -> None:
    session = f.create_database_session_mock()
    assert isinstance(session, AsyncSession)
    for name in ("execute", "scalar", "scalars"):
        await awaited(session, name, "select 1")
    for name in ("commit", "rollback", "close"):
        await awaited(session, name)
    session.commit.assert_awaited_once_with()


# --------------------------------------------------------------------- contexts


def test_create_execution_context_mock(f: Any) -> None:
    context = f.create_execution_context_mock()
    assert type(context) is ExecutionContext and not isinstance(context, StrictMock)
    assert (context.user_id, context.thread_id) == ("test-user", "test-thread")
    assert isinstance(context.created_at, datetime)
    assert context.get_state() == {}
    context.set_state("step", 2)
    assert context.get_state("step") == 2
    context = f.create_execution_context_mock("alice", "t-1")  # positional, as before
    assert (context.user_id, context.thread_id) == ("alice", "t-1")
    context = f.create_execution_context_mock(user_id="bob", thread_id="t-2")
    assert (context.user_id, context.thread_id) == ("bob", "t-2")


def test_create_mock_user_context(f: Any) -> None:
    context = f.create_mock_user_context()
    assert type(context) is UserExecutionContext
    assert (context.user_id, context.thread_id, context.run_id, context.request_id) == (
        "test_user",
        "test_thread",
        "test_run",
        "test_request",
    )
    assert context.user_tier == "free"
    assert isinstance(context.created_at, datetime)
    assert context.get_state() == {}
    context.set_state("k", "v")
    assert context.get_state("k") == "v"
    assert context.connection_id == context.websocket_client_id == "conn_test_user_test_thread"

    context = f.create_mock_user_context("u", "t", "r", "q", "ws-1")  # positional
    assert (context.user_id, context.run_id, context.request_id) == ("u", "r", "q")
    assert context.websocket_client_id == context.connection_id == "ws-1"
    context = f.create_mock_user_context(websocket_client_id="ws-2")
    assert context.connection_id == context.websocket_client_id == "ws-2"
    context = f.create_mock_user_context(connection_id="c-3")
    assert context.connection_id == context.websocket_client_id == "c-3"
    context = f.create_mock_user_context(user_id="x", agent_context={"a": 1}, user_tier="pro")
    assert context.agent_context == {"a": 1}  # extra keyword arguments become attributes
    assert context.user_tier == "pro"


def test_create_isolated_execution_context(f: Any) -> None:
    context = f.create_isolated_execution_context("alice", "thread-1")
    assert type(context) is UserExecutionContext
    assert (context.user_id, context.thread_id) == ("alice", "thread-1")
    assert context.run_id.startswith("run_alice_thread-1_")
    assert context.request_id.startswith("req_alice_thread-1_")
    assert context.connection_id == "conn_alice_thread-1"
    context = f.create_isolated_execution_context(
        "bob", "t", websocket_client_id="ws-b", connection_id="c-b", audit_metadata={"x": 1}
    )
    assert (context.connection_id, context.websocket_client_id) == ("c-b", "ws-b")
    assert context.audit_metadata == {"x": 1}
    assert context.get_state() == {}


# ----------------------------------------------------------------------- LLM


@pytest.mark.asyncio
async def test_create_llm_client_mock(f: Any) -> None:
    client = f.create_llm_client_mock()
    assert client.choices[0].message.content == "Mock LLM response"
    assert await awaited(client, "agenerate", "prompt") == {
        "response": "Mock LLM response",
        "usage": {"total_tokens": 100},
    }
    assert await awaited(client, "get_default_client") is client
    completion = await client.chat.completions.create(model="m", messages=[])
    assert completion.choices[0].message.content == "Mock LLM response"
    assert completion.usage.total_tokens == 100
    client = f.create_llm_client_mock("hello")  # positional, as before
    assert client.choices[0].message.content == "hello"
    client = f.create_llm_client_mock(response_text="hi")
    assert (await client.agenerate())["response"] == "hi"


@pytest.mark.asyncio
async def test_create_mock_llm_manager(f: Any) -> None:
    manager = f.create_mock_llm_manager()
    assert (manager.model, manager.temperature, manager.max_tokens, manager.timeout) == (
        "gpt-4",
        0.7,
        4000,
        30,
    )
    assert (manager.llm_config.model, manager.llm_config.temperature) == ("gpt-4", 0.7)
    assert await awaited(manager, "generate_response", "q") == "Mock LLM response"
    assert await awaited(manager, "get_embeddings", "text") == [0.1, 0.2, 0.3]
    assert await awaited(manager, "tokenize", "text") == ["token1", "token2"]
    assert await awaited(manager, "validate_model", "gpt-4") is True
    assert await awaited(manager, "get_model_info") == {
        "model": "gpt-4",
        "max_tokens": 4000,
        "supports_streaming": True,
    }
    client = await awaited(manager, "get_default_client")
    assert client.choices[0].message.content == "Mock LLM response"
    stream = await awaited(manager, "stream_response", "q")
    assert [part async for part in stream] == ["Mock", " streaming", " response"]
    again = await manager.stream_response("q")
    assert [part async for part in again] == ["Mock", " streaming", " response"]

    manager = f.create_mock_llm_manager("claude", {"temperature": 0.1, "region": "eu"})
    assert (manager.model, manager.temperature) == ("claude", 0.1)
    assert manager.llm_config.region == "eu"
    manager = f.create_mock_llm_manager(model="m", config=None)
    assert (await manager.get_model_info())["model"] == "m"


# ---------------------------------------------------------------- configuration


def test_create_configuration_mock(f: Any) -> None:
    config = f.create_configuration_mock()
    assert config.environment == "test"
    assert config.database_url == "postgresql://test:test@localhost:5432/test"
    assert config.redis_url == "redis://localhost:6379/0"
    assert config.jwt_secret_key == "test-jwt-secret"
    config = f.create_configuration_mock("staging", {"feature_x": True, "timeout": 5})
    assert (config.environment, config.feature_x, config.timeout) == ("staging", True, 5)
    assert config.get("environment") == "staging"
    assert config.get("feature_x") is True
    assert config.get("missing", "dflt") == "dflt"
    config = f.create_configuration_mock(environment="prod", additional_config={"k": "v"})
    assert (config.environment, config.k) == ("prod", "v")


# ----------------------------------------------------------------- suites, generic

LEGACY_SUITE = [
    "agent",
    "websocket",
    "database_session",
    "execution_context",
    "tool",
    "llm_client",
    "configuration",
    "llm_manager",
    "agent_websocket_bridge",
]


@pytest.mark.asyncio
async def test_create_mock_suite(f: Any) -> None:
    suite = f.create_mock_suite(LEGACY_SUITE)
    assert list(suite) == LEGACY_SUITE
    assert suite["agent"].agent_type == "supervisor"
    assert isinstance(suite["websocket"], WebSocket)
    assert isinstance(suite["database_session"], AsyncSession)
    assert type(suite["execution_context"]) is ExecutionContext
    assert suite["tool"].name == "test_tool"
    assert suite["llm_client"].choices
    assert suite["configuration"].environment == "test"
    assert suite["llm_manager"].model == "gpt-4"
    await suite["agent_websocket_bridge"].notify_agent_started("run", "supervisor")
    users = {
        suite[name].user_id for name in ("websocket", "execution_context", "agent_websocket_bridge")
    }
    assert len(users) == 1  # one user for the whole suite


@pytest.mark.asyncio
async def test_create_mock_by_old_class_name(f: Any) -> None:
    session = f.create_mock("AsyncSession")
    assert isinstance(session, AsyncSession)
    await session.commit()

    engine = f.create_mock("UserExecutionEngine", engine_id="engine-1")
    assert engine.engine_id == "engine-1"
    assert f.create_mock("UserExecutionEngine").engine_id.startswith("engine_")
    await awaited(engine, "execute_agent_pipeline", "ctx")
    await awaited(engine, "cleanup")
    assert await awaited(engine, "is_active") is True
    await awaited(engine, "get_user_context")
    assert await awaited(engine, "get_user_execution_stats") == {}
    assert isinstance(engine.created_at, float) and engine.active_runs == []

    manager = f.create_mock("WebSocketManager", manager_type="isolated")
    assert manager.manager_type == "isolated"
    assert await manager.get_connection_count() == 0
    llm = f.create_mock("LLMManager", model="m")
    assert llm.model == "m"
    bridge = f.create_mock("AgentWebSocketBridge", user_id="u", run_id="r")
    assert (bridge.user_id, bridge.run_id) == ("u", "r")
    await bridge.notify_agent_started("r", "supervisor")
    emitter = f.create_mock("UnifiedWebSocketEmitter")
    for name in ("emit_event", "emit_critical_event", "send_message"):
        await awaited(emitter, name, "agent_started", {"x": 1})

    generic = f.create_mock("SomethingElse", return_value=3)
    assert isinstance(generic, AsyncMock)
    assert await generic() == 3


@pytest.mark.asyncio
async def test_create_mock_by_kind_name(f: Any) -> None:
    ws = f.create_mock("websocket")
    assert isinstance(ws, WebSocket)
    await ws.send_json({"type": "x"})
    agent = f.create_mock("agent", run="ok")
    assert await agent.run(None, "q") == "ok"


def test_deprecated_aliases_on_the_class_and_an_instance(f: Any) -> None:
    with pytest.warns(MockguardDeprecationWarning, match="create_websocket_manager_mock"):
        manager = f.create_mock_websocket_manager()
    assert manager.manager_type == "unified"
    with pytest.warns(MockguardDeprecationWarning):
        assert f.create_mock_websocket("c", "u").user_id == "u"
    with pytest.warns(MockguardDeprecationWarning):
        assert f.create_mock_supervisor_agent().agent_type == "supervisor"


def test_unknown_create_names_fail_with_a_migration_hint(f: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError) as info:
            f.create_mock_redis_client  # noqa: B018
    message = str(info.value)
    assert "SSotMockFactory has no attribute `create_mock_redis_client`" in message
    assert 'register("redis_client", YourClass)' in message
    assert 'create_mock("redis_client")' in message
    with pytest.raises(AttributeError) as info:
        f.create_websocket_mok  # noqa: B018
    message = str(info.value)
    assert "did you mean `create_websocket_mock`" in message
    assert 'create_mock("websocket")' in message


# ------------------------------------------------------------- migration modes


def test_every_old_member_is_recorded_when_the_real_interface_lacks_it() -> None:
    factory = SSotMockFactory.factory()
    ws = SSotMockFactory.create_websocket_mock()
    ws.connection_id  # noqa: B018
    ws.sent_messages = []  # a name no double ever had: allowed, and recorded as set
    uses = {kind: members for kind, _, members in factory.migration}
    assert set(uses["websocket"]) == {"connection_id", "sent_messages"}
    assert uses["websocket"]["sent_messages"].hows == {"set"}
    assert uses["websocket"]["connection_id"].hows == {"read"}


def test_strict_migration_mode_refuses_what_the_real_interface_lacks() -> None:
    with using(MockFactory(legacy_members="fail")):
        ws = SSotMockFactory.create_websocket_mock()
        with pytest.raises(AttributeError, match="WebSocket has no attribute `connection_id`"):
            ws.connection_id  # noqa: B018
        with pytest.raises(AttributeError):
            ws.sent_messages = []
        with pytest.raises(UnknownKindError):
            SSotMockFactory.create_mock("UserExecutionEngine")


def test_a_kind_bound_to_the_project_class_has_no_foreign_members() -> None:
    class ProjectBridge:
        user_id: str = ""
        run_id: str = ""

        async def notify_agent_started(self, run_id: str, agent_name: str) -> bool:
            return True

    factory = MockFactory(legacy_members="fail")
    factory.register("agent_websocket_bridge", ProjectBridge)
    with using(factory):
        bridge = SSotMockFactory.create_mock_agent_websocket_bridge("alice", "r1")
        assert (bridge.user_id, bridge.run_id) == ("alice", "r1")
        assert isinstance(bridge, ProjectBridge)
        with pytest.raises(TypeError, match="missing a required argument"):
            bridge.notify_agent_started("r1")  # the project's signature rules
        with pytest.raises(AttributeError, match="no attribute `notify_tool_executing`"):
            bridge.notify_tool_executing  # noqa: B018


def test_execution_context_is_data_in_both_modes() -> None:
    with using(MockFactory(legacy_members="fail")):
        context = SSotMockFactory.create_execution_context_mock()
        assert isinstance(context, ExecutionContext)
        assert context.get_state() == {}


@pytest.mark.asyncio
async def test_create_mock_by_old_class_name_follows_a_kind_bound_to_that_class() -> None:
    class UserExecutionEngine:
        engine_id: str = ""

        async def execute_agent_pipeline(self, context: Any, message: str) -> str:
            return ""

    SSotMockFactory.factory().register("engine", UserExecutionEngine)
    engine = SSotMockFactory.create_mock("UserExecutionEngine", engine_id="e-1")
    assert isinstance(engine, UserExecutionEngine)
    assert engine.engine_id == "e-1"
    with pytest.raises(TypeError, match="missing a required argument"):
        await engine.execute_agent_pipeline("ctx")  # the project's signature


REQUIRED = inspect.Parameter.empty
OLD_SIGNATURES: dict[str, list[tuple[str, Any]]] = {
    "create_agent_mock": [
        ("agent_type", "supervisor"),
        ("execution_result", None),
        ("execution_time", 0.1),
    ],
    "create_websocket_mock": [("connection_id", "test-connection"), ("user_id", "test-user")],
    "create_database_session_mock": [],
    "create_execution_context_mock": [("user_id", "test-user"), ("thread_id", "test-thread")],
    "create_tool_mock": [("tool_name", "test_tool"), ("execution_result", None)],
    "create_llm_client_mock": [("response_text", "Mock LLM response")],
    "create_configuration_mock": [("environment", "test"), ("additional_config", None)],
    "create_mock_llm_manager": [("model", "gpt-4"), ("config", None)],
    "create_mock_agent_websocket_bridge": [("user_id", "test-user"), ("run_id", "test-run")],
    "create_websocket_manager_mock": [("manager_type", "unified"), ("user_isolation", True)],
    "create_mock_user_context": [
        ("user_id", "test_user"),
        ("thread_id", "test_thread"),
        ("run_id", "test_run"),
        ("request_id", "test_request"),
        ("websocket_client_id", None),
        ("connection_id", None),
    ],
    "create_isolated_execution_context": [
        ("user_id", None),  # required before; a fresh id when left out now
        ("thread_id", None),
        ("websocket_client_id", None),
        ("connection_id", None),
    ],
    "create_mock_suite": [("mock_types", REQUIRED)],
    "create_mock": [("mock_type", REQUIRED)],
}


@pytest.mark.parametrize("method", sorted(OLD_SIGNATURES))
def test_old_parameters_keep_their_names_order_and_defaults(method: str) -> None:
    for owner in (SSotMockFactory, SSotMockFactory()):
        parameters = list(inspect.signature(getattr(owner, method)).parameters.values())
        positional = [
            (p.name, p.default)
            for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        assert positional[: len(OLD_SIGNATURES[method])] == OLD_SIGNATURES[method]
    takes_any = {"create_mock_user_context", "create_isolated_execution_context", "create_mock"}
    if method in takes_any:
        assert any(p.kind is p.VAR_KEYWORD for p in parameters)  # **kwargs, as before
