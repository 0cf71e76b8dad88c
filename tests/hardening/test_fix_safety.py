"""`mockguard fix --write` loses nothing: it edits only the mock's statements, keeps the
file's bytes outside them, writes all files or none, and reverts what changed a test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

IMPORTS = "from unittest.mock import AsyncMock, MagicMock\n\n\n"
FACTORY = "from mockguard import SSotMockFactory\n\n\n"
SOCKET = "    ws = MagicMock()\n    ws.send_json = AsyncMock()\n"
CALL = "SSotMockFactory.create_websocket_mock()"
PYTEST = f"{sys.executable} -m pytest -q -p no:cacheprovider"


def socket_test(name: str = "test_a", extra: str = "    await ws.send_json({})\n") -> str:
    definition = "async def" if "await" in extra else "def"
    return f"{IMPORTS}{definition} {name}():\n{SOCKET}{extra}"


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_statements_sharing_a_line_with_the_setup_are_kept(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "test_line.py"
    target.write_text(
        f"{IMPORTS}def test_line():\n"
        "    ws = MagicMock(); ws.send_json = AsyncMock(); assert False  # keep me\n"
        "\n\ndef test_two():\n"
        "    x = 1; ws = MagicMock(); ws.send_json = AsyncMock(return_value=3); y = 2\n"
        '    agent = MagicMock(); agent.run = AsyncMock(return_value="4"); ws.accept = AsyncMock()\n'
        "    assert (x, y) == (1, 2)\n"
    )
    result = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert target.read_text() == (
        "from unittest.mock import AsyncMock\n"
        f"{FACTORY}def test_line():\n"
        f"    ws = {CALL}; assert False  # keep me\n"
        "\n\ndef test_two():\n"
        f"    x = 1; ws = {CALL}; ws.send_json.return_value = 3; y = 2\n"
        "    agent = SSotMockFactory.create_agent_mock(); agent.run.return_value = "
        '"4"; ws.accept = AsyncMock()\n'
        "    assert (x, y) == (1, 2)\n"
    )


def test_comments_of_removed_wiring_lines_are_kept(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "test_notes.py"
    target.write_text(
        f"{IMPORTS}async def test_notes():\n    ws = MagicMock()\n\n    # the socket\n"
        "    ws.send_json = AsyncMock()  # awaited below\n    await ws.send_json({})\n"
    )
    assert run_cli("fix", "--write", ".", cwd=tmp_path).returncode == 0
    assert target.read_text() == (
        f"{FACTORY}async def test_notes():\n    ws = {CALL}\n\n    # the socket\n"
        "    # awaited below\n    await ws.send_json({})\n"
    )


ENDINGS = {
    "crlf": (socket_test().replace("\n", "\r\n").encode(), b"\r\n", "utf-8"),
    "lone-cr": (socket_test().replace("\n", "\r").encode(), b"\r", "utf-8"),
    "bom": (b"\xef\xbb\xbf" + socket_test().encode(), b"\n", "utf-8"),
    "latin-1": (
        ("# -*- coding: latin-1 -*-\n" + socket_test(extra="    await ws.send_json('é')\n")).encode(
            "latin-1"
        ),
        b"\n",
        "latin-1",
    ),
    "form-feed": (socket_test().replace("    await", "\x0c    await").encode(), b"\n", "utf-8"),
}


@pytest.mark.parametrize("name", ENDINGS)
def test_endings_bom_and_encoding_are_kept_byte_for_byte(
    run_cli, tmp_path: Path, name: str
) -> None:
    original, newline, encoding = ENDINGS[name]
    target = tmp_path / "test_bytes.py"
    target.write_bytes(original)
    result = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = (
        original.replace(IMPORTS.replace("\n", "").encode(), FACTORY.replace("\n", "").encode())
        .replace(b"ws = MagicMock()", b"ws = " + CALL.encode(encoding))
        .replace(b"    ws.send_json = AsyncMock()" + newline, b"")
    )
    assert target.read_bytes() == expected
    assert run_cli("fix", "--write", ".", cwd=tmp_path).stdout.count("rewrote 0 file(s)") == 1


def test_read_only_files_are_left_alone_with_the_reason(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "test_ro.py"
    target.write_text(socket_test())
    os.chmod(target, 0o444)
    writable = tmp_path / "test_rw.py"
    writable.write_text(socket_test())
    result = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test_ro.py: left as it is: read-only file" in result.stderr
    assert "1 skipped: read-only file (websocket 1)" in result.stdout
    assert "rewrote 1 file(s)" in result.stdout
    assert target.read_text() == socket_test()
    assert CALL in writable.read_text()


def test_a_file_changed_after_reading_stops_the_whole_write(run_cli, tmp_path: Path) -> None:
    first, second = tmp_path / "test_a.py", tmp_path / "test_b.py"
    first.write_text(socket_test())
    second.write_text(socket_test("test_b"))
    # The "tests" edit test_b.py while they run, between reading and writing.
    edit = f"{sys.executable} -c \"open('test_b.py', 'a').write('# edited\\n')\""
    result = run_cli("fix", "--write", "--check-tests", edit, ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "test_b.py changed since it was read" in one_line(result.stderr)
    assert first.read_text() == socket_test()
    assert second.read_text() == socket_test("test_b") + "# edited\n"


def test_a_file_that_cannot_be_written_means_nothing_is_written(run_cli, tmp_path: Path) -> None:
    first = tmp_path / "test_a.py"
    first.write_text(socket_test())
    # The name leaves no room for the temp file written next to it, even for root.
    long_name = tmp_path / f"test_{'b' * 240}.py"
    long_name.write_text(socket_test())
    result = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "nothing was written" in one_line(result.stderr)
    assert first.read_text() == socket_test()
    assert long_name.read_text() == socket_test()
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_means_nothing_is_written(run_cli, tmp_path: Path) -> None:
    first = tmp_path / "test_a.py"
    first.write_text(socket_test())
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "test_b.py").write_text(socket_test())
    os.chmod(locked, 0o555)
    try:
        result = run_cli("fix", "--write", ".", cwd=tmp_path)
    finally:
        os.chmod(locked, 0o755)
    assert result.returncode == 2
    assert "nothing was written" in one_line(result.stderr)
    assert first.read_text() == socket_test()


# Passes only while the file holds the ad-hoc mock; the mock literal is split so that the
# check does not find itself.
STILL_AD_HOC = '    assert ("Magic" + "Mock()") in open(__file__).read()\n'
NO_LONGER_AD_HOC = '    assert ("Magic" + "Mock()") not in open(__file__).read()\n'


def test_check_tests_compares_each_tests_outcome(run_cli, tmp_path: Path) -> None:
    files = {
        "test_breaks.py": socket_test("test_breaks", STILL_AD_HOC),
        "test_fine.py": socket_test("test_fine", "    assert ws.send_json is not None\n"),
        "test_starts_passing.py": socket_test("test_starts_passing", NO_LONGER_AD_HOC),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = run_cli("fix", "--write", "--check-tests", PYTEST, ".", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "2 test outcome(s) changed (exit status 1 before, 1 after)" in result.stdout
    assert "reverted test_breaks.py: test_breaks::test_breaks passed -> failed" in result.stderr
    assert (
        "reverted test_starts_passing.py: test_starts_passing::test_starts_passing "
        "failed -> passed" in result.stderr
    )
    assert "mockguard: error: reverted 2 file(s) whose rewrite changed test outcomes" in (
        result.stderr
    )
    assert "rewrote 1 file(s)" in result.stdout
    assert (tmp_path / "test_breaks.py").read_text() == files["test_breaks.py"]
    assert (tmp_path / "test_starts_passing.py").read_text() == files["test_starts_passing.py"]
    assert CALL in (tmp_path / "test_fine.py").read_text()


def test_check_tests_takes_the_report_path_where_cmd_asks(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_fine.py").write_text(
        socket_test("test_fine", "    assert ws.send_json is not None\n")
    )
    command = f"{PYTEST} --junitxml={{junitxml}}"
    result = run_cli(
        "fix", "--write", "--check-tests", command, ".", cwd=tmp_path, env={"PYTEST_ADDOPTS": ""}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no test outcome changed (1 test(s); exit status 0 before, 0 after)" in result.stdout
    assert CALL in (tmp_path / "test_fine.py").read_text()


def test_a_file_edited_while_the_tests_run_is_not_reverted_over(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "test_a.py"
    target.write_text(socket_test())
    # Not pytest: fails once the rewrite is in, and edits the file as it runs.
    script = (
        "import sys; text = open('test_a.py').read(); done = 'SSotMockFactory' in text; "
        "done and open('test_a.py', 'a').write('# mine\\n'); sys.exit(done)"
    )
    result = run_cli(
        "fix", "--write", "--check-tests", f'{sys.executable} -c "{script}"', ".", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "test_a.py changed after it was written; not reverted" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text().endswith("# mine\n")
