"""Suppressions apply to every rule alike, the whole-scan MG401 included, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

COPY = """
def {name}():
    ws = MagicMock(){comment}
    ws.send_json = AsyncMock()
    ws.accept = AsyncMock()
"""


def _project(tmp_path: Path, comments: list[str]) -> Path:
    body = "from unittest.mock import AsyncMock, MagicMock\n"
    for index, comment in enumerate(comments):
        body += COPY.format(name=f"test_{index}", comment=comment)
    (tmp_path / "test_copies.py").write_text(body)
    return tmp_path


def test_mg401_ignore_is_counted_as_suppressed_in_json(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, ["", "", "  # mockguard: ignore[MG401]"])
    done = run_cli("scan", "--select", "MG401", "--format", "json", "--no-cache", ".", cwd=project)
    document = json.loads(done.stdout)
    assert [f["line"] for f in document["findings"]] == [4, 9]
    assert [(f["code"], f["line"]) for f in document["suppressed"]] == [("MG401", 14)]
    assert document["summary"]["suppressed"] == 1
    assert done.returncode == 1


def test_mg401_ignore_is_an_in_source_suppression_in_sarif(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, ["", "  # mockguard: ignore", "  # mockguard: ignore[MG401]"])
    done = run_cli("scan", "--select", "MG401", "--format", "sarif", "--no-cache", ".", cwd=project)
    results = json.loads(done.stdout)["runs"][0]["results"]
    by_line = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r.get("suppressions")
        for r in results
        if r["ruleId"] == "MG401"
    }
    assert by_line == {4: None, 9: [{"kind": "inSource"}], 14: [{"kind": "inSource"}]}


def test_another_rules_code_does_not_suppress_mg401(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, ["  # noqa: MG101", "", ""])
    done = run_cli(
        "scan", "--select", "MG101,MG401", "--format", "json", "--no-cache", ".", cwd=project
    )
    document = json.loads(done.stdout)
    assert sorted((f["code"], f["line"]) for f in document["findings"]) == [
        ("MG101", 9),
        ("MG101", 14),
        ("MG401", 4),
        ("MG401", 9),
        ("MG401", 14),
    ]
    assert [(f["code"], f["line"]) for f in document["suppressed"]] == [("MG101", 4)]
