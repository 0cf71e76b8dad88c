"""The outcome of a scan, aggregated the way every report format presents it.

Findings the scan cache keeps stay stored (:class:`mockguard.findings.StoredFindings`)
until something reads the lists that hold them: the audit table, the footer and the
ratchet are counted from what is stored, so a warm summary, or a baseline that matches
every stored file, decodes none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from mockguard.catalog import KindCatalog
from mockguard.categories import GENERIC
from mockguard.findings import (
    CompliantCall,
    Diagnostic,
    FileResult,
    Finding,
    Place,
    Shape,
    StoredFindings,
)
from mockguard.scan.rules import RULES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

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


class Decoded:
    """A list of findings whose owner may still hold some of them stored: reading or
    replacing the list first decodes them, through the owner's method named `decode`."""

    def __init__(self, decode: str) -> None:
        self.decode = decode
        self.attribute = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = f"_{name}"

    @overload
    def __get__(self, owner: None, kind: Any = None) -> Decoded: ...
    @overload
    def __get__(self, owner: object, kind: Any = None) -> list[Finding]: ...
    def __get__(self, owner: object | None, kind: Any = None) -> list[Finding] | Decoded:
        if owner is None:
            return self  # the dataclass default: an empty list
        getattr(owner, self.decode)()
        found: list[Finding] = getattr(owner, self.attribute)
        return found

    def __set__(self, owner: object, value: list[Finding] | Decoded) -> None:
        if hasattr(owner, self.attribute):
            getattr(owner, self.decode)()
        setattr(owner, self.attribute, [] if isinstance(value, Decoded) else value)


def _peek(owner: object, name: str) -> list[Finding]:
    """The list a :class:`Decoded` field holds, as it is (stored findings not decoded)."""
    found: list[Finding] = getattr(owner, f"_{name}")
    return found


def _put(owner: object, name: str, findings: list[Finding]) -> None:
    """Replace the list a :class:`Decoded` field holds, decoding nothing."""
    setattr(owner, f"_{name}", findings)


def _unsuppressed(blocks: Iterable[StoredFindings]) -> Iterable[tuple[str, str, int]]:
    """(category, rule code, count) of the unsuppressed findings stored in `blocks`."""
    for block in blocks:
        for code, category, suppressed, count in block.tally:
            if not suppressed:
                yield category, code, count


@dataclass
class BaselineStatus:
    """How a scan compares with a baseline: the report's `findings` are then the new ones."""

    path: str
    baselined: Decoded = Decoded("decode_stored")
    gone: list[BaselineEntry] = field(default_factory=list)
    # The files whose findings are all baselined, still stored, and what decodes them
    # (the report's, which also orders `baselined` as a comparison of them all would).
    stored: list[StoredFindings] = field(default_factory=list)
    decode: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def decode_stored(self) -> None:
        """Decode the stored files' findings into `baselined`."""
        if self.stored and self.decode is not None:
            self.decode()

    @property
    def baselined_count(self) -> int:
        """How many findings are baselined, counted without decoding any."""
        return len(_peek(self, "baselined")) + sum(n for _, _, n in _unsuppressed(self.stored))


