"""The scan cache: a warm rescan parses nothing that has not changed.

One JSON file per project and configuration, in `.mockguard_cache/` at the project root
(or `cache-dir`). It maps each file to the stat it had (size, mtime, ctime, inode), the
hash of its content and its scan result. A file whose stat is unchanged is not read again,
unless its last change came less than RACY_NS before the scan that recorded it (a change in
the same clock tick leaves the stat as it was: such a file is read and hashed again, as
git treats "racily clean" files). A file whose content hash is unchanged is not parsed
again. The key holds the tool version and a hash of every setting that changes results, so
a new version or a config change starts afresh. A result that was decided from other files
too (the conftest.py files and in-house factory modules that say which calls are factory
calls) keeps their content hashes: when one of them changed, the file is scanned again.

The file is signed and kept in the cache folder (:mod:`mockguard.scan.cachedir`): one this
machine did not write is ignored and rewritten. Each entry is then checked field by field;
one of the wrong shape is scanned again, never trusted. Writes are atomic, so concurrent
scans leave a valid file (the last one wins).

A file's findings are kept apart, in a side file beside the signed one
(`scan-<key>.findings`): the signed file holds, for each file, where its findings lie in the
side file and the hash of those bytes, with their counts per rule, category and suppression
and a digest of their fingerprints. So the side file needs no signature of its own: bytes
that are not what the signed hash says are not used. It is read only when something lists
the findings (see :class:`StoredFindings`), so a warm summary, or a baseline that every
file's findings match, reads and decodes none. Findings that turn out to be of the wrong
shape, or not the bytes the signed file names, when they are decoded are not trusted either:
the file is scanned again then, and its entry replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import fields
from itertools import pairwise
from pathlib import Path
from typing import Any, get_args

from mockguard import __version__
from mockguard.config import DEFAULT_MAX_FILE_SIZE, Settings
from mockguard.findings import (
    RULE_CODES,
    CompliantCall,
    Diagnostic,
    DiagnosticKind,
    FileResult,
    Finding,
    Place,
    Shape,
    StoredFindings,
    tally_of,
)
from mockguard.fingerprint import digest_of
from mockguard.io import read_regular, write_text
from mockguard.scan.cachedir import (
    CACHE_DIR,
    MAX_CACHE_SIZE,
    CacheDirError,
    machine_key,
    prepare,
    read_signed,
    usable,
    write_signed,
)
from mockguard.scan.reading import read_source

# 5: compliant calls are kept as sites (not counts per category), with the files they
# were decided from. 6: the findings are one JSON string, with their counts and the
# digest of their fingerprints beside it. 7: that string is kept in the side file; the
# signed file holds where it lies there and its hash.
FORMAT = 7
# The side file: the findings of every file, each a JSON array, all in one JSON array.
SIDE_SUFFIX = ".findings"
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
_FINDING_TYPES = {f.name: str(f.type) for f in fields(Finding)}
_DIAGNOSTIC_KINDS = frozenset(get_args(DiagnosticKind))
# A file changed this close to the scan that recorded it is hashed again next time: a
# second change in the same tick of the file system's clock leaves its stat unchanged.
RACY_NS = 2_000_000_000


def settings_key(settings: Settings) -> str:
    """A hash of the tool version and every setting that changes a file's result."""
    parts = [__version__, str(FORMAT)] + [
        repr(getattr(settings, name)) for name in _RESULT_SETTINGS
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def content_digest(data: bytes) -> str:
    """The hash the cache keys a file's content by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# ------------------------------------------------------------------ the scan cache


class ScanCache:
    """The cached results of one project and configuration."""

    def __init__(
        self, directory: Path, key: str, max_file_size: int = DEFAULT_MAX_FILE_SIZE
    ) -> None:
        self.directory = directory
        self.max_file_size = max_file_size
        self.file = directory / f"scan-{key}.json"
        self.side_file = directory / f"scan-{key}{SIDE_SUFFIX}"
        self._entries: dict[str, Any] = {}
        # The findings of the results stored during this scan, encoded, by their hash; the
        # others are in the side file, read (once) when first needed.
        self._blobs: dict[str, bytes] = {}
        self._side: bytes | None = None
        # Once saved, where each hash's findings lie in the side file this scan wrote (the
        # places an entry loaded before named were places in the one it read).
        self._placed: dict[str, tuple[int, int]] = {}
        # The (path, content hash) pairs results were decided from, each kept once: an
        # entry names its pairs by their places in this table.
        self._depends: list[tuple[str, str]] = []
        self._depends_index: dict[tuple[str, str], int] | None = None
        # The dependencies of a list of places, and whether they are unchanged, found once
        # (the files of a folder share theirs).
        self._resolved: dict[tuple[int, ...], tuple[tuple[str, str], ...]] = {}
        self._unchanged: dict[tuple[tuple[str, str], ...], bool] = {}
        self._dirty = False
        # How many lookups found a file unchanged (served without reading it).
        self.hits = 0
        # Every file this scan reads is read after this moment (see RACY_NS).
        self._started = time.time_ns()
        self._cwd = os.getcwd()
        self._usable = usable(directory)
        # Content hashes of the files results depend on, as found during this scan.
        self._dependency_digests: dict[str, str] = {}
        if self._usable:
            self._load()

    @classmethod
    def for_settings(cls, settings: Settings, directory: Path | None = None) -> ScanCache:
        return cls(
            directory or settings.root / CACHE_DIR, settings_key(settings), settings.max_file_size
        )

    def _load(self) -> None:
        document = read_signed(self.file)
        if isinstance(document, dict) and document.get("format") == FORMAT:
            files = document.get("files")
            try:
                depends = list(_pairs(document.get("depends")))
            except TypeError:
                return  # a table of the wrong shape: no entry is trusted
            if isinstance(files, dict):
                self._entries, self._depends = files, depends

    def _key(self, path: str) -> str:
        """The absolute path a file's entry is kept under (os.path.abspath, without asking
        for the working folder once per file)."""
        return os.path.normpath(os.path.join(self._cwd, path))

    def _depends_at(self, pair: tuple[str, str]) -> int:
        """The place of a (path, content hash) pair in the table, added if new."""
        if self._depends_index is None:
            self._depends_index = {p: i for i, p in enumerate(self._depends)}
        place = self._depends_index.get(pair)
        if place is None:
            place = self._depends_index[pair] = len(self._depends)
            self._depends.append(pair)
        return place

    def lookup(
        self, path: str, rescan: Rescan | None = None
    ) -> tuple[FileResult | None, str | None]:
        """The cached result when the file's stat is unchanged (and was not racy); else
        None and the content hash it had (so that an unchanged content is not parsed
        again). Given `rescan`, the findings are left stored, not decoded (see
        :meth:`_stored`)."""
        key = self._key(path)
        entry = self._entries.get(key)
        if entry is None:
            return None, None
        result = self._result(path, entry, rescan)
        if result is None:
            del self._entries[key]  # of the wrong shape: not trusted at all
            self._dirty = True
            return None, None
        if not self._dependencies_unchanged(result):
            return None, None  # decided from a file that changed since: parse it again
        try:
            info = os.stat(path)
        except OSError:
            return None, None
        if _stat_of(info) == entry["stat"] and entry["stat"][2] < entry["checked_ns"] - RACY_NS:
            self.hits += 1
            return result, result.digest
        return None, result.digest

    def reuse(
        self, path: str, fresh: FileResult, rescan: Rescan | None = None
    ) -> FileResult | None:
        """For a file whose content hash matched: the cached result, under the new stat."""
        key = self._key(path)
        entry = self._entries.get(key)
        result = self._result(path, entry, rescan)
        if entry is None or result is None:
            return None
        seen = self._stat_after(path, fresh)
        if seen is None:
            del self._entries[key]  # changed meanwhile: scanned afresh next time
        else:
            entry["stat"], entry["checked_ns"] = seen, self._started
        self._dirty = True
        return result

    def store(self, result: FileResult) -> None:
        """Remember a file's fresh result (unless the file changed while it was scanned)."""
        if not result.digest or any(d.kind == "internal-error" for d in result.diagnostics):
            return  # unreadable, vanished or a scanner error: scan it again next time
        seen = self._stat_after(result.path, result)
        if seen is None:
            return
        blob = _findings_blob(result.findings)
        raw = _encode(result, blob)
        raw["depends"] = [self._depends_at(pair) for pair in result.depends]
        self._blobs[raw["findings"][2]] = blob
        self._entries[self._key(result.path)] = {
            "digest": result.digest,
            "stat": seen,
            "checked_ns": self._started,
            "result": raw,
        }
        self._dirty = True

    def _dependencies_unchanged(self, result: FileResult) -> bool:
        """Whether the other files a result was decided from still hold what they held."""
        known = self._unchanged.get(result.depends)
        if known is not None:
            return known
        unchanged = True
        for path, digest in result.depends:
            now = self._dependency_digests.get(path)
            if now is None:
                now = _current_digest(path, self.max_file_size)
                self._dependency_digests[path] = now
            if now != digest:
                unchanged = False
                break
        self._unchanged[result.depends] = unchanged
        return unchanged

    def _dependencies(self, value: Any) -> tuple[tuple[str, str], ...]:
        """The (path, content hash) pairs an entry names by their places in the table."""
        if type(value) is not list:
            raise TypeError("not a list of places")
        places = tuple(value)
        found = self._resolved.get(places)
        if found is None:
            table = self._depends
            found = tuple(table[i] for i in _places(value, len(table)))
            self._resolved[places] = found
        return found

    @staticmethod
    def _stat_after(path: str, result: FileResult) -> list[int] | None:
        """The file's stat now, when it still has the size and mtime it was read with."""
        try:
            seen = _stat_of(os.stat(path))
        except OSError:
            return None
        return seen if seen[:2] == [result.size, result.mtime_ns] else None

    def save(self) -> None:
        """Write the cache atomically, if anything changed: the side file first, then the
        signed file that names what lies in it (a reader between the two finds findings
        that are not what their hashes say, and scans those files again)."""
        if not self._dirty or not self._usable or machine_key() is None:
            return  # without a key nothing is cached
        blobs: list[bytes] = []
        placed: dict[str, tuple[int, int]] = {}
        depends: list[tuple[str, str]] = []  # only the pairs some entry still names
        moved: dict[int, int] = {}
        offset = 0
        for key, entry in list(self._entries.items()):
            try:
                ref = _findings_ref(entry["result"]["findings"])
                pairs = _places(entry["result"]["depends"], len(self._depends))
            except (KeyError, TypeError, ValueError):
                del self._entries[key]  # of the wrong shape: not kept
                continue
            for i, old in enumerate(pairs):
                new = moved.get(old)
                if new is None:
                    new = moved[old] = len(depends)
                    depends.append(self._depends[old])
                pairs[i] = new
            entry["result"]["depends"] = pairs
            digest = ref[2]
            # Copied as read: the hash kept beside it still tells if it is not what it was.
            blob = self._blobs.get(digest) or self._placed_bytes(ref)
            entry["result"]["findings"] = [offset, len(blob), digest]
            placed[digest] = (offset, len(blob))
            blobs.append(blob)
            offset += len(blob) + 1
        data = b"\n".join(blobs)
        # What the entries name from now on.
        self._side, self._placed = data, placed
        self._depends, self._depends_index = depends, None
        document = {
            "format": FORMAT,
            "version": __version__,
            "depends": depends,
            "files": self._entries,
        }
        try:
            prepare(self.directory)
            write_text(self.side_file, data.decode("ascii"), owned=True)
            write_signed(self.directory, self.file.name, document)
        except (OSError, CacheDirError, UnicodeDecodeError):
            return  # a read-only tree scans fine without a cache
        self._dirty = False

    def _side_bytes(self) -> bytes:
        """The side file as it was when first needed (empty when it cannot be read): the
        places the loaded entries name are places in that version."""
        if self._side is None:
            try:
                self._side = read_regular(self.side_file, MAX_CACHE_SIZE, follow=False)
            except OSError:
                self._side = b""
        return self._side

    def _placed_bytes(self, ref: tuple[int, int, str]) -> bytes:
        """The bytes at the place `ref` names in the side file (or, once saved, at the
        place its hash was written to), unchecked."""
        start, length, digest = ref
        start, length = self._placed.get(digest, (start, length))
        return self._side_bytes()[start : start + length]

    def _findings_bytes(self, ref: tuple[int, int, str]) -> bytes:
        """The encoded findings an entry names, when they hash to what it says."""
        blob = self._blobs.get(ref[2])
        if blob is None:
            blob = self._placed_bytes(ref)
            if content_digest(blob) != ref[2]:
                raise ValueError("findings that are not what the cache names")
        return blob

    def _result(self, path: str, entry: Any, rescan: Rescan | None) -> FileResult | None:
        try:
            result = _decode(path, entry, self._dependencies)
            ref, tally, fingerprints = _stored_findings(entry["result"])
            if rescan is None:
                blob = self._findings_bytes(ref)
                result.findings = _decode_findings(path, entry, blob, tally, fingerprints)
            else:
                load = self._stored(path, entry, ref, tally, fingerprints, rescan)
                result.stored = StoredFindings(path, tally, fingerprints, load)
            return result
        except (KeyError, TypeError, ValueError, RecursionError):
            return None

    def _stored(
        self,
        path: str,
        entry: dict[str, Any],
        ref: tuple[int, int, str],
        tally: tuple[tuple[str, str, bool, int], ...],
        fingerprints: str,
        rescan: Rescan,
    ) -> Callable[[], list[Finding]]:
        """What decodes a file's stored findings when they are read. Findings that are not
        what the entry says (not the bytes it names, of the wrong shape, or other counts)
        are not used: the file is scanned again through `rescan`, and its entry replaced."""

        def load() -> list[Finding]:
            try:
                blob = self._findings_bytes(ref)
                return _decode_findings(path, entry, blob, tally, fingerprints)
            except (KeyError, TypeError, ValueError, RecursionError):
                pass
            key = self._key(path)
            if self._entries.get(key) is entry:
                del self._entries[key]
                self._dirty = True
            fresh = rescan(path)
            self.store(fresh)
            self.save()
            return fresh.findings

        return load


