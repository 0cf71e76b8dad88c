"""Item 1: mockguard reads and parses; it never runs the scanned project."""

from __future__ import annotations

import json
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
    # An in-house factory whose import would run code: recognised by reading it only,
    # through the class, an instance and a conftest fixture.
    (repo / "tests" / "support").mkdir()
    (repo / "tests" / "support" / "__init__.py").write_text(payload)
    (repo / "tests" / "support" / "factory.py").write_text(
        payload + "class AppMockFactory:\n    def create_websocket_mock(self):\n        pass\n"
    )
    (repo / "tests" / "conftest.py").write_text(
        payload
        + "import pytest\nfrom tests.support.factory import AppMockFactory\n\n"
        + "@pytest.fixture\ndef app_factory():\n    return AppMockFactory()\n"
    )
    (repo / "tests" / "test_factory.py").write_text(
        payload
        + "from unittest.mock import MagicMock\nfrom tests.support.factory import AppMockFactory\n\n"
        + "def test(app_factory):\n    AppMockFactory().create_websocket_mock()\n"
        + "    app_factory.create_websocket_mock()\n"
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
        ("init", "--force"),
    ):
        result = run_cli(*args, cwd=repo)
        assert result.returncode in (0, 1), (args, result.stderr)
        assert not marker.exists(), f"`mockguard {' '.join(args)}` ran the scanned code"
    # ... and the factory was recognised all the same.
    scanned = run_cli("scan", ".", "--format", "json", "--no-cache", cwd=repo)
    calls = {c["call"] for c in json.loads(scanned.stdout)["compliant"]}
    assert calls == {"AppMockFactory().create_websocket_mock", "app_factory.create_websocket_mock"}
    assert "tests.support.factory.AppMockFactory" in (repo / "mockguard.toml").read_text()
    assert not marker.exists()


def test_verify_help_says_what_it_imports(run_cli) -> None:
    result = run_cli("verify", "--help")
    assert "imports" in result.stdout and "config" in result.stdout
