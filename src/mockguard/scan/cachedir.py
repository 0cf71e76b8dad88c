"""The cache folder and the files in it that mockguard trusts.

The folder is marked as mockguard's (a `CACHEDIR.TAG` and mockguard's own `mockguard.tag`);
mockguard writes and deletes only in a folder so marked, never through a symbolic link, and
`cache clear` deletes only the files it wrote there. Locks of writers live in it too.

Nothing in it is trusted that this machine did not write: each cache file is signed with a
key kept outside the repository (:func:`machine_key`), and a file whose signature does not
verify (planted, copied from elsewhere, edited) reads as absent. The scan cache
(:mod:`mockguard.scan.cache`) and `history`'s blob counts are such files. The scan cache's
side file of findings is not signed itself: the signed file holds the hash of each part of
it that is used.
"""

from __future__ import annotations

import json
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

from mockguard.io import read_regular, write_text
from mockguard.scan.signing import KEY_SIZE, key_path, read_key, signed, verified_body

CACHE_DIR = ".mockguard_cache"

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

MAX_CACHE_SIZE = 1024 * 1024 * 1024


class CacheDirError(Exception):
    """A cache folder mockguard will not write in or delete, with a one-line message."""


# ------------------------------------------------------------------ the cache folder


def _own_file(name: str) -> bool:
    """A name mockguard writes in its cache folder."""
    return (
        name in (TAG_FILE, MARKER_FILE, ".gitignore")
        or (name.startswith(("scan-", "history-")) and name.endswith(".json"))
        or (name.startswith("scan-") and name.endswith(".findings"))
        or (name.startswith("warm-") and name.endswith(".record"))
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
    return Path(key_path())


def machine_key() -> bytes | None:
    """The secret that signs this user's cache files, made (0600, random) when there is
    none; None when it can be neither read nor made (then nothing is cached)."""
    try:
        return _key_at(key_file())
    except (RuntimeError, KeyError):  # no home folder to keep it in
        return None


@lru_cache(maxsize=4)
def _key_at(file: Path) -> bytes | None:
    key = read_key(file)
    if key is not None:
        return key
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        import tempfile  # only when the key is made

        fd, temp = tempfile.mkstemp(prefix=".key.", suffix=".tmp", dir=file.parent)
        try:
            os.write(fd, os.urandom(KEY_SIZE))
            os.fsync(fd)
            os.close(fd)
            try:
                os.link(temp, file)  # never replaces a key another process just made
            except FileExistsError:
                if read_key(file) is None:  # unusable (wrong owner, mode or size)
                    os.replace(temp, file)
        finally:
            if os.path.lexists(temp):
                os.unlink(temp)
    except OSError:
        return None
    return read_key(file)


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
    body = verified_body(key, file.name, raw)
    if body is None:
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
    write_text(directory / name, signed(key, name, body), owned=True)
