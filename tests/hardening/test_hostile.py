"""Hostile repositories: nothing in them runs, and nothing of the user's is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import mockguard_command

EXPLOSIVE = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n"


def test_scanning_never_runs_the_scanned_code(run_cli, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    marker = tmp_path / "marker"
    payload = EXPLOSIVE.format(marker=str(marker))
    (repo / "tests").mkdir(parents=True)
    for name in (
        "conftest.py",
        "setup.py",
        "__init__.py",
        "tests/__init__.py",
        "tests/conftest.py",
    ):
        (repo / name).write_text(payload)
    (repo / "tests" / "test_x.py").write_text(
        payload
        + "from unittest.mock import MagicMock\n\ndef test_x():\n    ws = MagicMock()\n    ws.send_json.return_value = 1\n"
    )
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e.test", "commit", "-q", "-m", "x"],
        cwd=repo,
        check=True,
    )
    for args in (
        ("scan", "."),
        ("baseline",),
        ("dupes", "."),
        ("fix", "."),
        ("history", "."),
        ("report", ".", "--html", str(tmp_path / "r.html")),
    ):
        result = run_cli(*args, cwd=repo)
        assert result.returncode in (0, 1), (args, result.stderr)
        assert not marker.exists(), f"`mockguard {' '.join(args)}` ran the scanned code"


def test_verify_help_says_what_it_imports(run_cli) -> None:
    result = run_cli("verify", "--help")
    assert "imports" in result.stdout and "config" in result.stdout


def _valid_json(path: Path) -> bool:
    try:
        json.loads(path.read_text())
        return True
    except (OSError, ValueError):
        return False


@pytest.mark.parametrize(
    "command", [("baseline", "--force"), ("scan", "--format", "json", "-o", "out.json", ".")]
)
def test_killed_at_any_moment_leaves_valid_files(tmp_path: Path, command: tuple[str, ...]) -> None:
    for i in range(150):
        (tmp_path / f"test_{i:03}.py").write_text(
            f"from unittest.mock import MagicMock\n\ndef test_{i}():\n    ws = MagicMock()\n"
            "    ws.send_json.return_value = None\n"
        )
    subprocess.run(
        [*mockguard_command(), "baseline"], cwd=tmp_path, check=True, capture_output=True
    )
    subprocess.run(
        [*mockguard_command(), "scan", "--format", "json", "-o", "out.json", "."],
        cwd=tmp_path,
        capture_output=True,
    )
    baseline = tmp_path / ".mockguard-baseline.json"
    before = baseline.read_text()
    rng = random.Random(7)
    for _ in range(12):
        (tmp_path / ".mockguard_cache").exists() and rng.random() < 0.3 and subprocess.run(
            [*mockguard_command(), "cache", "clear"], cwd=tmp_path, capture_output=True
        )
        process = subprocess.Popen(
            [*mockguard_command(), *command],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _valid_json(baseline)
        assert baseline.read_text() == before  # a rewrite with the same findings, or none
        assert _valid_json(tmp_path / "out.json")
        for cache_file in (tmp_path / ".mockguard_cache").glob("scan-*.json"):
            assert _valid_json(cache_file)
        assert not [p for p in tmp_path.glob(".*.tmp")], "a temp file was left next to the target"
    # And the next run works, with the cache that survived.
    final = subprocess.run(
        [*mockguard_command(), "scan", "--baseline", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert final.returncode == 0, final.stdout + final.stderr
    os.sync()


def test_a_second_writer_is_told_to_wait(run_cli, tmp_path: Path) -> None:
    from mockguard.locking import exclusive

    (tmp_path / "test_a.py").write_text(
        "from unittest.mock import MagicMock\n\ndef test_a():\n    ws = MagicMock()\n    ws.send_json.return_value = 1\n"
    )
    baseline = tmp_path / ".mockguard-baseline.json"
    with exclusive(baseline):
        blocked = run_cli("baseline", cwd=tmp_path)
        assert blocked.returncode == 2
        assert "another mockguard is writing" in blocked.stderr
        assert not baseline.exists()
        with exclusive(tmp_path.resolve() / ".mockguard-fix"):
            fixing = run_cli("fix", "--write", ".", cwd=tmp_path)
            assert fixing.returncode == 2 and "another mockguard is writing" in fixing.stderr
    assert run_cli("baseline", cwd=tmp_path).returncode == 0


def test_fix_never_writes_through_a_symlink(run_cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    source = "from unittest.mock import AsyncMock, MagicMock\n\nasync def test_a():\n    ws = MagicMock()\n    ws.send_json = AsyncMock()\n    await ws.send_json({})\n"
    outside.write_text(source)
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(outside, project / "test_link.py")
    result = run_cli("fix", "--write", "test_link.py", cwd=project)
    assert result.returncode == 2
    assert "is a symbolic link" in result.stderr
    assert outside.read_text() == source
