"""Doubles wired onto attributes of other objects (chains, subscripts, setattr, type())."""

import asyncio
from unittest.mock import AsyncMock, MagicMock, Mock, PropertyMock

import pytest

from app.agents.planner import Planner
from app.agents.supervisor import Supervisor
from app.api import create_app
from app.db.queries import count_users
from app.db.session import SessionLocal
from app.services.notifications import Notifier
from app.services.payments import PaymentService
from app.services.refunds import refund_order
from app.ws.bridge import AgentWebSocketBridge
from app.ws.manager import ConnectionManager


async def test_bridge_forwards_agent_events():
    bridge = AgentWebSocketBridge(manager=ConnectionManager())
    bridge.manager.broadcast = AsyncMock()  # expect: MG102[websocket]
    await bridge.agent_started("supervisor")
    bridge.manager.broadcast.assert_awaited_once()


def test_app_state_wiring():
    app = create_app()
    app.state.ws_manager = MagicMock()  # expect: MG102[websocket]
    app.state.ws_manager.active_connections = {}
    app.state.db.session_factory = Mock()  # expect: MG102[database]
    app.state.settings.clock = Mock()  # expect: MG102[generic]
    app.state.settings.clock.now.return_value = 0
    assert app.state.ws_manager.active_connections == {}


def test_session_factory_chain():
    factory = SessionLocal()
    factory.session.execute = AsyncMock(return_value=MagicMock())  # expect: MG102[database] MG101[database]
    factory.session.execute.return_value.scalar_one.return_value = 3
    assert asyncio.run(count_users(factory)) == 3


async def test_mocks_dict_chain():
    mocks = {"llm": Mock(), "ws": Mock()}  # expect: MG101[agent] MG101[websocket]
    mocks["llm"].complete.return_value = Mock(text="hi")  # expect: MG102[agent]
    mocks["ws"].send_json = AsyncMock()  # expect: MG102[websocket]
    supervisor = Supervisor(llm=mocks["llm"], websocket=mocks["ws"])
    await supervisor.answer("hello")
    mocks["ws"].send_json.assert_awaited_once()


def test_setattr_wiring_on_planner():
    planner = Planner(llm=None)
    setattr(planner, "llm", Mock())  # expect: MG102[agent]
    planner.llm.complete.return_value = "step 1"
    assert planner.plan("book a flight") == ["step 1"]


def test_setattr_wiring_on_payment_gateway():
    service = PaymentService()
    setattr(service, "gateway", MagicMock(charge=Mock(return_value={"id": "ch_1"})))  # expect: MG102[generic] MG101[generic]
    assert service.pay(order_id=5, amount_cents=500) == "ch_1"


def test_refund_client_chain():
    service = PaymentService()
    service.client.refunds.create = Mock(return_value={"status": "pending"})  # expect: MG102[generic]
    assert refund_order(service, order_id=5) == "pending"


def test_connection_state_property():
    manager = ConnectionManager()
    ws_conn = manager.register("u1")
    type(ws_conn).is_open = PropertyMock(return_value=False)  # expect: MG102[websocket]
    assert manager.send("u1", {"type": "ping"}) is False


def test_supervisor_sub_agent_llm():
    supervisor = Supervisor()
    supervisor.agents["researcher"].llm = MagicMock()  # expect: MG102[agent]
    supervisor.agents["researcher"].llm.complete.return_value = "sources"
    assert "sources" in supervisor.run("research topic")


async def test_planner_tool_chain():
    planner = Planner(llm=None)
    planner.toolbox.search.run = AsyncMock(return_value=[])  # expect: MG102[agent]
    assert await planner.aplan("find nothing") == []


async def test_multiline_wiring_with_side_effect():
    manager = ConnectionManager()
    manager.send_personal_message = AsyncMock(  # expect: MG102[websocket]
        side_effect=[None, ConnectionError("closed")]
    )
    await manager.send_personal_message("u1", "first")
    with pytest.raises(ConnectionError):
        await manager.send_personal_message("u1", "second")


async def test_reusing_an_existing_double_is_not_new_wiring():
    send = AsyncMock()  # expect: MG101[websocket]
    manager = ConnectionManager()
    ws = manager.register("u2")
    ws.send_json = send  # ok
    ws.send_json.side_effect = ConnectionError("gone")  # ok
    with pytest.raises(ConnectionError):
        await manager.send("u2", {"type": "ping"})
    send.assert_awaited_once()


def test_result_rows_assigned_not_constructed():
    session = SessionLocal()
    result_rows = [(1,), (2,)]
    session.execute.return_value = result_rows  # ok
    assert session.execute("SELECT id FROM users") == result_rows


def test_notifier_transport_chain():
    notifier = Notifier()
    notifier.transport.email.smtp = MagicMock()  # expect: MG102[generic]
    notifier.notify("a@example.com", "hi")
    notifier.transport.email.smtp.send_message.assert_called_once()


def test_unit_of_work_transaction_chain():
    uow = SessionLocal.unit_of_work()
    uow.transaction.commit = Mock()  # expect: MG102[database]
    uow.transaction.rollback = Mock(side_effect=AssertionError("no rollback expected"))  # expect: MG102[database]
    uow.complete()
    uow.transaction.commit.assert_called_once()
