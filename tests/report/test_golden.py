"""The four report formats of one fixture project, compared with golden files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockguard.report import FormatOptions, get_formatter
from mockguard.report.github import GithubFormatter
from mockguard.report.model import ScanReport
from mockguard.report.sarif import SarifFormatter

from .conftest import GOLDEN

OPTIONS = FormatOptions(color=False, width=100)

FORMATS: dict[str, Callable[[ScanReport], str]] = {
    "text": lambda report: get_formatter("text", OPTIONS).format(report),
    "json": lambda report: get_formatter("json", OPTIONS).format(report),
    "sarif": lambda report: SarifFormatter(OPTIONS).format(report),
    "github": lambda report: GithubFormatter(OPTIONS).format(report),
}


@pytest.mark.parametrize("name", list(FORMATS))
def test_golden(name: str, baselined_report: ScanReport, update_snapshots: bool) -> None:
    actual = FORMATS[name](baselined_report)
    golden: Path = GOLDEN / f"{name}.txt"
    if update_snapshots or not golden.exists():
        golden.write_text(actual, encoding="utf-8")
        if not update_snapshots:
            pytest.fail(f"wrote a new golden file {golden.name}: review it and run again")
    assert actual == golden.read_text(encoding="utf-8")


def test_goldens_hold_no_machine_path() -> None:
    root = str(Path(__file__).resolve().parents[2])
    for name in FORMATS:
        text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
        assert root not in text, name
        assert "file:" not in text, name


def test_fixture_covers_every_rule_and_state(baselined_report: ScanReport) -> None:
    from mockguard.scan.rules import RULES

    status = baselined_report.baseline
    assert status is not None
    every = [*baselined_report.findings, *status.baselined, *baselined_report.suppressed]
    on_by_default = {code for code, rule in RULES.items() if rule.enabled_by_default}
    assert {f.code for f in every} == on_by_default
    assert {f.code for f in baselined_report.findings} == on_by_default
    assert status.baselined and status.gone and baselined_report.suppressed
