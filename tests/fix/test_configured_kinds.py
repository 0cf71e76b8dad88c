"""`fix` into the project's own kinds: the interface a configured kind names is read from
the project's source (never imported), and the rewrite is proven by the project's tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mockguard.fix.interfaces import StaticInterfaces
from mockguard.scan.project_index import ProjectIndex

CONFIG = """\
[tool.pytest.ini_options]
pythonpath = ["."]

[tool.mockguard.kinds.transport]
interface = "app.transport:Transport"
category = "generic"
"""
TRANSPORT = """\
import abc
import pathlib

pathlib.Path(__file__).with_name("IMPORTED").write_text("the module ran")


class BaseTransport:
    def close(self) -> None:
        raise NotImplementedError


class Transport(BaseTransport):
    timeout = 10
    retries: int

    def __init__(self, url: str) -> None:
        self.url = url

    def request(self, method: str, path: str, *, body: bytes | None = None) -> bytes:
        raise NotImplementedError

    async def stream(self, path: str) -> bytes:
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        return False

    @abc.abstractproperty
    def status(self) -> int:
        raise NotImplementedError
"""
CLIENT = """\
class Client:
    def __init__(self, transport):
        self.transport = transport

    def fetch(self, path):
        try:
            return self.transport.request("GET", path)
        finally:
            self.transport.close()
"""
TESTS = """\
from unittest.mock import MagicMock

from app.client import Client


def test_fetch():
    transport = MagicMock()
    transport.request.return_value = b"ok"
    assert Client(transport).fetch("/x") == b"ok"
    transport.request.assert_called_once_with("GET", "/x")
    transport.close.assert_called_once_with()


def test_wrong_call():
    transport = MagicMock()
    transport.request("GET")


def test_unknown_member():
    transport = MagicMock()
    transport.send(b"x")
"""


def _project(root: Path) -> Path:
    (root / "app").mkdir()
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "transport.py").write_text(TRANSPORT)
    (root / "app" / "client.py").write_text(CLIENT)
    (root / "tests" / "test_client.py").write_text(TESTS)
    return root


def test_static_interface_reads_the_class_and_its_project_bases(tmp_path: Path) -> None:
    _project(tmp_path)
    interface = StaticInterfaces(ProjectIndex(tmp_path)).interface("app.transport:Transport")
    assert interface is not None
    kinds = {name: member.kind for name, member in interface.members.items()}
    assert kinds == {
        "close": "method",  # from the project base class
        "timeout": "attribute",
        "retries": "attribute",
        "url": "attribute",  # self.url in __init__
        "request": "method",
        "stream": "async_method",
        "closed": "property",
        "status": "property",  # abc.abstractproperty too
    }
    assert str(interface.members["request"].signature) == "(method, path, *, body=Ellipsis)"
    assert not (tmp_path / "app" / "IMPORTED").exists()  # read, never imported


def test_a_class_outside_the_project_has_no_static_interface(tmp_path: Path) -> None:
    _project(tmp_path)
    interfaces = StaticInterfaces(ProjectIndex(tmp_path))
    assert interfaces.interface("json:JSONDecoder") is None
    assert interfaces.interface("app.transport:Missing") is None
    assert interfaces.interface("app.client:Client.fetch") is None


def test_fix_rewrites_into_a_configured_kind_proven_by_the_tests(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    shown = run_cli("fix", ".", cwd=root)
    assert '+    transport = mockguard.factory.create("transport")' in shown.stdout
    assert not (root / "app" / "IMPORTED").exists()  # fix never imports the project
    pytest_command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    result = run_cli("fix", "--write", "--check-tests", pytest_command, ".", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no test outcome changed (3 test(s)" in result.stdout
    text = (root / "tests" / "test_client.py").read_text()
    assert "import mockguard.factory\n" in text
    assert '    transport = mockguard.factory.create("transport")\n' in text
    # The refused sites are left as they were, each with its reason.
    assert text.count("transport = MagicMock()") == 2
    again = run_cli("fix", "--format", "json", ".", cwd=root)
    assert json.loads(again.stdout)["rewritten"] == 0
    document = json.loads(again.stdout)
    reasons = [skip["reason"] for f in document["files"] for skip in f["skips"]]
    assert reasons == [
        "the shape is not covered: `transport`: `transport.request(...)` (line 17) does not "
        "fit `request(method, path, *, body=...)`: missing a required argument: 'path'",
        "the shape is not covered: `transport` has no `send`",
    ]


def test_a_kind_whose_class_is_not_the_projects_is_not_rewritten_into(
    run_cli, tmp_path: Path
) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text(
        CONFIG.replace("app.transport:Transport", "json:JSONDecoder")
    )
    result = run_cli("fix", "--format", "json", ".", cwd=root)
    assert result.returncode == 0, result.stderr
    assert '"rewritten": 0' in result.stdout
    assert "its interface `json:JSONDecoder` is not a project class" in result.stdout


def test_a_name_says_the_class_by_a_word_or_its_start() -> None:
    from mockguard.fix.plan import _says, _words

    transport = _words("HTTPTransport") | _words("http_transport")
    assert _says(_words("mock_transport"), transport)
    assert _says(_words("self.httpTransport"), transport)
    assert _says(_words("mock_resp_401"), _words("Response"))
    assert not _says(_words("closer"), transport)
    assert not _says(_words("res"), _words("Response"))  # too short to say it


def test_a_spec_says_what_an_otherwise_unused_mock_stands_for(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_client.py").write_text(
        "from unittest.mock import MagicMock\n\n"
        "from app.client import Client\n"
        "from app.transport import Transport\n\n\n"
        "def test_made():\n"
        "    transport = MagicMock(spec=Transport)\n"
        "    assert Client(transport).transport is transport\n\n\n"
        "def test_bare():\n"
        "    transport = MagicMock()\n"
        "    assert Client(transport).transport is transport\n"
    )
    document = json.loads(run_cli("fix", "--format", "json", ".", cwd=root).stdout)
    (found,) = document["files"]
    assert [r["line"] for r in found["rewrites"]] == [8]
    assert [(s["line"], s["group"]) for s in found["skips"]] == [
        (13, "nothing is configured or used on it")
    ]


INLINE_TESTS = """\
from unittest import mock

