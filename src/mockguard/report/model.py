"""The outcome of a scan, aggregated the way every report format presents it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from mockguard.catalog import KindCatalog
from mockguard.categories import GENERIC
from mockguard.findings import CompliantCall, Diagnostic, FileResult, Finding, Place, Shape
from mockguard.scan.rules import RULES

if TYPE_CHECKING:
    from collections.abc import Callable

    from mockguard.baseline import BaselineEntry

# Where a finding stands against the baseline and the inline suppressions.
Status = Literal["new", "baselined", "suppressed"]
NEW: Status = "new"
BASELINED: Status = "baselined"
SUPPRESSED: Status = "suppressed"


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One row of the audit table: a category's ad-hoc doubles per rule, its factory calls
    and the adoption rate (the last row, `total`, sums them all)."""

    category: str
    by_rule: dict[str, int]
    total: int
    compliant: int
    adoption: float | None
    is_total: bool = False


def percent(rate: float | None) -> str:
    """A rate as `12.5%`, or `-` when there is none."""
    return "-" if rate is None else f"{rate * 100:.1f}%"


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


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
    # Every factory call (what `compliant` counts), in site order.
    compliant_calls: list[CompliantCall] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0
    elapsed: float = 0.0
    # Scanned file (as shown) -> its path in the project (as fingerprints hold it).
    project_paths: dict[str, str] = field(default_factory=dict)
    baseline: BaselineStatus | None = None
    # The project's kinds, for the "use instead" hints.
    catalog: KindCatalog = field(default_factory=KindCatalog)
    # For the rules over the whole scan (MG401): each file's setup shapes, and the
    # suppression comments of the files that have some (by scanned path).
    shapes: list[tuple[Shape, Place]] = field(default_factory=list)
    suppressions: dict[str, dict[int, frozenset[str] | None]] = field(default_factory=dict)
    # The diagnostics of files not scanned through (see `Diagnostic.incomplete`) that fail
    # the scan like findings do; empty when incomplete files are allowed.
    incomplete: list[Diagnostic] = field(default_factory=list)

    def add(self, result: FileResult, project_path: str = "") -> None:
        """Fold one file's result in."""
        self.project_paths[result.path] = project_path or result.path
        self.files_scanned += 1
        self.files_parsed += result.parsed
        for finding in result.findings:
            (self.suppressed if finding.suppressed else self.findings).append(finding)
        self.diagnostics.extend(result.diagnostics)
        for call in result.compliant_calls:
            self.compliant[call.category] = self.compliant.get(call.category, 0) + 1
        self.compliant_calls.extend(result.compliant_calls)
        self.shapes.extend(result.shapes)
        if result.suppressions:
            self.suppressions[result.path] = result.suppressions

    def finish(self) -> None:
        """Sort everything into its stable order."""
        self.findings.sort(key=lambda f: f.sort_key)
        self.suppressed.sort(key=lambda f: f.sort_key)
        self.diagnostics.sort(key=lambda d: d.sort_key)
        self.compliant_calls.sort(key=lambda c: c.sort_key)

    def apply_baseline(
        self,
        entries: dict[str, BaselineEntry],
        path: str,
        vanished: Callable[[str], bool] | None = None,
    ) -> None:
        """Keep only new findings in `findings`; the rest are baselined, and the baseline's
        entries for scanned files that no longer hold their finding (or, by `vanished`,
        were deleted) are gone. Identical sites are told apart by their context (see
        :func:`mockguard.baseline.compare`)."""
        from mockguard.baseline import compare

        pairs = [(f, self.project_paths.get(f.path, f.path)) for f in self.findings]
        scanned = set(self.project_paths.values())
        result = compare(pairs, entries, scanned, vanished)
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

    def audit_rows(self) -> list[AuditRow]:
        """The audit table: one row per category (in :attr:`category_order`), then the total."""
        rows = []
        for category, row in self.counts().items():
            total = sum(row.values())
            compliant = self.compliant.get(category, 0)
            rate = self.adoption_rate(compliant, total)
            rows.append(AuditRow(category, row, total, compliant, rate))
        census = len(self.census)
        rows.append(
            AuditRow(
                "total", self.by_rule(), census, self.total_compliant, self.adoption, is_total=True
            )
        )
        return rows

    def by_status(self) -> list[tuple[Finding, Status]]:
        """Every finding with where it stands, in site order (new before baselined before
        suppressed at the same site)."""
        baselined = self.baseline.baselined if self.baseline is not None else []
        tagged: list[tuple[Finding, Status]] = [
            *((f, NEW) for f in self.findings),
            *((f, BASELINED) for f in baselined),
            *((f, SUPPRESSED) for f in self.suppressed),
        ]
        return sorted(tagged, key=lambda item: (*item[0].sort_key, item[0].fingerprint))

    def hint(self, category: str) -> str:
        """What to use instead of an ad-hoc double of this category, from the project's kinds."""
        return self.catalog.hint(category)

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
