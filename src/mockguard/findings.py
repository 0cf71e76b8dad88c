"""What a scan produces: findings, diagnostics and the per-file result that carries them.

The data model only: what each rule code means is declared in :mod:`mockguard.scan.rules`,
and messages are rendered from there when a report is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

RuleCode = Literal["MG101", "MG102", "MG201", "MG301", "MG401"]
RULE_CODES: tuple[RuleCode, ...] = get_args(RuleCode)
# Rules a scan runs unless told otherwise (MG401 is opt-in).
DEFAULT_RULES: tuple[RuleCode, ...] = ("MG101", "MG102", "MG201", "MG301")

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

EvidenceKind = Literal[
    "spec",
    "patch-target",
    "class-name",
    "base",
    "name",
    "flow",
    "attribute",
    "member",
    "method",
    "scope",
    "library",
    "real-object",
]
DiagnosticKind = Literal[
    "broken-symlink",
    "decode-error",
    "internal-error",
    "newer-grammar",
    "not-a-file",
    "nul-bytes",
    "symlink-outside",
    "syntax-error",
    "too-deep",
    "too-large",
    "unreadable",
    "unresolved-mock-name",
]
# Diagnostics of a file the scan could not read through, so its findings may be missing:
# nesting past what the parser or the walk can follow, a file over max-file-size (or over
# what the newer-grammar parser takes), a failure of the scanner itself. A scan with one of
# them fails like a scan with findings, unless incomplete files are allowed. A file Python
# itself cannot read (syntax-error, decode-error, nul-bytes) is not among them: it cannot
# run, so no test double in it runs, and a test run that collects it fails already.
INCOMPLETE: frozenset[DiagnosticKind] = frozenset({"internal-error", "too-deep", "too-large"})


def _by_fields(self: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle a frozen, slotted record as its class and its fields in order: a pool worker
    sends tens of thousands of them, and the dataclass default rebuilds each field by a
    call of its own."""
    return (self.__class__, tuple(getattr(self, name) for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class Evidence:
    """One clue that points a finding at a category, and how much it weighs."""

    kind: EvidenceKind
    value: str
    category: str
    weight: int

    __reduce__ = _by_fields

    def describe(self) -> str:
        """A short human-readable form: `spec WebSocket -> websocket (+4)`."""
        return f"{self.kind} `{self.value}` -> {self.category} (+{self.weight})"


@dataclass(frozen=True, slots=True)
class Finding:
    """One ad-hoc test double at one site.

    Lines are 1-based; columns are 0-based character offsets, as `ast` counts them (printed
    1-based). The message arguments are kept apart from the template and rendered only when
    reporting.
    """

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    code: RuleCode
    category: str
    args: tuple[tuple[str, str], ...]
    scope: str
    # Why the category was chosen (for --explain); not part of what a finding is.
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)
    suppressed: bool = False
    # Stable identity across unrelated edits (see `mockguard.fingerprint`); never a line.
    fingerprint: str = ""
    # The site's source with whitespace and comments removed (what the fingerprint hashes).
    snippet: str = ""
    # error / warning / note: the category's configured severity, else the rule's.
    severity: str = ""
    # Where the site stands among its neighbours (`mockguard.fingerprint.site_contexts`): tells
    # identical sites apart against a baseline; never part of the fingerprint.
    context: str = ""

    __reduce__ = _by_fields

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something the scan could not do or had to assume: a file it could not read or parse,
    a mock name it resolved without an import. Diagnostics never stop a scan."""

    path: str
    kind: DiagnosticKind
    message: str
    line: int = 0

    __reduce__ = _by_fields

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.kind)

    @property
    def incomplete(self) -> bool:
        """True for a kind that leaves a file not scanned through: its findings may be
        missing (see :data:`INCOMPLETE`)."""
        return self.kind in INCOMPLETE

    @property
    def severity(self) -> Severity:
        """`error` for a file not scanned through (it fails the scan), else `warning`."""
        return "error" if self.incomplete else "warning"


@dataclass(frozen=True, slots=True)
class Shape:
    """The normalised setup of one ad-hoc double."""

    constructor: str  # MagicMock, AsyncMock, ...
    spec: str  # the spec class's last name, or ""
    members: frozenset[tuple[str, str]]  # (member path, value kind)

    @property
    def key(self) -> str:
        """A stable hash of the shape."""
        text = "|".join([self.constructor, self.spec, *sorted(f"{m}={k}" for m, k in self.members)])
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def similarity(self, other: Shape) -> float:
        """Jaccard similarity of the configured members (0 for another constructor/spec)."""
        if (self.constructor, self.spec) != (other.constructor, other.spec):
            return 0.0
        union = self.members | other.members
        return len(self.members & other.members) / len(union) if union else 1.0


@dataclass(frozen=True, slots=True)
class Place:
    """Where a setup is built: the span of its construction (0-based columns, as findings
    hold them), the variable it is bound to, and what the scan said of it."""

    path: str
    line: int
    name: str
    scope: str
    category: str
    spec_path: str  # the spec class as a dotted path, when known
    col: int = 0
    end_line: int = 0
    end_col: int = 0
    context: str = ""  # the construction's site context (see Finding.context)


@dataclass(frozen=True, slots=True)
class CompliantCall:
    """One test double made through a mock factory: a compliant site, never a finding.

    `call` is what the site calls, as written: the callee (`AppMockFactory.create_websocket_mock`,
    `self.factory.create_agent_mock`) and, when the first argument is a string, that argument
    (`mock_factory.create("database_session")`). Lines are 1-based; the column is a 0-based
    character offset, as a finding's.
    """

    path: str
    line: int
    col: int
    category: str
    call: str
    scope: str = ""

    __reduce__ = _by_fields

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.col)


@dataclass(frozen=True, slots=True)
class StoredFindings:
    """A file's findings as the scan cache keeps them: counted, not decoded. A summary
    and a baseline that all of them match read only the counts and the digest; `load`
    decodes them (once) for whatever lists them."""

    path: str
    # (rule code, category, suppressed, how many), one row per distinct first three.
    tally: tuple[tuple[str, str, bool, int], ...]
    # :func:`mockguard.fingerprint.digest_of` the fingerprints of the unsuppressed ones.
    fingerprints: str
    load: Callable[[], list[Finding]] = field(compare=False, repr=False)

    def count(self, suppressed: bool) -> int:
        """How many findings are (or are not) suppressed."""
        return sum(n for _, _, hidden, n in self.tally if hidden is suppressed)


def tally_of(findings: list[Finding]) -> tuple[tuple[str, str, bool, int], ...]:
    """The counts a :class:`StoredFindings` keeps, in a stable order."""
    counts: dict[tuple[str, str, bool], int] = {}
    for f in findings:
        key = (f.code, f.category, f.suppressed)
        counts[key] = counts.get(key, 0) + 1
    return tuple((*key, n) for key, n in sorted(counts.items()))


@dataclass(slots=True)
class FileResult:
    """Everything the scan learned about one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    # Every factory call of the file, in site order (`compliant` counts them by category).
    compliant_calls: list[CompliantCall] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parsed: bool = False
    # What the cache keys on: the content's hash and the stat it was read with.
    digest: str = ""
    size: int = -1
    mtime_ns: int = -1
    # True when the content's hash matched the cached one: the cached result stands.
    unchanged: bool = False
    # The suppression comments, by line (kept for rules that run after the walk: MG401).
    suppressions: dict[int, frozenset[str] | None] = field(default_factory=dict)
    # With MG401 on: the setup shape of each MG101 site, and where it is.
    shapes: list[tuple[Shape, Place]] = field(default_factory=list)
    # The other files this result was decided from (the conftest.py files and in-house
    # factory modules read to recognise factory calls), as (absolute path, content hash;
    # "" for a file that was not there): a change to one of them scans this file again.
    depends: tuple[tuple[str, str], ...] = ()
    # From the cache: the findings not yet decoded (then `findings` is empty).
    stored: StoredFindings | None = None

    @property
    def compliant(self) -> dict[str, int]:
        """category -> number of factory calls."""
        counts: dict[str, int] = {}
        for call in self.compliant_calls:
            counts[call.category] = counts.get(call.category, 0) + 1
        return counts
