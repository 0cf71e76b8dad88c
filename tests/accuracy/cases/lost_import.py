"""Mock names used without any import (the import line was lost in a refactor)."""

import pytest

from app.agents.tools import calculator
from app.db.repositories import UserRepository
from app.services import mailer
from app.services.config_loader import load_yaml
from app.ws.manager import ConnectionManager


def test_lost_magicmock_import():
    repo = MagicMock(spec=UserRepository)  # expect: MG101[database]
    repo.get_by_email.return_value = None
    assert UserRepository.exists_in(repo, "a@example.com") is False


@patch("app.agents.tools.calculator.evaluate")  # expect: MG201[agent]
def test_lost_patch_import(evaluate):
    evaluate.return_value = 4
    assert calculator.run({"expression": "2+2"}) == {"result": 4}


async def test_lost_patch_object_import():
    with patch.object(ConnectionManager, "disconnect") as disconnect:  # expect: MG201[websocket]
        await ConnectionManager().kick("u1")
    disconnect.assert_called_once_with("u1")


async def test_lost_asyncmock_wiring():
    manager = ConnectionManager()
    ws = manager.register("u1")
    ws.send_text = AsyncMock()  # expect: MG102[websocket]
    await manager.send_text("u1", "hello")
    ws.send_text.assert_awaited_once_with("hello")


def test_lost_mock_open():
    opener = mock_open(read_data="debug: false")  # expect: MG101[generic]
    with patch("builtins.open", opener):  # expect: MG201[generic]
        assert load_yaml("x.yaml") == {"debug": False}


def test_lost_mock_class_for_monkeypatch(monkeypatch):
    monkeypatch.setattr(mailer, "SMTP", MagicMock)  # expect: MG201[generic]
    mailer.send_welcome("a@example.com")


def test_lost_create_autospec():
    tool = create_autospec(calculator.CalculatorTool, instance=True)  # expect: MG101[agent]
    tool.run.return_value = {"result": 9}
    assert tool.run({"expression": "3*3"}) == {"result": 9}


def test_lost_patch_dict():
    with patch.dict("os.environ", {"SMTP_HOST": "localhost"}):  # expect: MG201[generic]
        assert mailer.smtp_host() == "localhost"


def test_http_client_patch_still_not_a_site(client):
    response = client.patch("/users/1", json={"name": "Grace"})  # ok
    assert response.status_code == 200


def test_isinstance_with_lost_name():
    session = AsyncMock()  # expect: MG101[database]
    session.execute.return_value.scalar.return_value = 1
    assert isinstance(session, AsyncMock)  # ok


def test_lost_name_in_annotation(ws: AsyncMock) -> None:  # ok
    assert ws is not None
