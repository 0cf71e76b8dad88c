"""Tests that reach the mock API through aliases, dotted module paths and local imports."""

import asyncio
import unittest
import unittest.mock
import unittest.mock as um
from datetime import datetime
from unittest import mock
from unittest import mock as mk
from unittest.mock import AsyncMock as AM
from unittest.mock import MagicMock as MM
from unittest.mock import create_autospec as autospec_of
from unittest.mock import patch as p

from app.agents.runner import AgentResult, AgentRunner, ChatTurn
from app.agents.supervisor import Supervisor
from app.agents.tools.search import SearchTool
from app.auth.tokens import Token
from app.config import load_settings, resolve
from app.db.engine import build_engine
from app.db.models import Message
from app.db.repositories import MessageRepository
from app.db.session import AsyncSession
from app.services.cache import ResponseCache, fetch_with_cache
from app.services.conversations import close_conversation
from app.services.mailer import send_welcome_email
from app.ws.echo import echo_once
from app.ws.manager import WebSocketManager
from app.ws.notifications import notify_user


def test_manager_alias_broadcast():
    manager = MM(spec=WebSocketManager)  # expect: MG101[websocket]
    notify_user(manager, user_id="u1", payload={"type": "ping"})
    manager.send_to_user.assert_called_once_with("u1", {"type": "ping"})
    assert isinstance(manager, MM)  # ok


async def test_session_commit_with_module_alias():
    session = um.AsyncMock(spec=AsyncSession)  # expect: MG101[database]
    repo = MessageRepository(session)
    await repo.add(Message(conversation_id=1, text="hi"))
    session.add.assert_called_once()
    session.commit.assert_awaited_once()


def test_engine_patched_through_full_module_path():
    with unittest.mock.patch("app.db.engine.create_async_engine") as create_engine:  # expect: MG201[database]
        build_engine("sqlite+aiosqlite://")
    create_engine.assert_called_once_with("sqlite+aiosqlite://", echo=False)


@mock.patch("app.agents.supervisor.LLMClient")  # expect: MG201[agent]
def test_supervisor_builds_llm_client(llm_cls):
    llm_cls.return_value.complete.return_value = "final answer"
    assert Supervisor().run("question") == "final answer"
    llm_cls.assert_called_once_with(model=mock.ANY)  # ok


@mk.patch.object(WebSocketManager, "send_to_user")  # expect: MG201[websocket]
def test_notify_user_sends_once(send_to_user):
    notify_user(WebSocketManager(), user_id="u2", payload={"type": "done"})
    send_to_user.assert_called_once()
    assert send_to_user.call_args == mk.call("u2", {"type": "done"})  # ok


def test_short_patch_alias_for_smtp():
    with p("app.services.mailer.smtplib.SMTP") as smtp_cls:  # expect: MG201[generic]
        send_welcome_email("a@example.com")
    smtp_cls.return_value.__enter__.return_value.send_message.assert_called_once()


def test_search_tool_run_via_alias_new_callable():
    with p(  # expect: MG201[agent]
        "app.agents.tools.search.SearchTool.run",
        new_callable=AM,  # ok
    ) as run:
        run.return_value = {"hits": []}
        result = asyncio.run(SearchTool().run("weather in Oslo"))
    assert result == {"hits": []}


def test_autospec_alias_for_runner():
    runner = autospec_of(AgentRunner, instance=True)  # expect: MG101[agent]
    runner.run.return_value = AgentResult(text="done")
    assert ChatTurn(runner).answer("hi") == "done"


def test_local_import_inside_function():
    from unittest.mock import Mock

    clock = Mock()  # expect: MG101[generic]
    clock.now.return_value = datetime(2024, 1, 1)
    assert Token.issue(clock=clock).issued_at.year == 2024


def test_local_module_alias_inside_function():
    import unittest.mock as umock

    cache = umock.MagicMock(spec=ResponseCache)  # expect: MG101[database]
    cache.get.return_value = None
    assert fetch_with_cache(cache, "greeting") is None
    cache.set.assert_called_once()


def test_local_from_import_alias_for_async():
    from unittest.mock import AsyncMock as LocalAsync

    websocket = LocalAsync()  # expect: MG101[websocket]
    websocket.receive_text.return_value = "hello"
    asyncio.run(echo_once(websocket))
    websocket.send_text.assert_awaited_once_with("hello")


def test_dotted_module_construction_for_openai_response():
    llm = unittest.mock.MagicMock()  # expect: MG101[agent]
    llm.chat.completions.create.return_value.choices = [mk.Mock(message=mk.Mock(content="hi"))]  # expect: MG101[agent] MG101[agent]
    assert ChatTurn(AgentRunner(llm=llm)).answer("hello") == "hi"


class TestAliasedPatchers(unittest.TestCase):
    def setUp(self):
        self.db_patch = um.patch("app.services.db.get_session")  # expect: MG201[database]
        self.get_session = self.db_patch.start()  # ok
        self.addCleanup(self.db_patch.stop)  # ok

    def test_session_is_closed(self):
        session = MM()  # expect: MG101[database]
        self.get_session.return_value = session
        close_conversation(42)
        session.close.assert_called_once()

    @mock.patch.dict("os.environ", {"APP_ENV": "test"})  # expect: MG201[generic]
    def test_env_is_read(self):
        assert load_settings().env == "test"

    def test_sentinel_and_default_are_not_doubles(self):
        token = mock.sentinel.token  # ok
        assert resolve(token, default=um.DEFAULT) is token  # ok

    def test_ws_manager_wired_with_alias(self):
        manager = WebSocketManager()
        manager.send_to_user = AM()  # expect: MG102[websocket]
        asyncio.run(notify_user(manager, user_id="u3", payload={}))
        manager.send_to_user.assert_awaited_once()
