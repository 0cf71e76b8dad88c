"""The baseline: today's findings, recorded so that CI fails only on new ones (a ratchet).

The file is sorted, stable JSON, diff-friendly in review. Entries are keyed by fingerprint
(never by line, never by category), so unrelated edits and a better classifier do not make
a finding new. `update` only ever removes entries; adding needs `force`.

Identical sites (the same call in the same test) share a fingerprint but for an index in
site order. When a change adds more of them, the index alone would blame the last ones, so
each entry also keeps its site's context (a hash of its line and of its neighbours, see
:func:`mockguard.fingerprint.site_contexts`), and the findings that match no recorded
context are the new ones.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mockguard import __version__
from mockguard.findings import Finding
from mockguard.io import read_regular

SCHEMA_VERSION = 2
# Schema 1 fingerprints hashed the category too; such files are migrated on load.
_OLD_SCHEMA = 1
_ENTRY_KEYS = ("fingerprint", "path", "code", "category", "scope", "snippet")
_FINGERPRINT = re.compile(r"[0-9a-f]{16}:[0-9]+")
# A baseline of 20,000 findings takes about 6 MB.
MAX_BASELINE_SIZE = 64 * 1024 * 1024


class BaselineError(Exception):
    """A baseline file that cannot be used, with a one-line message. `replaceable`: the
    file is there but is no baseline, so that `baseline --force` may replace it (not so
    a link, a FIFO, a device or a file that cannot be read)."""

    def __init__(self, message: str, *, replaceable: bool = True) -> None:
        super().__init__(message)
        self.replaceable = replaceable


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One recorded finding. The category is kept for display and totals only."""

    fingerprint: str
    path: str
    code: str
    category: str
    scope: str
    snippet: str
    context: str = ""

    @classmethod
    def of(cls, finding: Finding, path: str) -> BaselineEntry:
        return cls(
            finding.fingerprint,
            path,
            finding.code,
            finding.category,
            finding.scope,
            finding.snippet,
            finding.context,
        )

    def as_json(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in (*_ENTRY_KEYS, "context")}


@dataclass
class Comparison:
    """Today's findings against a baseline: new, baselined (each with the entry it
    matched) and gone entries."""

    new: list[Finding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    gone: list[BaselineEntry] = field(default_factory=list)
    matched: list[tuple[Finding, BaselineEntry]] = field(default_factory=list)


def load(path: Path) -> dict[str, BaselineEntry]:
    """The entries of a baseline file, by fingerprint. Anything that is not a baseline
    written by mockguard is a :class:`BaselineError`, never silently ignored. Only a
    regular file is read (never through a symbolic link), up to MAX_BASELINE_SIZE; a
    schema 1 file is migrated."""
    try:
        raw = read_regular(path, MAX_BASELINE_SIZE, follow=False)
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no baseline there (write one with `mockguard baseline`)"
        ) from None
    except OSError as exc:
        raise BaselineError(
            f"{path}: cannot read the baseline: {exc.strerror or exc}", replaceable=False
        ) from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: corrupt baseline (not UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}: corrupt baseline (not JSON: {exc.msg} at line {exc.lineno})"
        ) from None
    except (ValueError, RecursionError):
        raise BaselineError(f"{path}: corrupt baseline (nested too deeply or too large)") from None
    tool = document.get("tool") if isinstance(document, dict) else None
    if not isinstance(tool, dict) or tool.get("name") != "mockguard":
        raise BaselineError(f"{path}: not a mockguard baseline")
    version = document.get("schema_version")
    if type(version) is not int or version not in (_OLD_SCHEMA, SCHEMA_VERSION):
        raise BaselineError(
            f"{path}: baseline schema version {version!r} is not {SCHEMA_VERSION} "
            "(rewrite it with `mockguard baseline --force`)"
        )
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"{path}: corrupt baseline (`findings` is not a list)")
    entries = [_entry(item, path, index, version) for index, item in enumerate(findings)]
    if version == _OLD_SCHEMA:
        entries = _migrate(entries)
    return {entry.fingerprint: entry for entry in entries}


def _entry(item: Any, source: Path, index: int, version: int) -> BaselineEntry:
    keys = _ENTRY_KEYS if version == _OLD_SCHEMA else (*_ENTRY_KEYS, "context")
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in keys):
        raise BaselineError(
            f"{source}: corrupt baseline (entry {index + 1} lacks {', '.join(keys)})"
        )
    posix = PurePosixPath(item["path"])
    if posix.is_absolute() or ".." in posix.parts or "\\" in item["path"]:
        raise BaselineError(
            f"{source}: entry {index + 1} has a path outside the project: {item['path']!r}"
        )
    if version != _OLD_SCHEMA and not _FINGERPRINT.fullmatch(item["fingerprint"]):
        raise BaselineError(
            f"{source}: corrupt baseline (entry {index + 1} has a malformed fingerprint)"
        )
    return BaselineEntry(**{k: item[k] for k in keys})


