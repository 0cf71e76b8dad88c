"""Hand-written test doubles (MG301) and classes that only look like them."""

import asyncio
import unittest
from dataclasses import dataclass, field
from unittest import mock
from unittest.mock import AsyncMock, MagicMock

from app.agents.agent import Agent
from app.agents.tools.base import Tool
from app.db.repositories import MessageRepository
from app.db.session import AsyncSession
from app.services.payments import PaymentGateway


class FakeWebSocket:  # expect: MG301[websocket]
    def __init__(self, incoming=None):
        self.incoming = list(incoming or [])
        self.sent = []
        self.closed = False

    async def accept(self):
        pass

    async def receive_json(self):
        return self.incoming.pop(0)

    async def send_json(self, data):
        self.sent.append(data)

    async def close(self, code=1000):
        self.closed = True


class FakeSession(AsyncSession):  # expect: MG301[database]
    def __init__(self):
        self.added = []
        self.committed = False

    def add(self, obj):
        self.added.append(obj)

    async def commit(self):
        self.committed = True

    async def rollback(self):
        self.added.clear()


class _FakeLoader:  # expect: MG301[generic]
    def load(self, path):
        return {"debug": True, "path": path}


class StubLLMClient:  # expect: MG301[agent]
    def __init__(self, replies):
        self.replies = list(replies)
        self.prompts = []

    async def complete(self, prompt):
        self.prompts.append(prompt)
        return self.replies.pop(0)


@dataclass
class DummyTool(Tool):  # expect: MG301[agent]
    name: str = "dummy"
    calls: list = field(default_factory=list)

    def run(self, **kwargs):
        self.calls.append(kwargs)
        return {"result": None}


class InMemoryMessageRepositoryFake(MessageRepository):  # expect: MG301[database]
    def __init__(self):
        self.rows = {}

    async def add(self, message):
        self.rows[message.id] = message

    async def get(self, message_id):
        return self.rows.get(message_id)


class FakeClock:  # expect: MG301[generic]
    def __init__(self, now=0.0):
        self._now = now

    def now(self):
        return self._now

    def advance(self, seconds):
        self._now += seconds


class PaymentGatewayStub(PaymentGateway):  # expect: MG301[generic]
    def charge(self, amount_cents, token):
        return {"status": "succeeded", "amount": amount_cents}


class DummySMTP:  # expect: MG301[generic]
    def __init__(self, host="localhost", port=25):
        self.outbox = []

    def send_message(self, message):
        self.outbox.append(message)


class FakeConnectionManager:  # expect: MG301[websocket]
    def __init__(self):
        self.active = {}
        self.broadcasts = []

    async def connect(self, user_id, websocket):
        self.active[user_id] = websocket

    async def broadcast(self, event):
        self.broadcasts.append(event)


class MockWebSocket:  # expect: MG301[websocket]
    def __init__(self):
        self.accepted = False
        self.sent = []

    async def accept(self):
        self.accepted = True

    async def send_text(self, text):
        self.sent.append(text)


class WebSocketStub:  # expect: MG301[websocket]
    client_state = "CONNECTED"

    async def send_json(self, data):
        return None


class FakeCursor:  # expect: MG301[database]
    def __init__(self, rows):
        self.rows = rows
        self.executed = []

    def execute(self, sql, params=()):
        self.executed.append((sql, params))

    def fetchall(self):
        return self.rows


class RecordingLLM(mock.Mock):  # expect: MG301[agent]
    def complete(self, prompt):
        return f"echo: {prompt}"


class SmartSession(MagicMock):  # expect: MG301[database]
    def scalars(self, stmt):
        return iter([])


class ToolCallRecorder(AsyncMock):  # expect: MG301[agent]
    tool_name = "search_docs"


class _DummyAgentRunner:  # expect: MG301[agent]
    async def run(self, prompt):
        return "done"


class FakeTransaction:  # expect: MG301[database]
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


class DummyEventBridge:  # expect: MG301[generic]
    def __init__(self):
        self.events = []

    async def agent_started(self, agent):
        self.events.append(("agent_started", agent))

    async def agent_completed(self, result):
        self.events.append(("agent_completed", result))


def test_agent_with_inline_double():
    class FakeSearchTool:  # expect: MG301[agent]
        name = "search_docs"

        def run(self, query):
            return ["doc-1"]

    agent = Agent(tools=[FakeSearchTool()])  # ok
    assert agent.run("find docs").sources == ["doc-1"]


def test_instantiating_doubles_is_not_a_new_site():
    ws = FakeWebSocket(incoming=[{"type": "ping"}])  # ok
    session = FakeSession()  # ok
    clock = FakeClock(now=10)  # ok
    asyncio.run(ws.send_json({"type": "pong"}))
    assert ws.sent and not session.added and clock.now() == 10


class Mockingbird:  # ok
    song = "tweet"


class MockerHelper:  # ok
    def patch_all(self):
        return []


class DummyfileParser:  # ok
    def parse(self, text):
        return text.splitlines()


class StubbornRetryPolicy:  # ok
    max_attempts = 10


class FakerProvider:  # ok
    def email(self):
        return "user@example.com"


class MockingStrategy:  # ok
    name = "strict"


class StubbedOutError(Exception):  # ok
    pass


class TestFakeWebSocket:  # ok
    def test_records_sent(self):
        ws = FakeWebSocket()  # ok
        asyncio.run(ws.send_json({"a": 1}))
        assert ws.sent == [{"a": 1}]


class FakeSessionBehaviour(unittest.TestCase):  # ok
    def test_commit_flag(self):
        session = FakeSession()  # ok
        asyncio.run(session.commit())
        self.assertTrue(session.committed)


class TestDummySMTP(unittest.TestCase):  # ok
    def test_outbox(self):
        smtp = DummySMTP()  # ok
        smtp.send_message("hi")
        self.assertEqual(smtp.outbox, ["hi"])
