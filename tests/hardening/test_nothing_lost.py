"""Item 4: killed at any moment, nothing is lost or half-written."""

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

from .test_concurrency import end_processes_in


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
        end_processes_in(tmp_path.resolve())  # the pool workers it left behind
        assert _valid_json(baseline)
        assert baseline.read_text() == before  # a rewrite with the same findings, or none
        assert _valid_json(tmp_path / "out.json")
        for cache_file in (tmp_path / ".mockguard_cache").glob("scan-*.json"):
            assert _valid_json(cache_file)
    # A writer killed between staging and renaming leaves its temp file (nothing can clean
    # up after `kill -9`); the next run of the same command removes it.
    done = subprocess.run([*mockguard_command(), *command], cwd=tmp_path, capture_output=True)
    assert done.returncode in (0, 1), done.stderr
    assert not [p for p in tmp_path.glob(".*.tmp")], "a killed writer's temp file was kept"
    assert baseline.read_text() == before
    # And the next run works, with the cache that survived.
    final = subprocess.run(
        [*mockguard_command(), "scan", "--baseline", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert final.returncode == 0, final.stdout + final.stderr


def test_a_killed_writers_temp_file_is_swept_and_a_live_ones_is_not(tmp_path: Path) -> None:
    from mockguard import STARTED
    from mockguard.io import write_text

    target = tmp_path / "out.json"
    left = tmp_path / ".out.json.k1ll3d_x.tmp"  # a killed writer's, from before this process
    live = tmp_path / ".out.json.w0rk1ng_.tmp"  # a concurrent writer's, still being written
    other = tmp_path / ".out.json.notours.tmp.bak"  # a name `stage` never makes
    for path in (left, live, other):
        path.write_text("{")
    os.utime(left, (STARTED - 5, STARTED - 5))
    os.utime(other, (STARTED - 5, STARTED - 5))
    write_text(target, "{}")
    assert target.read_text() == "{}"
    assert not left.exists()
    assert live.exists() and other.exists()


def test_rewrites_keep_the_file_mode(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text(
        "from unittest.mock import AsyncMock, MagicMock\n\nasync def test_a():\n"
        "    ws = MagicMock()\n    ws.send_json = AsyncMock()\n    await ws.send_json({})\n"
    )
    os.chmod(tmp_path / "test_a.py", 0o640)
    assert run_cli("baseline", cwd=tmp_path).returncode == 0
    baseline = tmp_path / ".mockguard-baseline.json"
    os.chmod(baseline, 0o600)
    assert run_cli("baseline", "--force", cwd=tmp_path).returncode == 0
    assert run_cli("fix", "--write", ".", cwd=tmp_path).returncode == 0
    assert "SSotMockFactory" in (tmp_path / "test_a.py").read_text()
    assert (baseline.stat().st_mode & 0o777, (tmp_path / "test_a.py").stat().st_mode & 0o777) == (
        0o600,
        0o640,
    )
