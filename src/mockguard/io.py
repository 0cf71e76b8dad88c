"""Safe writes: atomic replacement of a file, and a lock that makes writers take turns.

Every file mockguard writes (baseline, cache, reports, rewritten sources) goes through
:func:`write_text`, so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Replace `path` with `text` so that readers see the old file or the new one, never a
    half-written one. An existing file keeps its permission bits."""
    folder = path.parent if str(path.parent) else Path(".")
    mode = None
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        pass
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


class LockedError(Exception):
    """Another mockguard holds the lock."""


@contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold `.<name>.lock` next to `target` for the duration; raise LockedError at once
    when another process holds it. Readers (scans) never wait for it."""
    lock = target.parent / f".{target.name}.lock"
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no advisory locks on this platform
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"another mockguard is writing {target} (lock {lock}); try again"
            ) from None
        yield
    finally:
        os.close(fd)
