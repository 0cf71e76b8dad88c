"""Lenient migration mode: the members tests use that the real interfaces lack.

The doubles of the factory a suite migrates from were `MagicMock`s: any attribute existed,
so tests read and set members the real classes never had. The facade's doubles are
*lenient*: they allow such members (as the old doubles did) but record each one, per kind.
At the end of the session the pytest plugin prints the list, a to-do list for the
migration; `mockguard_legacy_members = fail` makes the same uses errors.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

HOW = ("read", "set", "created")


@dataclass
class MemberUse:
    """How tests used one member the real interface lacks."""

    hows: set[str] = field(default_factory=set)
    tests: int = 0
    examples: list[str] = field(default_factory=list)


class MigrationLog:
    """Per kind (and the interface it follows), the foreign members tests used."""

    def __init__(self) -> None:
        self._uses: dict[tuple[str, str], dict[str, MemberUse]] = {}
        self._lock = threading.Lock()

    def record(self, kind: str, interface: str, member: str, how: str) -> None:
        """Note that a test used `member` (`how`: read, set, created) on a `kind` double."""
        with self._lock:
            use = self._uses.setdefault((kind, interface), {}).setdefault(member, MemberUse())
            use.hows.add(how)
            if not use.tests:
                use.tests = 1

    def merge(self, other: MigrationLog, test: str) -> None:
        """Add the uses of one test's log (each counts once for `test`)."""
        with self._lock:
            for key, members in other._uses.items():
                mine = self._uses.setdefault(key, {})
                for name, use in members.items():
                    kept = mine.setdefault(name, MemberUse())
                    kept.hows |= use.hows
                    kept.tests += 1
                    if len(kept.examples) < 3:
                        kept.examples.append(test)

    def clear(self) -> None:
        """Forget every use."""
        with self._lock:
            self._uses.clear()

    def __bool__(self) -> bool:
        return bool(self._uses)

    def __iter__(self) -> Iterator[tuple[str, str, dict[str, MemberUse]]]:
        with self._lock:
            items = sorted(self._uses.items())
        for (kind, interface), members in items:
            yield kind, interface, dict(sorted(members.items()))

    def lines(self) -> list[str]:
        """The to-do list, one kind per paragraph: `websocket (starlette...WebSocket)`, then
        `  connection_id: read in 12 tests (tests/test_ws.py::test_a, ...)`."""
        out: list[str] = []
        for kind, interface, members in self:
            out.append(f"{kind} ({interface}): {len(members)} member(s) the interface lacks")
            for name, use in members.items():
                hows = "/".join(h for h in HOW if h in use.hows)
                where = f" ({', '.join(use.examples)})" if use.examples else ""
                plural = "s" if use.tests != 1 else ""
                out.append(f"  {name}: {hows} in {use.tests} test{plural}{where}")
        return out
