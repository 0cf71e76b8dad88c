"""Doubles produced by lambdas, helper returns, fixtures, generators and default arguments."""

import asyncio
from unittest.mock import AsyncMock, MagicMock, Mock, create_autospec

import pytest

from app.agents.agent import Agent
from app.agents.llm import LLMClient
from app.agents.tools.base import Tool
from app.db.session import AsyncSession, get_session
from app.main import app
from app.services.email import EmailSender
from app.services.scheduler import Scheduler
from app.services.storage import FileStore
from app.ws.connection import WebSocketConnection
from app.ws.manager import ConnectionManager


def make_ws():
    return AsyncMock(spec=WebSocketConnection)  # expect: MG101[websocket]


def make_session(rows=()):
    session = create_autospec(AsyncSession, instance=True)  # expect: MG101[database]
    session.execute.return_value.scalars.return_value.all.return_value = list(rows)
    return session


def make_llm(reply: str):
    return MagicMock(spec=LLMClient, **{"complete.return_value": reply})  # expect: MG101[agent]


def make_llm_response(text):
    return MagicMock(choices=[MagicMock(message=MagicMock(content=text))])  # expect: MG101[generic] MG101[generic] MG101[generic]


def make_clock_and_timer():
    return Mock(), Mock()  # expect: MG101[generic] MG101[generic]


def mock_type():
    return MagicMock  # ok


@pytest.fixture
def email_sender():
    return Mock(spec=EmailSender)  # expect: MG101[generic]


@pytest.fixture
def file_store():
    store = MagicMock(spec=FileStore)  # expect: MG101[generic]
    store.read.return_value = b"hello"
    yield store
    store.close.assert_called_once()


@pytest.fixture
def ws_factory():
    return lambda: AsyncMock(spec=WebSocketConnection)  # expect: MG101[websocket]


def test_dependency_override_lambda():
    app.dependency_overrides[get_session] = lambda: AsyncMock(spec=AsyncSession)  # expect: MG101[database]
    try:
        assert app.dependency_overrides[get_session]() is not None
    finally:
        app.dependency_overrides.clear()


def test_tool_factory_lambda_default():
    build_tool = lambda name="search": create_autospec(Tool, instance=True, name=name)  # expect: MG101[agent]
    agent = Agent(tools=[build_tool(), build_tool("calculator")])
    assert len(agent.tools) == 2


async def test_generator_of_sockets():
    def sockets():
        for _ in range(2):
            yield AsyncMock()  # expect: MG101[generic]

    manager = ConnectionManager()
    for i, ws in enumerate(sockets()):
        await manager.connect(f"u{i}", ws)
        ws.accept.assert_awaited_once()


def test_helpers_are_used(ws_factory, email_sender, file_store):
    ws = ws_factory()
    session = make_session(rows=[1, 2])
    llm = make_llm("hi")
    assert asyncio.run(Agent(llm=llm).reply(ws, session)) == "hi"
    email_sender.send.assert_not_called()
    assert file_store.read("x") == b"hello"


def test_sorting_with_lambda_key_is_not_a_double():
    jobs = sorted(Scheduler().pending(), key=lambda job: job.run_at)  # ok
    assert jobs == []


async def test_default_argument_construction():
    async def push(event, ws=AsyncMock()):  # expect: MG101[websocket]
        await ws.send_json(event)
        return ws

    ws = await push({"type": "agent_started"})
    ws.send_json.assert_awaited_once()


def test_lambda_side_effect_returning_double():
    llm = MagicMock(spec=LLMClient)  # expect: MG101[agent]
    llm.complete.side_effect = lambda prompt: MagicMock(text=prompt.upper())  # expect: MG101[agent]
    assert Agent(llm=llm).reply_text("hi") == "HI"


async def test_async_helper_returning_session():
    async def open_session():
        return AsyncMock(commit=AsyncMock(), rollback=AsyncMock())  # expect: MG101[database] MG101[database] MG101[database]

    session = await open_session()
    await session.commit()
    session.rollback.assert_not_awaited()


def test_scheduler_uses_clock():
    clock, timer = make_clock_and_timer()
    clock.now.return_value = 100
    Scheduler(clock=clock, timer=timer).tick()
    timer.start.assert_called_once()


def test_lambda_without_double_is_fine():
    on_done = lambda result: None  # ok
    Scheduler().run_once(callback=on_done)


def test_yield_from_fixture_like_helper():
    def cache_backend():
        backend = Mock()  # expect: MG101[generic]
        backend.get.return_value = None
        yield backend
        backend.flush.assert_called()

    backend = next(cache_backend())
    assert backend.get("k") is None
