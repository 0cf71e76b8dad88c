"""SSotMockFactory: every helper with and without arguments, aliases, unknown names."""

from __future__ import annotations

import dataclasses
import inspect
import re
import warnings
from typing import Any
from unittest.mock import AsyncMock

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from mockguard.factory import (
    LIFECYCLE_EVENTS,
    ContaminationError,
    ExecutionContext,
    KindError,
    MockFactory,
    MockguardDeprecationWarning,
    SSotMockFactory,
    StrictMock,
    UnknownKindError,
    UserExecutionContext,
    using,
)
from mockguard.factory.protocols import (
    AgentInterface,
    AgentWebSocketBridgeInterface,
    ConfigurationInterface,
    LLMClientInterface,
    LLMManagerInterface,
    ToolInterface,
    WebSocketManagerInterface,
)

UUID_ID = re.compile(r"^(user|thread|run|req)-[0-9a-f]{32}$")


def owner(double: Any) -> str:
    """The user id a double belongs to, as its repr shows it."""
    found = re.search(r"user=(\S+)", repr(double))
    assert found, repr(double)
    return found.group(1)


# ------------------------------------------------------------------------ agents


@pytest.mark.asyncio
async def test_create_agent_mock_with_parameters() -> None:
    context = SSotMockFactory.create_mock_user_context(user_id="alice")
    agent = SSotMockFactory.create_agent_mock(
        agent_type="triage", name="Triage", response="routed", user_context=context
    )
    assert isinstance(agent, StrictMock) and agent.__class__ is AgentInterface
    assert (agent.agent_type, agent.name) == ("triage", "Triage")
    assert await agent.run(context, "hello") == "routed"
    agent.run.assert_awaited_once_with(context=context, message="hello")
    assert owner(agent) == "alice"
    with pytest.raises(TypeError):
        await agent.run("only one argument")


@pytest.mark.asyncio
async def test_create_agent_mock_without_arguments() -> None:
    agent = SSotMockFactory.create_agent_mock()
    assert (agent.agent_type, agent.name) == ("supervisor", "supervisor")
    assert await agent.run(None, "hi") == ""
    assert await agent.execute() == {
        "status": "completed",
        "result": "Mock agent execution result",
        "execution_time": 0.1,
    }
    # Lenient migration mode: a name the interface lacks works, as on the old MagicMock,
    # and is recorded for the to-do list.
    assert isinstance(agent.runn, AsyncMock)
    uses = {m for _, _, members in SSotMockFactory.factory().migration for m in members}
    assert {"runn", "execute"} <= uses


@pytest.mark.asyncio
async def test_create_agent_mock_in_strict_migration_mode() -> None:
    with using(MockFactory(legacy_members="fail")):
        agent = SSotMockFactory.create_agent_mock()
        with pytest.raises(AttributeError, match="did you mean `run`"):
            agent.runn  # noqa: B018
        with pytest.raises(AttributeError):
            agent.execute  # noqa: B018  (the reference agent has no `execute`)


@pytest.mark.asyncio
async def test_create_agent_mock_name_defaults_to_the_agent_type() -> None:
    agent = SSotMockFactory.create_agent_mock(agent_type="research")
    assert agent.name == "research"


# --------------------------------------------------------------------- websockets


@pytest.mark.asyncio
async def test_create_websocket_mock_with_parameters() -> None:
    ws = SSotMockFactory.create_websocket_mock(connection_id="conn-facade-1", user_id="u-facade")
    assert isinstance(ws, WebSocket)
    await ws.accept()
    await ws.send_json({"type": "agent_started", "user_id": "u-facade"})
    [event] = SSotMockFactory.factory().sent(ws)
    assert (event.connection_id, event.user_id) == ("conn-facade-1", "u-facade")
    assert event.payload == {"type": "agent_started", "user_id": "u-facade"}
    with pytest.raises(ContaminationError):
        await ws.send_json({"type": "agent_thinking", "user_id": "somebody-else"})
    SSotMockFactory.factory().violations.clear()  # provoked on purpose