import pytest

from app.client import Client
from app.transport import Transport


def make_client(**kwargs):
    return Client(mock.MagicMock(spec=Transport), **kwargs)


def test_inline():
    assert Client(mock.Mock(spec=Transport)).transport is not None; check = (mock.Mock(spec=Transport))
    assert check is not None and make_client()
    assert f"{mock.Mock(spec=Transport)!r}"


@pytest.mark.parametrize("transport", [mock.Mock(spec=Transport)])
def test_decorated(transport, default=mock.Mock(spec=Transport)):
    assert Client(mock.Mock(spec=Client)).transport and Client(mock.Mock()).transport
    assert Client(mock.create_autospec(Transport, instance=True)).transport
    assert Client(mock.create_autospec(Transport)).transport
    assert Client(mock.Mock(spec=Transport, timeout=3)).transport
"""


def test_constructions_inside_expressions_follow_their_spec(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_client.py").write_text(INLINE_TESTS)
    pytest_command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    result = run_cli("fix", "--write", "--check-tests", pytest_command, ".", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no test outcome changed (2 test(s)" in result.stdout
    text = (root / "tests" / "test_client.py").read_text()
    create = 'mockguard.factory.create("transport")'
    # In a function body (a helper, a test, two on one line, one in parentheses): rewritten.
    assert f"    return Client({create}, **kwargs)\n" in text
    assert f"    assert Client({create}).transport is not None; check = ({create})\n" in text
    assert f"    assert Client({create}).transport\n" in text  # create_autospec(instance=True)
    # Run at import (a decorator, a default), another spec, no spec, a class, configured: kept.
    assert "[mock.Mock(spec=Transport)])\n" in text
    assert "default=mock.Mock(spec=Transport)):" in text
    assert "Client(mock.Mock(spec=Client)).transport and Client(mock.Mock()).transport" in text
    assert "Client(mock.create_autospec(Transport)).transport" in text
    assert "mock.Mock(spec=Transport, timeout=3)" in text
    assert '    assert f"{mock.Mock(spec=Transport)!r}"\n' in text  # its quotes would end it
    assert text.count(create) == 4
    again = json.loads(run_cli("fix", "--format", "json", ".", cwd=root).stdout)
    assert again["rewritten"] == 0
