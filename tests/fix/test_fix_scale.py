"""`mockguard fix` on more than one small file: newer grammar, the files it parses, the
process pool, and a summary that fits a screen (with the details in JSON)."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from mockguard.fix.runner import downgrade

SOCKET_TEST = """\
from unittest.mock import AsyncMock, MagicMock


async def test_send_{n}():
    ws = MagicMock()
    ws.send_json = AsyncMock()
    await ws.send_json({{"type": "agent_started"}})
    ws.send_json.assert_awaited_once()
"""
# PEP 701: the same quotes inside an f-string's replacement field (Python 3.12+).
NEWER_GRAMMAR = """\
from unittest.mock import AsyncMock, MagicMock


async def test_send():
    event = {"type": "agent_started"}
    label = f"{event["type"]}"
    ws = MagicMock()
    ws.send_json = AsyncMock()
    await ws.send_json({"label": label})
    ws.send_json.assert_awaited_once()
"""
# Skips of several kinds: called itself, nothing used, no kind for the category.
SKIPPED = """\
from unittest.mock import MagicMock


def test_things():
    websocket = MagicMock()
    websocket()
    client_websocket = MagicMock()
    logger = MagicMock()
    logger.info("x")
"""


def _valid(data: bytes) -> bool:
    try:
        ast.parse(data)
    except SyntaxError:
        newer = downgrade(data)
        return newer is not None
    return True


def test_newer_grammar_is_rewritten(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "test_newer.py"
    target.write_text(NEWER_GRAMMAR)
    result = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "not rewritten" not in result.stderr
    text = target.read_text()
    assert "ws = SSotMockFactory.create_websocket_mock()" in text
    assert 'label = f"{event["type"]}"' in text  # the newer f-string is kept as it was
    assert _valid(text.encode())


def test_only_files_with_sites_are_parsed(run_cli, tmp_path: Path) -> None:
    # Neither Python nor LibCST reads this file; it holds no mock, so fix never parses it.
    (tmp_path / "test_broken.py").write_text("def (:\n    pass\n")
    (tmp_path / "test_socket.py").write_text(SOCKET_TEST.format(n=0))
    result = run_cli("fix", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test_broken.py" not in result.stderr
    assert "1 rewritten (websocket 1)" in result.stdout


def test_the_pool_gives_what_one_process_gives(run_cli, tmp_path: Path) -> None:
    for n in range(40):
        (tmp_path / f"test_socket_{n:02}.py").write_text(SOCKET_TEST.format(n=n))
    (tmp_path / "test_skipped.py").write_text(SKIPPED)
    one = run_cli("fix", "--format", "json", "-j", "1", ".", cwd=tmp_path)
    pooled = run_cli("fix", "--format", "json", "-j", "2", ".", cwd=tmp_path)
    assert one.returncode == 0 and pooled.returncode == 0, one.stderr + pooled.stderr
    assert json.loads(one.stdout) == json.loads(pooled.stdout)
    assert json.loads(pooled.stdout)["rewritten"] == 40


def test_summary_groups_reasons_and_json_lists_every_site(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_skipped.py").write_text(SKIPPED)
    (tmp_path / "test_socket.py").write_text(SOCKET_TEST.format(n=0))
    text = run_cli("fix", ".", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert "      1 skipped: the mock itself is called (websocket 1)" in lines
    assert "      1 skipped: nothing is configured or used on it (websocket 1)" in lines
    assert "      1 skipped: no factory kind for its category (generic 1)" in lines
    assert lines[-1] == "Rewritten 1, skipped 3."
    document = json.loads(run_cli("fix", "--format", "json", ".", cwd=tmp_path).stdout)
    assert document["rewritten"] == 1 and document["skipped"] == 3
    skipped = next(f for f in document["files"] if f["path"].endswith("test_skipped.py"))
    assert [(s["line"], s["group"]) for s in skipped["skips"]] == [
        (5, "the mock itself is called"),
        (7, "nothing is configured or used on it"),
        (8, "no factory kind for its category"),
    ]
    assert skipped["skips"][0]["reason"] == "the mock itself is called (line 6)"


def test_json_stays_parseable_while_the_tests_run(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_socket.py").write_text(SOCKET_TEST.format(n=0))
    command = f"{sys.executable} -m pytest -q -p no:cacheprovider test_socket.py"
    result = run_cli(
        "fix", "--write", "--format", "json", "--check-tests", command, ".", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)  # the tests' own output went to stderr
    assert document["rewritten"] == 1 and document["files_written"] == 1
    assert re.search(r"\b1 (passed|failed)\b", result.stderr)  # pytest's summary line
