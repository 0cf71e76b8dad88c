"""What factory doubles send: recorded per connection and user, checked against contracts.

Every message sent through a factory websocket (or a manager's `send_to_user`, or a
bridge's lifecycle call) is checked before it is recorded: a mock object inside it, or a
value JSON cannot carry, raises :class:`MockLeakError` naming the path; a message stamped
with another user's id raises :class:`ContaminationError`. Text messages holding JSON are
parsed and checked like JSON ones.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from mockguard.factory.errors import ContaminationError, EventContractError, MockLeakError
from mockguard.factory.values import Unconfigured

LIFECYCLE_EVENTS: tuple[str, ...] = (
    "agent_started",
    "agent_thinking",
    "tool_executing",
    "tool_completed",
    "agent_completed",
)
STYLES = ("flat", "nested")
DEFAULT_USER_ID_PATHS: tuple[str, ...] = ("user_id", "userId", "data.", "payload.", "context.")
"""Where a message carries the id of the user it is for: a key at the top (`user_id`,
`userId`), and the same keys inside the containers that end with a dot (`data.`, ...). A
dotted path without the final dot names one place (`meta.owner`)."""
_JSON_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class Event:
    """One message a double sent.

    `payload` is what was sent; `message` is its content as a mapping when there is one
    (the payload itself, or the JSON object a text message holds). `source` tells apart
    doubles that share a connection id."""

    seq: int
    connection_id: str
    user_id: str | None
    method: str  # send_json, send_text, send_bytes, send, or the member that emitted it
    payload: Any
    source: str | None = None
    message: Mapping[str, Any] | None = None

    def _keys(self, style: str) -> tuple[str, str]:
        return ("type", "event") if style == "flat" else ("event", "type")

    def type_in(self, style: str) -> str | None:
        """The event's type: `type` (flat) or `event` (nested), whichever the message has;
        `style` says which is looked for first."""
        body = self.message
        if body is None:
            return None
        for key in self._keys(style):
            value = body.get(key)
            if isinstance(value, str):
                return value
        return None

    def data_in(self, style: str) -> Mapping[str, Any]:
        """The keys a contract checks: the message (flat), or its `data` (nested: a message
        whose type is under `event`, or any message with a `data` mapping in nested style)."""
        body = self.message
        if body is None:
            return {}
        data = body.get("data")
        if isinstance(data, Mapping) and (
            style == "nested" or (not isinstance(body.get("type"), str) and "event" in body)
        ):
            return data
        return body

    def run_id_in(self, style: str) -> Any:
        """The run the event belongs to: `run_id` in the data, else at the top."""
        found = self.data_in(style).get("run_id")
        if found is None and self.message is not None:
            found = self.message.get("run_id")
        return found


@dataclass(frozen=True)
class EventContract:
    """The events a run must send, in order, with the payload keys each must carry.

    With `per_run` (the default), each run is checked on its own: the events of one double
    (connection) and user with one `run_id`, or, without run ids, the stretch that starts at
    the first event. An event of `repeatable` may come more than once in a run (by default
    every event but the first and the last: an agent may think and call tools several
    times); any other one coming twice is a duplicate, and an event after the last one is
    late."""

    events: tuple[str, ...] = LIFECYCLE_EVENTS
    required_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    style: str = "flat"
    per_run: bool = True
    repeatable: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {self.style!r}")

    @property
    def repeated(self) -> tuple[str, ...]:
        """The events that may repeat within a run."""
        if self.repeatable is not None:
            return self.repeatable
        return self.events[1:-1]


def message_of(payload: Any) -> Mapping[str, Any] | None:
    """A payload's content as a mapping: itself, or the JSON object a text payload holds."""
    if isinstance(payload, Mapping):
        return payload
    if isinstance(payload, (str, bytes, bytearray)) and payload[:1] in ("{", b"{"):
        try:
            parsed = json.loads(payload)
        except ValueError:
            return None
        return parsed if isinstance(parsed, Mapping) else None
    return None


