"""Safe reads and writes: size-capped reads of regular files, atomic replacement of a file,
and a lock that makes writers take turns.

Every file mockguard writes (baseline, cache, reports, rewritten sources) goes through
:func:`write_text`, so a reader sees the old file or the new one, never half of one. Files
mockguard owns (its cache, locks and baseline) are never reached through a symbolic link:
a repository could commit one to send a write outside itself.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)

# The locks this process holds, by file descriptor: a forked child (a pool worker) closes
# its copies at once, so that a worker outliving a killed parent never holds a lock.
_HELD_LOCKS: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def read_regular(path: Path, limit: int, *, follow: bool = True) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    A FIFO, a device or a folder is an OSError (it is never read, so a FIFO cannot block
    and `/dev/urandom` cannot fill memory), and so is a file over `limit` bytes. With
    `follow=False` a symbolic link at `path` is an OSError too."""
    flags = os.O_RDONLY | _NONBLOCK | _NOCTTY | _CLOEXEC | (0 if follow else _NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise OSError(errno.ELOOP, "is a symbolic link (not followed)", str(path)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_text(path: Path, text: str, encoding: str = "utf-8", *, owned: bool = False) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a
    half-written one.

    A regular file (or none) is replaced atomically: a temp file in the same folder, fsynced
    and renamed over it; an existing file keeps its permission bits. A symbolic link is
    replaced the same way, never written through: a repository can commit one where CI
    writes its report. A FIFO or a character device is written through, as a shell
    redirection writes it (never replaced by a regular file); a block device or a socket is
    an OSError.

    `owned=True` is for mockguard's own files (cache, lock, baseline): anything there but a
    regular file (a symbolic link, a FIFO, a device) is an OSError."""
    data = text.encode(encoding)
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    mode = None if info is None else info.st_mode
    if mode is None or stat.S_ISREG(mode) or (stat.S_ISLNK(mode) and not owned):
        keep = stat.S_IMODE(mode) if mode is not None and stat.S_ISREG(mode) else None
        _replace(path, data, keep)
    elif stat.S_ISLNK(mode):
        raise OSError(errno.ELOOP, "is a symbolic link (not followed)", str(path))
    elif stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    elif not owned and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        _write_through(path, data)
    else:
        raise OSError(errno.EINVAL, "not a regular file", str(path))


def _write_through(path: Path, data: bytes) -> None:
    """Write to a FIFO or a device the way `>` does: open it for writing, never create."""
    fd = os.open(path, os.O_WRONLY | _NOCTTY | _CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _replace(path: Path, data: bytes, mode: int | None) -> None:
    temp = stage(path, data, mode)
    try:
        # A rename replaces the final component itself: a link planted there meanwhile is
        # replaced, never followed.
        os.replace(temp, path)
    except BaseException:
        discard([temp])
        raise
    sweep_leftovers(path)


def sweep_leftovers(path: Path) -> None:
    """Remove the temp files of `path` that a writer killed between staging and renaming
    left behind (`kill -9` runs no clean-up): those named as :func:`stage` names them and
    last changed before this process started. A live writer's temp file is newer."""
    import re

    from mockguard import STARTED

    folder = path.parent if str(path.parent) else Path(".")
    ours = re.compile(rf"\.{re.escape(path.name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not ours.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < STARTED:
                os.unlink(entry.path)
        except OSError:
            pass


def stage(path: Path, data: bytes, mode: int | None = None) -> str:
    """`data` in a synced temp file next to `path`, with permission bits `mode` (else the
    umask's default); returns its name, for the caller to rename over `path` (atomic) or to
    `discard`. Writers of several files stage them all before replacing any."""
    import tempfile  # writers only: a scan that writes nothing does not load it

    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temp, mode)
    except BaseException:
        discard([temp])
        raise
    return temp


def discard(temps: Iterable[str]) -> None:
    """Remove staged temp files that will not be put in place."""
    for temp in temps:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass


class LockedError(Exception):
    """The lock cannot be had: another mockguard holds it, or its file is not a regular
    file that can be opened (a symbolic link is never followed). One line."""


@contextmanager
def exclusive(target: Path, *, lock: Path | None = None) -> Iterator[None]:
    """Hold a lock on writing `target` for the duration; raise LockedError at once when
    another process holds it. Readers (scans) never wait for it.

    The lock file is `lock` (mockguard's cache folder holds them), else `.<name>.lock`
    next to `target`. It is opened without following a symbolic link, never inherited by
    a program run or a process forked meanwhile, and removed when the lock is released."""
    path = lock if lock is not None else target.parent / f".{target.name}.lock"
    if os.name != "posix":  # pragma: no cover - no advisory locks on this platform
        yield
        return
    fd = _acquire(path, target)
    _HELD_LOCKS.add(fd)
    try:
        yield
    finally:
        _HELD_LOCKS.discard(fd)
        try:
            os.unlink(path)  # before the unlock: a waiter then sees another file, and retries
        except OSError:
            pass
        os.close(fd)


def _acquire(path: Path, target: Path) -> int:
    """An open, locked file descriptor of the lock file at `path`."""
    import fcntl

    for _ in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC | _NONBLOCK, 0o600)
        except OSError as exc:
            reason = "is a symbolic link (not followed)" if exc.errno == errno.ELOOP else None
            raise LockedError(
                f"cannot lock {target}: {path} {reason or f'cannot be opened: {exc.strerror}'}"
            ) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise LockedError(f"cannot lock {target}: {path} is not a regular file")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockedError(
                    f"another mockguard is writing {target} (lock {path}); try again"
                ) from None
            except OSError as exc:
                raise LockedError(f"cannot lock {target}: {path}: {exc.strerror}") from None
            # The holder before us removes the file as it lets go: hold the file that is
            # there now, not the one it removed.
            if _same_file(path, os.fstat(fd)):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise LockedError(f"another mockguard is writing {target} (lock {path}); try again")


def _same_file(path: Path, opened: os.stat_result) -> bool:
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return False
    return (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino)
