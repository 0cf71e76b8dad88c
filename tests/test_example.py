"""The bundled example project, scanned as `make demo` scans it."""

from __future__ import annotations

import json

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "chat_service"


def test_example_project_scan(run_cli) -> None:
    result = run_cli("scan", "--format", "json", str(EXAMPLE))
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    summary = doc["summary"]
    assert doc["diagnostics"] == []
    # Every rule and every built-in domain shows up in a suite written the ad-hoc way.
    assert all(count > 0 for count in summary["by_rule"].values()), summary["by_rule"]
    for category in ("websocket", "database", "agent"):
        assert summary["by_category"][category]["total"] >= 5, category
    # The service's own code holds no test doubles; the tests hold them all.
    assert all("/tests/" in finding["path"] for finding in doc["findings"])
    assert summary["files"]["with_findings"] >= 8


def test_example_project_text_report(run_cli) -> None:
    result = run_cli("scan", str(EXAMPLE))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Ad-hoc test doubles by category and rule"
    assert any(" MG102 AsyncMock() wired onto `ws.send_json` [websocket]" in line for line in lines)
