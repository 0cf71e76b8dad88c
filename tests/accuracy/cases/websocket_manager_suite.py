"""WebSocket endpoint, connection manager and agent event bridge tests, as a chat team writes them."""

import asyncio
import json
from unittest import mock
from unittest.mock import AsyncMock, MagicMock, Mock, patch

import pytest
from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from app.ws.bridge import AgentWebSocketBridge
from app.ws.endpoint import chat_endpoint
from app.ws.heartbeat import Heartbeat
from app.ws.manager import ConnectionManager, WebSocketManager


@pytest.fixture
def mock_ws():
    ws = AsyncMock(spec=WebSocket)  # expect: MG101[websocket]
    ws.client_state = WebSocketState.CONNECTED
    return ws


@pytest.fixture
def manager():
    return ConnectionManager()


async def test_connect_accepts(manager, mock_ws):
    await manager.connect("u1", mock_ws)
    mock_ws.accept.assert_awaited_once()


async def test_generic_name_but_websocket_usage():
    m = MagicMock()  # expect: MG101[websocket]
    m.send_json = AsyncMock()  # expect: MG102[websocket]
    bridge = AgentWebSocketBridge(m)
    await bridge.agent_thinking("planning")
    await bridge.agent_completed({"text": "done"})
    m.send_json.assert_awaited()
    assert m.send_json.await_count == 2


async def test_plain_double_identified_by_assertions_later():
    conn = AsyncMock()  # expect: MG101[websocket]
    manager = WebSocketManager()
    await manager.register("u9", conn)
    await manager.send_to_user("u9", {"type": "agent_started"})
    conn.send_json.assert_awaited_once_with({"type": "agent_started"})


async def test_disconnect_on_receive_error(manager):
    ws = MagicMock(spec=WebSocket)  # expect: MG101[websocket]
    ws.receive_text = AsyncMock(side_effect=WebSocketDisconnect(code=1001))  # expect: MG102[websocket]
    ws.accept = AsyncMock()  # expect: MG102[websocket]
    await manager.connect("u2", ws)
    await manager.listen("u2")
    assert "u2" not in manager.active_connections


async def test_broadcast_skips_closed_sockets(manager):
    open_ws = AsyncMock(client_state=WebSocketState.CONNECTED)  # expect: MG101[websocket]
    closed_ws = AsyncMock(client_state=WebSocketState.DISCONNECTED)  # expect: MG101[websocket]
    await manager.connect("a", open_ws)
    await manager.connect("b", closed_ws)
    await manager.broadcast({"type": "ping"})
    open_ws.send_json.assert_awaited_once()
    closed_ws.send_json.assert_not_awaited()


async def test_endpoint_with_patched_manager():
    ws = AsyncMock()  # expect: MG101[websocket]
    ws.receive_text.side_effect = [json.dumps({"text": "hi"}), WebSocketDisconnect()]
    with patch("app.ws.endpoint.manager", autospec=True) as manager:  # expect: MG201[websocket]
        await chat_endpoint(ws, user_id="u3")
    manager.connect.assert_awaited_once_with("u3", ws)
    manager.disconnect.assert_called_once_with("u3")


async def test_endpoint_patches_bridge_and_runner():
    with patch("app.ws.endpoint.AgentWebSocketBridge") as bridge_cls, patch("app.ws.endpoint.run_agent") as run_agent:  # expect: MG201[websocket] MG201[agent]
        run_agent.return_value = "done"
        await chat_endpoint(websocket=AsyncMock(), user_id="u4")  # expect: MG101[websocket]
    bridge_cls.return_value.agent_completed.assert_awaited()


async def test_bridge_events_in_order():
    manager = MagicMock(spec=WebSocketManager)  # expect: MG101[websocket]
    manager.send_to_user = AsyncMock()  # expect: MG102[websocket]
    bridge = AgentWebSocketBridge(manager=manager, user_id="u5")
    await bridge.agent_started("supervisor")
    await bridge.tool_executing("calculator", {"expression": "1+1"})
    events = [c.args[1]["type"] for c in manager.send_to_user.await_args_list]
    assert events == ["agent_started", "tool_executing"]
    assert manager.send_to_user.await_args_list[0] == mock.call("u5", mock.ANY)  # ok


async def test_heartbeat_closes_stale_socket():
    ws = Mock()  # expect: MG101[websocket]
    ws.send_text = AsyncMock(side_effect=RuntimeError("stale"))  # expect: MG102[websocket]
    ws.close = AsyncMock()  # expect: MG102[websocket]
    await Heartbeat(ws, interval=0).beat()
    ws.close.assert_awaited_once_with(code=1011)


@patch.object(ConnectionManager, "send_personal_message", new_callable=AsyncMock)  # expect: MG201[websocket]
async def test_personal_message(send_personal_message, manager):
    await manager.notify("u6", "hello")
    send_personal_message.assert_awaited_once_with("u6", "hello")


async def test_manager_methods_spied(mocker, manager):
    spy = mocker.spy(manager, "disconnect")  # expect: MG201[websocket]
    await manager.connect("u7", mocker.AsyncMock(spec=WebSocket))  # expect: MG101[websocket]
    manager.disconnect("u7")
    spy.assert_called_once_with("u7")


class TestWebSocketManagerUnit:
    def setup_method(self):
        self.manager = WebSocketManager()
        self.socket = AsyncMock()  # expect: MG101[websocket]
        self.manager.connections = {"u8": self.socket}

    async def test_send_to_missing_user_is_noop(self):
        await self.manager.send_to_user("nobody", {"type": "ping"})
        self.socket.send_json.assert_not_awaited()

    async def test_send_to_user(self):
        await self.manager.send_to_user("u8", {"type": "ping"})
        self.socket.send_json.assert_awaited_once()


async def test_ws_closed_flag_is_plain_value(mock_ws):
    mock_ws.client_state = WebSocketState.DISCONNECTED  # ok
    mock_ws.send_json.side_effect = RuntimeError("closed")  # ok
    with pytest.raises(RuntimeError):
        await mock_ws.send_json({})
    await asyncio.sleep(0)
