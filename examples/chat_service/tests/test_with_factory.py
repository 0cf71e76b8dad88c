"""The chat service tested with mockguard's factory instead of hand-rolled mocks.

The doubles come from the `mock_factory` fixture, built from `[tool.mockguard.kinds.*]` in
pyproject.toml: they follow the service's real classes and Protocols, record what websockets
send (`mock_factory.sent(ws)`, `mock_factory.events`), and refuse mocks on the wire.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from unittest.mock import AsyncMock, MagicMock

import pytest
from chat_service.agents import SupervisorAgent
from chat_service.events import LIFECYCLE_EVENTS, build_event
from chat_service.llm import (
    ChatCompletion,
    ChatMessage,
    Choice,
    FunctionCall,
    LocalLLMClient,
    ToolCall,
)
from chat_service.repository import ConversationRepository
from chat_service.tools import ToolRegistry, default_tool_registry
from chat_service.websocket_manager import AgentWebSocketBridge, WebSocketManager
from sqlalchemy import Result

from mockguard.factory import (
    EventContract,
    MockFactory,
    MockLeakError,
    UserExecutionContext,
    assert_events,
)


@pytest.fixture
def mock_websocket(mock_factory, mock_user_context):
    """The plugin's `mock_websocket`, re-declared: conftest.py's ad-hoc fixture of the same
    name would shadow it in this directory."""
    return mock_factory.create("websocket", mock_user_context)


@pytest.fixture
def query_result(mock_factory):
    """Strict doubles of SQLAlchemy's `Result`, what `await session.execute(...)` returns."""
    mock_factory.register("query_result", Result)
    return functools.partial(mock_factory.create, "query_result")


def completion(content=None, tool_calls=None):
    """A real ChatCompletion, as the LLM client returns it."""
    message = ChatMessage(role="assistant", content=content, tool_calls=tool_calls)
    return ChatCompletion(id="cmpl-test", model="stub", choices=[Choice(0, message, "stop")])


# --------------------------------------------------------------------------------- rewrites


# Replaces test_bridge.py::test_full_run_reaches_the_socket_in_order (and its MockWebSocket).
async def test_full_run_reaches_the_socket_in_order(
    mock_factory, mock_websocket, mock_user_context
):
    context, bridge = mock_user_context, AgentWebSocketBridge(WebSocketManager())
    await bridge.manager.connect(context.user_id, mock_websocket)

    await bridge.agent_started(context, "supervisor")
    await bridge.agent_thinking(context, "thinking")
    await bridge.tool_executing(context, "search_docs", {"query": "health"})
    await bridge.tool_completed(context, "search_docs", "- Health check: ...")
    await bridge.agent_completed(context, "done")

    assert [e.payload["type"] for e in mock_factory.sent(mock_websocket)] == list(LIFECYCLE_EVENTS)
    assert {e.payload["run_id"] for e in mock_factory.sent(mock_websocket)} == {context.run_id}


# Replaces test_websocket_manager.py::test_send_to_user_fans_out_to_every_socket.
async def test_send_to_user_fans_out_to_every_socket(mock_factory, mock_user_context):
    manager, user = WebSocketManager(), mock_user_context.user_id
    tabs = [mock_factory.create("websocket", mock_user_context) for _ in range(2)]
    for websocket in tabs:
        await manager.connect(user, websocket)

    assert await manager.send_to_user(user, {"type": "agent_started"}) == 2
    for websocket in tabs:
        websocket.accept.assert_awaited_once_with()
        assert [e.payload for e in mock_factory.sent(websocket)] == [{"type": "agent_started"}]


# Replaces test_websocket_manager.py::test_broken_socket_is_dropped_and_others_still_served
# (and its MockWebSocket with a `fail` flag).
async def test_broken_socket_is_dropped_and_others_still_served(mock_factory, mock_user_context):
    manager, user = WebSocketManager(), mock_user_context.user_id
    broken = mock_factory.create("websocket", mock_user_context, send_json=RuntimeError("closed"))
    healthy = mock_factory.create("websocket", mock_user_context)
    await manager.connect(user, broken)
    await manager.connect(user, healthy)

    assert await manager.send_to_user(user, {"type": "agent_thinking"}) == 1
    # (not `sent(broken) == []`: the factory records a send even when its side effect raises)
    assert [e.payload for e in mock_factory.sent(healthy)] == [{"type": "agent_thinking"}]
    assert manager.connections_for(user) == [healthy]