@pytest.mark.asyncio
async def test_create_websocket_mock_without_arguments() -> None:
    first = SSotMockFactory.create_websocket_mock()
    second = SSotMockFactory.create_websocket_mock()
    await first.send_json({"type": "agent_started"})
    await second.send_json({"type": "agent_started"})
    factory = SSotMockFactory.factory()
    [one], [two] = factory.sent(first), factory.sent(second)
    assert one.connection_id == two.connection_id == "test-connection"  # the old defaults
    assert one.user_id == two.user_id == "test-user"
    assert one.source != two.source  # still told apart
    assert (first.connection_id, first.user_id) == ("test-connection", "test-user")


def test_create_websocket_mock_with_a_user_context() -> None:
    context = UserExecutionContext(user_id="carol")
    ws = SSotMockFactory.create_websocket_mock(user_context=context)
    assert owner(ws) == "carol"


# ------------------------------------------------------------------------ database


@pytest.mark.asyncio
async def test_create_database_session_mock() -> None:
    session = SSotMockFactory.create_database_session_mock()
    assert isinstance(session, AsyncSession)
    async with session as entered:
        entered.add(object())
        await entered.commit()
    session.commit.assert_awaited_once_with()
    with pytest.raises(TypeError):
        session.add()


@pytest.mark.asyncio
async def test_create_database_session_mock_with_overrides() -> None:
    context = UserExecutionContext(user_id="dave")
    session = SSotMockFactory.create_database_session_mock(
        user_context=context, scalar=5, commit=RuntimeError("db down")
    )
    assert owner(session) == "dave"
    assert await session.scalar("select 1") == 5
    with pytest.raises(RuntimeError, match="db down"):
        await session.commit()
    with pytest.raises(KindError, match="did you mean `commit`"):
        SSotMockFactory.create_database_session_mock(comit=None)


# ------------------------------------------------------------------------ contexts


def assert_real_user_context(context: Any) -> None:
    assert type(context) is UserExecutionContext
    assert not isinstance(context, StrictMock)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.user_id = "changed"


def test_create_mock_user_context_with_parameters() -> None:
    context = SSotMockFactory.create_mock_user_context(
        user_id="u1",
        thread_id="t1",
        run_id="r1",
        request_id="q1",
        websocket_connection_id="c1",
    )
    assert_real_user_context(context)
    assert (
        context.user_id,
        context.thread_id,
        context.run_id,
        context.request_id,
        context.websocket_connection_id,
    ) == ("u1", "t1", "r1", "q1", "c1")


def test_create_mock_user_context_without_arguments_has_the_old_defaults() -> None:
    context = SSotMockFactory.create_mock_user_context()
    assert_real_user_context(context)
    assert (context.user_id, context.thread_id, context.run_id, context.request_id) == (
        "test_user",
        "test_thread",
        "test_run",
        "test_request",
    )
    assert context.connection_id == context.websocket_client_id == "conn_test_user_test_thread"


def test_create_mock_user_context_with_none_ids_has_unique_uuid_ids() -> None:
    contexts = [SSotMockFactory.create_mock_user_context(None, None, None, None) for _ in range(50)]
    for context in contexts:
        assert_real_user_context(context)
        for value in (context.user_id, context.thread_id, context.run_id, context.request_id):
            assert UUID_ID.match(value), value
    assert len({c.user_id for c in contexts}) == 50
    assert len({c.run_id for c in contexts}) == 50
    assert len({c.request_id for c in contexts}) == 50


def test_create_execution_context_mock_with_parameters() -> None:
    context = SSotMockFactory.create_execution_context_mock(
        user_id="u2", run_id="r2", agent_name="triage"
    )
    assert type(context) is ExecutionContext
    assert (context.user_id, context.run_id, context.agent_name) == ("u2", "r2", "triage")
    assert context.user_context.run_id == "r2"
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.agent_name = "other"
    given = UserExecutionContext(user_id="u3")
    from_given = SSotMockFactory.create_execution_context_mock(user_context=given)
    assert from_given.user_context is given
    assert from_given.run_id == given.run_id


def test_create_execution_context_mock_without_arguments() -> None:
    first = SSotMockFactory.create_execution_context_mock()
    second = SSotMockFactory.create_execution_context_mock()
    assert type(first) is ExecutionContext
    assert first.agent_name == "supervisor"
    assert (first.user_id, first.thread_id) == ("test-user", "test-thread")  # the old defaults
    assert first.run_id != second.run_id
    assert first.run_id == first.user_context.run_id
    assert UUID_ID.match(first.run_id)
    assert first.started_at.tzinfo is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.run_id = "r"


