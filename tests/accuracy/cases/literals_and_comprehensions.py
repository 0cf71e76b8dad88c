"""Doubles kept in literals, comprehensions, tuples, containers and call arguments."""

import asyncio
from unittest.mock import AsyncMock, MagicMock, Mock, NonCallableMagicMock, NonCallableMock

from app.agents.registry import ToolRegistry
from app.agents.runner import AgentRunner
from app.config import Settings
from app.db.repositories import MessageRepository
from app.db.unit_of_work import UnitOfWork
from app.events import EventBus
from app.services.cache import CacheService
from app.services.http import ApiClient
from app.ws.manager import ConnectionManager
from app.ws.session import SocketSession


def test_tool_registry_from_dict_literal():
    tools = {"search": MagicMock(), "calculator": MagicMock()}  # expect: MG101[agent] MG101[agent]
    registry = ToolRegistry(tools)
    registry.call("search", query="x")
    tools["search"].assert_called_once_with(query="x")
    assert all(isinstance(t, MagicMock) for t in tools.values())  # ok


async def test_broadcast_to_many_sockets_list_comprehension():
    sockets = [AsyncMock() for _ in range(3)]  # expect: MG101[generic]
    manager = ConnectionManager()
    for i, ws in enumerate(sockets):
        await manager.connect(f"user-{i}", ws)
    await manager.broadcast({"type": "ping"})
    for ws in sockets:
        ws.send_json.assert_awaited_once_with({"type": "ping"})


def test_dict_comprehension_of_ws_methods():
    methods = {name: AsyncMock() for name in ("accept", "send_json", "close")}  # expect: MG101[generic]
    ws = NonCallableMock(**methods)  # expect: MG101[websocket]
    asyncio.run(SocketSession(ws).open())
    ws.accept.assert_awaited_once()


async def test_tuple_unpacking_two_doubles():
    ws, session = AsyncMock(), AsyncMock()  # expect: MG101[websocket] MG101[database]
    session.execute.return_value.scalars.return_value.all.return_value = []
    await SocketSession(ws, db=session).send_history()
    ws.send_json.assert_awaited_once_with({"type": "history", "messages": []})


async def test_list_of_rows_returned_by_session():
    rows = [MagicMock(id=1, text="a"), MagicMock(id=2, text="b")]  # expect: MG101[generic] MG101[generic]
    session = AsyncMock()  # expect: MG101[database]
    session.execute.return_value.scalars.return_value.all.return_value = rows
    messages = await MessageRepository(session).list_for(conversation_id=1)
    assert [m.text for m in messages] == ["a", "b"]


def test_container_item_assignment():
    doubles = {}
    doubles["cache"] = MagicMock(spec=CacheService)  # expect: MG101[database]
    doubles["http"] = MagicMock(spec=ApiClient)  # expect: MG101[generic]
    doubles["http"].get.return_value.json.return_value = {"ok": True}
    assert doubles["cache"].get("k") is not None


def test_function_argument_constructions():
    repo = MessageRepository(session=AsyncMock())  # expect: MG101[database]
    runner = AgentRunner(llm=MagicMock(), tools=[])  # expect: MG101[agent]
    uow = UnitOfWork(session_factory=Mock(return_value=MagicMock()))  # expect: MG101[database] MG101[database]
    assert repo and runner and uow


def test_nested_list_of_event_handlers():
    handlers = [[Mock()], [Mock(), Mock()]]  # expect: MG101[generic] MG101[generic] MG101[generic]
    bus = EventBus(handlers)
    bus.emit("user.created", {"id": 1})
    for group in handlers:
        for handler in group:
            handler.assert_called_once()


def test_multiline_tool_list():
    tools = [
        MagicMock(name="search"),  # expect: MG101[agent]
        MagicMock(name="calculator"),  # expect: MG101[agent]
    ]
    runner = AgentRunner(tools=tools)
    runner.run("what is 2+2")
    tools[1].run.assert_called_once()


def test_generator_expression_of_http_clients():
    clients = tuple(Mock(spec=ApiClient) for _ in range(2))  # expect: MG101[generic]
    for client in clients:
        client.get.return_value.status_code = 200
    assert all(c.get("/health").status_code == 200 for c in clients)


def test_non_callable_settings_double():
    settings = NonCallableMagicMock(debug=True, request_timeout=5)  # expect: MG101[generic]
    assert Settings.from_object(settings).request_timeout == 5


def test_type_tuples_and_names_are_not_doubles():
    expected_types = (Mock, MagicMock, AsyncMock)  # ok
    kinds = [AsyncMock, MagicMock]  # ok
    mock_names = ["MagicMock", "AsyncMock"]  # ok
    assert len(expected_types) == 3 and len(kinds) == 2 and mock_names


def test_dict_literal_of_repositories():
    repos = {
        "users": Mock(),  # expect: MG101[database]
        "messages": Mock(),  # expect: MG101[database]
    }
    repos["users"].get_by_email.return_value = None
    uow = UnitOfWork(repositories=repos)
    assert uow.users.get_by_email("a@example.com") is None


async def test_dict_of_sockets_for_broadcast():
    connections = {"u1": AsyncMock(), "u2": AsyncMock()}  # expect: MG101[generic] MG101[generic]
    manager = ConnectionManager(connections)
    await manager.broadcast({"type": "shutdown"})
    for ws in connections.values():
        ws.close.assert_awaited_once()
