"""What factory websockets send: recorded per connection and user, checked against contracts.

Every message sent through a factory websocket is checked before it is recorded: a mock
object inside it, or a value JSON cannot carry, raises :class:`MockLeakError` naming the path;
a message stamped with another user's id raises :class:`ContaminationError`.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from mockguard.factory.errors import ContaminationError, EventContractError, MockLeakError

LIFECYCLE_EVENTS: tuple[str, ...] = (
    "agent_started",
    "agent_thinking",
    "tool_executing",
    "tool_completed",
    "agent_completed",
)
STYLES = ("flat", "nested")
_JSON_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class Event:
    """One message a websocket sent."""

    seq: int
    connection_id: str
    user_id: str | None
    method: str  # send_json, send_text, send_bytes, send
    payload: Any

    def type_in(self, style: str) -> str | None:
        """The event's type: `payload["type"]` (flat) or `payload["event"]` (nested)."""
        if not isinstance(self.payload, Mapping):
            return None
        value = self.payload.get("type" if style == "flat" else "event")
        return value if isinstance(value, str) else None

    def data_in(self, style: str) -> Mapping[str, Any]:
        """The keys a contract checks: the payload (flat) or `payload["data"]` (nested)."""
        if not isinstance(self.payload, Mapping):
            return {}
        if style == "nested":
            data = self.payload.get("data", {})
            return data if isinstance(data, Mapping) else {}
        return self.payload

    def run_id_in(self, style: str) -> Any:
        """The run the event belongs to: `run_id` in the data, else at the top."""
        found = self.data_in(style).get("run_id")
        if found is None and isinstance(self.payload, Mapping):
            found = self.payload.get("run_id")
        return found


@dataclass(frozen=True)
class EventContract:
    """The events a run must send, in order, with the payload keys each must carry."""

    events: tuple[str, ...] = LIFECYCLE_EVENTS
    required_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    style: str = "flat"

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {self.style!r}")


class EventLog:
    """Every message sent through the websockets of one factory, in the order sent."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    def record(self, connection_id: str, user_id: str | None, method: str, payload: Any) -> Event:
        """Keep a message as it was when sent (a copy: later changes to the object the code
        keeps do not rewrite history)."""
        try:
            payload = copy.deepcopy(payload)
        except Exception:
            pass
        with self._lock:
            event = Event(next(self._counter), connection_id, user_id, method, payload)
            self._events.append(event)
        return event

    def events(
        self, *, user_id: str | None = None, connection_id: str | None = None
    ) -> list[Event]:
        """The recorded events, optionally for one user or one connection."""
        with self._lock:
            found = list(self._events)
        if user_id is not None:
            found = [e for e in found if e.user_id == user_id]
        if connection_id is not None:
            found = [e for e in found if e.connection_id == connection_id]
        return found

    def clear(self) -> None:
        with self._lock:
            self._events.clear()

    def __len__(self) -> int:
        return len(self._events)


# --------------------------------------------------------------------------- guards


def find_leak(value: Any, path: str = "payload", *, json: bool = True) -> str | None:
    """A description of the first mock object (or, with `json`, the first value JSON cannot
    carry) inside `value`, with its path; None when there is none."""
    from mockguard.factory.strict import StrictMock

    return _leak(value, path, json, StrictMock, set())


def _leak(item: Any, where: str, json: bool, strict: type, ancestors: set[int]) -> str | None:
    if isinstance(item, (mock.NonCallableMock, strict)):
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
            problem = _leak(sub, path, json, strict, ancestors)
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


def stamped_user(payload: Any) -> str | None:
    """The user id a message carries: `user_id` at the top or inside `data`."""
    if not isinstance(payload, Mapping):
        return None
    for holder in (payload, payload.get("data")):
        if isinstance(holder, Mapping):
            value = holder.get("user_id")
            if isinstance(value, str):
                return value
    return None


def check_user(owner_user: str | None, payload: Any, connection_id: str) -> None:
    """Raise :class:`ContaminationError` for a message stamped with another user's id."""
    stamped = stamped_user(payload)
    if owner_user is not None and stamped is not None and stamped != owner_user:
        raise ContaminationError(
            f"a message for user {stamped!r} was sent through connection {connection_id!r}, "
            f"which belongs to user {owner_user!r}: {payload!r}"
        )


# ----------------------------------------------------------------------- assertions


def _table(expected: Sequence[str], recorded: Sequence[str]) -> str:
    width = max([len("expected"), *(len(e) for e in expected)])
    rows = [f"  {'expected'.ljust(width)}   recorded"]
    for left, right in itertools.zip_longest(expected, recorded, fillvalue=""):
        mark = "  " if left == right else "!="
        rows.append(f"  {left.ljust(width)} {mark} {right}")
    return "\n".join(rows)


def assert_events(
    events: Iterable[Event],
    contract: EventContract | None = None,
    *,
    run_id: str | None = None,
    user_id: str | None = None,
) -> None:
    """Check recorded events against a contract: every event present, in order, each with
    its required payload keys. With `run_id` (or `user_id`), only that run's (user's)
    events count. Events of other types in between are allowed."""
    contract = contract or EventContract()
    style = contract.style
    chosen = [
        e
        for e in events
        if (run_id is None or e.run_id_in(style) == run_id)
        and (user_id is None or e.user_id == user_id)
    ]
    types = [e.type_in(style) or f"<{e.method}>" for e in chosen]
    relevant = [t for t in types if t in contract.events]
    problems: list[str] = []
    missing = [name for name in contract.events if name not in relevant]
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    elif _ordered(relevant, contract.events) is False:
        problems.append("out of order")
    for event in chosen:
        kind = event.type_in(style)
        needed = contract.required_keys.get(kind or "", ())
        absent = [key for key in needed if key not in event.data_in(style)]
        if absent:
            problems.append(f"{kind} (#{event.seq}) lacks {', '.join(absent)}")
    if problems:
        scope = f" for run {run_id!r}" if run_id else f" for user {user_id!r}" if user_id else ""
        raise EventContractError(
            f"event contract not met{scope}: {'; '.join(problems)}\n"
            + _table(list(contract.events), types)
        )


def _ordered(recorded: list[str], expected: Sequence[str]) -> bool:
    """True when the first occurrences of the expected events come in the expected order."""
    positions = [recorded.index(name) for name in expected]
    return positions == sorted(positions)
