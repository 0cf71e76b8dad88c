"""What a scan produces: findings, diagnostics and the per-file result that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockguard.scan.rules import RULES


@dataclass(frozen=True, slots=True)
class Evidence:
    """One clue that points a finding at a category, and how much it weighs."""

    kind: str  # spec, patch-target, class-name, base, name, attribute, method
    value: str
    category: str
    weight: int

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
    code: str
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

    @property
    def message(self) -> str:
        """The rendered message."""
        return RULES[self.code].render(**dict(self.args))

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something the scan could not do or had to assume: a file it could not read or parse,
    a mock name it resolved without an import. Diagnostics never stop a scan."""

    path: str
    kind: str
    message: str
    line: int = 0

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.kind)


@dataclass(slots=True)
class FileResult:
    """Everything the scan learned about one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    compliant: dict[str, int] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parsed: bool = False
    # What the cache keys on: the content's hash and the stat it was read with.
    digest: str = ""
    size: int = -1
    mtime_ns: int = -1
    # True when the content's hash matched the cached one: the cached result stands.
    unchanged: bool = False
