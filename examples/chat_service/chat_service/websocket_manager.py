"""Connection bookkeeping and the bridge agents use to talk to clients."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from fastapi import WebSocket

from chat_service import events
from chat_service.context import UserExecutionContext

logger = logging.getLogger(__name__)


class WebSocketManager:
    """Tracks the open WebSocket connections of each user.

    A user may have several tabs open; everything sent to the user goes to
    every one of their sockets.  A socket that fails to send is dropped.
    """

    def __init__(self) -> None:
        self._connections: dict[str, list[WebSocket]] = defaultdict(list)

    async def connect(self, user_id: str, websocket: WebSocket, *, accept: bool = True) -> None:
        """Accept ``websocket`` (unless told not to) and register it for ``user_id``."""
        if accept:
            await websocket.accept()
        sockets = self._connections[user_id]
        if websocket not in sockets:
            sockets.append(websocket)
        logger.debug("user %s connected (%d sockets)", user_id, len(sockets))

    def disconnect(self, user_id: str, websocket: WebSocket) -> None:
        """Forget ``websocket``; unknown sockets are ignored."""
        sockets = self._connections.get(user_id)
        if not sockets:
            return
        if websocket in sockets:
            sockets.remove(websocket)
        if not sockets:
            del self._connections[user_id]

    def connections_for(self, user_id: str) -> list[WebSocket]:
        """Return a snapshot of the user's open sockets."""
        return list(self._connections.get(user_id, ()))

    def is_connected(self, user_id: str) -> bool:
        """Whether the user has at least one open socket."""
        return bool(self._connections.get(user_id))

    @property
    def active_users(self) -> int:
        """Number of users with at least one open socket."""
        return sum(1 for sockets in self._connections.values() if sockets)

    @property
    def total_connections(self) -> int:
        """Number of open sockets over all users."""
        return sum(len(sockets) for sockets in self._connections.values())

    async def send_to_user(self, user_id: str, data: dict[str, Any]) -> int:
        """Send ``data`` as JSON to every socket of ``user_id``.

        Returns:
            How many sockets the message was delivered to.
        """
        delivered = 0
        for websocket in self.connections_for(user_id):
            try:
                await websocket.send_json(data)
            except Exception:  # noqa: BLE001 - a broken socket must not break the run
                logger.warning("dropping broken socket of user %s", user_id, exc_info=True)
                self.disconnect(user_id, websocket)
            else:
                delivered += 1
        return delivered


class AgentWebSocketBridge:
    """What an agent calls to report its progress to the user it works for."""

    def __init__(self, manager: WebSocketManager) -> None:
        self._manager = manager

    @property
    def manager(self) -> WebSocketManager:
        return self._manager

    async def emit(
        self,
        event_type: str,
        context: UserExecutionContext,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Build a lifecycle event and send it to the context's user."""
        event = events.build_event(event_type, context, payload)
        delivered = await self._manager.send_to_user(context.user_id, event)
        if not delivered:
            logger.info("no open socket for user %s; %s dropped", context.user_id, event_type)
        return event

    async def agent_started(self, context: UserExecutionContext, agent_name: str) -> dict[str, Any]:
        return await self.emit(events.AGENT_STARTED, context, {"agent": agent_name})

    async def agent_thinking(self, context: UserExecutionContext, thought: str) -> dict[str, Any]:
        return await self.emit(events.AGENT_THINKING, context, {"thought": thought})

    async def tool_executing(
        self, context: UserExecutionContext, tool_name: str, arguments: dict[str, Any]
    ) -> dict[str, Any]:
        return await self.emit(
            events.TOOL_EXECUTING, context, {"tool": tool_name, "arguments": arguments}
        )

    async def tool_completed(
        self, context: UserExecutionContext, tool_name: str, result: str
    ) -> dict[str, Any]:
        return await self.emit(events.TOOL_COMPLETED, context, {"tool": tool_name, "result": result})

    async def agent_completed(self, context: UserExecutionContext, answer: str) -> dict[str, Any]:
        return await self.emit(events.AGENT_COMPLETED, context, {"answer": answer})
