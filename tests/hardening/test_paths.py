"""Item 3: paths stay inside the tree."""

from __future__ import annotations

import json
import os
from pathlib import Path


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


def test_symlinks_out_of_the_tree_and_loops_are_not_followed(run_cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret_test.py").write_text("from unittest.mock import Mock\nm = Mock()\n")
    project = tmp_path / "project" / "tests"
    project.mkdir(parents=True)
    os.symlink(outside / "secret_test.py", project / "test_link.py")
    os.symlink(project, project / "loop")
    os.symlink(outside, project / "elsewhere")
    result = run_cli("scan", "--format", "json", "tests", cwd=project.parent)
    document = json.loads(result.stdout)
    assert document["findings"] == []
    assert [d["kind"] for d in document["diagnostics"]] == ["symlink-outside"]


def test_baseline_entries_outside_the_project_are_rejected(run_cli, tmp_path: Path) -> None:
    entry = {"fingerprint": "x", "code": "MG101", "category": "generic", "scope": "", "snippet": ""}
    for bad in ("../../etc/passwd", "/etc/passwd", "a\\\\..\\\\b"):
        document = {
            "tool": {"name": "mockguard"},
            "schema_version": 1,
            "findings": [{**entry, "path": bad}],
        }
        (tmp_path / ".mockguard-baseline.json").write_text(json.dumps(document))
        result = run_cli("scan", "--baseline", ".", cwd=tmp_path)
        assert result.returncode == 2, bad
        assert "has a path outside the project" in result.stderr
