"""`fix` hands mocks wired onto real objects (MG102) to the factory: `create_like`, whose
double is built from the member it replaces; a mock wired onto a mock, onto a class, or
configured beyond values is refused with its reason, and the suite's own tests prove each
rewrite."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

import mockguard.factory
from mockguard.factory import KindError

CONFIG = """\
[tool.pytest.ini_options]
pythonpath = ["."]
"""
CHANNEL = """\
class Client:
    def get(self, key):
        return key


class Channel:
    limit = 3

    def __init__(self):
        self.client = Client()
        self.closed = None

    def ack(self, tag, multiple=False):
        return tag

    async def send(self, body):
        return body
"""
TESTS = """\
import asyncio
from unittest import mock
from unittest.mock import AsyncMock, MagicMock, Mock, patch

from app.channel import Channel


class TestChannel:
    def setup_method(self):
        self.channel = Channel()
        self.fake = Mock()

    def test_ack(self):
        self.channel.ack = Mock(return_value=7); seen = self.channel.ack(1)
        assert seen == 7
        self.channel.ack.assert_called_once_with(1)

    def test_client(self):
        client = self.channel.client = mock.MagicMock(name="client")
        client.get.return_value = 2
        assert self.channel.client.get("k") == 2

    def test_send(self):
        self.channel.send = AsyncMock(
            return_value=3,  # awaited
        )
        assert asyncio.run(self.channel.send("b")) == 3

    def refused(self):
        self.fake.ack = Mock()
        Channel.ack = Mock()
        self.channel.client.get.return_value = Mock()
        self.channel.client.return_value = Mock()
        setattr(self.channel, "ack", Mock())
        self.channel.ack = Mock(spec=Channel.ack)
        mock_channel = Channel()
        mock_channel.ack = Mock()


@patch("app.channel.Client")
def test_patched(client):
    client.get = Mock()
"""
# A test whose wired mock the real member refuses: `ack` takes a tag.
WRONG_CALL = """\
from unittest.mock import Mock

from app.channel import Channel


def test_wrong_call():
    channel = Channel()
    channel.ack = Mock(return_value=1)
    assert channel.ack() == 1


def test_right_call():
    channel = Channel()
    channel.ack = Mock(return_value=1)
    assert channel.ack(5) == 1
"""


def _project(root: Path) -> Path:
    (root / "app").mkdir()
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "channel.py").write_text(CHANNEL)
    (root / "tests" / "test_channel.py").write_text(TESTS)
    return root


def test_mocks_wired_onto_real_objects_become_doubles_of_their_members(
    run_cli, tmp_path: Path
) -> None:
    root = _project(tmp_path)
    pytest_command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    result = run_cli(
        "fix", "--select", "MG102", "--write", "--check-tests", pytest_command, ".", cwd=root
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no test outcome changed (4 test(s)" in result.stdout
    text = (root / "tests" / "test_channel.py").read_text()
    like = "mockguard.factory.create_like"
    # the assignment and the rest of its line stay; the object and attribute go in front
    assert f'self.channel.ack = {like}(self.channel, "ack", return_value=7); seen =' in text
    assert f'client = self.channel.client = {like}(self.channel, "client", name="client")' in text
    assert f'self.channel.send = {like}(\n            self.channel, "send", return_value=3,' in text
    assert "# awaited" in text
    assert text.count(like) == 3
    assert "import mockguard.factory\n" in text
    compile(text, "test_channel.py", "exec")

    again = json.loads(
        run_cli("fix", "--select", "MG102", "--format", "json", ".", cwd=root).stdout
    )
    assert again["rewritten"] == 0
    reasons = sorted(skip["reason"] for f in again["files"] for skip in f["skips"])
    assert reasons == [
        "it is wired onto a class (its double would be bound to each instance): `Channel`",
        "it is wired onto a mock, not a real object: `client` is bound to a mock (line 41)",
        "it is wired onto a mock, not a real object: `mock_channel` is named as one",
        "it is wired onto a mock, not a real object: `self.channel.client.get.return_value` is "
        "reached through a mock's attribute",
        "it is wired onto a mock, not a real object: `self.channel.client.return_value` is "
        "reached through a mock's attribute",
        "it is wired onto a mock, not a real object: `self.fake` is bound to a mock (line 11)",
        "not the whole value of a plain assignment",
        "the constructor chooses its own double (`spec=`)",
    ]
    scan = json.loads(run_cli("scan", "--format", "json", "--no-cache", ".", cwd=root).stdout)
    assert [c["call"] for c in scan["compliant"]] == [like] * 3


def test_a_wired_mock_the_real_member_refuses_is_taken_back_alone(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_channel.py").unlink()
    (root / "tests" / "test_wrong.py").write_text(WRONG_CALL)
    pytest_command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    result = run_cli("fix", "--write", "--check-tests", pytest_command, ".", cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "test_wrong_call" in result.stderr
    text = (root / "tests" / "test_wrong.py").read_text()
    # the test the real signature fails keeps its bare mock; the other one is kept
    assert "    channel.ack = Mock(return_value=1)\n    assert channel.ack() == 1" in text
    assert 'channel.ack = mockguard.factory.create_like(channel, "ack", return_value=1)\n' in text


# Two rewrites the factory refuses when the test runs (`closed` is None), named by the
# tracebacks, and one it takes.
REFUSED_AT_RUN = """\
from unittest.mock import Mock

