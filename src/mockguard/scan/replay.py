"""A warm rescan that would change nothing, answered from what the last one printed.

When `mockguard scan --summary` (text, written to a pipe or a file) served every file from
the cache, it records what it printed and its exit status beside the cache, in
`warm-<hash>.record`, signed with the cache's key, with the stat of everything that outcome
was decided from:

- each file scanned, each folder listed by the walk, each `.gitignore` looked for, and each
  file a cached result was decided from (conftest.py files, in-house factories);
- the config file, and in every folder from the working folder and the paths scanned up to
  `/`, the files that could change the settings or the walk (the configs, pytest's configs,
  `.gitignore`, `.git`), there or not; of those folders themselves, only what they are
  (inode and mode: the same folder, as searchable as it was), since other entries come and
  go in them (`/tmp`, a home folder) without changing anything here.

A folder's stat changes when an entry is added, removed or renamed in it, and a file's when
its content changes, so the same stats mean the same files to scan, with the same results.
The next identical command (same arguments, working folder, environment and version) stats
them all again, before it imports the scanner, and when every one is as recorded prints the
recorded output (with its own elapsed time) and exits with the recorded status. Any
difference, or a record that does not verify, and the scan runs as always. As with the
cache, what changed less than RACY_NS before the record was made could change again
unseen: then nothing is recorded. A scan that met a symbolic link is not recorded either (a
link's target can change without any of these stats changing).

This module imports only small parts of the standard library: it runs first, on every
command (see :mod:`mockguard.launch`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import sys
import time
from collections.abc import Iterable

from mockguard import __version__
from mockguard.scan.signing import key_path, mac, read_key

FORMAT = 1
PREFIX, SUFFIX = "warm-", ".record"
CACHE_FOLDER = ".mockguard_cache"  # the default cache folder (mockguard.scan.cachedir)
MAX_RECORD_SIZE = 64 * 1024 * 1024
# As in mockguard.scan.cache: a change this close to the record could be followed by
# another one that leaves the stat as it was.
RACY_NS = 2_000_000_000
# The files, in each folder above what is scanned, whose appearance or content can change
# the settings or the walk (mockguard.config, mockguard.scan.ignore).
WATCHED = (
    ".git",
    ".gitignore",
    ".pytest.ini",
    ".pytest.toml",
    "mockguard.toml",
    "pyproject.toml",
    "pytest.ini",
    "pytest.toml",
    "setup.cfg",
    "tox.ini",
)
# What in the environment can change the output (Rich's own, for the tables it draws).
ENVIRONMENT = (
    "CLICOLOR_FORCE",
    "COLORTERM",
    "COLUMNS",
    "FORCE_COLOR",
    "HOME",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "LINES",
    "MOCKGUARD_DEBUG",
    "NO_COLOR",
    "PYTHONIOENCODING",
    "TERM",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "XDG_CACHE_HOME",
)
_EXIT_ERROR, _EXIT_BROKEN_PIPE = 2, 141
_MARK = " in "
# A record is its signature (as :func:`mockguard.scan.signing.mac` makes it, 64 hex
# digits), a newline, then its fields separated by NUL characters (which no path and no
# printed text holds): the tag, the digest of the context, the exit status, the output
# before and after the elapsed time, the number of notes and the notes, the number of
# files present and for each its path and stat, the number of folders above and for each
# its path, inode and mode, then the paths of the files absent.
_TAG = f"mockguard-warm-{FORMAT}"
_SEP = "\0"
_STAT_FIELDS = 4


def context(args: list[str]) -> str:
    """What must be the same for a record to answer a command, as text: the command line,
    the working folder, the environment, the streams and the version of everything."""
    facts = [
        FORMAT,
        __version__,
        os.path.dirname(os.path.abspath(__file__)),
        sys.version,
        os.getuid(),
        os.getcwd(),
        list(args),
        [os.environ.get(name) for name in ENVIRONMENT],
        [getattr(sys.stdout, "encoding", None), getattr(sys.stdout, "errors", None)],
        [getattr(sys.stderr, "encoding", None), getattr(sys.stderr, "errors", None)],
    ]
    return repr(facts)


def _digest(facts: str) -> str:
    return hashlib.sha256(facts.encode("utf-8", "surrogatepass")).hexdigest()


def record_name(facts: str) -> str:
    """The file name of the record of a command's :func:`context`."""
    return f"{PREFIX}{_digest(facts)[:16]}{SUFFIX}"