# Replaces test_websocket_manager.py::TestWebSocketManagerLifecycle::
# test_nothing_is_sent_after_disconnect (and the class's setUp).
async def test_nothing_is_sent_after_disconnect(mock_factory, mock_websocket, mock_user_context):
    manager, user = WebSocketManager(), mock_user_context.user_id
    await manager.connect(user, mock_websocket)
    manager.disconnect(user, mock_websocket)

    assert await manager.send_to_user(user, {"type": "agent_started"}) == 0
    assert mock_factory.sent(mock_websocket) == []


# Replaces test_repository.py::test_get_or_create_creates_missing_conversation.
async def test_get_or_create_creates_missing_conversation(mock_db_session, query_result):
    mock_db_session.execute.return_value = query_result(scalar_one_or_none=None)

    conversation = await ConversationRepository(mock_db_session).get_or_create_conversation("alice")

    assert conversation.user_id == "alice"
    mock_db_session.add.assert_called_once_with(conversation)
    mock_db_session.commit.assert_awaited_once_with()
    mock_db_session.refresh.assert_awaited_once_with(conversation)


# Replaces test_agents.py::test_tool_run_emits_the_five_events_in_order (and the StubLLMClient
# and _FakeToolRegistry it needs).
async def test_tool_run_emits_the_five_events_in_order(mock_factory, mock_user_context):
    llm, bridge = mock_factory.create("llm_client"), mock_factory.create("agent_websocket_bridge")
    call = ToolCall("call_0", FunctionCall("calculator", json.dumps({"expression": "6 * 7"})))
    first, final = completion(None, [call]), completion("The result is 42.")
    llm.chat.completions.create.side_effect = [first, final]
    tool = mock_factory.create("tool", name="calculator", run="42")
    agent = SupervisorAgent(llm, ToolRegistry([tool]), bridge)

    answer = await agent.run(mock_user_context, "what is 6 * 7")

    assert answer == "The result is 42."
    assert llm.chat.completions.create.await_count == 2
    assert [name for name, _, _ in bridge.mock_calls] == list(LIFECYCLE_EVENTS)
    tool.run.assert_awaited_once_with(expression="6 * 7")


# ------------------------------------------------------ an interface change ad-hoc mocks miss


def _renamed(cls, old, new):
    """A copy of `cls` whose method `old` is now called `new`."""
    namespace = {k: v for k, v in vars(cls).items() if not k.startswith("__") or k == "__init__"}
    namespace[new] = namespace.pop(old)
    return type(cls.__name__, (), namespace)


class ManagerWithRequiredChannel(WebSocketManager):
    async def send_to_user(self, user_id, data, *, channel):  # a new required parameter
        return 1


class ManagerWithSyncSend(WebSocketManager):
    def send_to_user(self, user_id, data):  # no longer `async def`
        return 1


@pytest.mark.parametrize(
    ("changed", "error", "message"),
    [
        pytest.param(
            _renamed(WebSocketManager, "send_to_user", "deliver"),
            AttributeError,
            "has no attribute `send_to_user`",
            id="renamed",
        ),
        pytest.param(
            ManagerWithRequiredChannel,
            TypeError,
            "missing a required argument: 'channel'",
            id="new-required-parameter",
        ),
        pytest.param(ManagerWithSyncSend, TypeError, "can't be used in 'await'", id="made-sync"),
    ],
)
async def test_factory_catches_an_interface_change_that_adhoc_mocks_miss(
    changed, error, message, mock_user_context
):
    adhoc_managers = [AsyncMock(), MagicMock(send_to_user=AsyncMock(return_value=1))]
    for adhoc in adhoc_managers:  # the old call still "works" against ad-hoc mocks
        await AgentWebSocketBridge(adhoc).agent_started(mock_user_context, "supervisor")
        adhoc.send_to_user.assert_awaited_once()

    factory = MockFactory()
    factory.register("websocket_manager", WebSocketManager)  # today's class: fine
    manager = factory.create("websocket_manager", mock_user_context, send_to_user=1)
    await AgentWebSocketBridge(manager).agent_started(mock_user_context, "supervisor")
    manager.send_to_user.assert_awaited_once()

    factory.register("websocket_manager", changed)  # the class after the change
    manager = factory.create("websocket_manager", mock_user_context)
    with pytest.raises(error, match=message):
        await AgentWebSocketBridge(manager).agent_started(mock_user_context, "supervisor")


