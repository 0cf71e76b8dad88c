"""The scan cache: a warm rescan parses nothing that has not changed.

One JSON file per project and configuration, in `.mockguard_cache/` at the project root
(or `cache-dir`). It maps each file to the stat it had (size, mtime, ctime, inode), the
hash of its content and its scan result. A file whose stat is unchanged is not read again,
unless its last change came less than RACY_NS before the scan that recorded it (a change in
the same clock tick leaves the stat as it was: such a file is read and hashed again, as
git treats "racily clean" files). A file whose content hash is unchanged is not parsed
again. The key holds the tool version and a hash of every setting that changes results, so
a new version or a config change starts afresh.

Nothing is trusted that this machine did not write: each cache file is signed with a key
kept outside the repository (:func:`machine_key`), and a file whose signature does not
verify (planted, copied from elsewhere, edited) is ignored and rewritten. Each entry is
then checked field by field; one of the wrong shape is scanned again, never trusted.

The cache folder is marked as such (a `CACHEDIR.TAG` and mockguard's own `mockguard.tag`)
and mockguard writes and deletes only in a folder so marked, never through a symbolic
link. Writes are atomic, so concurrent scans leave a valid file (the last one wins).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import tempfile
import time
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

from mockguard import __version__
from mockguard.config import Settings
from mockguard.findings import (
    RULE_CODES,
    Diagnostic,
    DiagnosticKind,
    FileResult,
    Finding,
    Place,
    Shape,
)
from mockguard.io import read_regular, write_text

CACHE_DIR = ".mockguard_cache"
FORMAT = 4
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

# The cache folder's tags: the Cache Directory Tagging standard's file (backup tools skip
# the folder), and mockguard's own. Only a folder holding both is deleted by `cache clear`.
TAG_FILE = "CACHEDIR.TAG"
TAG_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
_TAG_TEXT = (
    f"{TAG_SIGNATURE}\n"
    "# This file is a cache directory tag created by mockguard.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
MARKER_FILE = "mockguard.tag"
_MARKER_TEXT = (
    "This folder is mockguard's cache. `mockguard cache clear` deletes the files mockguard\n"
    "wrote here, and the folder when nothing else is left.\n"
)
_IGNORE_TEXT = "# Made by mockguard: nothing here belongs in version control.\n*\n"
# Never a cache folder, whatever tags it holds.
_PROJECT_FILES = (".git", "pyproject.toml")

_KEY_SIZE = 32
MAX_CACHE_SIZE = 1024 * 1024 * 1024
_MAC_HEAD = b'{"mac":"'
_MAC_TAIL = b'","body":'


class CacheDirError(Exception):
    """A cache folder mockguard will not write in or delete, with a one-line message."""


def settings_key(settings: Settings) -> str:
    """A hash of the tool version and every setting that changes a file's result."""
    parts = [__version__, str(FORMAT)] + [
        repr(getattr(settings, name)) for name in _RESULT_SETTINGS
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def content_digest(data: bytes) -> str:
    """The hash the cache keys a file's content by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# ------------------------------------------------------------------ the cache folder


def _own_file(name: str) -> bool:
    """A name mockguard writes in its cache folder."""
    return (
        name in (TAG_FILE, MARKER_FILE, ".gitignore")
        or (name.startswith(("scan-", "history-")) and name.endswith(".json"))
        or name.endswith(".lock")
        or (name.startswith(".") and name.endswith(".tmp"))
    )


def _is_marked(directory: Path) -> bool:
    try:
        tag = read_regular(directory / TAG_FILE, 4096, follow=False)
        read_regular(directory / MARKER_FILE, 4096, follow=False)
    except OSError:
        return False
    return tag.startswith(TAG_SIGNATURE.encode())


def _check_folder(directory: Path, doing: str) -> bool:
    """Whether `directory` is a marked cache folder (False: absent, or holding nothing
    but mockguard's own files); a CacheDirError when mockguard must stay out of it."""
    info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode):
        raise CacheDirError(f"{directory} is a symbolic link; not {doing} it")
    if not stat.S_ISDIR(info.st_mode):
        raise CacheDirError(f"{directory} is not a folder; not {doing} it")
    names = os.listdir(directory)
    for name in _PROJECT_FILES:
        if name in names:
            raise CacheDirError(f"{directory} holds {name}, so it is no cache; not {doing} it")
    if _is_marked(directory):
        return True
    if all(_own_file(name) for name in names):
        return False
    raise CacheDirError(
        f"{directory} is not a mockguard cache folder (no {TAG_FILE} and {MARKER_FILE}, "
        f"and other files in it); not {doing} it"
    )


def usable(directory: Path) -> bool:
    """Whether a scan may read and write its cache in `directory`: absent (made when
    first written), or mockguard's, not through a symbolic link."""
    try:
        _check_folder(directory, "using")
    except FileNotFoundError:
        return True
    except (OSError, CacheDirError):
        return False
    return True


def prepare(directory: Path) -> None:
    """Make `directory` mockguard's cache folder: create it if needed and tag it. A
    CacheDirError (or OSError) when it is a symbolic link, not a folder, or a folder of
    something else."""
    try:
        marked = _check_folder(directory, "writing in")
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        marked = _check_folder(directory, "writing in")  # not a link planted meanwhile
    if not marked:
        write_text(directory / TAG_FILE, _TAG_TEXT, owned=True)
        write_text(directory / MARKER_FILE, _MARKER_TEXT, owned=True)
    if not os.path.lexists(directory / ".gitignore"):
        write_text(directory / ".gitignore", _IGNORE_TEXT, owned=True)


def lock_path(directory: Path, name: str) -> Path:
    """The lock file of `name` (`baseline`, `fix`) in the cache folder, made ready."""
    prepare(directory)
    return directory / f"{name}.lock"


def clear(directory: Path) -> str:
    """Delete what mockguard wrote in its cache folder, then the folder if it is left
    empty; returns what was done. A folder that is not marked as mockguard's cache, holds
    a `.git` or a `pyproject.toml`, or is a symbolic link is a CacheDirError."""
    try:
        marked = _check_folder(directory, "deleting")
    except FileNotFoundError:
        return f"no cache at {directory}"
    if not marked:
        raise CacheDirError(
            f"{directory} is not marked as a mockguard cache (no {TAG_FILE} and "
            f"{MARKER_FILE}); not deleting it"
        )
    mine, others = [], 0
    for name in os.listdir(directory):
        path = directory / name
        if _own_file(name) and not stat.S_ISDIR(os.lstat(path).st_mode) and _ours(path):
            if name.endswith(".lock") and _held(path):
                others += 1  # a writer holds it: removing it would let a second one in
                continue
            mine.append(path)
        else:
            others += 1
    tags = {directory / n for n in (TAG_FILE, MARKER_FILE, ".gitignore")}
    for path in mine:
        if path not in tags:
            os.unlink(path)
    if others:  # the folder stays, and stays marked as the cache
        return f"deleted the cache files in {directory} (kept {others} other entries)"
    for path in mine:
        if path in tags:
            os.unlink(path)
    os.rmdir(directory)
    return f"deleted {directory}"


def _held(lock: Path) -> bool:
    """Whether another process holds the lock file `lock`."""
    import fcntl

    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _ours(path: Path) -> bool:
    if path.name != ".gitignore":
        return True
    try:
        return read_regular(path, 4096, follow=False) == _IGNORE_TEXT.encode()
    except OSError:
        return False


# ------------------------------------------------------------------ signed files


def key_file() -> Path:
    """Where this user's cache key lives: `$XDG_CACHE_HOME/mockguard/key`, else
    `~/.cache/mockguard/key` (outside any repository)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    folder = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return folder / "mockguard" / "key"


def machine_key() -> bytes | None:
    """The secret that signs this user's cache files, made (0600, random) when there is
    none; None when it can be neither read nor made (then nothing is cached)."""
    try:
        return _key_at(key_file())
    except (RuntimeError, KeyError):  # no home folder to keep it in
        return None


@lru_cache(maxsize=4)
def _key_at(file: Path) -> bytes | None:
    key = _read_key(file)
    if key is not None:
        return key
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".key.", suffix=".tmp", dir=file.parent)
        try:
            os.write(fd, os.urandom(_KEY_SIZE))
            os.fsync(fd)
            os.close(fd)
            try:
                os.link(temp, file)  # never replaces a key another process just made
            except FileExistsError:
                if _read_key(file) is None:  # unusable (wrong owner, mode or size)
                    os.replace(temp, file)
        finally:
            if os.path.lexists(temp):
                os.unlink(temp)
    except OSError:
        return None
    return _read_key(file)


def _read_key(file: Path) -> bytes | None:
    """The key, when it is a regular file of this user that nobody else may read."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & 0o077
            or info.st_size != _KEY_SIZE
        ):
            return None
        data = os.read(fd, _KEY_SIZE + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == _KEY_SIZE else None


def _mac(key: bytes, name: str, body: bytes) -> bytes:
    return hmac.new(key, name.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()


def read_signed(file: Path) -> Any:
    """The document of a cache file this machine signed; None when there is none, it
    cannot be read, or its signature does not verify."""
    key = machine_key()
    if key is None:
        return None
    try:
        raw = read_regular(file, MAX_CACHE_SIZE, follow=False)
    except OSError:
        return None
    start = len(_MAC_HEAD) + 64
    if not (raw.startswith(_MAC_HEAD) and raw[start:].startswith(_MAC_TAIL)):
        return None
    body = raw[start + len(_MAC_TAIL) : -1]
    if not raw.endswith(b"}") or not hmac.compare_digest(
        raw[len(_MAC_HEAD) : start], _mac(key, file.name, body)
    ):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def write_signed(directory: Path, name: str, document: Any) -> None:
    """Write `document` to the cache file `name`, signed, in the cache folder `directory`
    (made ready first). An OSError or CacheDirError when it cannot be written; nothing is
    written when there is no key."""
    key = machine_key()
    if key is None:
        return
    prepare(directory)
    body = json.dumps(document, separators=(",", ":"))
    mac = _mac(key, name, body.encode()).decode()
    write_text(directory / name, f'{{"mac":"{mac}","body":{body}}}', owned=True)


# ------------------------------------------------------------------ the scan cache


class ScanCache:
    """The cached results of one project and configuration."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.file = directory / f"scan-{key}.json"
        self._entries: dict[str, Any] = {}
        self._dirty = False
        # Every file this scan reads is read after this moment (see RACY_NS).
        self._started = time.time_ns()
        self._usable = usable(directory)
        if self._usable:
            self._load()

    @classmethod
    def for_settings(cls, settings: Settings, directory: Path | None = None) -> ScanCache:
        return cls(directory or settings.root / CACHE_DIR, settings_key(settings))

    def _load(self) -> None:
        document = read_signed(self.file)
        if isinstance(document, dict) and document.get("format") == FORMAT:
            files = document.get("files")
            if isinstance(files, dict):
                self._entries = files

    def lookup(self, path: str) -> tuple[FileResult | None, str | None]:
        """The cached result when the file's stat is unchanged (and was not racy); else
        None and the content hash it had (so that an unchanged content is not parsed
        again)."""
        key = os.path.abspath(path)
        entry = self._entries.get(key)
        if entry is None:
            return None, None
        result = self._result(path, entry)
        if result is None:
            del self._entries[key]  # of the wrong shape: not trusted at all
            self._dirty = True
            return None, None
        try:
            info = os.stat(path)
        except OSError:
            return None, None
        if _stat_of(info) == entry["stat"] and entry["stat"][2] < entry["checked_ns"] - RACY_NS:
            return result, result.digest
        return None, result.digest

    def reuse(self, path: str, fresh: FileResult) -> FileResult | None:
        """For a file whose content hash matched: the cached result, under the new stat."""
        key = os.path.abspath(path)
        entry = self._entries.get(key)
        result = self._result(path, entry)
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
        self._entries[os.path.abspath(result.path)] = {
            "digest": result.digest,
            "stat": seen,
            "checked_ns": self._started,
            "result": _encode(result),
        }
        self._dirty = True

    @staticmethod
    def _stat_after(path: str, result: FileResult) -> list[int] | None:
        """The file's stat now, when it still has the size and mtime it was read with."""
        try:
            seen = _stat_of(os.stat(path))
        except OSError:
            return None
        return seen if seen[:2] == [result.size, result.mtime_ns] else None

    def save(self) -> None:
        """Write the cache atomically, if anything changed."""
        if not self._dirty or not self._usable:
            return
        document = {"format": FORMAT, "version": __version__, "files": self._entries}
        try:
            write_signed(self.directory, self.file.name, document)
        except (OSError, CacheDirError):
            return  # a read-only tree scans fine without a cache
        self._dirty = False

    def _result(self, path: str, entry: Any) -> FileResult | None:
        try:
            return _decode(path, entry)
        except (KeyError, TypeError, ValueError):
            return None


def _stat_of(info: os.stat_result) -> list[int]:
    """What tells a file's content changed without reading it: size, mtime, ctime (which
    no tool can set back) and inode (an editor that writes a new file and renames it)."""
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


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
    return tuple((_str(k), _str(v)) for k, v in (_list(p, 2) for p in _list(value)))


def _code(value: Any) -> str:
    if value not in RULE_CODES:
        raise ValueError("not a rule code")
    return _str(value)


_FIELD_DECODERS = {
    "str": _str,
    "int": _int,
    "bool": _bool,
    "RuleCode": _code,
    "tuple[tuple[str, str], ...]": _pairs,
}


def _decode_finding(path: str, stored_path: str, row: Any) -> Finding:
    values: dict[str, Any] = {}
    for name, value in zip(_FINDING_FIELDS, _list(row, len(_FINDING_FIELDS)), strict=True):
        decoder = _FIELD_DECODERS.get(_FINDING_TYPES[name])
        if decoder is None:
            raise TypeError(f"no decoder for the field {name}")
        values[name] = decoder(value)
    if values["path"] != stored_path:
        raise ValueError("a finding of another file")
    values["path"] = path
    return Finding(**values)


def _decode_diagnostic(path: str, stored_path: str, row: Any) -> Diagnostic:
    where, kind, message, line = _list(row, 4)
    if kind not in _DIAGNOSTIC_KINDS:
        raise ValueError("not a diagnostic kind")
    where = _str(where)
    return Diagnostic(path if where == stored_path else where, kind, _str(message), _int(line))


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


def _decode(path: str, entry: Any) -> FileResult:
    if type(entry) is not dict:
        raise TypeError("not an entry")
    raw = entry["result"]
    if type(raw) is not dict or type(raw["compliant"]) is not dict:
        raise TypeError("not a result")
    size, mtime_ns, *_ = (_int(v) for v in _list(entry["stat"], 4))
    _int(entry["checked_ns"])
    stored_path = _str(raw["path"])
    suppressions: dict[int, frozenset[str] | None] = {}
    for line, selectors in (_list(item, 2) for item in _list(raw["suppressions"])):
        chosen = None if selectors is None else frozenset(map(_str, _list(selectors)))
        suppressions[_int(line)] = chosen
    digest = _str(entry["digest"])
    if not digest:
        raise ValueError("no digest")
    return FileResult(
        path,
        findings=[_decode_finding(path, stored_path, row) for row in _list(raw["findings"])],
        compliant={_str(k): _int(v) for k, v in raw["compliant"].items()},
        diagnostics=[
            _decode_diagnostic(path, stored_path, row) for row in _list(raw["diagnostics"])
        ],
        parsed=_bool(raw["parsed"]),
        digest=digest,
        size=size,
        mtime_ns=mtime_ns,
        suppressions=suppressions,
        shapes=[_decode_shape(path, row) for row in _list(raw["shapes"])],
    )