import pytest

from app.channel import Channel


@pytest.fixture
def channel():
    channel = Channel()
    channel.closed = Mock()
    return channel


def test_uses_the_fixture(channel):
    assert channel.closed is not None


def test_closed():
    channel = Channel()
    channel.closed = Mock(return_value=True)
    assert channel.closed()


def test_ack():
    channel = Channel()
    channel.ack = Mock(return_value=1)
    assert channel.ack(2) == 1


def test_keeps_the_import():  # so the factory's import moves every line down
    assert Mock()


def test_twice():  # the second is refused only once the first is taken back
    channel = Channel()
    channel.closed = Mock()
    channel.closed = Mock()
"""


def test_rewrites_named_by_the_tracebacks_are_taken_back_first(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_channel.py").write_text(REFUSED_AT_RUN)
    pytest_command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    result = run_cli("fix", "--write", "--check-tests", pytest_command, ".", cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    # one line for the file, though the tracebacks named its rewrites in two rounds
    assert "kept 1 of 5 rewrite(s) in tests/test_channel.py; took back 4" in result.stderr
    assert result.stderr.count("in tests/test_channel.py; took back") == 1
    assert "its traceback shows in" in result.stderr
    text = (root / "tests" / "test_channel.py").read_text()
    assert text.count("channel.closed = Mock(") == 4
    assert 'channel.ack = mockguard.factory.create_like(channel, "ack", return_value=1)' in text


def test_the_text_splice_wires_as_the_codemod_does(tmp_path: Path) -> None:
    import libcst as cst
    from libcst.codemod import CodemodContext

    from mockguard.config import load_settings
    from mockguard.fix.command import ReplaceAdHocMocksCommand, plan_source
    from mockguard.fix.splice import splice_patches

    text = (
        "from unittest import mock\n\nfrom app import make\n\n\ndef test_a():\n"
        "    chan = make()\n    chan.ack = mock.Mock(); chan.nack = mock.Mock(name='n')\n"
        "    mock.sentinel\n"
    )
    settings = load_settings(start=tmp_path)
    plan = plan_source(text, "utf-8", "test_a.py", settings)
    assert [r.member for r in plan.rewrites] == [("chan", "ack"), ("chan", "nack")]
    command = ReplaceAdHocMocksCommand(CodemodContext(filename="test_a.py"), settings, plan=plan)
    by_codemod = command.transform_module(cst.parse_module(text.encode())).code
    spliced = splice_patches(text, plan)
    assert spliced == by_codemod
    assert (
        'chan.ack = mockguard.factory.create_like(chan, "ack"); '
        "chan.nack = mockguard.factory.create_like(chan, \"nack\", name='n')\n" in spliced
    )


class _Channel:
    def __init__(self) -> None:
        self.client = _Client()
        self.count = 3
        self.nothing = None

    def ack(self, tag: int, multiple: bool = False) -> int:
        return tag

    async def send(self, body: str) -> str:
        return body

    @property
    def state(self) -> str:
        raise AssertionError("a property is never read")


class _Client:
    def get(self, key: str) -> str:
        return key


def test_create_like_follows_the_real_member() -> None:
    channel = _Channel()
    channel.ack = mockguard.factory.create_like(channel, "ack", return_value=5)  # type: ignore[method-assign]
    assert channel.ack(1) == 5
    channel.ack.assert_called_once_with(1)  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        channel.ack(1, 2, 3)
    channel.send = mockguard.factory.create_like(channel, "send", return_value="sent")  # type: ignore[method-assign]
    assert asyncio.run(channel.send("b")) == "sent"
    channel.client = mockguard.factory.create_like(channel, "client", name="client")
    channel.client.get.return_value = "v"
    assert channel.client.get("k") == "v"
    with pytest.raises(AttributeError):
        channel.client.put  # noqa: B018
    with pytest.raises(TypeError):
        channel.client.get()


@pytest.mark.parametrize(
    ("owner", "attribute", "said"),
    [
        (_Channel(), "count", "int has no interface"),
        (_Channel(), "nothing", "NoneType has no interface"),
        (_Channel(), "state", "a property of a _Channel"),
        (_Channel(), "missing", "has no attribute 'missing'"),
        (_Channel, "ack", "a function on the class _Channel"),
        (mockguard.factory.StrictMock, "x", "has no attribute"),
    ],
)
def test_create_like_refuses_what_it_cannot_follow(
    owner: object, attribute: str, said: str
) -> None:
    with pytest.raises(KindError, match=said):
        mockguard.factory.create_like(owner, attribute)


def test_create_like_refuses_a_mock_and_a_chosen_spec() -> None:
    from unittest.mock import Mock

    with pytest.raises(KindError, match="the object is a mock itself"):
        mockguard.factory.create_like(Mock(), "ack")
    with pytest.raises(KindError, match="`spec`"):
        mockguard.factory.create_like(_Channel(), "ack", spec=_Client)


# Receivers the module itself shows to be mocks: its own mock classes, its own fixtures.
MODULE_MOCKS = """\
import pytest
from unittest import mock

