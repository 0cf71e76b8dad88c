"""Time the mock factory against the `unittest.mock` code it replaces.

Run by hand (never from the test suite), from the repository root:

    .venv/bin/python benchmarks/bench_factory.py            # full: 9 rounds per side
    .venv/bin/python benchmarks/bench_factory.py --quick    # 3 shorter rounds per side

The two sides of each row are timed in alternation: round 1 times the factory then the
anchor, round 2 the anchor then the factory, and so on, so that a slow moment of a shared
machine falls on both sides alike. Each round is `timeit.Timer(fn).timeit(N)`, N chosen per
side so that one round takes about 0.2 s (0.1 s with `--quick`); the table shows per-call
medians over the rounds and their ratio (factory / anchor). As usual with `timeit`, the
garbage collector is off inside a round. The interface behind each kind is compiled on the
first `create` (and cached); that one-off cost is paid by a warm-up call outside the timed
rounds, and reported in a row of its own: the first use in a fresh interpreter (importing
the factory and Starlette, compiling the interface), against the first `create_autospec`.

Scenarios:

1. creating a strict websocket (`MockFactory().create("websocket")`, and the
   `SSotMockFactory.create_websocket_mock()` facade) vs a bare `MagicMock()`;
2. a realistic async use with equal work on both sides (create, accept, two `send_json`,
   close, then assert the awaits) vs the hand-rolled MagicMock + AsyncMock pattern;
3. creating strict websocket and database-session mocks vs `create_autospec(...,
   instance=True)` of the real Starlette / SQLAlchemy classes, and the realistic use against
   an autospec websocket;
4. first use in a fresh interpreter (reported, not judged).

Goals: creating costs at most half a bare `MagicMock()`, the realistic use at most half the
hand-rolled pattern, and creating is at least 50x faster than `create_autospec`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from unittest.mock import AsyncMock, MagicMock, create_autospec

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from mockguard.factory import MockFactory, SSotMockFactory

FULL_ROUNDS, QUICK_ROUNDS = 9, 3
FULL_ROUND_SECONDS, QUICK_ROUND_SECONDS = 0.2, 0.1

# The same messages on both sides of every comparison (no `user_id`: the factory would check
# it against the websocket's owner, which the hand-rolled mock cannot do).
STARTED = {"type": "agent_started", "agent_name": "supervisor", "run_id": "run-1"}
COMPLETED = {
    "type": "agent_completed",
    "run_id": "run-1",
    "data": {"answer": "42", "tools": ["search", "calculator"], "tokens": 128},
}


# ------------------------------------------------------------------------- scenarios


def handrolled_websocket() -> MagicMock:
    """The pattern the factory replaces."""
    ws = MagicMock()
    ws.accept = AsyncMock()
    ws.send_json = AsyncMock()
    ws.close = AsyncMock()
    ws.receive_json = AsyncMock()
    return ws


def autospec_websocket() -> Any:
    return create_autospec(WebSocket, instance=True)


def autospec_session() -> Any:
    return create_autospec(AsyncSession, instance=True)


async def use_websocket(make: Callable[[], Any]) -> None:
    """A handler's conversation with its websocket, then the test's assertions."""
    ws = make()
    await ws.accept()
    await ws.send_json(STARTED)
    await ws.send_json(COMPLETED)
    await ws.close()
    ws.accept.assert_awaited_once()
    ws.send_json.assert_awaited_with(COMPLETED)
    assert ws.send_json.await_count == 2
    ws.close.assert_awaited_once()


def on_loop(
    loop: asyncio.AbstractEventLoop, scenario: Callable[[], Coroutine[Any, Any, None]]
) -> Callable[[], None]:
    """A synchronous callable that runs one `scenario()` on `loop` (made once, reused)."""

    def run() -> None:
        loop.run_until_complete(scenario())

    return run


# ------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Timing:
    """Per-call times, in seconds, of the rounds of one callable."""

    number: int
    per_call: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.per_call)


def calls_per_round(timer: timeit.Timer, seconds: float) -> int:
    """N such that `timer.timeit(N)` takes about `seconds` (best of 3 trials, so that one
    slow moment on a shared machine does not shorten every round)."""
    number = 1
    while True:
        elapsed = min(timer.repeat(repeat=3, number=number))
        if elapsed >= seconds / 4:
            return max(1, round(number * seconds / elapsed))
        number *= 2 if elapsed > seconds / 40 else 10


def measure_pair(
    factory_fn: Callable[[], object],
    anchor_fn: Callable[[], object],
    *,
    rounds: int,
    seconds: float,
    factory_setup: Callable[[], object] = lambda: None,
    anchor_setup: Callable[[], object] = lambda: None,
) -> tuple[Timing, Timing]:
    """Per-call times of both sides of a row, their rounds interleaved (factory first in
    even rounds, anchor first in odd ones); `*_setup` runs before each round, untimed."""
    sides = []
    for fn, setup in ((factory_fn, factory_setup), (anchor_fn, anchor_setup)):
        fn()  # warm-up: imports, compiled interfaces, caches
        timer = timeit.Timer(fn, setup=setup)
        sides.append((timer, calls_per_round(timer, seconds), []))
    for index in range(rounds):
        order = sides if index % 2 == 0 else sides[::-1]
        for timer, number, totals in order:
            totals.append(timer.timeit(number) / number)
    (_, f_number, f_times), (_, a_number, a_times) = sides
    return Timing(f_number, tuple(f_times)), Timing(a_number, tuple(a_times))


FIRST_USE = """
import time
start = time.perf_counter()
{body}
print(time.perf_counter() - start)
"""
FACTORY_FIRST_USE = "from mockguard.factory import MockFactory\nMockFactory().create('websocket')"
AUTOSPEC_FIRST_USE = (
    "from unittest.mock import create_autospec\n"
    "from starlette.websockets import WebSocket\n"
    "create_autospec(WebSocket, instance=True)"
)


def first_use(body: str) -> float:
    """Seconds from nothing imported to the first double, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_USE.format(body=body)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(done.stdout.strip())