# --------------------------------------------------------------------- the agent pipeline


async def _yield_to_other_runs(*_args, **_kwargs):
    await asyncio.sleep(0)  # a real socket send suspends; let the other runs interleave


async def test_pipeline_serves_three_concurrent_users_without_cross_talk(mock_factory, caplog):
    manager = WebSocketManager()
    bridge = AgentWebSocketBridge(manager)
    agent = SupervisorAgent(LocalLLMClient(), default_tool_registry(), bridge)
    requests = {
        "alice": ("what is 6 * 7", "The result is 42."),
        "bob": ("(2 + 3) * 4", "The result is 20."),
        "carol": ("search the docs for health", "Here is what I found in the docs:"),
    }
    users = {name: UserExecutionContext(user_id=name) for name in requests}
    sockets = {}
    for name, context in users.items():
        sockets[name] = mock_factory.create("websocket", context, send_json=_yield_to_other_runs)
        await manager.connect(name, sockets[name])

    with caplog.at_level(logging.WARNING, logger="chat_service"):
        answers = await asyncio.gather(
            *(agent.run(users[name], message) for name, (message, _) in requests.items())
        )

    for answer, (_, expected) in zip(answers, requests.values(), strict=True):
        assert answer.startswith(expected)
    assert {e.user_id for e in mock_factory.events.events()[:3]} == set(requests)  # interleaved
    # A message sent to another user's socket raises ContaminationError in send_json, but
    # WebSocketManager.send_to_user logs and swallows every send error: look in the log.
    assert [record.exc_info[1] for record in caplog.records if record.exc_info] == []
    assert manager.total_connections == 3
    contract = EventContract(
        required_keys={name: ("user_id", "run_id", "payload") for name in LIFECYCLE_EVENTS}
    )
    for name, context in users.items():
        assert_events(mock_factory.events.events(), contract, user_id=name, run_id=context.run_id)
        sent = [event.payload for event in mock_factory.sent(sockets[name])]
        assert [payload["type"] for payload in sent] == list(LIFECYCLE_EVENTS)
        assert {(p["user_id"], p["run_id"]) for p in sent} == {(name, context.run_id)}


# ------------------------------------------------------------------------------ mock leaks


async def test_a_mock_leaking_into_an_event_is_caught(
    mock_factory, mock_websocket, mock_user_context, caplog
):
    user, manager = mock_user_context.user_id, WebSocketManager()
    await manager.connect(user, mock_websocket)
    leaked = MagicMock(name="tool.run()")  # say, a tool double nobody told what to return

    with caplog.at_level(logging.WARNING, logger="chat_service.websocket_manager"):
        await AgentWebSocketBridge(manager).tool_completed(mock_user_context, "calc", leaked)

    # The guard fires inside send_json. WebSocketManager.send_to_user takes any failed send for
    # a dead socket, so here the leak surfaces as a dropped socket, with the error logged.
    (record,) = [record for record in caplog.records if record.exc_info]
    assert isinstance(record.exc_info[1], MockLeakError)
    assert "payload['payload']['result'] is a mock object" in str(record.exc_info[1])
    assert mock_factory.sent(mock_websocket) == []
    assert not manager.is_connected(user)

    event = build_event("tool_completed", mock_user_context, {"result": leaked})
    with pytest.raises(MockLeakError, match=r"\['result'\] is a mock object"):
        await mock_websocket.send_json(event)
    # Even though the manager swallowed the first error, the factory kept both; this test
    # provokes them on purpose, so it takes them off the list the fixture checks.
    assert [type(v) for v in mock_factory.violations] == [MockLeakError, MockLeakError]
    mock_factory.violations.clear()
