"""Shared test helpers: snapshot updating and running the installed command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["pytester"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="Rewrite the expected-output snapshots from the current behaviour.",
    )


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite snapshots."""
    return bool(request.config.getoption("--update-snapshots"))


def mockguard_command() -> list[str]:
    """The installed console script, as a user runs it."""
    script = shutil.which("mockguard", path=str(Path(sys.executable).parent))
    assert script, "the mockguard console script is not installed in this environment"
    return [script]


@pytest.fixture
def run_cli():
    """Run the installed `mockguard` in a subprocess; returns the CompletedProcess."""

    def run(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None):
        full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
        return subprocess.run(
            [*mockguard_command(), *args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run