class EventLog:
    """Every message sent through the doubles of one factory, in the order sent."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    def record(
        self,
        connection_id: str,
        user_id: str | None,
        method: str,
        payload: Any,
        *,
        source: str | None = None,
    ) -> Event:
        """Keep a message as it was when sent (a copy: later changes to the object the code
        keeps do not rewrite history)."""
        try:
            payload = copy.deepcopy(payload)
        except Exception:
            pass
        message = message_of(payload)
        with self._lock:
            event = Event(
                next(self._counter), connection_id, user_id, method, payload, source, message
            )
            self._events.append(event)
        return event

    def events(
        self,
        *,
        user_id: str | None = None,
        connection_id: str | None = None,
        source: str | None = None,
    ) -> list[Event]:
        """The recorded events, optionally for one user, connection or double."""
        with self._lock:
            found = list(self._events)
        if user_id is not None:
            found = [e for e in found if e.user_id == user_id]
        if connection_id is not None:
            found = [e for e in found if e.connection_id == connection_id]
        if source is not None:
            found = [e for e in found if e.source == source]
        return found

    def clear(self) -> None:
        """Forget every event."""
        with self._lock:
            self._events.clear()

    def __len__(self) -> int:
        return len(self._events)


# --------------------------------------------------------------------------- guards


def find_leak(value: Any, path: str = "payload", *, json: bool = True) -> str | None:
    """A description of the first mock object (or, with `json`, the first value JSON cannot
    carry) inside `value`, with its path; None when there is none."""
    from mockguard.factory.strict import StrictMock

    return _leak(value, path, json, (mock.NonCallableMock, StrictMock, Unconfigured), set())


def _leak(
    item: Any, where: str, json: bool, mocks: tuple[type, ...], ancestors: set[int]
) -> str | None:
    if isinstance(item, mocks):
        return f"{where} is a mock object ({item!r})"
    if isinstance(item, _JSON_SCALARS):
        return None
    if id(item) in ancestors:  # inside itself; a value merely shared twice is fine
        return f"{where} refers back to itself" if json else None
    if isinstance(item, Mapping):
        children = []
        for key, sub in item.items():
            if json and not isinstance(key, str):
                return f"{where} has a key {key!r} that is not a string"
            children.append((sub, f"{where}[{key!r}]"))
    elif isinstance(item, (list, tuple)):
        children = [(sub, f"{where}[{index}]") for index, sub in enumerate(item)]
    elif json:
        return f"{where} is a {type(item).__name__}, which JSON cannot carry"
    elif hasattr(item, "__dict__"):
        children = [
            (sub, f"{where}.{key}") for key, sub in vars(item).items() if not key.startswith("_")
        ]
    else:
        return None
    ancestors.add(id(item))
    try:
        for sub, path in children:
            problem = _leak(sub, path, json, mocks, ancestors)
            if problem:
                return problem
    finally:
        ancestors.discard(id(item))
    return None


def check_payload(method: str, payload: Any) -> None:
    """Raise :class:`MockLeakError` when a payload must not go on the wire."""
    if method == "send_json":
        problem = find_leak(payload)
    elif method == "send_text" and not isinstance(payload, str):
        problem = f"payload is a {type(payload).__name__}, not text"
    elif method == "send_bytes" and not isinstance(payload, (bytes, bytearray)):
        problem = f"payload is a {type(payload).__name__}, not bytes"
    else:
        problem = find_leak(payload, json=False)
    if problem:
        raise MockLeakError(f"{method}(): {problem}; a mock must never reach the wire")


@dataclass(frozen=True, slots=True)
class UserIdPaths:
    """Where messages carry user ids, parsed from entries like :data:`DEFAULT_USER_ID_PATHS`."""

    keys: tuple[str, ...]
    places: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> UserIdPaths:
        keys: list[str] = []
        containers: list[tuple[str, ...]] = []
        exact: list[tuple[str, ...]] = []
        for entry in entries:
            entry = entry.strip()
            if not entry:
                continue
            if entry.endswith("."):
                containers.append(tuple(entry[:-1].split(".")))
            elif "." in entry:
                exact.append(tuple(entry.split(".")))
            else:
                keys.append(entry)
        places: list[tuple[str, ...]] = [(key,) for key in keys]
        places += [(*container, key) for container in containers for key in keys]
        return cls(tuple(keys), tuple(dict.fromkeys([*places, *exact])))


DEFAULT_PATHS = UserIdPaths.parse(DEFAULT_USER_ID_PATHS)


def stamped_users(payload: Any, paths: UserIdPaths = DEFAULT_PATHS) -> list[tuple[str, str]]:
    """Every user id a message carries, with where: `[("data.user_id", "bob")]`. A text
    message holding JSON is read as that JSON."""
    body = message_of(payload)
    if body is None:
        return []
    found: list[tuple[str, str]] = []
    for place in paths.places:
        value: Any = body
        for part in place:
            value = value.get(part) if isinstance(value, Mapping) else None
            if value is None:
                break
        if isinstance(value, str):
            found.append((".".join(place), value))
    return found


def stamped_user(payload: Any, paths: UserIdPaths = DEFAULT_PATHS) -> str | None:
    """The first user id a message carries (see :func:`stamped_users`)."""
    found = stamped_users(payload, paths)
    return found[0][1] if found else None


def check_user(
    owner_user: str | None,
    payload: Any,
    connection_id: str,
    paths: UserIdPaths = DEFAULT_PATHS,
    *,
    note: str = "",
) -> None:
    """Raise :class:`ContaminationError` for a message stamped with another user's id."""
    if owner_user is None:
        return
    for where, stamped in stamped_users(payload, paths):
        if stamped != owner_user:
            raise ContaminationError(
                f"a message for user {stamped!r} (at `{where}`) was sent through connection "
                f"{connection_id!r}, which belongs to user {owner_user!r}{note}: {payload!r}"
            )


