"""Doubles obtained through the project's mock factory (compliant), next to ad-hoc ones."""

from unittest.mock import AsyncMock, MagicMock, patch

import pytest

from mockguard.factory import MockFactory, SSotMockFactory
from tests.support.factory import mock_factory

from app.agents.supervisor import Supervisor
from app.db.repositories import MessageRepository
from app.services.billing import BillingService
from app.ws.bridge import AgentWebSocketBridge
from app.ws.manager import ConnectionManager


async def test_factory_websocket():
    ws = SSotMockFactory.create_websocket_mock(connection_id="c1", user_id="u1")  # ok
    await ConnectionManager().connect("u1", ws)
    ws.accept.assert_awaited_once()


async def test_factory_database_session():
    session = SSotMockFactory.create_database_session_mock()  # ok
    await MessageRepository(session).add_text(conversation_id=1, text="hi")
    session.commit.assert_awaited_once()


def test_factory_agent_and_llm():
    agent = SSotMockFactory.create_agent_mock(agent_type="supervisor")  # ok
    llm = SSotMockFactory.create_llm_client_mock()  # ok
    tool = SSotMockFactory.create_tool_mock()  # ok
    assert agent and llm and tool


def test_factory_user_context():
    context = SSotMockFactory.create_mock_user_context(user_id="u1", thread_id="t1")  # ok
    execution = SSotMockFactory.create_execution_context_mock(run_id="r1")  # ok
    assert context.user_id == "u1" and execution.run_id == "r1"


def test_factory_suite_and_generic_kind():
    suite = SSotMockFactory.create_mock_suite(["websocket", "database", "agent"])  # ok
    clock = SSotMockFactory.create_mock("clock", now=0)  # ok
    assert suite["websocket"] is not None and clock.now() == 0


def test_factory_deprecated_alias():
    manager = SSotMockFactory.create_mock_websocket_manager()  # ok
    assert manager is not None


def test_factory_registry_instance():
    session = MockFactory().create("database")  # ok
    factory = MockFactory()
    ws = factory.create("websocket", user_id="u2")  # ok
    assert session and ws


def test_module_level_factory_instance():
    llm = mock_factory.create("llm", reply="hi")  # ok
    assert llm.complete("x") == "hi"


def test_plugin_fixture_factory(mock_factory):
    bridge = mock_factory.create("event_bridge")  # ok
    assert bridge is not None


def test_plugin_fixtures(mock_websocket, mock_db_session, mock_agent):
    assert mock_websocket and mock_db_session and mock_agent


async def test_factory_mock_then_adhoc_wiring():
    ws = SSotMockFactory.create_websocket_mock()  # ok
    ws.send_json = AsyncMock(side_effect=ConnectionError("closed"))  # expect: MG102[websocket]
    with pytest.raises(ConnectionError):
        await AgentWebSocketBridge(ws).agent_started("supervisor")


def test_factory_called_with_adhoc_argument():
    repo = mock_factory.create("repository", session=AsyncMock())  # expect: MG101[database]
    assert repo is not None


def test_plugin_fixture_wired_ad_hoc(mock_websocket):
    mock_websocket.close = AsyncMock()  # expect: MG102[websocket]
    assert mock_websocket.close is not None


def test_factory_inside_patch_is_still_a_patch():
    llm = SSotMockFactory.create_llm_client_mock()  # ok
    with patch("app.agents.supervisor.LLMClient", return_value=llm):  # expect: MG201[agent]
        assert Supervisor().run("hi")


def test_billing_service_mixed():
    gateway = MockFactory().create("payment_gateway")  # ok
    mailer = MagicMock()  # expect: MG101[generic]
    service = BillingService(gateway=gateway, mailer=mailer)
    service.charge(user_id=1, amount_cents=100)
    mailer.send.assert_called_once()


def test_local_alias_of_factory():
    make = SSotMockFactory.create_websocket_mock
    ws = make(user_id="u3")  # ok
    assert ws is not None
