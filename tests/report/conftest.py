"""The fixture project of the report tests, scanned the way the command scans it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mockguard.baseline import BaselineEntry, dump, load
from mockguard.config import load_settings
from mockguard.findings import Diagnostic, Finding
from mockguard.fingerprint import project_path
from mockguard.report.model import ScanReport, rule_codes
from mockguard.scan.engine import scan_files
from mockguard.scan.files import discover

HERE = Path(__file__).parent
PROJECT = HERE / "project"
GOLDEN = HERE / "golden"

# The fixture project holds test files on purpose: they are scanned, never collected.
collect_ignore = ["project"]

# The file whose findings the fixture baseline records.
BASELINED_FILE = "tests/test_database.py"
# A baseline entry whose finding has since been removed from a scanned file.
GONE = BaselineEntry(
    fingerprint="0123456789abcdef:0",
    path="tests/test_websocket.py",
    code="MG101",
    category="websocket",
    scope="test_removed",
    snippet="MagicMock()",
)


def scan_project() -> ScanReport:
    """Scan the fixture project from the working directory, as `mockguard scan` does."""
    settings = load_settings(None, Path.cwd())
    targets = [os.path.relpath(settings.root / p) for p in settings.paths]
    found = discover(targets, settings)
    report = ScanReport(categories=settings.category_names, rules=rule_codes(settings.select))
    report.diagnostics.extend(found.diagnostics)
    for result in scan_files(found.files, settings, jobs=1):
        report.add(result, project_path(result.path, settings.root))
    report.finish()
    report.elapsed = 0
    return report


def baseline_part(report: ScanReport, folder: Path) -> None:
    """Record the findings of one file (and a gone one) in a baseline file, and compare the
    report with it."""
    entries = [
        BaselineEntry.of(f, report.project_paths[f.path])
        for f in report.findings
        if report.project_paths[f.path] == BASELINED_FILE
    ]
    path = folder / ".mockguard-baseline.json"
    path.write_text(dump([*entries, GONE]), encoding="utf-8")
    report.apply_baseline(load(path), ".mockguard-baseline.json")


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work from the fixture project, so that every path is relative and stable."""
    monkeypatch.chdir(PROJECT)
    return PROJECT


@pytest.fixture
def plain_report(in_project: Path) -> ScanReport:
    """The fixture project's report without a baseline."""
    return scan_project()


@pytest.fixture
def baselined_report(in_project: Path, tmp_path: Path) -> ScanReport:
    """The fixture project's report compared with a baseline of part of its findings."""
    report = scan_project()
    baseline_part(report, tmp_path)
    return report


def empty_report() -> ScanReport:
    """A report of a scan that found nothing."""
    return ScanReport(
        categories=("websocket", "database", "agent", "generic"),
        rules=("MG101", "MG102", "MG201", "MG301"),
    )


def make_finding(
    path: str = "tests/test_x.py",
    line: int = 3,
    code: str = "MG101",
    category: str = "websocket",
    args: tuple[tuple[str, str], ...] = (("constructor", "MagicMock"),),
    **extra: object,
) -> Finding:
    """A finding built by hand, for reports no scan produces."""
    values: dict[str, object] = {
        "path": path,
        "line": line,
        "col": 4,
        "end_line": line,
        "end_col": 15,
        "code": code,
        "category": category,
        "args": args,
        "scope": "test_x",
        "fingerprint": hashlib.sha256(f"{path}:{line}:{code}".encode()).hexdigest()[:16] + ":0",
        "snippet": "MagicMock()",
        **extra,
    }
    return Finding(**values)  # type: ignore[arg-type]


def diagnostics() -> list[Diagnostic]:
    """One diagnostic of each sort a scan reports: with a line, without, and for a folder."""
    return [
        Diagnostic("tests/test_broken.py", "syntax-error", "cannot parse: invalid syntax", 7),
        Diagnostic("tests/test_latin1.py", "decode-error", "cannot decode: bad utf-8"),
        Diagnostic("tests/private", "unreadable", "cannot list folder: Permission denied"),
    ]
