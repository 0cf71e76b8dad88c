"""Item 1: mockguard reads and parses; it never runs the scanned project."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
