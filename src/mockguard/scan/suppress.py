"""Inline suppressions: `# mockguard: ignore`, `# mockguard: ignore[MG101,websocket]` and
`# noqa: MG101`, read from real comments (never from strings)."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import replace

from mockguard.findings import Finding

_IGNORE = re.compile(r"mockguard:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"noqa:\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)

# line -> selectors (rule codes or category names, upper-cased); None means everything.
Suppressions = dict[int, "frozenset[str] | None"]


_MARKER = re.compile(rb"#[^\n]*(?:mockguard\s*:|noqa\s*:[^\n]*\bMG\d)", re.IGNORECASE)


def might_suppress(data: bytes) -> bool:
    """A cheap look: only files with a comment that could suppress are tokenized."""
    return _MARKER.search(data) is not None


def parse(text: str) -> Suppressions:
    """The suppression comments of a module, by line."""
    found: Suppressions = {}
    try:
        comments = [
            (tok.start[0], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        return found
    for line, comment in comments:
        selectors = _selectors(comment)
        if selectors is _NOTHING:
            continue
        previous = found.get(line, frozenset())
        if selectors is None or previous is None:
            found[line] = None
        else:
            found[line] = previous | selectors
    return found


_NOTHING: frozenset[str] = frozenset({"<nothing>"})


def _selectors(comment: str) -> frozenset[str] | None:
    selectors: set[str] = set()
    matched = False
    for match in _IGNORE.finditer(comment):
        matched = True
        if match.group(1) is None:
            return None
        selectors.update(s.strip().upper() for s in match.group(1).split(",") if s.strip())
    for match in _NOQA.finditer(comment):
        codes = {c.upper() for c in re.split(r"[\s,]+", match.group(1)) if c}
        mine = {c for c in codes if c.startswith("MG")}
        if mine:
            matched = True
            selectors.update(mine)
    return frozenset(selectors) if matched else _NOTHING


def is_suppressed(
    suppressions: Suppressions, lines: tuple[int, ...], code: str, category: str
) -> bool:
    """True when a comment on one of the finding's lines covers its code or category."""
    for line in lines:
        if line not in suppressions:
            continue
        selectors = suppressions[line]
        if selectors is None or code in selectors or category.upper() in selectors:
            return True
    return False


def apply(
    findings: Iterable[Finding],
    suppressions: Suppressions,
    extra_lines: Mapping[Finding, tuple[int, ...]] | None = None,
) -> list[Finding]:
    """The findings, each marked suppressed when a comment on its first or last line covers
    its code or category. A finding in `extra_lines` (a double class) counts its first line
    and those lines (its decorators) instead.
    Every rule's findings go through here once, after all checks have run."""
    marked = []
    for finding in findings:
        lines: tuple[int, ...] = (finding.line, finding.end_line)
        if extra_lines is not None and finding in extra_lines:
            lines = lines[:1] + extra_lines[finding]
        if suppressions and is_suppressed(suppressions, lines, finding.code, finding.category):
            finding = replace(finding, suppressed=True)
        marked.append(finding)
    return marked