def measure_first_use(runs: int) -> tuple[Timing, Timing]:
    """The first use of each side, in `runs` fresh interpreters each, interleaved."""
    factory_times: list[float] = []
    anchor_times: list[float] = []
    for index in range(runs):
        pair = [(FACTORY_FIRST_USE, factory_times), (AUTOSPEC_FIRST_USE, anchor_times)]
        for body, times in pair if index % 2 == 0 else pair[::-1]:
            times.append(first_use(body))
    return Timing(1, tuple(factory_times)), Timing(1, tuple(anchor_times))


@dataclass(frozen=True)
class Row:
    scenario: str
    factory: Timing
    anchor: Timing
    anchor_name: str
    goal: float | None  # the highest passing ratio; None: reported, not judged

    @property
    def ratio(self) -> float:
        return self.factory.median / self.anchor.median

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return "info"
        return "PASS" if self.ratio <= self.goal else "FAIL"


def goal_text(goal: float | None) -> str:
    if goal is None:
        return "-"
    if goal < 0.1:
        return f"<= {goal:.2f}x ({1 / goal:.0f}x faster)"
    if goal < 1:
        return f"<= {goal:.1f}x"
    return f"<= {goal:.1f}x"


def print_table(rows: list[Row]) -> None:
    headers = ("scenario", "factory µs", "anchor µs", "ratio", "goal", "result")
    cells = [
        (
            f"{row.scenario} vs {row.anchor_name}",
            f"{row.factory.median * 1e6:,.1f}",
            f"{row.anchor.median * 1e6:,.1f}",
            f"{row.ratio:.3g}x",
            goal_text(row.goal),
            row.verdict,
        )
        for row in rows
    ]
    widths = [max(len(text) for text in column) for column in zip(headers, *cells, strict=True)]
    numeric = (False, True, True, True, False, False)

    def line(values: tuple[str, ...]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    print(line(headers))
    print("  ".join("-" * width for width in widths))
    for row in cells:
        print(line(row))


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_ROUNDS} rounds of ~{QUICK_ROUND_SECONDS} s per side "
        f"(default: {FULL_ROUNDS} rounds of ~{FULL_ROUND_SECONDS} s)",
    )
    args = parser.parse_args(argv)
    rounds = QUICK_ROUNDS if args.quick else FULL_ROUNDS
    seconds = QUICK_ROUND_SECONDS if args.quick else FULL_ROUND_SECONDS

    factory = MockFactory()
    loop = asyncio.new_event_loop()

    def pair(
        factory_fn: Callable[[], object],
        anchor_fn: Callable[[], object],
        factory_setup: Callable[[], object] = lambda: None,
    ) -> tuple[Timing, Timing]:
        return measure_pair(
            factory_fn, anchor_fn, rounds=rounds, seconds=seconds, factory_setup=factory_setup
        )

    def create_websocket() -> Any:
        return factory.create("websocket")

    def create_session() -> Any:
        return factory.create("database_session")

    async def factory_use() -> None:
        await use_websocket(create_websocket)

    async def handrolled_use() -> None:
        await use_websocket(handrolled_websocket)

    async def autospec_use() -> None:
        await use_websocket(autospec_websocket)

    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.platform()}, os.cpu_count()={os.cpu_count()}"
    )
    print(
        f"{'quick' if args.quick else 'full'} mode: {rounds} rounds of ~{seconds} s per side, "
        "sides interleaved, per-call medians, ratio = factory / anchor (lower is better)"
    )
    sys.stdout.flush()

    def forget() -> None:
        # The factory records what its websockets send: start each round with an empty log.
        factory.reset()

    try:
        f_websocket, a_magicmock = pair(create_websocket, MagicMock, forget)
        f_facade, a_magicmock2 = pair(SSotMockFactory.create_websocket_mock, MagicMock, forget)
        f_use, a_handrolled_use = pair(
            on_loop(loop, factory_use), on_loop(loop, handrolled_use), forget
        )
        f_websocket2, a_autospec_websocket = pair(create_websocket, autospec_websocket, forget)
        f_session, a_autospec_session = pair(create_session, autospec_session, forget)
        f_use2, a_autospec_use = pair(
            on_loop(loop, factory_use), on_loop(loop, autospec_use), forget
        )
    finally:
        loop.close()
    f_first, a_first = measure_first_use(max(3, rounds // 2))

    rows = [
        Row('create("websocket")', f_websocket, a_magicmock, "MagicMock()", 0.5),
        Row("create_websocket_mock()", f_facade, a_magicmock2, "MagicMock()", 0.5),
        Row("websocket use (async)", f_use, a_handrolled_use, "hand-rolled MagicMock", 0.5),
        Row('create("websocket")', f_websocket2, a_autospec_websocket, "autospec WebSocket", 0.02),
        Row(
            'create("database_session")',
            f_session,
            a_autospec_session,
            "autospec AsyncSession",
            0.02,
        ),
        Row("websocket use (async)", f_use2, a_autospec_use, "autospec WebSocket", None),
        Row("first use, fresh interpreter", f_first, a_first, "first autospec WebSocket", None),
    ]
    print()
    print_table(rows)
    print()
    numbers = ", ".join(
        f"{name} {timing.number}"
        for name, timing in (
            ("create", f_websocket),
            ("facade", f_facade),
            ("session", f_session),
            ("use", f_use),
            ("MagicMock", a_magicmock),
            ("hand-rolled use", a_handrolled_use),
            ("autospec ws", a_autospec_websocket),
            ("autospec session", a_autospec_session),
            ("autospec use", a_autospec_use),
        )
    )
    print(f"calls per round: {numbers}")
    failed = sum(row.verdict == "FAIL" for row in rows)
    print(f"{failed} of {sum(row.goal is not None for row in rows)} goals missed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
