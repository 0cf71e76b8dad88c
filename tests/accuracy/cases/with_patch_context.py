"""Context-manager patching, bound patchers, ExitStack and fixtures that yield patches."""

import contextlib
from unittest import mock
from unittest.mock import AsyncMock, MagicMock, patch

import pytest

from app.agents.planner import Planner
from app.agents.runner import AgentRunner
from app.db.repositories import MessageRepository
from app.services.cache import CacheService
from app.services.checkout import place_order
from app.services.mailer import send_digest
from app.services.reports import nightly_report
from app.ws.manager import ConnectionManager, ws_manager
from app.ws.router import route_incoming


def test_two_patches_in_one_with():
    with patch("app.db.session.get_session") as get_session, patch("app.agents.runner.LLMClient") as llm_cls:  # expect: MG201[database] MG201[agent]
        llm_cls.return_value.complete.return_value = "hi"
        AgentRunner().run_and_store(conversation_id=1, text="hello")
    get_session.return_value.add.assert_called_once()


async def test_parenthesized_with_statement():
    with (
        patch("app.ws.manager.WebSocketManager.send_to_user") as send,  # expect: MG201[websocket]
        patch.object(MessageRepository, "add") as add,  # expect: MG201[database]
        patch.dict("app.config.FEATURES", {"streaming": True}),  # expect: MG201[generic]
    ):
        await route_incoming("u1", {"type": "message", "text": "hi"})
    send.assert_called_once()
    add.assert_called_once()


def test_bound_patcher_start_stop():
    p = patch("app.services.checkout.stripe.Charge.create")  # expect: MG201[generic]
    charge_create = p.start()  # ok
    try:
        charge_create.return_value = {"status": "succeeded"}
        assert place_order(cart_id=1).paid
    finally:
        p.stop()  # ok


async def test_bound_patcher_used_as_context():
    patcher = patch.object(ConnectionManager, "broadcast", new_callable=AsyncMock)  # expect: MG201[websocket]
    with patcher as broadcast:  # ok
        await ConnectionManager().announce("maintenance at 22:00")
    broadcast.assert_awaited_once()


def test_exit_stack_enters_patches():
    with contextlib.ExitStack() as stack:
        llm_cls = stack.enter_context(patch("app.agents.planner.LLMClient"))  # expect: MG201[agent]
        plan_repo = stack.enter_context(patch("app.agents.planner.PlanRepository"))  # expect: MG201[database]
        llm_cls.return_value.complete.return_value = "1. search"
        Planner().plan_and_save("find docs")
    plan_repo.return_value.save.assert_called_once()


def test_construction_passed_to_patch_is_its_own_site():
    with patch("app.services.mailer.SMTPClient", new=MagicMock()) as smtp:  # expect: MG201[generic] MG101[generic]
        send_digest("a@example.com")
    smtp.send.assert_called_once()


def test_return_value_construction_is_its_own_site():
    with patch("app.db.session.get_session", return_value=AsyncMock()) as get_session:  # expect: MG201[database] MG101[database]
        nightly_report()
    get_session.return_value.execute.assert_awaited()


async def test_side_effect_list_constructions_are_separate():
    with patch(  # expect: MG201[websocket]
        "app.ws.manager.ConnectionManager.receive",
        side_effect=[MagicMock(type="message"), MagicMock(type="disconnect")],  # expect: MG101[websocket] MG101[websocket]
    ):
        await ConnectionManager().pump("u1")


async def test_wiring_onto_patched_class():
    with patch("app.agents.runner.OpenAIClient") as client_cls:  # expect: MG201[agent]
        client_cls.return_value.chat = AsyncMock(return_value="hi")  # expect: MG102[agent]
        assert await AgentRunner().arun("hello") == "hi"


async def test_patch_object_on_module_instance():
    with mock.patch.object(ws_manager, "send_to_user") as send:  # expect: MG201[websocket]
        await route_incoming("u2", {"type": "ping"})
    send.assert_called_once_with("u2", {"type": "pong"})


def test_start_inline_and_stopall():
    patch("app.services.reports.clock.now").start()  # expect: MG201[generic]
    try:
        nightly_report()
    finally:
        patch.stopall()  # ok


@pytest.fixture
def patched_cache():
    with patch.object(CacheService, "get", return_value=None) as get:  # expect: MG201[database]
        yield get


@pytest.fixture
def patched_session():
    with mock.patch(  # expect: MG201[database]
        "app.db.session.async_session_factory",
    ) as factory:
        factory.return_value.__aenter__.return_value = AsyncMock()  # expect: MG102[generic]
        yield factory


def test_uses_fixtures(patched_cache, patched_session):
    nightly_report()
    patched_cache.assert_called()


def test_http_client_patch_is_not_a_patcher(client):
    response = client.patch("/conversations/1", json={"title": "renamed"})  # ok
    assert response.status_code == 200


def test_nested_with_blocks():
    with patch("app.agents.runner.ToolExecutor") as executor_cls:  # expect: MG201[agent]
        with patch("app.agents.runner.MessageRepository") as repo_cls:  # expect: MG201[database]
            executor_cls.return_value.execute.return_value = {"result": 4}
            AgentRunner().run_and_store(conversation_id=3, text="2+2")
        repo_cls.return_value.add.assert_called()


def test_patch_multiple_as_context():
    with patch.multiple(  # expect: MG201[websocket]
        ConnectionManager,
        connect=AsyncMock(),  # expect: MG101[websocket]
        disconnect=AsyncMock(),  # expect: MG101[websocket]
    ) as managed:
        assert managed == {}


def test_patcher_kept_in_variable_then_entered_twice():
    cache_patch = patch.object(CacheService, "set")  # expect: MG201[database]
    with cache_patch:  # ok
        nightly_report()
    with cache_patch as set_:  # ok
        nightly_report()
        set_.assert_called()