def test_create_isolated_execution_context() -> None:
    context = SSotMockFactory.create_isolated_execution_context("u4", "t4", agent_name="research")
    assert_real_user_context(context)
    assert (context.user_id, context.thread_id, context.agent_name) == ("u4", "t4", "research")
    assert context.run_id.startswith("run_u4_t4_")
    assert context.request_id.startswith("req_u4_t4_")
    again = SSotMockFactory.create_isolated_execution_context("u4", "t4")
    assert again.run_id != context.run_id  # derived, and unique
    fresh = [SSotMockFactory.create_isolated_execution_context() for _ in range(20)]
    assert len({c.user_id for c in fresh}) == 20
    assert len({c.run_id for c in fresh}) == 20
    assert len({c.thread_id for c in fresh}) == 20


# --------------------------------------------------------------------------- tools


@pytest.mark.asyncio
async def test_create_tool_mock_with_parameters() -> None:
    tool = SSotMockFactory.create_tool_mock(
        name="search", result={"hits": 2}, description="web search"
    )
    assert tool.__class__ is ToolInterface
    assert (tool.name, tool.description) == ("search", "web search")
    assert await tool.run(query="x") == {"hits": 2}
    tool.run.assert_awaited_once_with(query="x")
    with pytest.raises(TypeError):
        tool.run("positional")  # run(**kwargs) takes keywords only


@pytest.mark.asyncio
async def test_create_tool_mock_without_arguments() -> None:
    tool = SSotMockFactory.create_tool_mock()
    assert (tool.name, tool.description) == ("test_tool", "")
    assert await tool.run() == ""


@pytest.mark.asyncio
async def test_create_tool_mock_result_can_be_an_error() -> None:
    tool = SSotMockFactory.create_tool_mock(result=TimeoutError("slow"))
    with pytest.raises(TimeoutError, match="slow"):
        await tool.run()


# ----------------------------------------------------------------------------- LLM


@pytest.mark.asyncio
async def test_create_llm_client_mock_with_parameters() -> None:
    tool_calls = [{"id": "call-1", "function": {"name": "search"}}]
    client = SSotMockFactory.create_llm_client_mock(response="hello", tool_calls=tool_calls)
    assert client.__class__ is LLMClientInterface
    completion = await client.chat.completions.create(model="gpt", messages=[])
    [choice] = completion.choices
    assert choice.message.content == "hello"
    assert choice.message.role == "assistant"
    assert choice.message.tool_calls == tool_calls
    assert not isinstance(completion, StrictMock)  # real data, safe to serialise
    client.chat.completions.create.assert_awaited_once_with(model="gpt", messages=[])


@pytest.mark.asyncio
async def test_create_llm_client_mock_without_arguments() -> None:
    client = SSotMockFactory.create_llm_client_mock()
    completion = await client.chat.completions.create(model="m", messages=[])
    assert completion.choices[0].message.content == "Mock LLM response"
    assert completion.choices[0].message.tool_calls is None
    other = SSotMockFactory.create_llm_client_mock()
    assert other.chat is not client.chat


@pytest.mark.asyncio
async def test_create_mock_llm_manager_with_parameters() -> None:
    manager = SSotMockFactory.create_mock_llm_manager(response="answer")
    assert manager.__class__ is LLMManagerInterface
    assert await manager.ask("question", model="m") == "answer"
    client = manager.get_client("default")
    assert not inspect.isawaitable(client)
    completion = await client.chat.completions.create(model="m", messages=[])
    assert completion.choices[0].message.content == "answer"
    manager.get_client.assert_called_once_with(name="default")


@pytest.mark.asyncio
async def test_create_mock_llm_manager_without_arguments() -> None:
    manager = SSotMockFactory.create_mock_llm_manager()
    assert await manager.ask("q") == "Mock LLM response"
    assert manager.get_client().__class__ is LLMClientInterface
    with pytest.raises(TypeError):
        await manager.ask("q", "positional-model")  # model is keyword-only