from app.channel import Channel


class WriterMock(mock.AsyncMock):
    pass


class Recorder(mock.MagicMock):
    pass


@pytest.fixture
def transport():
    made = mock.Mock()
    return made


@pytest.fixture(name="stream")
def _stream():
    yield Recorder()


@pytest.fixture
def channel():
    return Channel()


def test_writer():
    writer = WriterMock()
    writer.cancel = mock.Mock()


def test_recorder():
    recorder = Recorder()
    recorder.cancel = mock.Mock()


def test_transport(transport, stream, channel):
    transport.write = mock.Mock()
    stream.feed = mock.Mock()
    channel.ack = mock.Mock()


@pytest.fixture
def client():
    made = Channel()

    def on_error():
        return mock.MagicMock()

    made.on_error = on_error
    return made


@pytest.fixture
def built():
    return ChannelFactory()


class TestConnection:
    @pytest.fixture
    def conn(self):
        return mock.MagicMock()

    def test_conn(self, conn):
        conn.close = mock.Mock()


def test_real_ones(client, built, conn):
    client.ack = mock.Mock()
    built.ack = mock.Mock()
    conn.close = mock.Mock()
"""


def test_a_mock_the_module_itself_makes_is_no_real_object(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_channel.py").write_text(MODULE_MOCKS)
    result = run_cli("fix", "--select", "MG102", "--format", "json", ".", cwd=root)
    report = json.loads(result.stdout)
    # Followed: fixtures that hand out a real object (a mock made only in a function
    # defined inside one, a factory's product), and a test class's mock fixture seen from
    # outside the class (there `conn` is another fixture).
    assert [r["line"] for f in report["files"] for r in f["rewrites"]] == [44, 73, 74, 75]
    reasons = sorted(skip["reason"] for f in report["files"] for skip in f["skips"])
    assert reasons == [
        "it is wired onto a mock, not a real object: `conn` is a fixture that hands out a "
        "mock (line 65)",
        "it is wired onto a mock, not a real object: `recorder` is bound to a mock (line 37)",
        "it is wired onto a mock, not a real object: `stream` is a fixture that hands out a "
        "mock (line 22)",
        "it is wired onto a mock, not a real object: `transport` is a fixture that hands out "
        "a mock (line 16)",
        "it is wired onto a mock, not a real object: `writer` is bound to a mock (line 32)",
    ]
