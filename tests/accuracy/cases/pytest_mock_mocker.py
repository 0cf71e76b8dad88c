"""pytest-mock: the mocker fixture in its scopes and spellings, and look-alike fixtures."""

import os
from datetime import datetime

import pytest
from pytest_mock import MockerFixture

from app.agents.llm import LLMClient
from app.agents.runner import AgentRunner
from app.db.repositories import MessageRepository, UserRepository
from app.db.session import AsyncSession
from app.services.cache import CacheService
from app.services.tokens import issue_token
from app.ws.handler import handle_socket
from app.ws.manager import ConnectionManager


def test_mocker_patch_llm(mocker):
    llm_cls = mocker.patch("app.agents.runner.LLMClient")  # expect: MG201[agent]
    llm_cls.return_value.complete.return_value = "hi"
    assert AgentRunner().run("hello") == "hi"


async def test_mocker_asyncmock_ws(mocker):
    ws = mocker.AsyncMock()  # expect: MG101[websocket]
    ws.receive_json.return_value = {"type": "ping"}
    await handle_socket(ws)
    ws.send_json.assert_awaited_once_with({"type": "pong"})


def test_mocker_patch_object_repo(mocker):
    save = mocker.patch.object(MessageRepository, "save", autospec=True)  # expect: MG201[database]
    MessageRepository(session=None).save_draft("hello")
    save.assert_called_once()


def test_mocker_spy(mocker):
    repo = UserRepository(session=None)
    spy = mocker.spy(repo, "get_by_email")  # expect: MG201[database]
    repo.exists("a@example.com")
    spy.assert_called_once_with("a@example.com")
    assert spy.spy_return is None


def test_mocker_patch_dict_env(mocker):
    mocker.patch.dict(os.environ, {"LOG_LEVEL": "DEBUG"})  # expect: MG201[generic]
    assert os.environ["LOG_LEVEL"] == "DEBUG"


def test_mocker_patch_multiple(mocker):
    mocks = mocker.patch.multiple(  # expect: MG201[websocket]
        "app.ws.manager.ConnectionManager",
        broadcast=mocker.DEFAULT,  # ok
        disconnect=mocker.DEFAULT,  # ok
    )
    ConnectionManager().shutdown()
    mocks["disconnect"].assert_called()


def test_mocker_stub_callback(mocker):
    on_token = mocker.stub(name="on_token")  # expect: MG101[agent]
    AgentRunner(stream_callback=on_token).run("hi")
    on_token.assert_called()


async def test_mocker_async_stub(mocker):
    on_message = mocker.async_stub(name="on_message")  # expect: MG101[websocket]
    manager = ConnectionManager(on_message=on_message)
    await manager.dispatch_incoming("u1", {"type": "message"})
    on_message.assert_awaited_once()


def test_mocker_create_autospec(mocker):
    session = mocker.create_autospec(AsyncSession, instance=True)  # expect: MG101[database]
    MessageRepository(session).add_sync("hi")
    session.add.assert_called_once()


def test_mocker_property_mock_via_patch(mocker):
    mocker.patch.object(CacheService, "ttl", new_callable=mocker.PropertyMock, return_value=30)  # expect: MG201[database]
    assert CacheService().ttl == 30


def test_mocker_property_mock_wired(mocker):
    cache = CacheService()
    type(cache).hit_ratio = mocker.PropertyMock(return_value=0.5)  # expect: MG102[database]
    assert cache.report()["hit_ratio"] == 0.5


def test_annotated_fixture_with_other_name(mk: MockerFixture):
    mk.patch("app.services.tokens.utcnow", return_value=datetime(2024, 1, 1))  # expect: MG201[generic]
    client = mk.MagicMock(spec=LLMClient)  # expect: MG101[agent]
    client.complete.return_value = "token please"
    assert issue_token(user_id=1).issued_at.year == 2024


def test_mocker_wiring(mocker):
    manager = ConnectionManager()
    manager.send_personal_message = mocker.AsyncMock()  # expect: MG102[websocket]
    manager.notify("u1", "hello")
    manager.send_personal_message.assert_awaited_once()


def test_mocker_patch_and_its_construction(mocker):
    get_session = mocker.patch("app.db.session.get_session", return_value=mocker.AsyncMock())  # expect: MG201[database] MG101[database]
    MessageRepository.from_default_session()
    get_session.assert_called_once()


def test_mocker_patch_new_with_nested(mocker):
    mocker.patch(  # expect: MG201[agent]
        "app.agents.runner.build_llm",
        new=mocker.MagicMock(return_value=mocker.MagicMock(spec=LLMClient)),  # expect: MG101[agent] MG101[agent]
    )
    assert AgentRunner().run("x") is not None


def test_mocker_non_callable(mocker):
    settings = mocker.NonCallableMock(debug=False, region="eu-west-1")  # expect: MG101[generic]
    assert CacheService(settings=settings).region == "eu-west-1"


def test_mocker_reset_and_stop(mocker):
    llm = mocker.Mock()  # expect: MG101[agent]
    llm.complete.return_value = "a"
    AgentRunner(llm=llm).run("q")
    llm.complete.assert_called_once()
    mocker.resetall()  # ok
    llm.complete.assert_not_called()
    llm.complete("again")
    llm.complete.assert_called_with(mocker.ANY)  # ok
    assert llm.complete.call_args == mocker.call("again")  # ok
    mocker.stopall()  # ok


class TestCacheWithMocker:
    def test_get_miss(self, mocker):
        backend = mocker.Mock()  # expect: MG101[database]
        backend.get.return_value = None
        assert CacheService(backend).get("k") is None

    def test_spy_on_set(self, mocker: MockerFixture):
        cache = CacheService(backend={})
        spy = mocker.spy(cache, "set")  # expect: MG201[database]
        cache.get_or_set("k", lambda: 1)
        spy.assert_called_once()


@pytest.fixture(scope="class")
def patched_engine(class_mocker):
    return class_mocker.patch("app.db.engine.create_async_engine")  # expect: MG201[database]


@pytest.fixture(scope="module")
def llm_double(module_mocker):
    return module_mocker.MagicMock(spec=LLMClient)  # expect: MG101[agent]


@pytest.fixture(scope="session")
def global_ws_manager(session_mocker):
    return session_mocker.patch("app.ws.manager.manager", autospec=True)  # expect: MG201[websocket]


@pytest.fixture(scope="package")
def pkg_settings(package_mocker):
    return package_mocker.patch("app.config.settings")  # expect: MG201[generic]


def test_not_a_mocker_fixture(patcher):
    patcher.patch("/conversations/1", {"title": "x"})  # ok


def test_similarly_named_fixture(mocker_config):
    mocker_config.patch("feature_flags", {"beta": True})  # ok
    assert mocker_config.flags["beta"] is True


def test_http_client_fixture_patch(client):
    response = client.patch("/users/1", json={"name": "Ada"})  # ok
    assert response.status_code == 200


def helper_with_annotated_param(m: MockerFixture):
    return m.patch.object(ConnectionManager, "connect")  # expect: MG201[websocket]