@pytest.mark.asyncio
async def test_create_mock_llm_manager_with_overrides() -> None:
    client = SSotMockFactory.create_llm_client_mock("from override")
    manager = SSotMockFactory.create_mock_llm_manager(
        response="r", get_client=lambda name=None: client
    )
    assert manager.get_client() is client
    assert await manager.ask("q") == "r"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("helper", "member"),
    [("create_mock_llm_manager", "ask"), ("create_tool_mock", "run")],
)
async def test_overriding_the_member_a_helper_configures(helper: str, member: str) -> None:
    try:
        double = getattr(SSotMockFactory, helper)(**{member: ValueError("quota")})
    except KindError:
        return  # a clear factory error would be acceptable too
    with pytest.raises(ValueError, match="quota"):
        await getattr(double, member)(**({"prompt": "q"} if member == "ask" else {}))


# ------------------------------------------------------------- settings, bridges


def test_create_configuration_mock_with_values() -> None:
    config = SSotMockFactory.create_configuration_mock(environment="staging", debug=True, get=3)
    assert config.__class__ is ConfigurationInterface
    assert (config.environment, config.debug) == ("staging", True)
    assert config.get("retries") == 3
    with pytest.raises(KindError, match="did you mean `debug`"):
        SSotMockFactory.create_configuration_mock(debgu=True)


def test_create_configuration_mock_without_arguments() -> None:
    config = SSotMockFactory.create_configuration_mock()
    assert (config.environment, config.debug) == ("test", False)
    assert config.database_url == "postgresql://test:test@localhost:5432/test"  # the old value
    with using(MockFactory(legacy_members="fail")):
        strict = SSotMockFactory.create_configuration_mock()
        with pytest.raises(AttributeError):
            strict.database_url  # noqa: B018
        assert strict.get("database_url").startswith("postgresql://")  # still a value


@pytest.mark.asyncio
async def test_create_mock_agent_websocket_bridge() -> None:
    context = UserExecutionContext(user_id="erin")
    bridge = SSotMockFactory.create_mock_agent_websocket_bridge(
        user_context=context, agent_started=True
    )
    assert bridge.__class__ is AgentWebSocketBridgeInterface
    assert owner(bridge) == "erin"
    assert await bridge.agent_started(context, "supervisor") is True
    await bridge.tool_executing(context, "search", {"q": "x"})
    bridge.tool_executing.assert_awaited_once_with(
        context=context, tool_name="search", arguments={"q": "x"}
    )
    with pytest.raises(TypeError):
        await bridge.tool_completed(context, "search")  # result missing
    plain = SSotMockFactory.create_mock_agent_websocket_bridge()
    await plain.agent_started(None, "supervisor")
    await plain.agent_thinking(None, "thinking")
    await plain.tool_executing(None, "search", {})
    await plain.tool_completed(None, "search", "result")
    await plain.agent_completed(None, "answer")
    assert [c[0] for c in plain.mock_calls] == list(LIFECYCLE_EVENTS)


@pytest.mark.asyncio
async def test_create_websocket_manager_mock() -> None:
    context = UserExecutionContext(user_id="frank")
    manager = SSotMockFactory.create_websocket_manager_mock(user_context=context, send_to_user=4)
    assert manager.__class__ is WebSocketManagerInterface
    assert owner(manager) == "frank"
    assert await manager.send_to_user("frank", {"type": "x"}) == 4
    plain = SSotMockFactory.create_websocket_manager_mock()
    assert await plain.send_to_user("u", {}) == 1
    assert await plain.broadcast({}) == 0
    assert plain.is_connected("u") is True
    assert not inspect.isawaitable(plain.disconnect("u", None))
    with pytest.raises(TypeError):
        plain.is_connected()


# ---------------------------------------------------------------- generic, suites


