"""Class-level doubles, nested functions and classes, and nested constructions."""

import asyncio
import unittest
from unittest.mock import AsyncMock, MagicMock, Mock, NonCallableMagicMock, patch

from app.agents.llm import LLMClient
from app.agents.runner import AgentRunner
from app.config import Settings
from app.db.repositories import MessageRepository
from app.db.stats import count_messages
from app.services.clock import Clock
from app.services.rate_limit import RateLimiter
from app.ws.manager import ConnectionManager
from app.ws.pump import pump_messages


class TestAgentEndpoints:
    llm = MagicMock(spec=LLMClient)  # expect: MG101[agent]
    tools = [MagicMock(name="search_docs")]  # expect: MG101[agent]
    settings = NonCallableMagicMock(request_timeout=30)  # expect: MG101[generic]

    def test_runner_uses_class_level_doubles(self):
        runner = AgentRunner(llm=self.llm, tools=self.tools, settings=self.settings)
        self.llm.complete.return_value = "hi"
        assert runner.run("hello") == "hi"


class TestWsEndpoints(unittest.TestCase):
    manager = AsyncMock(spec=ConnectionManager)  # expect: MG101[websocket]
    session_patch = patch("app.db.session.get_session")  # expect: MG201[database]

    def setUp(self):
        self.get_session = self.session_patch.start()  # ok
        self.addCleanup(self.session_patch.stop)  # ok

    def test_connect_registers(self):
        asyncio.run(self.manager.connect("u1", object()))
        self.manager.connect.assert_awaited()


class Doubles:
    ws = AsyncMock()  # expect: MG101[websocket]
    db = AsyncMock()  # expect: MG101[database]
    clock = Mock(spec=Clock)  # expect: MG101[generic]


def test_nested_helper_function():
    def build_repo():
        repo = MagicMock(spec=MessageRepository)  # expect: MG101[database]
        repo.list.return_value = []
        return repo

    assert build_repo().list() == []


async def test_nested_async_closure_wires_socket():
    async def handler(ws):
        ws.send_json = AsyncMock()  # expect: MG102[websocket]
        await ws.send_json({"type": "hello"})
        return ws

    ws = await handler(ConnectionManager().new_socket("u1"))
    ws.send_json.assert_awaited_once()


async def test_deeply_nested_constructions():
    session = MagicMock(  # expect: MG101[database]
        execute=AsyncMock(  # expect: MG101[database]
            return_value=MagicMock(scalar_one=MagicMock(return_value=5))  # expect: MG101[database] MG101[database]
        ),
        commit=AsyncMock(),  # expect: MG101[database]
    )
    assert await count_messages(session) == 5


def test_decorated_inner_function():
    @patch("app.services.rate_limit.Clock.now", return_value=0)  # expect: MG201[generic]
    def inner(now):
        return RateLimiter(per_minute=1).allow("u1")

    assert inner() is True


class TestRepositoryWithNestedDouble:
    class FakeEngine:  # expect: MG301[database]
        def connect(self):
            return self

        def execute(self, sql):
            return []

    def test_engine_is_used(self):
        repo = MessageRepository(engine=self.FakeEngine())  # ok
        assert repo.list() == []


def test_mock_inside_nested_class_body():
    class Config:
        settings = Mock(spec=Settings)  # expect: MG101[generic]
        limiter = Mock(spec=RateLimiter)  # expect: MG101[generic]

    Config.settings.rate_limit = 10
    assert Config.limiter is not None


async def test_inner_async_def_patches():
    async def run_pump():
        with patch.object(ConnectionManager, "receive", new_callable=AsyncMock) as receive:  # expect: MG201[websocket]
            receive.side_effect = [{"type": "message"}, None]
            await pump_messages(ConnectionManager(), "u1")
            return receive

    receive = await run_pump()
    assert receive.await_count == 2


def test_llm_with_nested_keyword_double():
    llm = Mock(  # expect: MG101[agent]
        spec=LLMClient,  # ok
        complete=Mock(return_value="ok-reply"),  # expect: MG101[agent]
    )
    assert AgentRunner(llm=llm).run("x") == "ok-reply"


class TestManagerSockets(unittest.IsolatedAsyncioTestCase):
    sockets = {f"user-{i}": AsyncMock() for i in range(3)}  # expect: MG101[generic]

    async def test_broadcast_reaches_everyone(self):
        manager = ConnectionManager(self.sockets)
        await manager.broadcast({"type": "ping"})
        for ws in self.sockets.values():
            ws.send_json.assert_awaited()


def test_nested_function_returns_wired_manager():
    def manager_with_broken_socket():
        manager = ConnectionManager()
        manager.active["u1"].send_json = AsyncMock(side_effect=RuntimeError("closed"))  # expect: MG102[websocket]
        return manager

    manager = manager_with_broken_socket()
    asyncio.run(manager.broadcast({"type": "ping"}))
    assert "u1" not in manager.active
