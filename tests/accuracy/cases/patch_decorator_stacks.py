"""Decorator-based patching: stacks, patch.object, patch.dict, patch.multiple, class decorators."""

import os
import unittest
from unittest.mock import DEFAULT, AsyncMock, MagicMock, PropertyMock, patch

import pytest

from app.agents.runner import run_agent
from app.agents.supervisor import Supervisor
from app.agents.tools.web import WebSearchTool
from app.billing.checkout import checkout
from app.config import load_settings
from app.db.repositories import ConversationRepository
from app.db.session import make_engine
from app.services.cache import cached_lookup
from app.services.http import ApiClient, fetch_status
from app.services.payments import StripeGateway
from app.ws.handlers import SocketHandler
from app.ws.manager import WebSocketManager
from app.ws.notifications import announce_message

DB_PATCH = patch("app.services.reports.get_session")  # expect: MG201[database]


@patch("app.agents.supervisor.LLMClient")  # expect: MG201[agent]
@patch("app.agents.supervisor.get_session")  # expect: MG201[database]
@patch("app.agents.supervisor.ws_manager")  # expect: MG201[websocket]
def test_supervisor_full_turn(ws_manager, get_session, llm_cls):
    llm_cls.return_value.complete.return_value = "answer"
    Supervisor().handle_turn(conversation_id=1, text="q")
    get_session.return_value.commit.assert_called_once()
    ws_manager.send_to_user.assert_called_once()


@patch.object(WebSearchTool, "run", return_value=["result"])  # expect: MG201[agent]
def test_search_tool_result_is_cited(run):
    answer = run_agent("who won?", tools=[WebSearchTool()])
    assert "result" in answer.citations
    run.assert_called_once()


@patch.object(StripeGateway, "charge", new=MagicMock(return_value={"status": "succeeded"}))  # expect: MG201[generic] MG101[generic]
def test_checkout_succeeds():
    assert checkout(cart_id=3).status == "paid"


@patch.object(  # expect: MG201[websocket]
    WebSocketManager,
    "broadcast",
    new_callable=AsyncMock,  # ok
)
async def test_broadcast_on_new_message(broadcast):
    await announce_message(conversation_id=1, text="hi")
    broadcast.assert_awaited_once()


@patch.dict(os.environ, {"APP_TIMEZONE": "UTC"}, clear=True)  # expect: MG201[generic]
def test_timezone_from_env():
    assert load_settings().timezone == "UTC"


@patch.multiple("app.db.repositories.ConversationRepository", get=DEFAULT, save=DEFAULT)  # expect: MG201[database]
def test_rename_conversation(get, save):
    get.return_value.title = "old"
    ConversationRepository().rename(1, "new")
    save.assert_called_once()


@patch.multiple(  # expect: MG201[agent]
    "app.agents.runner",
    LLMClient=MagicMock(),  # expect: MG101[agent]
    ToolExecutor=MagicMock(),  # expect: MG101[agent]
)
def test_runner_module_multiple():
    assert run_agent("hello").text


@patch("app.services.cache.time.monotonic", return_value=1_700_000_000)  # expect: MG201[generic]
@patch("app.services.cache.backend")  # expect: MG201[database]
def test_cache_entry_expiry(backend, monotonic):
    backend.get.return_value = ("value", 1_699_999_000)
    assert cached_lookup("k") is None


@patch("app.db.session.create_async_engine", autospec=True)  # expect: MG201[database]
def test_engine_uses_pool_pre_ping(create_async_engine):
    make_engine("postgresql+asyncpg://db/test")
    assert create_async_engine.call_args.kwargs["pool_pre_ping"] is True


@patch.object(ConversationRepository, "is_read_only", new_callable=PropertyMock, return_value=True)  # expect: MG201[database]
def test_read_only_repository_refuses_writes(is_read_only):
    with pytest.raises(PermissionError):
        ConversationRepository().save(object())


@patch(  # expect: MG201[generic]
    "app.services.http.ApiClient.get",
    new=AsyncMock(return_value=MagicMock(status_code=200)),  # expect: MG101[generic] MG101[generic]
)
async def test_status_probe():
    assert await fetch_status(ApiClient("https://status.example.com")) == 200


@pytest.mark.asyncio
@patch("app.db.repositories.MessageRepository.add", new_callable=AsyncMock)  # expect: MG201[database]
async def test_message_saved(add):
    await announce_message(conversation_id=2, text="saved")
    add.assert_awaited_once()


@pytest.mark.parametrize("method", ["patch", "put"])  # ok
@patch("app.services.http.ApiClient.request")  # expect: MG201[generic]
def test_http_methods(request, method):
    ApiClient("https://api.example.com").send(method, "/items/1")
    assert request.call_args.args[0] == method.upper()


@DB_PATCH  # ok
def test_report_uses_bound_patcher(get_session):
    get_session.return_value.execute.return_value.all.return_value = []


@patch("app.ws.handlers.ConnectionManager")  # expect: MG201[websocket]
@patch("app.ws.handlers.AgentRunner")  # expect: MG201[agent]
class TestSocketHandlerDecorated(unittest.TestCase):
    def test_connect(self, runner_cls, manager_cls):
        SocketHandler().connect("u1")
        manager_cls.return_value.connect.assert_called_once()

    def test_turn_runs_agent(self, runner_cls, manager_cls):
        SocketHandler().on_message("u1", "hi")
        runner_cls.return_value.run.assert_called_once_with("hi")

    @patch("app.ws.handlers.get_session")  # expect: MG201[database]
    def test_turn_persists(self, get_session, runner_cls, manager_cls):
        SocketHandler().on_message("u1", "hi")
        get_session.return_value.add.assert_called()


class TestSupervisorRetries(unittest.TestCase):
    @patch("app.agents.supervisor.Supervisor.backoff")  # expect: MG201[agent]
    @patch.object(Supervisor, "call_llm", side_effect=[TimeoutError(), "final answer"])  # expect: MG201[agent]
    def test_retry_after_timeout(self, call_llm, backoff):
        assert Supervisor().run("q") == "final answer"
        backoff.assert_called_once()

    @patch("app.agents.supervisor.SearchTool", autospec=True)  # expect: MG201[agent]
    def test_tool_is_built_once(self, search_tool_cls):
        Supervisor().run("q")
        search_tool_cls.assert_called_once()
