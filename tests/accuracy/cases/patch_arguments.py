"""Mocks built in a patch's arguments are sites of their own: the patch is one MG201, each
construction inside it one MG101, named by what the patch replaces."""

import os
from unittest import mock
from unittest.mock import DEFAULT, AsyncMock, MagicMock, Mock, patch

import salt.modules.cmdmod as cmdmod

from app.services import mailer
from app.ws import manager as ws_manager


def test_positional_new_is_named_by_the_target():
    with patch("app.db.get_session", MagicMock()):  # expect: MG201[database] MG101[database]
        assert mailer.ready()


def test_keyword_new_and_return_value():
    with patch("app.agents.runner.build_llm", new=MagicMock()):  # expect: MG201[agent] MG101[agent]
        assert mailer.ready()
    with patch("app.db.session.get_session", return_value=MagicMock()):  # expect: MG201[database] MG101[database]
        assert mailer.ready()


def test_patch_dict_with_mock_values():
    with patch.dict(cmdmod.__salt__, {"cmd.run": MagicMock(return_value="ok")}):  # expect: MG201[generic] MG101[generic]
        assert cmdmod.run_all("ls")


def test_patch_dict_with_plain_values():
    with patch.dict(os.environ, {"APP_ENV": "test"}, clear=True):  # expect: MG201[generic]
        assert os.environ["APP_ENV"] == "test"


def test_patch_multiple_counts_each_mock():
    with patch.multiple(ws_manager, broadcast=AsyncMock(), send_to_user=AsyncMock()):  # expect: MG201[websocket] MG101[websocket] MG101[websocket]
        assert ws_manager.announce("deploy")


def test_patch_multiple_with_defaults_only():
    with patch.multiple(ws_manager, broadcast=DEFAULT, send_to_user=DEFAULT) as mocks:  # expect: MG201[websocket]
        assert mocks["broadcast"] is not None  # ok


def test_patch_object_new_async():
    with mock.patch.object(mailer, "send", new=AsyncMock()):  # expect: MG201[generic] MG101[generic]
        assert mailer.ready()


def test_side_effect_list_of_mocks():
    with patch("app.agents.llm.complete", side_effect=[Mock(), Mock()]):  # expect: MG201[agent] MG101[agent] MG101[agent]
        assert mailer.ready()


def test_new_callable_is_a_reference():
    with patch("app.db.session.get_session", new_callable=AsyncMock):  # expect: MG201[database]
        assert mailer.ready()


def test_mock_bound_before_the_patch():
    sender = AsyncMock()  # expect: MG101[generic]
    with patch.object(mailer, "send", sender):  # expect: MG201[generic]
        assert mailer.ready()


def test_patches_with_plain_replacements():
    with patch("app.services.clock.now", lambda: 0), patch("app.config.DEBUG", True):  # expect: MG201[generic] MG201[generic]
        assert mailer.ready()


@patch("app.services.mailer.SMTPClient", MagicMock(spec=mailer.SMTPClient))  # expect: MG201[generic] MG101[generic]
def test_decorator_with_positional_mock():
    assert mailer.ready()


def test_lambda_building_a_mock_in_a_patch():
    with patch("app.ws.manager.connect", new=lambda *a: MagicMock()):  # expect: MG201[websocket] MG101[websocket]
        assert ws_manager.announce("up")
