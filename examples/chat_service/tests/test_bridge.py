"""AgentWebSocketBridge: turning agent progress into events on the user's socket."""

from __future__ import annotations

from unittest import mock
from unittest.mock import AsyncMock, MagicMock, patch

import pytest

from chat_service import events, websocket_manager
from chat_service.context import UserExecutionContext
from chat_service.websocket_manager import AgentWebSocketBridge, WebSocketManager


class MockWebSocket:
    """Copy of the one in test_websocket_manager (with a `types` helper)."""

    def __init__(self):
        self.accepted = False
        self.sent = []

    async def accept(self):
        self.accepted = True

    async def send_json(self, data):
        self.sent.append(data)

    @property
    def types(self):
        return [event["type"] for event in self.sent]


BRIDGE_CASES = [
    {
        "method": "agent_started",
        "args": ("supervisor",),
        "type": "agent_started",
        "payload": {"agent": "supervisor"},
    },
    {
        "method": "agent_thinking",
        "args": ("Working out how to answer",),
        "type": "agent_thinking",
        "payload": {"thought": "Working out how to answer"},
    },
    {
        "method": "tool_executing",
        "args": ("calculator", {"expression": "2 + 2"}),
        "type": "tool_executing",
        "payload": {"tool": "calculator", "arguments": {"expression": "2 + 2"}},
    },
    {
        "method": "tool_completed",
        "args": ("calculator", "4"),
        "type": "tool_completed",
        "payload": {"tool": "calculator", "result": "4"},
    },
    {
        "method": "agent_completed",
        "args": ("The result is 4.",),
        "type": "agent_completed",
        "payload": {"answer": "The result is 4."},
    },
]


async def test_each_helper_sends_its_event(user_context):
    manager = MagicMock()
    manager.send_to_user = AsyncMock(return_value=1)
    bridge = AgentWebSocketBridge(manager)

    for case in BRIDGE_CASES:
        event = await getattr(bridge, case["method"])(user_context, *case["args"])

        assert event["type"] == case["type"], case["method"]
        assert event["payload"] == case["payload"], case["method"]
        assert event["run_id"] == "run-1"
        manager.send_to_user.assert_awaited_with("user-123", event)
    assert manager.send_to_user.await_count == len(BRIDGE_CASES)


async def test_emit_stamps_the_event_time(manager_with_socket, mock_websocket, user_context):
    bridge = AgentWebSocketBridge(manager_with_socket)

    with patch.object(events, "time") as mock_time:
        mock_time.time.return_value = 1234.5
        event = await bridge.agent_thinking(user_context, "hmm")

    assert event["timestamp"] == 1234.5
    mock_websocket.send_json.assert_awaited_once_with(event)


async def test_unknown_event_is_rejected_before_sending(user_context):
    manager = mock.MagicMock()
    manager.send_to_user = mock.AsyncMock()
    bridge = AgentWebSocketBridge(manager)

    with pytest.raises(ValueError):
        await bridge.emit("agent_daydreaming", user_context)

    manager.send_to_user.assert_not_awaited()


async def test_full_run_reaches_the_socket_in_order():
    manager = WebSocketManager()
    ws = MockWebSocket()
    await manager.connect("alice", ws)
    bridge = AgentWebSocketBridge(manager)
    context = UserExecutionContext(user_id="alice")

    await bridge.agent_started(context, "supervisor")
    await bridge.agent_thinking(context, "thinking")
    await bridge.tool_executing(context, "search_docs", {"query": "health"})
    await bridge.tool_completed(context, "search_docs", "- Health check: ...")
    await bridge.agent_completed(context, "done")

    assert ws.types == list(events.LIFECYCLE_EVENTS)
    assert {event["run_id"] for event in ws.sent} == {context.run_id}


async def test_emit_without_listener_still_returns_the_event(mocker, monkeypatch, user_context):
    mock_logger = MagicMock()
    monkeypatch.setattr(websocket_manager, "logger", mock_logger)
    manager = WebSocketManager()
    spy = mocker.spy(manager, "send_to_user")
    bridge = AgentWebSocketBridge(manager)

    event = await bridge.agent_completed(user_context, "nobody is listening")

    assert event["payload"] == {"answer": "nobody is listening"}
    spy.assert_awaited_once_with("user-123", event)
    assert spy.spy_return == 0
    mock_logger.info.assert_called_once()
    assert "agent_completed" in mock_logger.info.call_args.args


async def test_events_of_one_user_do_not_leak_to_another():
    manager = WebSocketManager()
    alice_ws = MagicMock()
    alice_ws.accept = AsyncMock()
    alice_ws.send_json = AsyncMock()
    bob_ws = MagicMock()
    bob_ws.accept = AsyncMock()
    bob_ws.send_json = AsyncMock()
    await manager.connect("alice", alice_ws)
    await manager.connect("bob", bob_ws)
    bridge = AgentWebSocketBridge(manager)

    await bridge.agent_started(UserExecutionContext(user_id="bob"), "supervisor")

    alice_ws.send_json.assert_not_awaited()
    bob_ws.send_json.assert_awaited_once()
    assert bob_ws.send_json.await_args.args[0]["user_id"] == "bob"
