"""The guards a double runs around the calls of its guarded members.

A kind names its guarded members by role (see :class:`~mockguard.factory.kinds.Kind`):

- `send`: the first argument is a message on the double's own connection (a websocket's
  `send_json`): checked for mocks and for other users' ids, then recorded.
- `store`: the arguments go to the database (a session's `add`): checked for mocks.
- `emit`: the call *is* an event (a bridge's `agent_started(context, ...)`,
  `notify_agent_started(run_id, ...)`, `emit_event("agent_started", data)`): the context
  must be the double's user's, the data must hold no mock and no other user's id; recorded
  for the double's user and run.
- `route`: a message for a user the call names (a manager's `send_to_user(user_id, data)`):
  the message must hold no mock and no other user's id; recorded for that user.

Each check runs before the call is recorded on the member, and a refusal is also kept in
the factory's `violations`, so that code catching the error cannot hide it.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from mockguard.factory.errors import ContaminationError, MockguardError, MockLeakError
from mockguard.factory.events import (
    check_payload,
    check_user,
    find_leak,
    message_of,
    stamped_users,
)
from mockguard.factory.strict import CallHook, StrictMock

Role = str  # "send" | "store" | "emit" | "route"
_PAYLOAD_NAMES = ("data", "message", "payload", "event_data", "body", "content")
_CONTEXT_NAMES = ("context", "user_context", "ctx", "execution_context")
_EVENT_NAMES = ("event_type", "event_name", "event", "type")
_GENERIC_EMITTERS = frozenset(
    {"emit_event", "emit_critical_event", "send_agent_event", "send_event", "emit", "send_message"}
)
_SCALARS = (str, int, float, bool)


def hooks(roles: Mapping[str, Role]) -> tuple[dict[str, CallHook], dict[str, CallHook]]:
    """The checks and the after-hooks for members with the given roles."""
    checks: dict[str, CallHook] = {}
    after: dict[str, CallHook] = {}
    for name, role in roles.items():
        check, record = _ROLES[role]
        checks[name] = check
        if record is not None:
            after[name] = record
    return checks, after


def _refuse(owner: StrictMock, error: MockguardError) -> None:
    owner.__dict__["_mg_violations"].append(error)
    raise error


def _note(state: dict[str, Any]) -> str:
    if state.get("_mg_named", True):
        return ""
    return (
        " (the test's user: the double was made without one; "
        "give it a user_context to make it another user's)"
    )


# ----------------------------------------------------------------------- send, store


def _payload(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[0] if args else kwargs.get("data", kwargs.get("message"))


def check_send(owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Before a message goes out: no mock inside it, no other user's id on it."""
    payload = _payload(args, kwargs)
    state = owner.__dict__
    try:
        check_payload(name, payload)
        check_user(
            state["_mg_user"],
            payload,
            state["_mg_connection"],
            state["_mg_paths"],
            note=_note(state),
        )
    except MockguardError as error:
        _refuse(owner, error)


