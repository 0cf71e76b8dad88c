"""unittest-style suites that keep doubles on the test case (self/cls) or wire them deeper."""

import unittest
from unittest import IsolatedAsyncioTestCase
from unittest.mock import AsyncMock, MagicMock, Mock, PropertyMock, patch

from fastapi import WebSocket

from app.agents.runner import AgentRunner
from app.db.repositories import ConversationRepository, UserRepository
from app.db.session import AsyncSession
from app.services.billing import BillingService
from app.services.clock import Clock
from app.testing.sessions import FakeSession
from app.ws.handlers import ChatSocketHandler
from app.ws.manager import WebSocketManager
from app.ws.stream import stream_tokens


class TestChatSocketHandler(IsolatedAsyncioTestCase):
    def setUp(self):
        self.websocket = AsyncMock(spec=WebSocket)  # expect: MG101[websocket]
        self.manager = MagicMock(spec=WebSocketManager)  # expect: MG101[websocket]
        self.repo = MagicMock(spec=ConversationRepository)  # expect: MG101[database]
        self.runner = AsyncMock(spec=AgentRunner)  # expect: MG101[agent]
        self.websocket.receive_json = AsyncMock(  # expect: MG102[websocket]
            return_value={"type": "message", "text": "hi"}
        )
        self.websocket.send_json = AsyncMock()  # expect: MG102[websocket]
        self.repo.get.return_value = MagicMock(id=1, title="Support chat")  # expect: MG102[database]
        self.runner.run.return_value = "hello back"
        self.handler = ChatSocketHandler(self.websocket, self.manager, self.repo, self.runner)

    async def test_message_is_answered(self):
        await self.handler.handle_one()
        self.websocket.send_json.assert_awaited_once_with({"type": "answer", "text": "hello back"})

    async def test_manager_registers_connection(self):
        await self.handler.connect("user-1")
        self.manager.connect.assert_called_once_with("user-1", self.websocket)

    async def test_disconnect_closes_socket(self):
        self.websocket.close = AsyncMock()  # expect: MG102[websocket]
        await self.handler.disconnect(code=1000)
        self.websocket.close.assert_awaited_once_with(code=1000)

    async def test_typed_socket_attribute(self):
        self.backup_ws: AsyncMock = AsyncMock()  # expect: MG101[websocket]
        await self.handler.attach_backup(self.backup_ws)
        self.backup_ws.send_json.assert_awaited()


class TestConversationRepositoryUnit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.engine = MagicMock()  # expect: MG101[database]
        cls.engine.connect.return_value.__enter__.return_value = MagicMock()  # expect: MG102[database]

    def setUp(self):
        setattr(self, "cursor", Mock())  # expect: MG101[database]
        self.cursor.fetchall.return_value = [(1, "Support chat")]
        self.repo = ConversationRepository(engine=self.engine, cursor=self.cursor)

    def test_list_titles(self):
        assert self.repo.list_titles() == ["Support chat"]
        self.cursor.execute.assert_called_once()

    def test_rollback_on_error(self):
        self.cursor.execute.side_effect = RuntimeError("deadlock")  # ok
        with self.assertRaises(RuntimeError):
            self.repo.rename(1, "New title")
        self.engine.connect.return_value.__enter__.return_value.rollback.assert_called_once()


class TestBillingService(unittest.TestCase):
    def setUp(self):
        self.service = BillingService(gateway=None, clock=Clock())
        self.service.gateway = MagicMock()  # expect: MG102[generic]
        setattr(self.service, "clock", Mock())  # expect: MG102[generic]
        self.service.gateway.charge.return_value = {"status": "succeeded"}
        self.mailer: MagicMock = MagicMock()  # expect: MG101[generic]
        self.service.mailer = self.mailer  # ok

    def test_charge_sends_receipt(self):
        self.service.charge(user_id=7, amount_cents=1999)
        self.mailer.send.assert_called_once()

    def test_charge_failure(self):
        self.service.gateway.charge.side_effect = TimeoutError("gateway")
        with self.assertRaises(TimeoutError):
            self.service.charge(user_id=7, amount_cents=1999)
        self.mailer.send.assert_not_called()


@patch("app.config.settings.FEATURE_STREAMING", True)  # expect: MG201[generic]
class TestStreamingFlag(unittest.TestCase):
    def setUp(self):
        self.ws_patcher = patch("app.ws.stream.WebSocketManager.broadcast")  # expect: MG201[websocket]
        self.broadcast = self.ws_patcher.start()  # ok
        self.addCleanup(patch.stopall)  # ok

    def test_stream_is_broadcast(self):
        stream_tokens(["a", "b"])
        assert self.broadcast.call_count == 2


class TestAgentRunnerWithPatcher(unittest.TestCase):
    def setUp(self):
        self.llm_patcher = patch("app.agents.runner.OpenAIClient")  # expect: MG201[agent]
        self.llm_cls = self.llm_patcher.start()  # ok
        self.addCleanup(self.llm_patcher.stop)  # ok
        self.llm_cls.return_value.chat.return_value = MagicMock(content="42")  # expect: MG102[agent]
        self.tool = MagicMock(name="calculator")  # expect: MG101[agent]
        self.tool.run.return_value = "42"

    def test_runner_uses_tool(self):
        runner = AgentRunner(tools=[self.tool])
        assert runner.run("what is 6*7?") == "42"
        self.tool.run.assert_called_once()


class TestUserRepositoryProperties(unittest.TestCase):
    def setUp(self):
        self.session = MagicMock(spec=AsyncSession)  # expect: MG101[database]
        type(self.session).in_transaction = PropertyMock(return_value=True)  # expect: MG102[database]
        self.repo = UserRepository(self.session)

    def test_uses_savepoint_inside_transaction(self):
        self.repo.save_all([])
        self.session.begin_nested.assert_called_once()


class TestConnectionPoolOnClass(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        setattr(cls, "pool", MagicMock())  # expect: MG101[database]
        cls.pool.acquire.return_value.fetchval.return_value = 1

    def test_health_query(self):
        assert self.pool.acquire().fetchval("SELECT 1") == 1


class TestFakeSession(unittest.TestCase):  # ok
    """Exercises the real FakeSession helper that app.testing ships."""

    def test_add_and_commit(self):
        session = FakeSession()  # ok
        session.add(object())
        session.commit()
        assert session.committed


class FakeClockTests(unittest.TestCase):  # ok
    def test_clock_ticks(self):
        clock = Clock(start=0)
        clock.advance(5)
        assert clock.now() == 5


class FakeLLMBehaviour(IsolatedAsyncioTestCase):  # ok
    async def asyncSetUp(self):
        self.llm = AsyncMock()  # expect: MG101[agent]
        self.llm.complete.return_value = "scripted reply"

    async def test_scripted_reply(self):
        runner = AgentRunner(llm=self.llm)
        assert await runner.arun("hi") == "scripted reply"