def stat_of(path: str) -> list[int] | None:
    """What tells that a file or folder changed, as the cache takes it: size, mtime, ctime
    (which no tool can set back) and inode; None when there is nothing there. Any other
    error is raised."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def identity_of(path: str) -> list[int]:
    """What a folder is: its inode and its mode (type and permissions). Errors are raised."""
    info = os.stat(path)
    return [info.st_ino, info.st_mode]


def above(starts: Iterable[str]) -> list[str]:
    """Every folder from each of `starts` up to `/`, as given and with links resolved."""
    folders: dict[str, None] = {}
    for start in starts:
        for top in (os.path.abspath(start), os.path.realpath(start)):
            folder = top if os.path.isdir(top) else os.path.dirname(top)
            while folder not in folders:
                folders[folder] = None
                parent = os.path.dirname(folder)
                if parent == folder:
                    break
                folder = parent
    return list(folders)


def watched(folders: Iterable[str]) -> list[str]:
    """The files in `folders` that can change the settings or the walk."""
    return [os.path.join(folder, name) for folder in folders for name in WATCHED]


# ------------------------------------------------------------------ replaying


def replay(args: list[str]) -> int | None:
    """Answer the command `args` from its record, when it has one and nothing it was
    decided from changed: the recorded output is printed and its exit status returned.
    None, having printed nothing, in every other case."""
    started = time.perf_counter()
    if os.name != "posix" or args[:1] != ["scan"] or "--summary" not in args:
        return None  # only such scans are recorded
    try:
        if os.isatty(1) or os.isatty(2):
            return None
        fields = _record_for(args)
        if fields is None:
            return None
        status, head, tail, notes, stats, folders, absent = _parse(fields)
        for at in range(0, len(stats), _STAT_FIELDS + 1):
            if stat_of(stats[at]) != [int(n) for n in stats[at + 1 : at + _STAT_FIELDS + 1]]:
                return None
        for at in range(0, len(folders), 3):
            if identity_of(folders[at]) != [int(folders[at + 1]), int(folders[at + 2])]:
                return None
        for path in absent:
            if os.access(path, os.F_OK):  # no exception raised per missing file
                return None
        text = f"{head}{time.perf_counter() - started:.2f}{tail}"
        out = text.encode(sys.stdout.encoding, sys.stdout.errors or "strict")
        err = "".join(f"{note}\n" for note in notes)
        err_bytes = err.encode(sys.stderr.encoding, sys.stderr.errors or "strict")
    except (OSError, ValueError, TypeError, LookupError, AttributeError):
        return None
    return _print(out, err_bytes, status)


def _parse(
    fields: list[str],
) -> tuple[int, str, str, list[str], list[str], list[str], list[str]]:
    """A record's fields after the context: exit status, output, notes, stats, folders
    above, absences. A ValueError when they are not of that shape."""
    status, head, tail = int(fields[0]), fields[1], fields[2]
    count = int(fields[3])
    notes = fields[4 : 4 + count]
    at = 4 + count
    present = int(fields[at]) * (_STAT_FIELDS + 1)
    stats = fields[at + 1 : at + 1 + present]
    at += 1 + present
    kept = int(fields[at]) * 3
    folders = fields[at + 1 : at + 1 + kept]
    absent = fields[at + 1 + kept :]
    if len(notes) != count or len(stats) != present or len(folders) != kept:
        raise ValueError("not a record")
    return status, head, tail, notes, stats, folders, absent


def _record_for(args: list[str]) -> list[str] | None:
    """The fields of the verified record of the command `args` (after its tag and
    context), from the cache folder of the working folder or of a folder above it; None
    when there is none."""
    try:
        key = read_key(key_path())
    except (KeyError, RuntimeError):
        return None
    if key is None:
        return None
    facts = context(args)
    name = record_name(facts)
    folder = os.path.realpath(os.getcwd())
    while True:
        raw = _read(os.path.join(folder, CACHE_FOLDER), name)
        if raw is not None:
            body = raw[65:]
            if raw[64:65] != b"\n" or not hmac.compare_digest(raw[:64], mac(key, name, body)):
                return None
            fields = body.decode("utf-8").split(_SEP)
            if fields[:2] != [_TAG, _digest(facts)]:
                return None
            return fields[2:]
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _read(folder: str, name: str) -> bytes | None:
    """The bytes of the regular file `name` in the real (not linked) folder `folder`."""
    try:
        if not os.path.isdir(folder) or os.path.islink(folder):
            return None
        fd = os.open(
            os.path.join(folder, name),
            os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY,
        )
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RECORD_SIZE:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _print(out: bytes, err: bytes, status: int) -> int:
    """Write the recorded output as the scan writes it: standard output first (its errors
    are the command's), then the notes on standard error."""
    try:
        _write_all(1, out)
    except OSError as exc:
        if exc.errno == 32:  # EPIPE: the reader has all it wanted, as with `| head`
            return _EXIT_BROKEN_PIPE
        message = f"mockguard: error: cannot write the output: {exc.strerror or exc}\n"
        _write_quietly(message.encode(sys.stderr.encoding, sys.stderr.errors or "strict"))
        return _EXIT_ERROR
    _write_quietly(err)
    return status


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_quietly(data: bytes) -> None:
    try:
        _write_all(2, data)
    except OSError:
        pass


# ------------------------------------------------------------------ recording


def split_elapsed(text: str, elapsed: float) -> tuple[str, str] | None:
    """`text` around the elapsed time it states once (`... in 0.13s.`), or None."""
    mark = f"{_MARK}{elapsed:.2f}s."
    if text.count(mark) != 1:
        return None
    at = text.index(mark) + len(_MARK)
    return text[:at], text[at + len(f"{elapsed:.2f}") :]


def record_text(
    key: bytes,
    args: list[str],
    tops: Iterable[str],
    inputs: Iterable[str],
    stdout: tuple[str, str],
    notes: list[str],
    status: int,
) -> tuple[str, str] | None:
    """The name and signed text of the record of a command that scanned `tops` and whose
    outcome was decided from `inputs` (and the folders above the working folder and
    `tops`, see :func:`watched`); None when something changed too recently to be trusted,
    cannot be looked at, or cannot be kept in a record."""
    now = time.time_ns()
    seen: dict[str, list[int] | None] = {}
    folders = above([os.getcwd(), *tops])
    try:
        for path in [*inputs, *watched(folders)]:
            if path not in seen:
                seen[path] = stat_of(path)
        identities = {folder: identity_of(folder) for folder in folders}
    except OSError:
        return None
    present = {path: info for path, info in seen.items() if info is not None}
    if any(max(info[1], info[2]) >= now - RACY_NS for info in present.values()):
        return None
    facts = context(args)
    fields = [_TAG, _digest(facts), str(status), *stdout, str(len(notes)), *notes]
    fields.append(str(len(present)))
    for path, info in present.items():
        fields += [path, *map(str, info)]
    fields.append(str(len(identities)))
    for folder, identity in identities.items():
        fields += [folder, *map(str, identity)]
    fields += [path for path, info in seen.items() if info is None]
    if any(_SEP in field for field in fields):
        return None
    name = record_name(facts)
    body = _SEP.join(fields)
    try:
        data = body.encode("utf-8")
    except UnicodeEncodeError:  # a name that is not UTF-8
        return None
    return name, f"{mac(key, name, data).decode()}\n{body}"
