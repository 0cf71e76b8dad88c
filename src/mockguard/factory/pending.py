"""Coroutines a factory double returned: one never awaited is a call that did nothing.

`ws.send_json(...)` without `await` records the call (so `assert_called_once()` passes) but
sends nothing. The factory keeps every coroutine its doubles return, and at the end of the
test (:meth:`PendingAwaits.unawaited`) the ones never started fail it.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

_PRUNE_AT = 512


class PendingAwaits:
    """The coroutines a factory's doubles returned, until they are awaited."""

    def __init__(self) -> None:
        self._items: list[tuple[Any, str]] = []
        self._lock = threading.Lock()
        self._limit = _PRUNE_AT

    def track(self, awaitable: Any, label: str) -> None:
        """Keep `awaitable` (returned by a call of `label`) until it is awaited."""
        items = self._items
        items.append((awaitable, label))
        if len(items) >= self._limit:
            with self._lock:
                self._items = [item for item in self._items if _never_started(item[0])]
                self._limit = max(_PRUNE_AT, 2 * len(self._items))

    def unawaited(self) -> list[str]:
        """The calls whose coroutine was never awaited (each closed now, so that Python
        does not warn about it again), and forget them all."""
        with self._lock:
            items, self._items = self._items, []
            self._limit = _PRUNE_AT
        found = []
        for awaitable, label in items:
            if _never_started(awaitable):
                awaitable.close()
                found.append(label)
        return found

    def clear(self) -> None:
        """Forget every coroutine (closing those never awaited, without reporting them)."""
        self.unawaited()


def _never_started(awaitable: Any) -> bool:
    return (
        inspect.iscoroutine(awaitable)
        and inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED
    )
