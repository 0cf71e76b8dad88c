"""The scan cache: a warm rescan reads nothing that has not changed.

One JSON file per project and configuration, in `.mockguard_cache/` at the project root
(or `cache-dir`). It maps each file to the size and modification time it had, the hash of
its content and its scan result. A file whose size and mtime are unchanged is not read
again; a file whose stat changed but whose content hash did not is not parsed again. The
key holds the tool version and a hash of every setting that changes results, so a new
version or a config change starts afresh. Writes are atomic, so concurrent scans leave a
valid file (the last one wins); an entry that does not look right is scanned again, never
trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from mockguard import __version__
from mockguard.config import Settings
from mockguard.findings import Diagnostic, FileResult, Finding, Place, Shape

CACHE_DIR = ".mockguard_cache"
FORMAT = 2
_RESULT_SETTINGS = (
    "root",
    "select",
    "severity",
    "categories",
    "factories",
    "factory_fixtures",
    "mock_modules",
    "max_file_size",
)
# The evidence is left out: it is only shown by `--explain`, which scans afresh.
_FINDING_FIELDS = [f.name for f in fields(Finding) if f.name != "evidence"]


def settings_key(settings: Settings) -> str:
    """A hash of the tool version and every setting that changes a file's result."""
    parts = [__version__, str(FORMAT)] + [
        repr(getattr(settings, name)) for name in _RESULT_SETTINGS
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def content_digest(data: bytes) -> str:
    """The hash the cache keys a file's content by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ScanCache:
    """The cached results of one project and configuration."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.file = directory / f"scan-{key}.json"
        self._entries: dict[str, Any] = {}
        self._dirty = False
        self._load()

    @classmethod
    def for_settings(cls, settings: Settings, directory: Path | None = None) -> ScanCache:
        return cls(directory or settings.root / CACHE_DIR, settings_key(settings))

    def _load(self) -> None:
        try:
            document = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # absent or corrupt: start afresh
        if isinstance(document, dict) and document.get("format") == FORMAT:
            files = document.get("files")
            if isinstance(files, dict):
                self._entries = files

    def lookup(self, path: str) -> tuple[FileResult | None, str | None]:
        """The cached result when the file's size and mtime are unchanged; else None and
        the content hash it had (so that an unchanged content is not parsed again)."""
        entry = self._entries.get(os.path.abspath(path))
        if not isinstance(entry, dict):
            return None, None
        try:
            info = os.stat(path)
        except OSError:
            return None, None
        result = self._result(path, entry)
        if result is None:
            return None, None  # an entry that does not decode is not trusted at all
        if entry.get("size") != info.st_size or entry.get("mtime_ns") != info.st_mtime_ns:
            return None, result.digest
        return result, result.digest

    def reuse(self, path: str, fresh: FileResult) -> FileResult | None:
        """For a file whose content hash matched: the cached result, under the new stat."""
        entry = self._entries.get(os.path.abspath(path))
        if not isinstance(entry, dict):
            return None
        result = self._result(path, entry)
        if result is not None:
            entry["size"], entry["mtime_ns"] = fresh.size, fresh.mtime_ns
            self._dirty = True
        return result

    def store(self, result: FileResult) -> None:
        """Remember a file's fresh result."""
        if not result.digest:
            return  # unreadable or vanished: scan it again next time
        self._entries[os.path.abspath(result.path)] = {
            "digest": result.digest,
            "size": result.size,
            "mtime_ns": result.mtime_ns,
            "result": _encode(result),
        }
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically, if anything changed."""
        if not self._dirty:
            return
        from mockguard.io import write_text

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                write_text(
                    ignore, "# Made by mockguard: nothing here belongs in version control.\n*\n"
                )
            document = {"format": FORMAT, "version": __version__, "files": self._entries}
            write_text(self.file, json.dumps(document, separators=(",", ":")))
        except OSError:
            return  # a read-only tree scans fine without a cache
        self._dirty = False

    def _result(self, path: str, entry: dict[str, Any]) -> FileResult | None:
        try:
            return _decode(path, entry["result"], entry)
        except (KeyError, TypeError, ValueError):
            return None


def _encode(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "parsed": result.parsed,
        "compliant": result.compliant,
        "diagnostics": [[d.path, d.kind, d.message, d.line] for d in result.diagnostics],
        "findings": [_encode_finding(f) for f in result.findings],
        "suppressions": [
            [line, None if selectors is None else sorted(selectors)]
            for line, selectors in result.suppressions.items()
        ],
        "shapes": [
            [
                [shape.constructor, shape.spec, sorted(map(list, shape.members))],
                [place.line, place.name, place.scope, place.category, place.spec_path]
                + [place.col, place.end_line, place.end_col],
            ]
            for shape, place in result.shapes
        ],
    }


def _encode_finding(finding: Finding) -> list[Any]:
    row: list[Any] = []
    for name in _FINDING_FIELDS:
        value = getattr(finding, name)
        if name == "args":
            value = [list(pair) for pair in value]
        row.append(value)
    return row


def _decode(path: str, raw: dict[str, Any], entry: dict[str, Any]) -> FileResult:
    stored_path = raw["path"]
    findings = []
    for row in raw["findings"]:
        values = dict(zip(_FINDING_FIELDS, row, strict=True))
        values["args"] = tuple((str(k), str(v)) for k, v in values["args"])
        if stored_path != path:
            values["path"] = path
        findings.append(Finding(**values))
    diagnostics = [
        Diagnostic(path if p == stored_path else p, kind, message, line)
        for p, kind, message, line in raw["diagnostics"]
    ]
    compliant = {str(k): int(v) for k, v in dict(raw["compliant"]).items()}
    suppressions = {
        int(line): None if selectors is None else frozenset(map(str, selectors))
        for line, selectors in raw["suppressions"]
    }
    shapes = [
        (
            Shape(str(constructor), str(spec), frozenset((str(m), str(k)) for m, k in members)),
            Place(
                path,
                int(line),
                str(name),
                str(scope),
                str(category),
                str(spec_path),
                int(col),
                int(end_line),
                int(end_col),
            ),
        )
        for (constructor, spec, members), (
            line,
            name,
            scope,
            category,
            spec_path,
            col,
            end_line,
            end_col,
        ) in raw["shapes"]
    ]
    return FileResult(
        path,
        findings=findings,
        compliant=compliant,
        diagnostics=diagnostics,
        parsed=bool(raw["parsed"]),
        digest=str(entry["digest"]),
        size=int(entry["size"]),
        mtime_ns=int(entry["mtime_ns"]),
        suppressions=suppressions,
        shapes=shapes,
    )