def test_create_mock_any_kind() -> None:
    context = UserExecutionContext(user_id="gina")
    ws = SSotMockFactory.create_mock("websocket", user_context=context, connection_id="c-g")
    assert isinstance(ws, WebSocket) and owner(ws) == "gina"
    agent = SSotMockFactory.create_mock("agent", run="x")
    assert agent.__class__ is AgentInterface
    built = SSotMockFactory.create_mock("user_context", user_id="hank")
    assert type(built) is UserExecutionContext and built.user_id == "hank"
    generic = SSotMockFactory.create_mock("web_socket")  # lenient: the old generic double
    assert isinstance(generic, AsyncMock)
    [(kind, note, _)] = list(SSotMockFactory.factory().migration)
    assert kind == "create_mock('web_socket')" and "did you mean `websocket`" in note
    with using(MockFactory(legacy_members="fail")):
        with pytest.raises(UnknownKindError, match="did you mean `websocket`"):
            SSotMockFactory.create_mock("web_socket")


def test_create_mock_suite() -> None:
    context = UserExecutionContext(user_id="ivy")
    suite = SSotMockFactory.create_mock_suite(
        ["websocket", "database_session", "agent", "tool", "llm_client"], user_context=context
    )
    assert list(suite) == ["websocket", "database_session", "agent", "tool", "llm_client"]
    assert {owner(double) for double in suite.values()} == {"ivy"}
    assert isinstance(suite["websocket"], WebSocket)
    assert isinstance(suite["database_session"], AsyncSession)


def test_create_mock_suite_without_a_user_shares_one_fresh_user() -> None:
    suite = SSotMockFactory.create_mock_suite(iter(["websocket", "agent"]))
    assert owner(suite["websocket"]) == owner(suite["agent"])
    assert UUID_ID.match(owner(suite["agent"]))


def test_create_mock_suite_with_an_unknown_key_is_an_error() -> None:
    with pytest.raises(UnknownKindError) as info:
        SSotMockFactory.create_mock_suite(["websocket", "db_session", "agent"])
    assert "unknown kind `db_session`" in str(info.value)
    assert "did you mean" in str(info.value)


# ------------------------------------------------------------ aliases and unknowns


@pytest.mark.parametrize(
    ("alias", "canonical", "check"),
    [
        (
            "create_mock_websocket_manager",
            "create_websocket_manager_mock",
            lambda made: made.__class__ is WebSocketManagerInterface,
        ),
        (
            "create_mock_websocket",
            "create_websocket_mock",
            lambda made: isinstance(made, WebSocket),
        ),
        (
            "create_mock_supervisor_agent",
            "create_agent_mock",
            lambda made: made.__class__ is AgentInterface and made.agent_type == "supervisor",
        ),
    ],
)
def test_deprecated_aliases_warn_and_still_work(alias: str, canonical: str, check: Any) -> None:
    with pytest.warns(MockguardDeprecationWarning, match=f"use SSotMockFactory.{canonical}") as rec:
        method = getattr(SSotMockFactory, alias)
    assert f"SSotMockFactory.{alias} is deprecated" in str(rec[0].message)
    assert issubclass(rec[0].category, DeprecationWarning)
    assert rec[0].filename == __file__  # the warning points at the caller
    made = method()
    assert isinstance(made, StrictMock)
    assert check(made)


def test_deprecated_alias_passes_arguments_through() -> None:
    with pytest.warns(MockguardDeprecationWarning):
        ws = SSotMockFactory.create_mock_websocket(user_id="jack", connection_id="c-jack")
    assert owner(ws) == "jack"


def test_canonical_names_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SSotMockFactory.create_websocket_manager_mock()
        SSotMockFactory.create_websocket_mock()
        SSotMockFactory.create_agent_mock()


def test_unknown_name_is_an_attribute_error_with_suggestions() -> None:
    with pytest.raises(AttributeError) as info:
        SSotMockFactory.create_websocket_mok  # noqa: B018
    message = str(info.value)
    assert "SSotMockFactory has no attribute `create_websocket_mok`" in message
    assert "did you mean `create_websocket_mock`" in message
    with pytest.raises(AttributeError, match="did you mean `create_mock_user_context`"):
        SSotMockFactory.create_mock_user_contxt  # noqa: B018
    with pytest.raises(AttributeError, match=r"has no attribute `completely_unrelated`$"):
        SSotMockFactory.completely_unrelated  # noqa: B018
    assert not hasattr(SSotMockFactory, "create_mock_redis")


def test_unknown_name_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            SSotMockFactory.create_mock_unknown_thing  # noqa: B018