def _migrate(entries: list[BaselineEntry]) -> list[BaselineEntry]:
    """Schema 1 entries with today's fingerprints, which leave the category out: computed
    from the stored path, rule, scope and snippet, with the index among identical ones in
    the order the old indices gave."""
    from mockguard.fingerprint import fingerprints

    def old_order(entry: BaselineEntry) -> tuple[int, str]:
        index = entry.fingerprint.rpartition(":")[2]
        return (int(index) if index.isdigit() and len(index) < 10 else 0, entry.category)

    ordered = sorted(entries, key=old_order)
    fresh = fingerprints((e.path, e.code, e.scope, e.snippet) for e in ordered)
    return [
        BaselineEntry(fp, e.path, e.code, e.category, e.scope, e.snippet)
        for e, fp in zip(ordered, fresh, strict=True)
    ]


def dump(entries: Iterable[BaselineEntry]) -> str:
    """The baseline file's text: sorted, stable, one entry per finding."""
    ordered = sorted(entries, key=lambda e: (e.path, e.code, e.scope, *_split(e.fingerprint)))
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


def _split(fingerprint: str) -> tuple[str, int]:
    """A fingerprint's hash of the site and its index among identical sites."""
    digest, _, index = fingerprint.rpartition(":")
    return digest, int(index) if index.isdigit() else 0


def compare(
    findings: Iterable[tuple[Finding, str]],
    baseline: dict[str, BaselineEntry],
    scanned: set[str],
    vanished: Callable[[str], bool] | None = None,
) -> Comparison:
    """Split (finding, project path) pairs into new and baselined; the entries of the files
    that were scanned and no longer hold their finding are gone, and so are those whose
    file has `vanished` (deleted under the scanned paths, see :func:`vanished_under`).

    Findings and entries are matched per site hash (the fingerprint without its index).
    When a hash has as many findings as entries, all are baselined. When the numbers
    differ, findings are matched by their site context (`Finding.context`) to the
    entries of the same context first, then of the same line, then in site order; the
    findings left over are new, the entries left over gone."""
    found: dict[str, list[Finding]] = {}
    for finding, _ in findings:
        found.setdefault(_split(finding.fingerprint)[0], []).append(finding)
    recorded: dict[str, list[BaselineEntry]] = {}
    for entry in baseline.values():
        recorded.setdefault(_split(entry.fingerprint)[0], []).append(entry)
    result = Comparison()
    used: set[str] = set()
    for digest, group in found.items():
        group.sort(key=lambda f: _split(f.fingerprint)[1])
        entries = sorted(recorded.get(digest, []), key=lambda e: _split(e.fingerprint)[1])
        pairs = _align(group, entries)
        for finding in group:
            match = pairs.get(finding.fingerprint)
            if match is None:
                result.new.append(finding)
            else:
                result.baselined.append(finding)
                result.matched.append((finding, match))
                used.add(match.fingerprint)
    covered = (lambda path: path in scanned or vanished(path)) if vanished else scanned.__contains__
    result.gone = sorted(
        (e for fp, e in baseline.items() if covered(e.path) and fp not in used),
        key=lambda e: (e.path, e.code, *_split(e.fingerprint)),
    )
    return result


def path_digests(baseline: dict[str, BaselineEntry]) -> dict[str, str]:
    """Project path -> :func:`mockguard.fingerprint.digest_of` the fingerprints of its
    entries: a file whose unsuppressed findings have this digest has all of them baselined
    (see :func:`compare`). A path with an entry whose site hash another path's entry has
    too (a hand-edited file) gets "", which matches no file: only the comparison decides
    how such entries pair."""
    from mockguard.fingerprint import digest_of

    by_path: dict[str, list[str]] = {}
    paths_of: dict[str, set[str]] = {}
    for fingerprint, entry in baseline.items():
        by_path.setdefault(entry.path, []).append(fingerprint)
        paths_of.setdefault(_split(fingerprint)[0], set()).add(entry.path)
    shared = {path for paths in paths_of.values() if len(paths) > 1 for path in paths}
    return {path: "" if path in shared else digest_of(found) for path, found in by_path.items()}


def _align(findings: list[Finding], entries: list[BaselineEntry]) -> dict[str, BaselineEntry]:
    """Finding fingerprint -> the entry it matches, for findings and entries of one site
    hash, each in site order."""
    if len(findings) == len(entries) or not entries:
        return {f.fingerprint: e for f, e in zip(findings, entries, strict=False)}
    pairs: dict[str, BaselineEntry] = {}
    free = list(entries)
    # Same line and neighbours, then the same line, then whatever is left, in order.
    for width in (16, 8, 0):
        for finding in findings:
            if finding.fingerprint in pairs or not free:
                continue
            wanted = finding.context[:width]
            if width and len(wanted) < width:
                continue
            for entry in free:
                if width == 0 or entry.context[:width] == wanted:
                    pairs[finding.fingerprint] = entry
                    free.remove(entry)
                    break
    return pairs


def vanished_under(paths: Iterable[str], root: Path) -> Callable[[str], bool]:
    """Whether a project path lies under one of the scanned `paths` (as given) and no longer
    exists: the entries of a deleted file are gone, though no scan saw the file."""
    from mockguard.fingerprint import project_path

    covered = [project_path(p, root) for p in paths]
    covered = [c for c in covered if c != ".." and not c.startswith("../")]

    def vanished(path: str) -> bool:
        inside = any(c == "." or path == c or path.startswith(f"{c}/") for c in covered)
        return inside and not os.path.lexists(root / path)

    return vanished