# Scans one file afresh (a file whose stored findings turn out not to be trusted).
Rescan = Callable[[str], FileResult]


def _stat_of(info: os.stat_result) -> list[int]:
    """What tells a file's content changed without reading it: size, mtime, ctime (which
    no tool can set back) and inode (an editor that writes a new file and renames it)."""
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _current_digest(path: str, max_size: int) -> str:
    """The content hash of a file now ("" when it is not there or cannot be read), as
    :class:`mockguard.scan.factories.FactoryRegistry` takes it."""
    data = read_source(path, max_size) if os.path.isfile(path) else None
    return content_digest(data) if isinstance(data, bytes) else ""


def _findings_blob(findings: list[Finding]) -> bytes:
    """A file's findings as the side file keeps them: one line of ASCII JSON."""
    rows = [_encode_finding(f) for f in findings]
    return json.dumps(rows, separators=(",", ":")).encode("ascii")


def _encode(result: FileResult, blob: bytes | None = None) -> dict[str, Any]:
    """A result as the signed file keeps it; its findings (`blob`, encoded by
    :func:`_findings_blob`) are named by their length and hash, and placed when saved."""
    if blob is None:
        blob = _findings_blob(result.findings)
    return {
        "path": result.path,
        "parsed": result.parsed,
        "compliant": [
            [call.line, call.col, call.category, call.call, call.scope]
            for call in result.compliant_calls
        ],
        "depends": [list(pair) for pair in result.depends],
        "diagnostics": [[d.path, d.kind, d.message, d.line] for d in result.diagnostics],
        "findings": [0, len(blob), content_digest(blob)],
        "tally": [list(row) for row in tally_of(result.findings)],
        "fingerprints": digest_of(f.fingerprint for f in result.findings if not f.suppressed),
        "suppressions": [
            [line, None if selectors is None else sorted(selectors)]
            for line, selectors in result.suppressions.items()
        ],
        "shapes": [
            [
                [shape.constructor, shape.spec, sorted(map(list, shape.members))],
                [
                    place.line,
                    place.name,
                    place.scope,
                    place.category,
                    place.spec_path,
                    place.col,
                    place.end_line,
                    place.end_col,
                    place.context,
                ],
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


# Strict decoding: every value must have exactly the type mockguard writes (a bool is not
# an int here), or the entry is not used.


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("not a string")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("not an integer")
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("not a boolean")
    return value


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise TypeError("not a list of the right length")
    return value


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """Pairs of strings (checked inline: the table of dependencies can be long)."""
    for pair in _list(value):
        if type(pair) is not list or len(pair) != 2 or {type(pair[0]), type(pair[1])} != {str}:
            raise TypeError("not a pair of strings")
    return tuple(map(tuple, value))


# The type each stored field of a finding must have, in order (a field of a type not listed
# here fails at import, never on a user's cache); the whole row is checked at once.
_ROW_TYPE = {"str": str, "int": int, "bool": bool, "RuleCode": str}
_ROW_TYPE["tuple[tuple[str, str], ...]"] = list
_FINDING_ROW = tuple(_ROW_TYPE[_FINDING_TYPES[name]] for name in _FINDING_FIELDS)
_PATH, _CODE, _ARGS = (_FINDING_FIELDS.index(name) for name in ("path", "code", "args"))


def _decode_finding(path: str, stored_path: str, row: Any) -> Finding:
    # On the warm path once per finding: checks inline, no call per field.
    if type(row) is not list or tuple(map(type, row)) != _FINDING_ROW:
        raise TypeError("not a finding of the stored shape")
    if row[_CODE] not in RULE_CODES or row[_PATH] != stored_path:
        raise ValueError("not a rule code, or a finding of another file")
    args = row[_ARGS]
    for pair in args:
        if type(pair) is not list or len(pair) != 2 or {type(pair[0]), type(pair[1])} != {str}:
            raise TypeError("not a pair of strings")
    values = dict(zip(_FINDING_FIELDS, row, strict=True))
    values["args"] = tuple(map(tuple, args))
    values["path"] = path
    return Finding(**values)


def _decode_diagnostic(path: str, stored_path: str, row: Any) -> Diagnostic:
    where, kind, message, line = _list(row, 4)
    if kind not in _DIAGNOSTIC_KINDS:
        raise ValueError("not a diagnostic kind")
    where = _str(where)
    return Diagnostic(path if where == stored_path else where, kind, _str(message), _int(line))


def _decode_compliant(path: str, row: Any) -> CompliantCall:
    line, col, category, call, scope = _list(row, 5)
    return CompliantCall(path, _int(line), _int(col), _str(category), _str(call), _str(scope))


def _decode_shape(path: str, row: Any) -> tuple[Shape, Place]:
    (constructor, spec, members), place = (_list(part) for part in _list(row, 2))
    shape = Shape(_str(constructor), _str(spec), frozenset(_pairs(members)))
    line, name, scope, category, spec_path, col, end_line, end_col, context = _list(place, 9)
    return shape, Place(
        path,
        _int(line),
        _str(name),
        _str(scope),
        _str(category),
        _str(spec_path),
        _int(col),
        _int(end_line),
        _int(end_col),
        _str(context),
    )


def _places(value: Any, size: int) -> list[int]:
    """Places in a table of `size` rows (a new list)."""
    places = _list(value)
    for place in places:
        if type(place) is not int or not 0 <= place < size:
            raise ValueError("not a place in the table")
    return list(places)


def _findings_ref(value: Any) -> tuple[int, int, str]:
    """Where a file's findings lie in the side file (offset, length) and their hash."""
    start, length, digest = _list(value, 3)
    if _int(start) < 0 or _int(length) < 0 or len(_str(digest)) != 32:
        raise ValueError("not a place in the side file")
    return start, length, digest


def _stored_findings(
    raw: dict[str, Any],
) -> tuple[tuple[int, int, str], tuple[tuple[str, str, bool, int], ...], str]:
    """Where the stored findings lie (not read), their counts and the digest of their
    fingerprints, each checked for its exact type."""
    tally = []
    for row in _list(raw["tally"]):
        code, category, suppressed, count = _list(row, 4)
        if code not in RULE_CODES or _int(count) < 1:
            raise ValueError("not a count of findings")
        tally.append((_str(code), _str(category), _bool(suppressed), count))
    if any(a[:3] >= b[:3] for a, b in pairwise(tally)):
        raise ValueError("counts out of order")
    return _findings_ref(raw["findings"]), tuple(tally), _str(raw["fingerprints"])


def _decode_findings(
    path: str,
    entry: dict[str, Any],
    blob: bytes,
    tally: tuple[tuple[str, str, bool, int], ...],
    fingerprints: str,
) -> list[Finding]:
    """A file's stored findings, decoded and checked: each for its shape, all together
    against the counts and the digest stored beside them."""
    stored_path = _str(entry["result"]["path"])
    findings = [_decode_finding(path, stored_path, row) for row in _list(json.loads(blob))]
    if tally_of(findings) != tally or fingerprints != digest_of(
        f.fingerprint for f in findings if not f.suppressed
    ):
        raise ValueError("findings that are not what their counts say")
    return findings


_STAT_TYPES = (int, int, int, int)


def _no_dependencies(value: Any) -> tuple[tuple[str, str], ...]:
    if _list(value):
        raise ValueError("not a place in the table")
    return ()


def _decode(
    path: str,
    entry: Any,
    dependencies: Callable[[Any], tuple[tuple[str, str], ...]] = _no_dependencies,
) -> FileResult:
    """An entry's result, all but its findings (see :func:`_decode_findings`);
    `dependencies` reads the places of the pairs its result was decided from."""
    if type(entry) is not dict:
        raise TypeError("not an entry")
    raw = entry["result"]
    if type(raw) is not dict:
        raise TypeError("not a result")
    stat = entry["stat"]
    if type(stat) is not list or tuple(map(type, stat)) != _STAT_TYPES:
        raise TypeError("not a stat")
    size, mtime_ns = stat[0], stat[1]
    _int(entry["checked_ns"])
    stored_path = _str(raw["path"])
    suppressions: dict[int, frozenset[str] | None] = {}
    for line, selectors in (_list(item, 2) for item in _list(raw["suppressions"])):
        chosen = None if selectors is None else frozenset(map(_str, _list(selectors)))
        suppressions[_int(line)] = chosen
    digest = _str(entry["digest"])
    if not digest:
        raise ValueError("no digest")
    # Most files have none of these: an empty list is taken as it is (on the warm path
    # once per file).
    compliant, diagnostics, shapes = (_list(raw[k]) for k in ("compliant", "diagnostics", "shapes"))
    return FileResult(
        path,
        compliant_calls=[_decode_compliant(path, row) for row in compliant] if compliant else [],
        diagnostics=[_decode_diagnostic(path, stored_path, row) for row in diagnostics]
        if diagnostics
        else [],
        parsed=_bool(raw["parsed"]),
        digest=digest,
        size=size,
        mtime_ns=mtime_ns,
        suppressions=suppressions,
        shapes=[_decode_shape(path, row) for row in shapes] if shapes else [],
        depends=dependencies(raw["depends"]),
    )
