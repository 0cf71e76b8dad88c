"""WebSocketManager: connection bookkeeping and fan-out."""

from __future__ import annotations

import unittest
from typing import Any
from unittest.mock import AsyncMock, MagicMock

from fastapi import WebSocket

from chat_service.websocket_manager import WebSocketManager


class MockWebSocket:
    """Records what the server sends; can be told to fail like a dead socket."""

    def __init__(self, fail: bool = False) -> None:
        self.accepted = False
        self.sent: list[dict[str, Any]] = []
        self.fail = fail

    async def accept(self) -> None:
        self.accepted = True

    async def send_json(self, data: dict[str, Any]) -> None:
        if self.fail:
            raise RuntimeError("Cannot call 'send' once a close message has been sent.")
        self.sent.append(data)


class RecordingWebSocket(MagicMock):
    """A MagicMock websocket that also keeps the payloads in ``.sent``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent = []
        self.accept = AsyncMock()
        self.send_json = AsyncMock(side_effect=self.sent.append)


async def test_connect_accepts_unless_told_not_to_and_registers():
    manager = WebSocketManager()
    ws = MockWebSocket()
    pre_accepted = MagicMock()
    pre_accepted.accept = AsyncMock()

    await manager.connect("alice", ws)
    await manager.connect("bob", pre_accepted, accept=False)

    assert ws.accepted
    assert manager.is_connected("alice")
    assert manager.connections_for("alice") == [ws]
    pre_accepted.accept.assert_not_awaited()
    assert manager.connections_for("bob") == [pre_accepted]


async def test_send_to_user_fans_out_to_every_socket():
    manager = WebSocketManager()
    ws1 = MagicMock()
    ws1.send_json = AsyncMock()
    ws1.accept = AsyncMock()
    ws2 = MagicMock()
    ws2.send_json = AsyncMock()
    ws2.accept = AsyncMock()
    await manager.connect("alice", ws1)
    await manager.connect("alice", ws2)

    delivered = await manager.send_to_user("alice", {"type": "agent_started"})

    assert delivered == 2
    ws1.send_json.assert_awaited_once_with({"type": "agent_started"})
    ws2.send_json.assert_awaited_once_with({"type": "agent_started"})


async def test_send_only_reaches_the_addressed_user():
    manager = WebSocketManager()
    alice, bob = RecordingWebSocket(), RecordingWebSocket()
    await manager.connect("alice", alice)
    await manager.connect("bob", bob)

    await manager.send_to_user("bob", {"type": "agent_completed"})

    assert alice.sent == []
    assert bob.sent == [{"type": "agent_completed"}]
    assert await manager.send_to_user("nobody", {"type": "agent_started"}) == 0


async def test_broken_socket_is_dropped_and_others_still_served():
    manager = WebSocketManager()
    broken = AsyncMock(spec=WebSocket)
    broken.send_json.side_effect = RuntimeError("socket closed")
    healthy = MockWebSocket()
    await manager.connect("alice", broken)
    await manager.connect("alice", healthy)

    delivered = await manager.send_to_user("alice", {"type": "agent_thinking"})

    assert delivered == 1
    assert healthy.sent == [{"type": "agent_thinking"}]
    assert manager.connections_for("alice") == [healthy]


async def test_disconnect_last_socket_forgets_the_user():
    manager = WebSocketManager()
    mock_websocket = AsyncMock(spec=WebSocket)
    await manager.connect("alice", mock_websocket)

    manager.disconnect("alice", mock_websocket)

    assert not manager.is_connected("alice")
    assert manager.active_users == 0


async def test_counts_over_users():
    manager = WebSocketManager()
    sockets = [MagicMock(), MagicMock(), MagicMock()]
    for socket in sockets:
        socket.accept = AsyncMock()
    await manager.connect("alice", sockets[0])
    await manager.connect("alice", sockets[1])
    await manager.connect("bob", sockets[2])

    assert manager.active_users == 2
    assert manager.total_connections == 3


class TestWebSocketManagerLifecycle(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        self.manager = WebSocketManager()
        self.websocket = MagicMock()
        self.websocket.accept = AsyncMock()
        self.websocket.send_json = AsyncMock()

    async def test_duplicate_connects_and_unknown_disconnects_are_harmless(self) -> None:
        await self.manager.connect("alice", self.websocket)
        await self.manager.connect("alice", self.websocket)
        self.manager.disconnect("alice", MagicMock())
        self.manager.disconnect("bob", self.websocket)

        self.assertEqual(self.manager.connections_for("alice"), [self.websocket])
        self.assertEqual(self.websocket.accept.await_count, 2)

    async def test_nothing_is_sent_after_disconnect(self) -> None:
        await self.manager.connect("alice", self.websocket)
        self.manager.disconnect("alice", self.websocket)

        delivered = await self.manager.send_to_user("alice", {"type": "agent_started"})

        self.assertEqual(delivered, 0)
        self.websocket.send_json.assert_not_awaited()