@dataclass
class ScanReport:
    """Findings, diagnostics and factory-call counts of a whole scan."""

    categories: tuple[str, ...]
    rules: tuple[str, ...]
    # Reading `findings` decodes the stored files' findings; `suppressed` decodes those of
    # the baselined files too.
    findings: Decoded = Decoded("decode_new")
    suppressed: Decoded = Decoded("decode_stored")
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
    # Files whose findings the cache keeps, not decoded yet (see `decode_new`).
    stored: list[StoredFindings] = field(default_factory=list)
    # With a baseline that matched stored files: the findings before it was applied,
    # and what it was applied with (to order `baselined` once those files are decoded).
    _before: list[Finding] | None = field(default=None, init=False, repr=False, compare=False)
    _against: tuple[dict[str, BaselineEntry], Callable[[str], bool] | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def add(self, result: FileResult, project_path: str = "") -> None:
        """Fold one file's result in."""
        self.project_paths[result.path] = project_path or result.path
        self.files_scanned += 1
        self.files_parsed += result.parsed
        if result.stored is not None:
            self.stored.append(result.stored)
        for finding in result.findings:
            _peek(self, "suppressed" if finding.suppressed else "findings").append(finding)
        self.diagnostics.extend(result.diagnostics)
        for call in result.compliant_calls:
            self.compliant[call.category] = self.compliant.get(call.category, 0) + 1
        self.compliant_calls.extend(result.compliant_calls)
        self.shapes.extend(result.shapes)
        if result.suppressions:
            self.suppressions[result.path] = result.suppressions

    def finish(self) -> None:
        """Sort everything into its stable order (stored findings are, when decoded)."""
        _peek(self, "findings").sort(key=_site)
        _peek(self, "suppressed").sort(key=_site)
        self.diagnostics.sort(key=lambda d: d.sort_key)
        self.compliant_calls.sort(key=lambda c: c.sort_key)

    def decode_new(self) -> None:
        """Decode the findings of the stored files (not those a baseline holds)."""
        if not self.stored:
            return
        blocks, self.stored = self.stored, []
        found, hidden = _load(blocks)
        _put(self, "findings", sorted([*_peek(self, "findings"), *found], key=_site))
        _put(self, "suppressed", sorted([*_peek(self, "suppressed"), *hidden], key=_site))

    def decode_stored(self) -> None:
        """Decode every stored finding: the baselined files' too, whose findings then take
        their places in `baselined` as comparing all findings with the baseline orders
        them."""
        self.decode_new()
        status = self.baseline
        if status is None or not status.stored:
            return
        from mockguard.baseline import compare

        blocks, status.stored = status.stored, []
        found, hidden = _load(blocks)
        _put(self, "suppressed", sorted([*_peek(self, "suppressed"), *hidden], key=_site))
        assert self._before is not None and self._against is not None
        before = sorted([*self._before, *found], key=_site)
        entries, vanished = self._against
        self._before = self._against = None
        pairs = [(f, self.project_paths.get(f.path, f.path)) for f in before]
        result = compare(pairs, entries, set(self.project_paths.values()), vanished)
        _put(status, "baselined", result.baselined)

    def drop_rule(self, code: str) -> None:
        """Leave a rule's findings out of `findings` (decoding only stored files that
        have some)."""
        if any(row[0] == code for block in self.stored for row in block.tally):
            self.decode_new()
        _put(self, "findings", [f for f in _peek(self, "findings") if f.code != code])

    @property
    def finding_count(self) -> int:
        """len(findings), counted without decoding stored findings."""
        return len(_peek(self, "findings")) + sum(n for _, _, n in _unsuppressed(self.stored))

    @property
    def suppressed_count(self) -> int:
        """len(suppressed), counted without decoding stored findings."""
        held = self.baseline.stored if self.baseline is not None else []
        blocks = [*self.stored, *held]
        return len(_peek(self, "suppressed")) + sum(block.count(True) for block in blocks)

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

        scanned = set(self.project_paths.values())
        held, rest = self._held_by(entries)
        before = self.findings  # decodes the stored files that are not held
        pairs = [(f, self.project_paths.get(f.path, f.path)) for f in before]
        result = compare(pairs, rest, scanned, vanished)
        _put(self, "findings", result.new)
        self.baseline = BaselineStatus(
            path, result.baselined, result.gone, stored=held, decode=self.decode_stored
        )
        if held:
            self._before, self._against = before, (entries, vanished)

    def _held_by(
        self, entries: dict[str, BaselineEntry]
    ) -> tuple[list[StoredFindings], dict[str, BaselineEntry]]:
        """The stored files whose unsuppressed findings are exactly the baseline's entries
        of their path, and the entries of the other paths. A fingerprint hashes its file's
        path, so matching compares each such file's findings with those entries only: all
        are baselined and all those entries used, whatever else was found. A path that
        two scanned files share, or whose entries share a site hash with another path's,
        is left to the comparison (see :func:`mockguard.baseline.path_digests`)."""
        if not self.stored:
            return [], entries
        from mockguard.baseline import path_digests
        from mockguard.fingerprint import digest_of

        digests = path_digests(entries)
        none = digest_of(())
        seen: dict[str, int] = {}
        for where in self.project_paths.values():
            seen[where] = seen.get(where, 0) + 1
        held: list[StoredFindings] = []
        kept: list[StoredFindings] = []
        for block in self.stored:
            where = self.project_paths.get(block.path, block.path)
            same = seen.get(where) == 1 and digests.get(where, none) == block.fingerprints
            (held if same else kept).append(block)
        self.stored = kept
        paths = {self.project_paths.get(block.path, block.path) for block in held}
        return held, {fp: e for fp, e in entries.items() if e.path not in paths}

    def ratchet(self) -> dict[str, dict[str, int]]:
        """category -> new / baselined / gone counts (with a baseline)."""
        table = {c: {"new": 0, "baselined": 0, "gone": 0} for c in self.category_order}
        status = self.baseline
        if status is None:
            return table

        def add(category: str, key: str, count: int = 1) -> None:
            table.setdefault(category, {"new": 0, "baselined": 0, "gone": 0})[key] += count

        for finding in _peek(self, "findings"):
            add(finding.category, "new")
        for category, _, count in _unsuppressed(self.stored):
            add(category, "new", count)
        for finding in _peek(status, "baselined"):
            add(finding.category, "baselined")
        for category, _, count in _unsuppressed(status.stored):
            add(category, "baselined", count)
        for entry in status.gone:
            add(entry.category, "gone")
        return table

    @property
    def category_order(self) -> list[str]:
        """Configured categories first, then any other seen, `generic` last."""
        seen = {category for category, _ in self._census_counts()} | set(self.compliant)
        order = [c for c in self.categories if c != GENERIC]
        order += sorted(seen - set(order) - {GENERIC})
        return [*order, GENERIC]

    @property
    def census(self) -> list[Finding]:
        """Every ad-hoc double found, new and baselined: what the audit numbers count."""
        if self.baseline is None:
            return self.findings
        return self.findings + self.baseline.baselined

    def _census_counts(self) -> dict[tuple[str, str], int]:
        """(category, rule code) -> number of findings in the census, counted without
        decoding stored findings."""
        counts: dict[tuple[str, str], int] = {}
        lists = [_peek(self, "findings")]
        blocks = list(self.stored)
        if self.baseline is not None:
            lists.append(_peek(self.baseline, "baselined"))
            blocks += self.baseline.stored
        for findings in lists:
            for finding in findings:
                key = (finding.category, finding.code)
                counts[key] = counts.get(key, 0) + 1
        for category, code, count in _unsuppressed(blocks):
            counts[(category, code)] = counts.get((category, code), 0) + count
        return counts

    def counts(self) -> dict[str, dict[str, int]]:
        """category -> rule code -> number of findings (new and baselined)."""
        table: dict[str, dict[str, int]] = {
            c: dict.fromkeys(self.rules, 0) for c in self.category_order
        }
        for (category, code), count in self._census_counts().items():
            row = table.setdefault(category, dict.fromkeys(self.rules, 0))
            row[code] = row.get(code, 0) + count
        return table

    def audit_rows(self) -> list[AuditRow]:
        """The audit table: one row per category (in :attr:`category_order`), then the total."""
        rows = []
        for category, row in self.counts().items():
            total = sum(row.values())
            compliant = self.compliant.get(category, 0)
            rate = self.adoption_rate(compliant, total)
            rows.append(AuditRow(category, row, total, compliant, rate))
        census = sum(self._census_counts().values())
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
        for (_, code), count in self._census_counts().items():
            totals[code] = totals.get(code, 0) + count
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
        return self.adoption_rate(self.total_compliant, sum(self._census_counts().values()))

    @property
    def files_with_findings(self) -> int:
        paths = {f.path for f in _peek(self, "findings")}
        paths.update(block.path for block in self.stored if block.count(False))
        return len(paths)


def _site(finding: Finding) -> tuple[str, int, int, str]:
    return finding.sort_key


def _load(blocks: list[StoredFindings]) -> tuple[list[Finding], list[Finding]]:
    """The findings stored in `blocks`, decoded: (unsuppressed, suppressed)."""
    found: list[Finding] = []
    hidden: list[Finding] = []
    for block in blocks:
        for finding in block.load():
            (hidden if finding.suppressed else found).append(finding)
    return found, hidden


def rule_codes(selected: tuple[str, ...]) -> tuple[str, ...]:
    """The rules shown as columns: the selected ones, in catalog order."""
    return tuple(code for code in RULES if code in selected)
