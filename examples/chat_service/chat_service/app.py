"""FastAPI application factory: REST endpoints and the chat WebSocket."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from uuid import uuid4

import anyio
from fastapi import Depends, FastAPI, Query, Request, WebSocket, WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession

from chat_service import events
from chat_service.agents import (
    AgentExecutionError,
    AgentRegistry,
    ExecutionEngine,
    SupervisorAgent,
)
from chat_service.config import DEFAULT_DATABASE_URL, Settings, get_settings
from chat_service.context import UserExecutionContext
from chat_service.db import create_engine_and_sessionmaker, init_db
from chat_service.llm import LLMClient, LocalLLMClient
from chat_service.repository import ConversationRepository
from chat_service.tools import ToolRegistry, default_tool_registry
from chat_service.websocket_manager import AgentWebSocketBridge, WebSocketManager

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4000


class InvalidClientMessage(ValueError):
    """The client sent something that is not ``{"message": "<text>"}``."""


def parse_client_message(raw: str) -> str:
    """Extract the user's text from a raw WebSocket frame."""
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidClientMessage("message is not valid JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        raise InvalidClientMessage('expected {"message": "<text>"}')
    text = data["message"].strip()
    if not text:
        raise InvalidClientMessage("message must not be empty")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidClientMessage(f"message longer than {MAX_MESSAGE_LENGTH} characters")
    return text


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request."""
    async with request.app.state.sessionmaker() as session:
        yield session


def create_app(
    database_url: str = DEFAULT_DATABASE_URL,
    *,
    settings: Settings | None = None,
    llm_client: LLMClient | None = None,
    tools: ToolRegistry | None = None,
) -> FastAPI:
    """Build the service.

    Args:
        database_url: SQLAlchemy async URL; an in-memory SQLite DB by default.
        settings: model/limits; read from the environment when omitted.
        llm_client: chat-completions client; the offline :class:`LocalLLMClient` by default.
        tools: tool registry; calculator + doc search by default.
    """
    settings = settings or get_settings()
    engine, sessionmaker = create_engine_and_sessionmaker(database_url)
    manager = WebSocketManager()
    bridge = AgentWebSocketBridge(manager)
    tool_registry = tools if tools is not None else default_tool_registry()
    supervisor = SupervisorAgent(
        llm_client or LocalLLMClient(),
        tool_registry,
        bridge,
        model=settings.llm_model,
        max_tool_calls=settings.max_tool_calls,
    )
    agents = AgentRegistry()
    agents.register(supervisor, default=True)
    execution_engine = ExecutionEngine(agents, timeout_seconds=settings.agent_timeout_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await init_db(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="chat_service", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.manager = manager
    app.state.bridge = bridge
    app.state.tools = tool_registry
    app.state.agents = agents
    app.state.execution_engine = execution_engine

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "active_users": manager.active_users,
            "connections": manager.total_connections,
            "agents": agents.names(),
            "tools": tool_registry.names(),
        }

    @app.get("/conversations/{user_id}")
    async def conversation(
        user_id: str,
        session: Annotated[AsyncSession, Depends(get_session)],
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        messages = await ConversationRepository(session).list_messages(user_id, limit=limit)
        return {"user_id": user_id, "messages": [m.to_dict() for m in messages]}

    async def persist(user_id: str, role: str, content: str) -> None:
        # Shielded: a client that disconnects mid-write must not cancel the write
        # (a cancelled aiosqlite call would leave the connection unusable).
        with anyio.CancelScope(shield=True):
            async with sessionmaker() as session:
                await ConversationRepository(session).add_message(user_id, role, content)

    @app.websocket("/ws/{user_id}")
    async def chat_socket(websocket: WebSocket, user_id: str) -> None:
        await manager.connect(user_id, websocket)
        thread = UserExecutionContext(user_id=user_id, thread_id=str(uuid4()))
        try:
            while True:
                raw = await websocket.receive_text()
                try:
                    text = parse_client_message(raw)
                except InvalidClientMessage as exc:
                    await websocket.send_json(events.build_error(str(exc), user_id=user_id))
                    continue
                context = thread.for_new_run()
                await persist(user_id, "user", text)
                try:
                    result = await execution_engine.execute(context, text)
                except AgentExecutionError as exc:
                    logger.exception("run %s failed", context.run_id)
                    await websocket.send_json(events.build_error(str(exc), user_id=user_id))
                    continue
                await persist(user_id, "assistant", result.answer or "(no answer)")
        except WebSocketDisconnect:
            logger.debug("user %s disconnected", user_id)
        finally:
            manager.disconnect(user_id, websocket)

    return app
