"""One fixture file per rule, with flagged and clean code, checked against a snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockguard import api
from mockguard.config import Settings
from mockguard.scan.rules import message

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "fixtures").glob("*.py"))


def render(path: Path, code: str) -> str:
    """The rule's findings on its fixture, through the whole scan (MG401 spans files)."""
    settings = Settings(root=HERE, select=(code,))
    request = api.ScanRequest([f"fixtures/{path.name}"], jobs=1, use_cache=False)
    report = api.scan(request, settings)
    lines = []
    for f in sorted(report.findings + report.suppressed, key=lambda f: f.sort_key):
        mark = " (suppressed)" if f.suppressed else ""
        lines.append(f"{f.path}:{f.line}:{f.col + 1}: {f.code} {message(f)} [{f.category}]{mark}")
    for d in report.diagnostics:
        lines.append(f"{d.path}:{d.line}: {d.kind}: {d.message}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_rule_fixture(
    fixture: Path, update_snapshots: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(HERE)
    code = fixture.stem.split("_")[0]
    snapshot = HERE / "snapshots" / f"{fixture.stem}.txt"
    actual = render(fixture, code)
    if update_snapshots or not snapshot.exists():
        snapshot.write_text(actual, encoding="utf-8")
        if not update_snapshots:
            pytest.fail(f"wrote a new snapshot {snapshot.name}: review it and run again")
    assert actual == snapshot.read_text(encoding="utf-8")


def test_every_rule_has_a_fixture() -> None:
    from mockguard.scan.rules import RULES

    assert {p.stem.split("_")[0] for p in FIXTURES} >= set(RULES)
