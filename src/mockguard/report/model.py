"""The outcome of a scan, aggregated the way every report format presents it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockguard.findings import Diagnostic, FileResult, Finding
from mockguard.scan.classify import GENERIC

if TYPE_CHECKING:
    from mockguard.baseline import BaselineEntry
from mockguard.scan.rules import RULES


@dataclass
class BaselineStatus:
    """How a scan compares with a baseline: the report's `findings` are then the new ones."""

    path: str
    baselined: list[Finding] = field(default_factory=list)
    gone: list[BaselineEntry] = field(default_factory=list)


@dataclass
class ScanReport:
    """Findings, diagnostics and factory-call counts of a whole scan."""

    categories: tuple[str, ...]
    rules: tuple[str, ...]
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    compliant: dict[str, int] = field(default_factory=dict)
    files_scanned: int = 0
    files_parsed: int = 0
    elapsed: float = 0.0
    # Scanned file (as shown) -> its path in the project (as fingerprints hold it).
    project_paths: dict[str, str] = field(default_factory=dict)
    baseline: BaselineStatus | None = None

    def add(self, result: FileResult, project_path: str = "") -> None:
        """Fold one file's result in."""
        self.project_paths[result.path] = project_path or result.path
        self.files_scanned += 1
        self.files_parsed += result.parsed
        for finding in result.findings:
            (self.suppressed if finding.suppressed else self.findings).append(finding)
        self.diagnostics.extend(result.diagnostics)
        for category, count in result.compliant.items():
            self.compliant[category] = self.compliant.get(category, 0) + count

    def finish(self) -> None:
        """Sort everything into its stable order."""
        self.findings.sort(key=lambda f: f.sort_key)
        self.suppressed.sort(key=lambda f: f.sort_key)
        self.diagnostics.sort(key=lambda d: d.sort_key)

    def apply_baseline(self, entries: dict[str, BaselineEntry], path: str) -> None:
        """Keep only new findings in `findings`; the rest are baselined, and the baseline's
        entries for scanned files that no longer hold their finding are gone."""
        from mockguard.baseline import compare

        pairs = [(f, self.project_paths.get(f.path, f.path)) for f in self.findings]
        result = compare(pairs, entries, set(self.project_paths.values()))
        self.findings = result.new
        self.baseline = BaselineStatus(path, result.baselined, result.gone)

    def ratchet(self) -> dict[str, dict[str, int]]:
        """category -> new / baselined / gone counts (with a baseline)."""
        table = {c: {"new": 0, "baselined": 0, "gone": 0} for c in self.category_order}
        status = self.baseline
        if status is None:
            return table
        for finding in self.findings:
            table.setdefault(finding.category, {"new": 0, "baselined": 0, "gone": 0})["new"] += 1
        for finding in status.baselined:
            table.setdefault(finding.category, {"new": 0, "baselined": 0, "gone": 0})[
                "baselined"
            ] += 1
        for entry in status.gone:
            table.setdefault(entry.category, {"new": 0, "baselined": 0, "gone": 0})["gone"] += 1
        return table

    @property
    def category_order(self) -> list[str]:
        """Configured categories first, then any other seen, `generic` last."""
        seen = {f.category for f in self.census} | set(self.compliant)
        order = [c for c in self.categories if c != GENERIC]
        order += sorted(seen - set(order) - {GENERIC})
        return [*order, GENERIC]

    @property
    def census(self) -> list[Finding]:
        """Every ad-hoc double found, new and baselined: what the audit numbers count."""
        if self.baseline is None:
            return self.findings
        return self.findings + self.baseline.baselined

    def counts(self) -> dict[str, dict[str, int]]:
        """category -> rule code -> number of findings (new and baselined)."""
        table: dict[str, dict[str, int]] = {
            c: dict.fromkeys(self.rules, 0) for c in self.category_order
        }
        for finding in self.census:
            row = table.setdefault(finding.category, dict.fromkeys(self.rules, 0))
            row[finding.code] = row.get(finding.code, 0) + 1
        return table

    def by_rule(self) -> dict[str, int]:
        totals = dict.fromkeys(self.rules, 0)
        for finding in self.census:
            totals[finding.code] = totals.get(finding.code, 0) + 1
        return totals

    @property
    def total_compliant(self) -> int:
        return sum(self.compliant.values())

    @staticmethod
    def adoption_rate(compliant: int, ad_hoc: int) -> float | None:
        """Factory calls as a share of all test doubles; None when there are none."""
        total = compliant + ad_hoc
        return compliant / total if total else None

    @property
    def adoption(self) -> float | None:
        return self.adoption_rate(self.total_compliant, len(self.census))

    @property
    def files_with_findings(self) -> int:
        return len({f.path for f in self.findings})


def rule_codes(selected: tuple[str, ...]) -> tuple[str, ...]:
    """The rules shown as columns: the selected ones, in catalog order."""
    return tuple(code for code in RULES if code in selected)
