"""Repository, session, engine and transaction tests for the chat backend's persistence layer."""

from unittest.mock import AsyncMock, MagicMock, Mock, call, create_autospec, patch

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.db.migrations import upgrade
from app.db.models import Conversation, Message, User
from app.db.repositories import ConversationRepository, MessageRepository, UserRepository
from app.db.session import get_session, session_scope
from app.db.unit_of_work import UnitOfWork


@pytest.fixture
def db_session():
    session = AsyncMock(spec=AsyncSession)  # expect: MG101[database]
    session.add = MagicMock()  # expect: MG102[database]
    return session


async def test_add_message_commits(db_session):
    repo = MessageRepository(db_session)
    await repo.add(Message(conversation_id=1, text="hi"))
    db_session.add.assert_called_once()
    db_session.commit.assert_awaited_once()


async def test_add_user_rolls_back_on_integrity_error(db_session):
    db_session.commit.side_effect = IntegrityError("INSERT", {}, Exception("dup"))
    with pytest.raises(IntegrityError):
        await UserRepository(db_session).add(User(email="a@example.com"))
    db_session.rollback.assert_awaited_once()


async def test_list_conversations_query_result():
    result = MagicMock()  # expect: MG101[database]
    result.scalars.return_value.all.return_value = [Conversation(id=1, title="Support")]
    session = AsyncMock()  # expect: MG101[database]
    session.execute.return_value = result
    conversations = await ConversationRepository(session).list_for_user("u1")
    assert [c.title for c in conversations] == ["Support"]


async def test_generic_name_identified_by_configuration():
    s = AsyncMock()  # expect: MG101[database]
    s.execute.return_value.scalar_one_or_none.return_value = None
    s.commit = AsyncMock()  # expect: MG102[database]
    assert await UserRepository(s).get_by_email("x@example.com") is None
    s.commit.assert_not_awaited()


async def test_session_scope_commits():
    session = create_autospec(AsyncSession, instance=True)  # expect: MG101[database]
    with patch("app.db.session.async_session_factory", return_value=session):  # expect: MG201[database]
        async with session_scope() as scoped:
            scoped.add(Message(conversation_id=1, text="x"))
    session.commit.assert_awaited_once()


@patch("app.db.migrations.command")  # expect: MG201[database]
@patch("app.db.migrations.create_async_engine")  # expect: MG201[database]
def test_upgrade_runs_alembic(create_async_engine, command):
    create_async_engine.return_value = MagicMock(spec=AsyncEngine)  # expect: MG102[database]
    upgrade("head")
    command.upgrade.assert_called_once()


async def test_unit_of_work_commit_and_rollback():
    transaction = AsyncMock()  # expect: MG101[database]
    session = AsyncMock(begin=Mock(return_value=transaction))  # expect: MG101[database] MG101[database]
    async with UnitOfWork(lambda: session) as uow:
        uow.messages.add(Message(conversation_id=2, text="y"))
    assert transaction.mock_calls[0] == call.__aenter__()  # ok


async def test_repository_get_missing():
    repo = MagicMock(spec=ConversationRepository)  # expect: MG101[database]
    repo.get = AsyncMock(return_value=None)  # expect: MG102[database]
    assert await repo.get(404) is None


async def test_dependency_get_session_patched(mocker):
    get_session_mock = mocker.patch("app.api.deps.get_session")  # expect: MG201[database]
    get_session_mock.return_value.__aenter__.return_value = mocker.AsyncMock(spec=AsyncSession)  # expect: MG102[database]
    from app.api.deps import current_user

    assert await current_user(token="t") is not None


async def test_engine_dispose_on_shutdown(monkeypatch):
    engine = AsyncMock(spec=AsyncEngine)  # expect: MG101[database]
    monkeypatch.setattr("app.db.session.engine", engine)  # expect: MG201[database]
    from app.db.session import shutdown

    await shutdown()
    engine.dispose.assert_awaited_once()


class TestUserRepositoryCursor:
    def setup_method(self):
        self.cursor = MagicMock()  # expect: MG101[database]
        self.cursor.fetchone.return_value = (1, "a@example.com")
        self.connection = MagicMock()  # expect: MG101[generic]
        self.connection.cursor.return_value = self.cursor

    def test_find_by_email(self):
        repo = UserRepository.from_connection(self.connection)
        assert repo.find_by_email("a@example.com").id == 1
        self.cursor.execute.assert_called_once()

    @patch.object(UserRepository, "find_by_email", return_value=None)  # expect: MG201[database]
    def test_exists_false(self, find_by_email):
        assert UserRepository.from_connection(self.connection).exists("b@example.com") is False


async def test_session_dependency_yields(monkeypatch):
    async def fake_session():
        yield None

    monkeypatch.setattr("app.db.session.get_session", fake_session)  # expect: MG201[database]
    assert get_session is not None
