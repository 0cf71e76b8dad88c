"""The ratchet on the example project: baseline, a new mock fails CI, removing it passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

NEW_TEST = """
from unittest.mock import AsyncMock


async def test_commit_is_awaited():
    session = AsyncMock()
    await session.commit()
    session.commit.assert_awaited_once()
"""


def pytest_with_mockguard(project: Path) -> subprocess.CompletedProcess[str]:
    """The project's own tests, with the scan option on, as CI runs them."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--mockguard", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_new_mock_fails_ci_and_removing_it_passes(tmp_path: Path, run_cli) -> None:
    project = tmp_path / "chat_service"
    shutil.copytree(
        ROOT / "examples" / "chat_service",
        project,
        ignore=shutil.ignore_patterns(
            "__pycache__", ".pytest_cache", "*.db", ".mockguard-baseline.json"
        ),
    )
    assert run_cli("baseline", cwd=project).returncode == 0
    assert run_cli("scan", "--baseline", cwd=project).returncode == 0

    added = project / "tests" / "test_new_session.py"
    added.write_text(NEW_TEST)
    scan = run_cli("scan", "--baseline", cwd=project)
    assert scan.returncode == 1
    assert (
        "tests/test_new_session.py:6:15: MG101 AsyncMock() builds an ad-hoc mock [database]"
        in scan.stdout
    )
    assert "use instead: SSotMockFactory.create_database_session_mock()" in scan.stdout
    pytest_run = pytest_with_mockguard(project)
    assert pytest_run.returncode == 1, pytest_run.stdout[-2000:]
    assert "tests/test_new_session.py:6:15: MG101" in pytest_run.stdout
    assert "use instead: SSotMockFactory.create_database_session_mock()" in pytest_run.stdout

    added.unlink()
    assert run_cli("scan", "--baseline", cwd=project).returncode == 0
    passing = pytest_with_mockguard(project)
    assert passing.returncode == 0, passing.stdout[-2000:]
