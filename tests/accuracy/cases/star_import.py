"""Mock names that arrive through star imports (unittest.mock and a project re-export)."""

from unittest.mock import *  # noqa: F403

from tests.support.mocks import *  # noqa: F403

from app.agents.llm import LLMClient
from app.db.repositories import UserRepository
from app.services.config_loader import load_yaml
from app.ws.manager import ConnectionManager


async def test_star_imported_magicmock_and_asyncmock():
    ws = MagicMock()  # expect: MG101[websocket]
    ws.send_json = AsyncMock()  # expect: MG102[websocket]
    await ConnectionManager().push(ws, {"type": "agent_thinking"})
    ws.send_json.assert_awaited_once()
    assert isinstance(ws, MagicMock)  # ok


@patch("app.db.session.get_session")  # expect: MG201[database]
def test_star_imported_patch(get_session):
    UserRepository.default().deactivate(user_id=4)
    get_session.return_value.commit.assert_called_once()


def test_star_imported_autospec():
    llm = create_autospec(LLMClient, instance=True)  # expect: MG101[agent]
    llm.complete.return_value = "bonjour"
    assert llm.complete("hello") == "bonjour"
    llm.complete.assert_has_calls([call("hello")])  # ok


def test_star_imported_mock_open_passed_to_patch():
    with patch("builtins.open", mock_open(read_data="debug: true")):  # expect: MG201[generic] MG101[generic]
        assert load_yaml("settings.yaml") == {"debug": True}


def test_star_imported_patch_object_and_sentinel():
    with patch.object(UserRepository, "get", return_value=sentinel.user) as get:  # expect: MG201[database]
        assert UserRepository.default().get(1) is sentinel.user  # ok
    get.assert_called_once_with(1)


def test_star_imported_property_mock():
    manager = ConnectionManager()
    type(manager).connection_count = PropertyMock(return_value=2)  # expect: MG102[websocket]
    assert manager.stats()["connections"] == 2


def test_star_imported_mock_open_bound():
    opener = mock_open(read_data="a: 1")  # expect: MG101[generic]
    with patch("app.services.config_loader.open", opener):  # expect: MG201[generic]
        assert load_yaml("a.yaml") == {"a": 1}
    opener.assert_called_once_with("a.yaml", encoding="utf-8")


def test_star_imported_factory_is_compliant():
    ws = SSotMockFactory.create_websocket_mock(user_id="u1")  # ok
    assert ws is not None