# ----------------------------------------------------------------------- assertions


def _table(expected: Sequence[str], recorded: Sequence[str]) -> str:
    """Expected and recorded side by side, aligned where they agree (a missing event leaves
    a gap instead of shifting every row below it)."""
    rows: list[tuple[str, str, str]] = []
    matcher = difflib.SequenceMatcher(None, list(expected), list(recorded), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = list(expected[i1:i2]), list(recorded[j1:j2])
        if op == "equal":
            rows.extend((a, "  ", b) for a, b in zip(left, right, strict=True))
            continue
        for a, b in itertools.zip_longest(left, right, fillvalue=""):
            rows.append((a, "!=", b))
    width = max([len("expected"), *(len(e) for e in expected)])
    lines = [f"  {'expected'.ljust(width)}    recorded"]
    lines += [f"  {a.ljust(width)} {mark} {b}".rstrip() for a, mark, b in rows]
    return "\n".join(lines)


def _runs(events: list[Event], contract: EventContract) -> list[tuple[str, list[Event]]]:
    """The runs among `events`: per double and user, per run id (an event without one
    belongs to the run in progress); without run ids, a new run starts at each occurrence
    of the contract's first event after the first. Groups
    holding none of the contract's events (heartbeats beside a run) are left out, unless
    nothing else is left."""
    style = contract.style
    groups: dict[tuple[Any, ...], list[Event]] = {}
    first = contract.events[0] if contract.events else None
    segment: dict[tuple[Any, ...], int] = {}
    started: set[tuple[Any, ...]] = set()
    current: dict[tuple[Any, ...], Any] = {}
    for event in events:
        owner = (event.source or event.connection_id, event.user_id)
        run = event.run_id_in(style)
        if run is None:
            run = current.get(owner)  # an event without a run id belongs to the run in progress
        else:
            current[owner] = run
        if run is None:
            if event.type_in(style) == first:
                if owner in started:
                    segment[owner] = segment.get(owner, 0) + 1
                started.add(owner)
            key: tuple[Any, ...] = (*owner, None, segment.get(owner, 0))
        else:
            key = (*owner, run, None)
        groups.setdefault(key, []).append(event)
    wanted = set(contract.events)
    relevant = {
        key: chosen
        for key, chosen in groups.items()
        if any(e.type_in(style) in wanted for e in chosen)
    }
    labelled = []
    for (_, user, run, number), chosen in (relevant or groups).items():
        where = f"run {run!r}" if run is not None else f"run #{number + 1}"
        conn = chosen[0].connection_id
        labelled.append((f"{where} of user {user!r} on {conn!r}", chosen))
    return labelled


def _problems(chosen: list[Event], contract: EventContract) -> tuple[list[str], list[str]]:
    style = contract.style
    types = [e.type_in(style) or f"<{e.method}>" for e in chosen]
    expected = contract.events
    relevant = [(t, e) for t, e in zip(types, chosen, strict=True) if t in expected]
    names = [t for t, _ in relevant]
    problems: list[str] = []
    missing = [name for name in expected if name not in names]
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    elif _ordered(names, expected) is False:
        problems.append("out of order")
    repeated = contract.repeated
    seen: set[str] = set()
    for name, event in relevant:
        if name in seen and name not in repeated:
            problems.append(f"duplicate {name} (#{event.seq})")
        seen.add(name)
    if expected and expected[-1] in names:
        last = names.index(expected[-1])
        for name, event in relevant[last + 1 :]:
            if name != expected[-1]:
                problems.append(f"{name} (#{event.seq}) after {expected[-1]}")
    for event in chosen:
        kind = event.type_in(style)
        needed = contract.required_keys.get(kind or "", ())
        absent = [key for key in needed if key not in event.data_in(style)]
        if absent:
            problems.append(f"{kind} (#{event.seq}) lacks {', '.join(absent)}")
    return problems, types


def assert_events(
    events: Iterable[Event],
    contract: EventContract | None = None,
    *,
    run_id: str | None = None,
    user_id: str | None = None,
) -> None:
    """Check recorded events against a contract: every event present, in order, once
    (unless repeatable), none after the last, each with its required payload keys. With
    `run_id` (or `user_id`), only that run's (user's) events count. Events of other types
    in between are allowed. Each run is checked on its own (see :class:`EventContract`)."""
    contract = contract or EventContract()
    style = contract.style
    chosen = [
        e
        for e in events
        if (run_id is None or e.run_id_in(style) == run_id)
        and (user_id is None or e.user_id == user_id)
    ]
    runs = _runs(chosen, contract) if contract.per_run and chosen else [("", chosen)]
    failed: list[tuple[str, list[str], list[str]]] = []
    for label, run in runs:
        problems, types = _problems(run, contract)
        if problems:
            failed.append((label, problems, types))
    if not failed:
        return
    scope = f" for run {run_id!r}" if run_id else f" for user {user_id!r}" if user_id else ""
    if len(runs) == 1:
        _, problems, types = failed[0]
        raise EventContractError(
            f"event contract not met{scope}: {'; '.join(problems)}\n"
            + _table(list(contract.events), types)
        )
    parts = [f"{label}: {'; '.join(problems)}" for label, problems, _ in failed]
    label, _, types = failed[0]
    raise EventContractError(
        f"event contract not met{scope} in {len(failed)} of {len(runs)} runs: "
        + " | ".join(parts)
        + f"\n{label}:\n"
        + _table(list(contract.events), types)
    )


def _ordered(recorded: list[str], expected: Sequence[str]) -> bool:
    """True when the first occurrences of the expected events come in the expected order."""
    positions = [recorded.index(name) for name in expected]
    return positions == sorted(positions)
