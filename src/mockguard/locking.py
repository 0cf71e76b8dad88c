"""A lock for writers: two runs that write the same files take turns, or the loser stops."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
