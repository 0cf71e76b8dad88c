"""`mockguard kinds suggest` on a fixture project, and the refusals that keep `fix` from
rewriting a double into a class it does not stand for."""

from __future__ import annotations

import json
from pathlib import Path

PYPROJECT = """\
# the project's own settings
[tool.pytest.ini_options]
pythonpath = ["."]

[tool.mockguard]
# keep this comment
exclude = ["build"]  # and this one
"""
TRANSPORT = """\
class Transport:
    def __init__(self, url: str) -> None:
        self.url = url

    def request(self, method: str, path: str) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Channel:
    def publish(self, body: bytes) -> None:
        raise NotImplementedError
"""
TESTS = """\
from unittest import mock
from unittest.mock import MagicMock

from app.transport import Channel, Transport


def test_one():
    transport = MagicMock(spec=Transport)
    transport.request.return_value = b"ok"
    assert transport.request("GET", "/") == b"ok"


def test_two():
    t = MagicMock(spec=Transport)
    t.request.return_value = b"yes"
    assert t.request("GET", "/y") == b"yes"


def test_three():
    conn = mock.create_autospec(Transport, instance=True)
    conn.request.return_value = b"no"
    assert conn.request("GET", "/z") == b"no"


def test_four():
    conn = mock.create_autospec(Transport, instance=True)
    conn.request.return_value = b"no"
    assert conn.request("GET", "/w") == b"no"


def test_lacking_one():
    transport = MagicMock(spec=Transport)
    transport.stream.return_value = b""


def test_lacking_two():
    transport = MagicMock(spec=Transport)
    transport.stream.return_value = b""


def test_untyped_one():
    queue = MagicMock()
    queue.basic_publish.return_value = None


def test_untyped_two():
    queue = MagicMock()
    queue.basic_publish.return_value = None


def test_closer():
    closer = MagicMock()
    closer.close()


def test_other_spec():
    channel = MagicMock(spec=Channel)
    channel.close()


def test_not_bound():
    assert Transport.close(MagicMock()) is None


def test_class_double():
    transport_class = mock.create_autospec(Transport)
    transport_class.return_value.request.return_value = b""
"""


def _project(root: Path) -> Path:
    (root / "app").mkdir()
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "transport.py").write_text(TRANSPORT)
    (root / "tests" / "test_transport.py").write_text(TESTS)
    return root


def test_suggest_merges_clusters_naming_one_class_and_counts_what_it_covers(
    run_cli, tmp_path: Path
) -> None:
    root = _project(tmp_path)
    result = run_cli("kinds", "suggest", "--format", "json", ".", cwd=root)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kinds"] == [
        {
            "name": "transport",
            "interface": "app.transport:Transport",
            "category": "generic",
            "setups": 6,
            "covered": 4,  # the create_autospec copies too: `instance=` is no member
            "clusters": 3,
            "missing": {"stream": 2},
            "by_name": False,
        }
    ]
    assert document["unnamed"] == [
        {"category": "generic", "setups": 2, "members": ["basic_publish"], "spec": ""}
    ]
    text = run_cli("kinds", "suggest", ".", cwd=root).stdout
    assert "transport: app.transport:Transport [generic] covers 4 of 6 copied setups" in text
    assert "    the class has no stream (2)" in text


