"""The factory's doubles against the real components they stand for.

(a) a real FastAPI websocket endpoint and the websocket double run the same handler and send
the same events; (b) a real SQLAlchemy AsyncSession on SQLite and the `database_session`
double accept the same calls; (c) a call the real class rejects is rejected by the double,
while a bare AsyncMock accepts it.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any
from unittest import mock

import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from mockguard.factory import (
    LIFECYCLE_EVENTS,
    EventContract,
    EventLog,
    MockFactory,
    UserExecutionContext,
    assert_events,
)

from .helpers import lifecycle_payloads


@pytest.fixture
def factory() -> MockFactory:
    return MockFactory()


# ---------------------------------------------------------- (a) a real websocket


async def agent_handler(websocket: WebSocket, run_id: str) -> None:
    """The code under test: accept, read the user's message, stream the run, close."""
    assert isinstance(websocket, WebSocket)
    await websocket.accept()
    request = await websocket.receive_json()
    for payload in lifecycle_payloads(run_id=run_id):
        if payload["type"] == "agent_completed":
            payload["answer"] = f"echo: {request['message']}"
        await websocket.send_json(payload)
    await websocket.close(code=1000)


def build_app(asgi_messages: list[str]) -> Any:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await agent_handler(websocket, run_id="run-1")

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        async def send_and_record(message: Any) -> None:
            if scope["type"] == "websocket":
                asgi_messages.append(message["type"])
            await send(message)

        await app(scope, receive, send_and_record)

    return recording


def test_real_endpoint_and_double_send_the_same_events(factory: MockFactory) -> None:
    # the real endpoint, driven by Starlette's test client
    asgi_messages: list[str] = []
    real_log = EventLog()
    with TestClient(build_app(asgi_messages)) as client, client.websocket_connect("/ws") as conn:
        conn.send_json({"message": "hello"})
        for _ in LIFECYCLE_EVENTS:
            real_log.record("real", "u1", "send_json", conn.receive_json())
        with pytest.raises(WebSocketDisconnect) as closed:
            conn.receive_json()
        assert closed.value.code == 1000
    real = real_log.events()

    # the double, running the same handler
    context = UserExecutionContext(user_id="u1")
    ws = factory.create("websocket", context, receive_json={"message": "hello"})
    asyncio.run(agent_handler(ws, run_id="run-1"))
    double = factory.sent(ws)

    assert [e.payload["type"] for e in real] == list(LIFECYCLE_EVENTS)
    assert [e.payload["type"] for e in double] == [e.payload["type"] for e in real]
    assert [e.payload for e in double] == [e.payload for e in real]
    assert real[-1].payload["answer"] == "echo: hello"
    contract = EventContract(required_keys={name: ("run_id",) for name in LIFECYCLE_EVENTS})
    assert_events(real, contract, run_id="run-1")
    assert_events(double, contract, run_id="run-1")

    # the same protocol steps, as ASGI messages and as calls on the double
    asgi_to_method = {
        "websocket.accept": "accept",
        "websocket.send": "send_json",
        "websocket.close": "close",
    }
    steps = [c[0] for c in ws.mock_calls if c[0] != "receive_json"]
    assert steps == [asgi_to_method[m] for m in asgi_messages]
    ws.close.assert_awaited_once_with(code=1000)


def test_a_broken_handler_fails_on_both(factory: MockFactory) -> None:
    async def broken(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"type": "agent_started", "data": {1, 2}})  # a set

    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await broken(websocket)

    with (
        pytest.raises(TypeError, match="not JSON serializable"),
        TestClient(app) as client,
        client.websocket_connect("/ws") as conn,
    ):
        conn.receive_json()
    ws = factory.create("websocket")
    with pytest.raises(TypeError, match=r"payload\['data'\] is a set"):  # MockLeakError
        asyncio.run(broken(ws))


# ----------------------------------------------------------- (b) a real session


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


async def repository_scenario(session: AsyncSession) -> tuple[Any, Any]:
    """The code under test: the calls a repository makes on its session."""
    async with session as active:
        item = Item(name="widget")
        active.add(item)
        await active.commit()
        await active.refresh(item)
        created_id = item.id
        result = await active.execute(select(Item.name).where(Item.name == "widget"))
        active.add_all([Item(name="draft-1"), Item(name="draft-2")])
        await active.flush()
        await active.rollback()
    return created_id, result


