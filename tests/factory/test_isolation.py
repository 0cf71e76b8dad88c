"""Isolation under concurrency: many mocks over threads and asyncio tasks.

Sizes are chosen so that each test stays well under two seconds on a slow two-core machine:
making a strict mock is cheap, but the first call of an async member builds a
`unittest.mock.AsyncMock`, which is not; so not every mock sends.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import pytest

from mockguard.factory import (
    LIFECYCLE_EVENTS,
    ContaminationError,
    MockFactory,
    SSotMockFactory,
    UserExecutionContext,
)

from .helpers import lifecycle_payloads

THREADS = 8
PER_THREAD = 500
TASKS = 2000


@pytest.fixture
def factory() -> MockFactory:
    return MockFactory()


def owner(double: Any) -> str:
    found = re.search(r"user=(\S+)", repr(double))
    assert found, repr(double)
    return found.group(1)


class Preferences(Protocol):
    options: dict[str, Any]
    history: list[str]

    def snapshot(self) -> dict[str, Any]: ...


# ------------------------------------------------------------------------ threads


def test_threads_get_unique_users_connections_and_events(factory: MockFactory) -> None:
    barrier = threading.Barrier(THREADS)

    def work(thread: int) -> list[tuple[str, Any, bool]]:
        barrier.wait()  # start together to maximise interleaving
        made = []
        for index in range(PER_THREAD):
            context = UserExecutionContext()
            ws = factory.create("websocket", context, send_json=None)
            made.append((context.user_id, ws, index % 10 == 0))

        async def send() -> None:  # the first await of a member is what costs: not all send
            for index, (_, ws, sends) in enumerate(made):
                if sends:
                    await ws.send_json({"type": "agent_started", "thread": thread, "i": index})

        asyncio.run(send())
        return made

    with ThreadPoolExecutor(THREADS) as pool:
        made = [item for chunk in pool.map(work, range(THREADS)) for item in chunk]
    results = [(user_id, ws) for user_id, ws, _ in made]

    assert len(results) == THREADS * PER_THREAD
    users = [user_id for user_id, _ in results]
    assert len(set(users)) == len(users)
    assert len({id(ws) for _, ws in results}) == len(results)
    assert all(owner(ws) == user_id for user_id, ws in results)

    events = factory.events.events()
    senders = [(user_id, ws) for user_id, ws, sends in made if sends]
    assert len(events) == len(senders) == THREADS * PER_THREAD // 10
    assert sorted(e.seq for e in events) == list(range(1, len(events) + 1))
    assert len({e.connection_id for e in events}) == len(events)
    for user_id, ws in senders:
        [event] = factory.sent(ws)
        assert event.user_id == user_id
    assert Counter(e.payload["thread"] for e in events) == dict.fromkeys(
        range(THREADS), PER_THREAD // 10
    )


def test_threads_share_no_mutable_defaults(factory: MockFactory) -> None:
    factory.register(
        "preferences",
        Preferences,
        defaults={"options": {"theme": "dark", "tags": []}, "snapshot": {"saved": []}},
    )

    def work(thread: int) -> list[tuple[str, Any]]:
        made = []
        for index in range(PER_THREAD):
            prefs = factory.create("preferences")
            key = f"{thread}-{index}"
            prefs.options[key] = True
            prefs.options["tags"].append(key)
            prefs.history.append(key)
            if index % 10 == 0:  # a method member costs a unittest.mock object
                prefs.snapshot.return_value["saved"].append(key)
            made.append((key, prefs))
        return made

    with ThreadPoolExecutor(THREADS) as pool:
        results = [item for chunk in pool.map(work, range(THREADS)) for item in chunk]

    assert len(results) == THREADS * PER_THREAD
    for key, prefs in results:
        assert prefs.options == {"theme": "dark", "tags": [key], key: True}
        assert prefs.history == [key]
    for key, prefs in results[::10]:
        assert prefs.snapshot() == {"saved": [key]}
        prefs.snapshot()["saved"].append("changed by the code")  # a copy per call
        assert prefs.snapshot() == {"saved": [key]}
    assert factory.get_kind("preferences").defaults["options"] == {"theme": "dark", "tags": []}
    assert factory.create("preferences").options == {"theme": "dark", "tags": []}


def test_threads_record_each_event_once_with_the_right_user(factory: MockFactory) -> None:
    runs = 10
    contexts = [UserExecutionContext(user_id=f"user-{t}") for t in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def work(thread: int) -> Any:
        ws = factory.create("websocket", contexts[thread], send_json=None)

        async def session() -> None:
            for run in range(runs):
                for payload in lifecycle_payloads(run_id=f"run-{thread}-{run}"):
                    await ws.send_json(payload)

        barrier.wait()
        asyncio.run(session())
        return ws

    with ThreadPoolExecutor(THREADS) as pool:
        sockets = list(pool.map(work, range(THREADS)))

    events = factory.events.events()
    assert len(events) == THREADS * runs * len(LIFECYCLE_EVENTS)
    assert len({e.seq for e in events}) == len(events)
    for thread, ws in enumerate(sockets):
        mine = factory.sent(ws)
        assert len(mine) == runs * len(LIFECYCLE_EVENTS)
        assert {e.user_id for e in mine} == {f"user-{thread}"}
        assert [e.seq for e in mine] == sorted(e.seq for e in mine)
        factory.assert_events(user_id=f"user-{thread}")
        for run in range(runs):
            factory.assert_events(run_id=f"run-{thread}-{run}")
        assert ws.send_json.await_count == runs * len(LIFECYCLE_EVENTS)


def test_contamination_is_detected_under_thread_concurrency(factory: MockFactory) -> None:
    barrier = threading.Barrier(THREADS)
    per_thread = 25

    def work(thread: int) -> tuple[int, int]:
        context = UserExecutionContext(user_id=f"user-{thread}")
        ws = factory.create("websocket", context, send_json=None)
        caught = 0

        async def session() -> None:
            nonlocal caught
            for index in range(per_thread):
                # every fifth message of odd threads is stamped with the next thread's user
                wrong = thread % 2 == 1 and index % 5 == 0
                stamp = f"user-{(thread + 1) % THREADS}" if wrong else f"user-{thread}"
                try:
                    await ws.send_json({"type": "agent_thinking", "user_id": stamp})
                except ContaminationError:
                    caught += 1

        barrier.wait()
        asyncio.run(session())
        return thread, caught

    with ThreadPoolExecutor(THREADS) as pool:
        caught = dict(pool.map(work, range(THREADS)))

    assert caught == {t: (per_thread // 5 if t % 2 else 0) for t in range(THREADS)}
    events = factory.events.events()
    assert len(events) == THREADS * per_thread - sum(caught.values())
    assert all(e.payload["user_id"] == e.user_id for e in events)


def test_facade_doubles_made_in_threads_belong_to_distinct_users() -> None:
    def work(thread: int) -> list[Any]:
        return [
            SSotMockFactory.create_websocket_mock(f"conn-iso-{thread}-{i}", f"u-{thread}-{i}")
            for i in range(100)
        ] + [
            SSotMockFactory.create_agent_mock(user_context=UserExecutionContext())
            for _ in range(100)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        doubles = [d for chunk in pool.map(work, range(THREADS)) for d in chunk]
    users = [owner(d) for d in doubles]
    assert len(set(users)) == len(users) == THREADS * 200


# ------------------------------------------------------------------ asyncio tasks


@pytest.mark.asyncio
async def test_asyncio_tasks_get_unique_users_and_connections(factory: MockFactory) -> None:
    async def task(index: int) -> tuple[str, Any, Any]:
        context = UserExecutionContext()
        ws = factory.create("websocket", context, send_json=None)
        agent = factory.create("agent", context, run=f"answer-{index}")
        await asyncio.sleep(0)  # let the other tasks run in between
        if index % 10 == 0:  # the first await of a member is what costs
            await ws.send_json({"type": "agent_started", "i": index})
            assert await agent.run(None, "q") == f"answer-{index}"
        return context.user_id, ws, agent

    results = await asyncio.gather(*(task(i) for i in range(TASKS)))

    users = [user_id for user_id, _, _ in results]
    assert len(set(users)) == TASKS
    assert all(owner(ws) == owner(agent) == user_id for user_id, ws, agent in results)
    events = factory.events.events()
    assert len(events) == TASKS // 10
    assert len({e.connection_id for e in events}) == len(events)
    assert Counter(e.payload["i"] for e in events) == dict.fromkeys(range(0, TASKS, 10), 1)
    by_index = {e.payload["i"]: e for e in events}
    for index in range(0, TASKS, 10):
        user_id, ws, _ = results[index]
        assert factory.sent(ws) == [by_index[index]]
        assert by_index[index].user_id == user_id


@pytest.mark.asyncio
async def test_asyncio_tasks_record_each_event_once_with_the_right_user(
    factory: MockFactory,
) -> None:
    users = 100
    sockets = [
        factory.create("websocket", UserExecutionContext(user_id=f"user-{u}"), send_json=None)
        for u in range(users)
    ]

    async def task(index: int) -> None:
        ws = sockets[index % users]
        await asyncio.sleep(0)
        await ws.send_json({"type": "progress", "task": index, "user_id": f"user-{index % users}"})

    await asyncio.gather(*(task(i) for i in range(TASKS)))

    events = factory.events.events()
    assert len(events) == TASKS
    assert Counter(e.payload["task"] for e in events) == dict.fromkeys(range(TASKS), 1)
    for u, ws in enumerate(sockets):
        mine = factory.sent(ws)
        assert len(mine) == TASKS // users
        assert {e.user_id for e in mine} == {f"user-{u}"}
        assert {e.payload["task"] % users for e in mine} == {u}


@pytest.mark.asyncio
async def test_asyncio_tasks_mutating_defaults_share_nothing(factory: MockFactory) -> None:
    factory.register("preferences", Preferences, defaults={"options": {"seen": []}})

    async def task(index: int) -> Any:
        prefs = factory.create("preferences")
        await asyncio.sleep(0)
        prefs.options["seen"].append(index)
        await asyncio.sleep(0)
        return index, prefs

    results = await asyncio.gather(*(task(i) for i in range(TASKS)))
    assert all(prefs.options == {"seen": [index]} for index, prefs in results)


@pytest.mark.asyncio
async def test_contamination_is_detected_across_asyncio_tasks(factory: MockFactory) -> None:
    users = 50
    sockets = [
        factory.create("websocket", UserExecutionContext(user_id=f"user-{u}"), send_json=None)
        for u in range(users)
    ]

    async def task(index: int) -> bool:
        mine = index % users
        # one task in ten stamps its message with another user's id
        stamp = (mine + 1) % users if index % 10 == 0 else mine
        await asyncio.sleep(0)
        try:
            await sockets[mine].send_json({"type": "agent_thinking", "user_id": f"user-{stamp}"})
        except ContaminationError as error:
            assert f"user-{stamp}" in str(error)
            return True
        return False

    outcomes = await asyncio.gather(*(task(i) for i in range(TASKS)))
    assert sum(outcomes) == TASKS // 10
    assert [i for i, bad in enumerate(outcomes) if bad] == list(range(0, TASKS, 10))
    events = factory.events.events()
    assert len(events) == TASKS - TASKS // 10
    assert all(e.payload["user_id"] == e.user_id for e in events)
