"""The baseline: today's findings, recorded so that CI fails only on new ones (a ratchet).

The file is sorted, stable JSON, diff-friendly in review. Entries are keyed by fingerprint
(never by line), so unrelated edits do not make a finding new. `update` only ever removes
entries; adding needs `force`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mockguard import __version__
from mockguard.findings import Finding

SCHEMA_VERSION = 1
_ENTRY_KEYS = ("fingerprint", "path", "code", "category", "scope", "snippet")


class BaselineError(Exception):
    """A baseline file that cannot be used, with a one-line message."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One recorded finding."""

    fingerprint: str
    path: str
    code: str
    category: str
    scope: str
    snippet: str

    @classmethod
    def of(cls, finding: Finding, path: str) -> BaselineEntry:
        return cls(
            finding.fingerprint,
            path,
            finding.code,
            finding.category,
            finding.scope,
            finding.snippet,
        )

    def as_json(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in _ENTRY_KEYS}


@dataclass
class Comparison:
    """Today's findings against a baseline."""

    new: list[Finding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    gone: list[BaselineEntry] = field(default_factory=list)


def load(path: Path) -> dict[str, BaselineEntry]:
    """The entries of a baseline file, by fingerprint. Anything that is not a baseline
    written by mockguard is a :class:`BaselineError`, never silently ignored."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no baseline there (write one with `mockguard baseline`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}: corrupt baseline (not JSON: {exc.msg} at line {exc.lineno})"
        ) from None
    if not isinstance(document, dict) or document.get("tool", {}).get("name") != "mockguard":
        raise BaselineError(f"{path}: not a mockguard baseline")
    if document.get("schema_version") != SCHEMA_VERSION:
        raise BaselineError(
            f"{path}: baseline schema version {document.get('schema_version')!r} is not "
            f"{SCHEMA_VERSION} (rewrite it with `mockguard baseline --force`)"
        )
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"{path}: corrupt baseline (`findings` is not a list)")
    entries: dict[str, BaselineEntry] = {}
    for index, item in enumerate(findings):
        entry = _entry(item, path, index)
        entries[entry.fingerprint] = entry
    return entries


def _entry(item: Any, source: Path, index: int) -> BaselineEntry:
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in _ENTRY_KEYS):
        raise BaselineError(
            f"{source}: corrupt baseline (entry {index + 1} lacks {', '.join(_ENTRY_KEYS)})"
        )
    posix = PurePosixPath(item["path"])
    if posix.is_absolute() or ".." in posix.parts or "\\" in item["path"]:
        raise BaselineError(
            f"{source}: entry {index + 1} has a path outside the project: {item['path']!r}"
        )
    return BaselineEntry(**{k: item[k] for k in _ENTRY_KEYS})


def dump(entries: Iterable[BaselineEntry]) -> str:
    """The baseline file's text: sorted, stable, one entry per finding."""
    ordered = sorted(entries, key=lambda e: (e.path, e.code, e.scope, e.fingerprint))
    totals: dict[str, int] = {}
    for entry in ordered:
        totals[entry.category] = totals.get(entry.category, 0) + 1
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mockguard", "version": __version__},
        "totals": dict(sorted(totals.items())),
        "findings": [e.as_json() for e in ordered],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def compare(
    findings: Iterable[tuple[Finding, str]],
    baseline: dict[str, BaselineEntry],
    scanned: set[str],
) -> Comparison:
    """Split (finding, project path) pairs into new and baselined; the entries of the files
    that were scanned and no longer hold their finding are gone."""
    result = Comparison()
    present: set[str] = set()
    for finding, _ in findings:
        if finding.fingerprint in baseline:
            result.baselined.append(finding)
            present.add(finding.fingerprint)
        else:
            result.new.append(finding)
    result.gone = sorted(
        (e for fp, e in baseline.items() if e.path in scanned and fp not in present),
        key=lambda e: (e.path, e.code, e.fingerprint),
    )
    return result
