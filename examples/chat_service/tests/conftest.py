"""Shared fixtures.  (Most test files ended up building their own mocks anyway.)"""

from __future__ import annotations

import signal
from unittest.mock import AsyncMock, MagicMock

import pytest
from fastapi import WebSocket
from fastapi.testclient import TestClient

from chat_service.app import create_app
from chat_service.context import UserExecutionContext
from chat_service.websocket_manager import AgentWebSocketBridge, WebSocketManager

TEST_TIME_LIMIT_SECONDS = 10


@pytest.fixture(autouse=True)
def _fail_instead_of_hanging():
    """A test blocked on a WebSocket frame that never comes fails instead of hanging the run."""
    if not hasattr(signal, "SIGALRM"):  # Windows
        yield
        return

    def on_timeout(signum, frame):
        raise TimeoutError(f"test still running after {TEST_TIME_LIMIT_SECONDS}s")

    previous = signal.signal(signal.SIGALRM, on_timeout)
    signal.alarm(TEST_TIME_LIMIT_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def user_context() -> UserExecutionContext:
    return UserExecutionContext(
        user_id="user-123", thread_id="thread-1", run_id="run-1", request_id="req-1"
    )


@pytest.fixture
def mock_websocket():
    ws = AsyncMock(spec=WebSocket)
    ws.send_json = AsyncMock()
    ws.accept = AsyncMock()
    return ws


@pytest.fixture
def mock_session():
    session = AsyncMock()
    session.execute = AsyncMock()
    session.commit = AsyncMock()
    session.refresh = AsyncMock()
    session.add = MagicMock()
    return session


@pytest.fixture
def mock_bridge():
    bridge = MagicMock(spec=AgentWebSocketBridge)
    bridge.agent_started = AsyncMock()
    bridge.agent_thinking = AsyncMock()
    bridge.tool_executing = AsyncMock()
    bridge.tool_completed = AsyncMock()
    bridge.agent_completed = AsyncMock()
    return bridge


@pytest.fixture
def mock_llm_client():
    """An LLM that answers directly with 'Hello from the mock'."""
    message = MagicMock()
    message.content = "Hello from the mock"
    message.tool_calls = None
    response = MagicMock()
    response.choices = [MagicMock(message=message)]
    llm = MagicMock()
    llm.chat.completions.create = AsyncMock(return_value=response)
    return llm


@pytest.fixture
def manager_with_socket(mock_websocket):
    manager = WebSocketManager()
    manager._connections["user-123"].append(mock_websocket)
    return manager


@pytest.fixture
def client():
    app = create_app("sqlite+aiosqlite:///:memory:")
    with TestClient(app) as test_client:
        yield test_client
