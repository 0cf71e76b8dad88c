"""ConversationRepository, against mocked sessions and a real SQLite database."""

from __future__ import annotations

from datetime import datetime, timezone
from unittest.mock import AsyncMock, MagicMock

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from chat_service.db import create_engine_and_sessionmaker, init_db
from chat_service.models import Conversation, Message
from chat_service.repository import ConversationRepository


class FakeResult:
    def __init__(self, value):
        self._value = value

    def scalar_one_or_none(self):
        return self._value

    def scalars(self):
        return MagicMock(all=MagicMock(return_value=list(self._value or [])))


class FakeSession:
    """Hand-rolled AsyncSession: scripted query results, records writes."""

    def __init__(self, *results):
        self.results = list(results)
        self.statements = []
        self.added = []
        self.commits = 0
        self.refreshed = []
        self._next_id = 100

    async def execute(self, statement):
        self.statements.append(statement)
        return FakeResult(self.results.pop(0) if self.results else None)

    def add(self, obj):
        self.added.append(obj)

    async def commit(self):
        self.commits += 1
        for obj in self.added:
            if obj.id is None:
                obj.id = self._next_id
                self._next_id += 1

    async def refresh(self, obj):
        self.refreshed.append(obj)


async def test_get_or_create_creates_missing_conversation():
    session = AsyncMock()
    session.execute = AsyncMock()
    session.commit = AsyncMock()
    session.add = MagicMock()
    session.execute.return_value.scalar_one_or_none = MagicMock(return_value=None)

    conversation = await ConversationRepository(session).get_or_create_conversation("alice")

    assert conversation.user_id == "alice"
    session.add.assert_called_once_with(conversation)
    session.commit.assert_awaited_once()
    session.refresh.assert_awaited_once_with(conversation)


async def test_get_or_create_reuses_existing_conversation():
    existing = Conversation(id=7, user_id="alice")
    result = MagicMock()
    result.scalar_one_or_none.return_value = existing
    session = MagicMock(spec=AsyncSession)
    session.execute = AsyncMock(return_value=result)
    session.commit = AsyncMock()

    conversation = await ConversationRepository(session).get_or_create_conversation("alice")

    assert conversation is existing
    session.add.assert_not_called()
    session.commit.assert_not_awaited()


async def test_add_message_attaches_to_the_conversation():
    session = FakeSession(Conversation(id=7, user_id="alice"))

    message = await ConversationRepository(session).add_message("alice", "user", "hi")

    assert (message.conversation_id, message.role, message.content) == (7, "user", "hi")
    assert session.added == [message]
    assert session.commits == 1
    assert session.refreshed == [message]


async def test_add_message_validates_before_touching_the_session(mock_session, mocker):
    repository = ConversationRepository(mock_session)
    get_or_create = mocker.patch.object(repository, "get_or_create_conversation")

    with pytest.raises(ValueError, match="invalid role"):
        await repository.add_message("alice", "system", "hi")
    with pytest.raises(ValueError, match="empty"):
        await repository.add_message("alice", "user", "   ")

    get_or_create.assert_not_called()
    mock_session.execute.assert_not_awaited()
    mock_session.commit.assert_not_awaited()


async def test_list_messages_returns_the_rows(mock_session):
    rows = [
        Message(id=1, role="user", content="hi", created_at=datetime(2024, 1, 1, tzinfo=timezone.utc)),
        Message(id=2, role="assistant", content="hello", created_at=None),
    ]
    result = MagicMock()
    result.scalars.return_value.all.return_value = rows
    mock_session.execute.return_value = result

    messages = await ConversationRepository(mock_session).list_messages("alice", limit=5)

    assert messages == rows
    statement = str(mock_session.execute.await_args.args[0])
    assert "JOIN conversations" in statement
    assert "ORDER BY messages.id" in statement


@pytest.fixture
async def sqlite_session():
    engine, sessionmaker = create_engine_and_sessionmaker("sqlite+aiosqlite:///:memory:")
    await init_db(engine)
    async with sessionmaker() as session:
        yield session
    await engine.dispose()


async def test_sqlite_round_trip_keeps_order_and_users_apart(sqlite_session):
    repository = ConversationRepository(sqlite_session)
    await repository.add_message("alice", "user", "what is 2 + 2")
    await repository.add_message("bob", "user", "hello")
    await repository.add_message("alice", "assistant", "The result is 4.")

    alice = await repository.list_messages("alice")
    bob = await repository.list_messages("bob")

    assert [(m.role, m.content) for m in alice] == [
        ("user", "what is 2 + 2"),
        ("assistant", "The result is 4."),
    ]
    assert [m.content for m in bob] == ["hello"]
    assert alice[0].conversation_id != bob[0].conversation_id


async def test_sqlite_conversation_is_created_once_and_limit_applies(sqlite_session):
    repository = ConversationRepository(sqlite_session)
    first = await repository.get_or_create_conversation("carol")
    second = await repository.get_or_create_conversation("carol")
    for i in range(4):
        await repository.add_message("carol", "user", f"message {i}")

    limited = await repository.list_messages("carol", limit=2)

    assert first.id == second.id
    assert [m.content for m in limited] == ["message 0", "message 1"]
    assert limited[0].to_dict()["created_at"] is not None
    with pytest.raises(ValueError):
        await repository.list_messages("carol", limit=0)
