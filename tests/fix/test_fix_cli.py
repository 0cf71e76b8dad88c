"""`mockguard fix` as a user runs it: diff, write, idempotence, safety, the example project."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from mockguard.config import Settings
from mockguard.fix.runner import rewrite_file

CORPUS = sorted(
    [
        *(ROOT / "tests" / "accuracy" / "cases").glob("*.py"),
        *(ROOT / "examples" / "chat_service" / "tests").glob("*.py"),
    ]
)
SOCKET_TEST = """\
from unittest.mock import AsyncMock, MagicMock


async def test_send():
    ws = MagicMock()
    ws.send_json = AsyncMock()
    await ws.send_json({"type": "agent_started"})
    ws.send_json.assert_awaited_once()
"""


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_rewrites_parse_and_are_idempotent(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    settings = Settings(root=tmp_path)
    first = rewrite_file(str(copy), settings, None)
    assert first.error is None
    if not first.changed:
        return
    compile(first.updated or b"", str(copy), "exec")
    copy.write_bytes(first.updated or b"")
    second = rewrite_file(str(copy), settings, None)
    assert not second.changed, second.diff()


def test_diff_by_default_and_write(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "test_socket.py"
    target.write_text(SOCKET_TEST)
    shown = run_cli("fix", ".", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "-    ws = MagicMock()" in shown.stdout
    assert "+    ws = SSotMockFactory.create_websocket_mock()" in shown.stdout
    assert "1 rewritten (websocket 1)" in shown.stdout
    assert target.read_text() == SOCKET_TEST  # nothing written without --write
    written = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert "rewrote 1 file(s)" in written.stdout
    assert "SSotMockFactory.create_websocket_mock()" in target.read_text()
    again = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert "rewrote 0 file(s)" in again.stdout


def test_category_narrows_the_rewrite(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_socket.py").write_text(SOCKET_TEST)
    result = run_cli("fix", "--category", "database", ".", cwd=tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "Rewritten 0, skipped 0."


def test_check_tests_without_a_report_compares_the_exit_status(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "test_socket.py"
    target.write_text(SOCKET_TEST)
    # A "test command" that is not pytest, and passes only while the file holds the ad-hoc mock.
    check = f"{sys.executable} -c \"import sys; sys.exit('MagicMock()' not in open('test_socket.py').read())\""
    result = run_cli("fix", "--write", "--check-tests", check, ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "wrote no JUnit XML report (CMD must run pytest)" in result.stdout
    assert "exit status 0 before, 1 after" in result.stdout
    assert "reverted test_socket.py: the tests passed before and fail after" in result.stderr
    assert target.read_text() == SOCKET_TEST


def test_example_project_migrates_and_still_passes(run_cli, tmp_path: Path) -> None:
    project = tmp_path / "chat_service"
    shutil.copytree(
        ROOT / "examples" / "chat_service",
        project,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".mockguard_cache"),
    )
    before = json.loads(run_cli("scan", "--format", "json", ".", cwd=project).stdout)["summary"]
    tests = f"{sys.executable} -m pytest -q -p no:cacheprovider"
    fixed = run_cli("fix", "--write", "--check-tests", tests, ".", cwd=project)
    # The factory's doubles are stricter than the ad-hoc mocks they replace (each event's
    # user is checked against the double's): the files whose rewrite changed a test's
    # outcome are put back, one line each, and the run says so (exit 2); the rest stay.
    assert fixed.returncode in (0, 2), fixed.stdout[-3000:] + fixed.stderr[-3000:]
    if fixed.returncode == 2:
        assert "whose rewrite changed test outcomes" in fixed.stderr
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert suite.returncode == 0, suite.stdout[-3000:]
    after = json.loads(run_cli("scan", "--format", "json", ".", cwd=project).stdout)["summary"]
    assert after["findings"] < before["findings"]
    assert after["adoption"] > before["adoption"]
    for category in ("websocket", "database", "agent"):
        assert (
            after["by_category"][category]["compliant"]
            > before["by_category"][category]["compliant"]
        )