@pytest_asyncio.fixture
async def real_sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.mark.asyncio
async def test_real_session_and_double_accept_the_same_calls(
    factory: MockFactory, real_sessions: async_sessionmaker[AsyncSession]
) -> None:
    created_id, result = await repository_scenario(real_sessions())
    assert created_id == 1
    assert result.scalars().all() == ["widget"]
    async with real_sessions() as check:
        assert await check.scalar(select(func.count()).select_from(Item)) == 1  # rolled back

    session = factory.create("database_session")
    assert isinstance(session, AsyncSession)
    await repository_scenario(session)
    assert [c[0] for c in session.mock_calls] == [
        "__aenter__",
        "add",
        "commit",
        "refresh",
        "execute",
        "add_all",
        "flush",
        "rollback",
        "__aexit__",
    ]
    added = session.add.call_args.args[0]
    assert isinstance(added, Item) and added.name == "widget"
    session.refresh.assert_awaited_once_with(added)
    statement = session.execute.await_args.args[0]
    assert str(statement) == str(select(Item.name).where(Item.name == "widget"))


@pytest.mark.asyncio
async def test_exceptions_propagate_out_of_both_sessions(
    factory: MockFactory, real_sessions: async_sessionmaker[AsyncSession]
) -> None:
    for session in (real_sessions(), factory.create("database_session")):
        with pytest.raises(LookupError):
            async with session:
                raise LookupError("not found")


# ------------------------------------------------------------ (c) strictness


def real_websocket() -> WebSocket:
    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        return None

    return WebSocket({"type": "websocket", "path": "/ws", "headers": []}, receive, send)


def real_session() -> AsyncSession:
    return AsyncSession(create_async_engine("sqlite+aiosqlite:///:memory:"))


WRONG_CALLS: list[tuple[str, Callable[[], Any], Callable[[Any], Any]]] = [
    ("websocket", real_websocket, lambda ws: ws.send_json()),
    ("websocket", real_websocket, lambda ws: ws.accept("a", "b", "c", "d")),
    ("websocket", real_websocket, lambda ws: ws.send_text("hi", mode="text")),
    ("websocket", real_websocket, lambda ws: ws.close(1000, "bye", "extra")),
    ("database_session", real_session, lambda s: s.add()),
    ("database_session", real_session, lambda s: s.add(Item(), True)),  # _warn is keyword-only
    ("database_session", real_session, lambda s: s.commit("now")),
    ("database_session", real_session, lambda s: s.refresh()),
    ("database_session", real_session, lambda s: s.execute()),
]
IDS = [
    "ws.send_json()",
    "ws.accept(4 args)",
    "ws.send_text(mode=)",
    "ws.close(3 args)",
    "session.add()",
    "session.add(item, True)",
    "session.commit(arg)",
    "session.refresh()",
    "session.execute()",
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("kind", "make_real", "wrong_call"), WRONG_CALLS, ids=IDS)
async def test_a_call_the_real_class_rejects_is_rejected_by_the_double(
    factory: MockFactory, kind: str, make_real: Callable[[], Any], wrong_call: Callable[[Any], Any]
) -> None:
    with pytest.raises(TypeError):
        wrong_call(make_real())  # the real class: the call does not even start

    double = factory.create(kind)
    with pytest.raises(TypeError):
        result = wrong_call(double)
        if asyncio.iscoroutine(result):
            await result
    assert double.mock_calls == []

    # the point of strictness: a bare AsyncMock, even with spec=, accepts the same call
    for loose in (mock.AsyncMock(), mock.AsyncMock(spec=type(make_real()))):
        result = wrong_call(loose)
        if asyncio.iscoroutine(result):
            await result
        assert len(loose.mock_calls) == 1


@pytest.mark.asyncio
async def test_a_misspelled_member_passes_a_bare_mock_but_not_the_double(
    factory: MockFactory,
) -> None:
    loose = mock.AsyncMock()
    await loose.send_jsn({"type": "agent_started"})  # a typo that tests nothing
    loose.send_jsn.assert_awaited_once()
    ws = factory.create("websocket")
    with pytest.raises(AttributeError, match="did you mean `send_json`"):
        await ws.send_jsn({"type": "agent_started"})
    with pytest.raises(AttributeError):
        real_websocket().send_jsn  # noqa: B018


@pytest.mark.asyncio
async def test_sync_and_async_match_the_real_session(factory: MockFactory) -> None:
    double = factory.create("database_session")
    sync_calls = {
        "add": (Item(),),
        "add_all": ([Item()],),
        "expunge": (Item(),),
        "in_transaction": (),
    }
    for name, args in sync_calls.items():
        assert not inspect.iscoroutinefunction(getattr(AsyncSession, name))
        assert not inspect.isawaitable(getattr(double, name)(*args))
    for name in ("commit", "rollback", "flush", "close"):
        assert inspect.iscoroutinefunction(getattr(AsyncSession, name))
        pending = getattr(double, name)()
        assert inspect.isawaitable(pending)
        await pending
    assert [c[0] for c in double.mock_calls] == [
        *sync_calls,
        "commit",
        "rollback",
        "flush",
        "close",
    ]
