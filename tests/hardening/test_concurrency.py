"""Item 7: writers take turns; the loser gets a clear message; no lock outlives its writer."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from conftest import mockguard_command

SOURCE = (
    "from unittest.mock import MagicMock\n\ndef test_a():\n    ws = MagicMock()\n"
    "    ws.send_json.return_value = 1\n"
)


def test_a_second_writer_is_told_to_wait(run_cli, tmp_path: Path) -> None:
    from mockguard.io import exclusive
    from mockguard.scan.cachedir import lock_path

    (tmp_path / "test_a.py").write_text(SOURCE)
    baseline = tmp_path / ".mockguard-baseline.json"
    with exclusive(baseline, lock=lock_path(tmp_path / ".mockguard_cache", "baseline")):
        blocked = run_cli("baseline", cwd=tmp_path)
        assert blocked.returncode == 2
        assert "another mockguard is writing" in blocked.stderr
        assert not baseline.exists()
        # `cache clear` keeps a lock that is held: a second writer must still be kept out.
        cleared = run_cli("cache", "clear", cwd=tmp_path)
        assert cleared.returncode == 0 and "kept 1 other entries" in cleared.stdout
        assert "another mockguard is writing" in run_cli("baseline", cwd=tmp_path).stderr
        fix_lock = lock_path(tmp_path / ".mockguard_cache", "fix")
        with exclusive(tmp_path.resolve() / ".mockguard-fix", lock=fix_lock):
            fixing = run_cli("fix", "--write", ".", cwd=tmp_path)
            assert fixing.returncode == 2 and "another mockguard is writing" in fixing.stderr
    assert run_cli("baseline", cwd=tmp_path).returncode == 0
    # The locks are gone once released: none is left in the project for `git add .`.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".mockguard-baseline.json",
        ".mockguard_cache",
        "test_a.py",
    ]
    assert not list((tmp_path / ".mockguard_cache").glob("*.lock"))


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def end_processes_in(folder: Path) -> None:
    """Kill, by id, the processes working in `folder` (a test's own temporary folder: the
    pool workers a killed mockguard left behind)."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")) == folder:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue


def test_pool_workers_of_a_killed_writer_hold_no_lock(run_cli, tmp_path: Path) -> None:
    """Pool workers are forked while `baseline` holds its lock. Killed, the writer leaves
    them behind, blocked on their queue; they must not keep the lock with them."""
    for i in range(400):
        (tmp_path / f"test_{i:03}.py").write_text(SOURCE.replace("test_a", f"test_{i}"))
    writer = subprocess.Popen(
        [*mockguard_command(), "baseline", "-j", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not workers and writer.poll() is None and time.monotonic() < deadline:
            workers = _children(writer.pid)
            time.sleep(0.005)
        assert workers, "the pool never started"
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        assert any(Path(f"/proc/{pid}").exists() for pid in workers)
        again = run_cli("baseline", "--force", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert "wrote" in again.stdout
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(timeout=30)
        end_processes_in(tmp_path.resolve())