def test_write_keeps_the_config_and_fix_then_rewrites(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    written = run_cli("kinds", "suggest", "--write", ".", cwd=root)
    assert written.returncode == 0, written.stderr
    assert "added 1 kind(s) to pyproject.toml" in written.stderr
    config = (root / "pyproject.toml").read_text()
    assert config.startswith(PYPROJECT)  # comments and layout kept
    assert (
        "[tool.mockguard.kinds.transport]\n"
        "# suggested by mockguard: covers 4 of 6 copied setups (the class has no stream)\n"
        'interface = "app.transport:Transport"\n'
        'category = "generic"\n'
    ) in config
    again = run_cli("kinds", "suggest", ".", cwd=root)
    assert "already configured: transport follows app.transport.Transport" in again.stdout
    document = json.loads(run_cli("fix", "--format", "json", ".", cwd=root).stdout)
    (found,) = document["files"]
    # MagicMock(spec=Transport) and create_autospec(Transport, instance=True) alike.
    assert [r["line"] for r in found["rewrites"]] == [8, 14, 20, 26]
    skips = {s["line"]: s["reason"] for s in found["skips"]}
    assert skips[66] == "`create_autospec()` of a class, not of an instance"
    assert skips[32] == "the shape is not covered: `transport` has no `stream`"
    assert skips[62].startswith("not bound to a name")
    assert skips[52] == (
        "the shape is not covered: `transport`: neither the spec nor the name `closer` "
        "says it is a `Transport`"
    )
    assert skips[57] == (
        "the shape is not covered: `transport` follows `Transport`, the spec is `Channel`"
    )
    assert document["skip_reasons"]["not bound to a name"] == 1


def test_an_awaited_call_of_a_sync_method_is_refused(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text(
        PYPROJECT + '\n[tool.mockguard.kinds.transport]\ninterface = "app.transport:Transport"\n'
        'category = "generic"\n'
    )
    (root / "tests" / "test_transport.py").write_text(
        "from unittest.mock import AsyncMock\n\n\n"
        "async def test_async():\n"
        "    transport = AsyncMock()\n"
        '    await transport.request("GET", "/")\n'
    )
    document = json.loads(run_cli("fix", "--format", "json", ".", cwd=root).stdout)
    (skip,) = document["files"][0]["skips"]
    assert skip["reason"] == (
        "the shape is not covered: `transport`: `transport.request(...)` is awaited (line 6), "
        "but is not `async def`"
    )


def test_write_leaves_a_config_it_cannot_read_as_it_is(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    outside = tmp_path / "outside.toml"
    outside.write_text("[tool.other]\n")
    bad = {
        "not UTF-8": b"\xff\xfe[tool.other]\n",
        "is a symbolic link (not followed)": None,
    }
    for why, data in bad.items():
        config = root / "pyproject.toml"
        config.unlink()
        if data is None:
            config.symlink_to(outside)
        else:
            config.write_bytes(data)
        result = run_cli("kinds", "suggest", "--write", ".", cwd=root)
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines()[-1].endswith(f"pyproject.toml: cannot add kinds: {why}")
        assert "Traceback" not in result.stderr
        assert config.is_symlink() == (data is None)
        assert outside.read_text() == "[tool.other]\n"
        if data is not None:
            assert config.read_bytes() == data


BY_NAME_TESTS = """\
from unittest.mock import MagicMock


def test_send_one():
    conn = MagicMock()
    conn.send.return_value = 1


def test_send_two():
    mock_conn = MagicMock()
    mock_conn.send.return_value = 2


def test_publish_one():
    channel = MagicMock()
    channel.publish.return_value = None


def test_publish_two():
    channel = MagicMock()
    channel.publish.return_value = None


def test_unknown_one():
    conn = MagicMock()
    conn.teleport.return_value = None


def test_unknown_two():
    conn = MagicMock()
    conn.teleport.return_value = None
"""


def test_a_cluster_naming_no_class_takes_the_class_its_names_name(run_cli, tmp_path: Path) -> None:
    root = tmp_path
    (root / "pyproject.toml").write_text(PYPROJECT)
    for folder in ("app", "app/transport", "tests"):
        (root / folder).mkdir()
        (root / folder / "__init__.py").write_text("")
    (root / "app" / "connection.py").write_text(
        "class Connection:\n    def send(self, body):\n        return 0\n"
    )
    (root / "app" / "transport" / "virtual.py").write_text(
        "class Channel:\n    def publish(self, body):\n        pass\n"
    )
    for backend in ("redis", "memory"):
        (root / "app" / "transport" / f"{backend}.py").write_text(
            "from app.transport import virtual\n\n\nclass Channel(virtual.Channel):\n    pass\n"
        )
    # The suite's own fakes are no interface, whatever they are called.
    (root / "tests" / "fakes.py").write_text(
        "class Connection:\n    def send(self, body):\n        pass\n"
    )
    (root / "tests" / "test_names.py").write_text(BY_NAME_TESTS)
    result = run_cli("kinds", "suggest", "--format", "json", ".", cwd=root)
    assert result.returncode == 0, result.stderr
    kinds = {k["interface"]: k for k in json.loads(result.stdout)["kinds"]}
    # `conn` and `mock_conn` name `Connection`; of the three `Channel`s, the base wins.
    assert set(kinds) == {"app.connection:Connection", "app.transport.virtual:Channel"}
    assert kinds["app.connection:Connection"]["covered"] == 2
    assert all(k["by_name"] for k in kinds.values())
    # `teleport` is no member of `Connection`: that cluster stays unnamed.
    unnamed = json.loads(result.stdout)["unnamed"]
    assert [u["members"] for u in unnamed] == [["teleport"]]
    text = run_cli("kinds", "suggest", ".", cwd=root).stdout
    assert "connection: app.connection:Connection [generic] covers 2 of 2" in text
    assert "(the class their names name)" in text