def record_send(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Once a send succeeded: it is an event of this connection and user."""
    state = owner.__dict__
    state["_mg_log"].record(
        state["_mg_connection"],
        state["_mg_user"],
        name,
        _payload(args, kwargs),
        source=state["_mg_source"],
    )


def check_store(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Before an object goes to the database: no mock inside it."""
    for index, value in enumerate((*args, *kwargs.values())):
        problem = find_leak(value, f"argument {index + 1}", json=False)
        if problem:
            _refuse(
                owner, MockLeakError(f"{name}(): {problem}; a mock must never reach the database")
            )


# ----------------------------------------------------------------------- emit, route


class _Call:
    """What a guarded call says: its named arguments, the message, the context, the user,
    the run and the event, read from the member's signature (or, for a member that takes
    anything, from the names its legacy declaration gives the positions)."""

    __slots__ = ("arguments", "context_user", "event", "payload", "run", "target")

    def __init__(
        self, owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        state = owner.__dict__
        arguments = _bind(owner, name, args, kwargs)
        self.arguments = arguments
        values = list(arguments.values())
        payload = next(
            (arguments[k] for k in _PAYLOAD_NAMES if message_of(arguments.get(k)) is not None),
            None,
        )
        if payload is None:
            payload = next((v for v in values if isinstance(v, Mapping)), None)
        self.payload = payload
        context = next((arguments[k] for k in _CONTEXT_NAMES if k in arguments), None)
        if context is None:
            context = next(
                (v for v in values if not isinstance(v, (Mapping, *_SCALARS)) and _user_of(v)),
                None,
            )
        self.context_user = _user_of(context)
        target = arguments.get("user_id")
        self.target = target if isinstance(target, str) else None
        run = arguments.get("run_id")
        if not isinstance(run, str):
            run = _attribute(context, "run_id")
        if not isinstance(run, str):
            message = message_of(payload)
            found = message.get("run_id") if message is not None else None
            run = found if isinstance(found, str) else state.get("_mg_run")
        self.run = run
        self.event = _event(name, arguments, payload)


def _attribute(value: Any, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return value.get(name)
    try:
        found = inspect.getattr_static(value, name)
    except AttributeError:
        return None
    if hasattr(type(found), "__get__"):  # a slot, a property: read it for real
        try:
            found = getattr(value, name)
        except Exception:
            return None
    return found


def _user_of(value: Any) -> str | None:
    found = _attribute(value, "user_id")
    return found if isinstance(found, str) else None


def _bind(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    member = owner._mg_interface.members.get(name)
    signature = member.signature if member is not None else None
    named: dict[str, Any] = {}
    if signature is not None:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            bound = None
        if bound is not None:
            for key, value in bound.arguments.items():
                kind = signature.parameters[key].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    named.update(value)
                elif kind is inspect.Parameter.VAR_POSITIONAL:
                    args = tuple(value)
                    kwargs = {}
                else:
                    named[key] = value
            if not any(
                p.kind is inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values()
            ):
                return named
    positions = owner.__dict__.get("_mg_guard_args", {}).get(name, ())
    for index, value in enumerate(args):
        key = positions[index] if index < len(positions) else f"#{index}"
        named.setdefault(key, value)
    for key, value in kwargs.items():
        named.setdefault(key, value)
    return named


def _event(name: str, arguments: Mapping[str, Any], payload: Any) -> str:
    for key in _EVENT_NAMES:
        value = arguments.get(key)
        if isinstance(value, str) and value:
            return value
    if name in _GENERIC_EMITTERS:
        message = message_of(payload)
        if message is not None:
            for key in ("type", "event"):
                value = message.get(key)
                if isinstance(value, str):
                    return value
        return name
    for prefix in ("notify_", "emit_", "on_", "send_"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _leak(name: str, payload: Any) -> MockLeakError | None:
    if payload is None:
        return None
    problem = find_leak(payload) if not isinstance(payload, str) else None
    if problem:
        return MockLeakError(f"{name}(): {problem}; a mock must never reach the wire")
    return None


def check_emit(owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Before an event goes out: the context is the double's user's, the data holds no
    mock and no other user's id."""
    state = owner.__dict__
    call = _Call(owner, name, args, kwargs)
    user = state["_mg_user"]
    label = f"{state['_mg_kind']}.{name}()"
    leak = _leak(label, call.payload)
    if leak is not None:
        _refuse(owner, leak)
    if call.context_user is not None and call.context_user != user:
        _refuse(
            owner,
            ContaminationError(
                f"{label} was given the context of user {call.context_user!r}, but the "
                f"{state['_mg_kind']} belongs to user {user!r}{_note(state)}"
            ),
        )
    try:
        check_user(
            user, call.payload, state["_mg_connection"], state["_mg_paths"], note=_note(state)
        )
    except MockguardError as error:
        _refuse(owner, error)


def record_emit(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Once an event call succeeded: it is an event of the double's user and run."""
    state = owner.__dict__
    call = _Call(owner, name, args, kwargs)
    user = state["_mg_user"]
    data: dict[str, Any] = {
        k: v for k, v in call.arguments.items() if isinstance(v, _SCALARS) and not k[:1] == "#"
    }
    message = message_of(call.payload)
    if message is not None:
        data.update(message)
    data.update(run_id=call.run, user_id=user)
    event = {**data, "type": call.event, "data": data}
    state["_mg_log"].record(state["_mg_connection"], user, name, event, source=state["_mg_source"])


def check_route(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Before a message goes to a user: no mock inside it, no other user's id on it."""
    state = owner.__dict__
    call = _Call(owner, name, args, kwargs)
    label = f"{state['_mg_kind']}.{name}()"
    leak = _leak(label, call.payload)
    if leak is not None:
        _refuse(owner, leak)
    if call.target is None:
        return
    for where, stamped in stamped_users(call.payload, state["_mg_paths"]):
        if stamped != call.target:
            _refuse(
                owner,
                ContaminationError(
                    f"a message for user {stamped!r} (at `{where}`) was sent to user "
                    f"{call.target!r} through {label}: {call.payload!r}"
                ),
            )


def record_route(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Once a message to a user went out: it is an event of that user."""
    state = owner.__dict__
    call = _Call(owner, name, args, kwargs)
    payload = call.payload
    message = message_of(payload)
    if call.event != name and (message is None or not ({"type", "event"} & set(message))):
        payload = {"type": call.event, **(message or {})}
    state["_mg_log"].record(
        state["_mg_connection"], call.target, name, payload, source=state["_mg_source"]
    )


_ROLES: dict[Role, tuple[CallHook, CallHook | None]] = {
    "send": (check_send, record_send),
    "store": (check_store, None),
    "emit": (check_emit, record_emit),
    "route": (check_route, record_route),
}
