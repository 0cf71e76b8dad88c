"""REST endpoints and how create_app wires the service together."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from unittest.mock import AsyncMock, MagicMock, PropertyMock, patch

import pytest
from fastapi.testclient import TestClient

from chat_service.app import create_app, get_session
from chat_service.config import Settings, get_settings
from chat_service.models import Message
from chat_service.repository import ConversationRepository
from chat_service.websocket_manager import WebSocketManager


class FakeSession:
    """Minimal AsyncSession stand-in for the /conversations route (copied from test_repository)."""

    def __init__(self, rows):
        self.rows = rows
        self.executed = []

    async def execute(self, statement):
        self.executed.append(statement)
        result = MagicMock()
        result.scalars.return_value.all.return_value = self.rows
        return result

    async def commit(self):
        pass


def test_health_lists_agents_and_tools(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "active_users": 0,
        "connections": 0,
        "agents": ["supervisor"],
        "tools": ["calculator", "search_docs"],
    }


def test_health_reports_the_manager_connection_count(client):
    with patch.object(
        WebSocketManager, "total_connections", new_callable=PropertyMock, return_value=7
    ) as mock_total, patch.object(
        WebSocketManager, "active_users", new_callable=PropertyMock, return_value=3
    ):
        body = client.get("/health").json()

    assert (body["connections"], body["active_users"]) == (7, 3)
    mock_total.assert_called_once()


def test_conversations_serialises_stored_messages():
    app = create_app()
    created = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    fake = FakeSession(
        [
            Message(id=1, role="user", content="hi", created_at=created),
            Message(id=2, role="assistant", content="Hello!", created_at=created),
        ]
    )

    async def override():
        yield fake

    app.dependency_overrides[get_session] = override
    with TestClient(app) as client:
        response = client.get("/conversations/alice")

    assert response.status_code == 200
    assert response.json() == {
        "user_id": "alice",
        "messages": [
            {"id": 1, "role": "user", "content": "hi", "created_at": "2024-05-01T12:00:00+00:00"},
            {"id": 2, "role": "assistant", "content": "Hello!", "created_at": "2024-05-01T12:00:00+00:00"},
        ],
    }
    assert len(fake.executed) == 1


def test_conversations_limit_is_validated_and_forwarded(client, mocker):
    list_messages = mocker.patch.object(
        ConversationRepository, "list_messages", new_callable=AsyncMock, return_value=[]
    )

    ok = client.get("/conversations/alice", params={"limit": 3})
    too_small = client.get("/conversations/alice", params={"limit": 0})

    assert ok.json() == {"user_id": "alice", "messages": []}
    assert too_small.status_code == 422
    list_messages.assert_awaited_once_with("alice", limit=3)


@patch("chat_service.app.init_db", new_callable=AsyncMock)
@patch("chat_service.app.create_engine_and_sessionmaker")
def test_create_app_manages_the_database_lifecycle(mock_factory, mock_init_db):
    engine = MagicMock()
    engine.dispose = AsyncMock()
    mock_factory.return_value = (engine, MagicMock())

    app = create_app("postgresql+asyncpg://db.internal/chat")
    mock_init_db.assert_not_awaited()
    with TestClient(app):
        mock_init_db.assert_awaited_once_with(engine)
        engine.dispose.assert_not_awaited()

    mock_factory.assert_called_once_with("postgresql+asyncpg://db.internal/chat")
    engine.dispose.assert_awaited_once()


@patch("chat_service.app.get_settings")
@patch("chat_service.app.default_tool_registry")
@patch("chat_service.app.LocalLLMClient")
def test_create_app_wires_settings_llm_and_tools(mock_llm_cls, mock_tool_factory, mock_get_settings):
    mock_get_settings.return_value = Settings(
        llm_model="gpt-test", max_tool_calls=2, agent_timeout_seconds=5.0
    )
    mock_tool_factory.return_value.names.return_value = ["calculator"]

    app = create_app()

    supervisor = app.state.agents.get()
    assert app.state.tools is mock_tool_factory.return_value
    assert supervisor._llm is mock_llm_cls.return_value
    assert (supervisor.model, supervisor.max_tool_calls) == ("gpt-test", 2)
    assert app.state.execution_engine.timeout_seconds == 5.0


def test_settings_come_from_the_environment():
    env = {
        "CHAT_SERVICE_MODEL": "local-rules-v2",
        "CHAT_SERVICE_MAX_TOOL_CALLS": "1",
        "CHAT_SERVICE_DATABASE_URL": "sqlite+aiosqlite:///chat.db",
    }
    with patch.dict(os.environ, env):
        supervisor = create_app().state.agents.get()
        settings = get_settings()

    assert supervisor.model == "local-rules-v2"
    assert supervisor.max_tool_calls == 1
    assert settings.database_url == "sqlite+aiosqlite:///chat.db"
    with patch.dict(os.environ, {"CHAT_SERVICE_MAX_TOOL_CALLS": "zero"}):
        with pytest.raises(ValueError, match="invalid numeric setting"):
            get_settings()
