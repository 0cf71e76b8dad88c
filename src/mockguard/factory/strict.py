"""Strict, lazy mocks built from a compiled :class:`~mockguard.factory.interface.Interface`.

A :class:`StrictMock` is a plain object, not a `unittest.mock` instance: making one costs a
few attribute writes. Its members are made on first use: a method becomes a
`unittest.mock.Mock` (an `AsyncMock` for `async def`) that binds every call to the real
signature before recording it, so the usual `assert_called_once_with(...)` helpers work;
properties and data attributes get values. Reading or setting a name the interface lacks
raises `AttributeError` with the closest real name.

Assigning a method (`ws.send_json = AsyncMock()`) keeps the checks: the assigned mock or
function is wrapped by a member that still binds the signature and runs the guards, then
delegates to it. A value that cannot stand for the method (`ws.accept = 42`, an `AsyncMock`
for a synchronous method) is refused with a message that says how to configure it instead.

A *lenient* double (the migration facade's) also takes names its interface lacks, like the
`MagicMock` it replaces, but reports each one it sees to a recorder: the to-do list of
members tests rely on that the real interface does not have.
"""

from __future__ import annotations

import asyncio
import collections.abc
import copy
import enum
import inspect
import typing
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import MISSING
from typing import Any
from unittest import mock

from mockguard.factory.interface import NO_DEFAULT, Interface, Member
from mockguard.factory.values import Unconfigured

# A hook sees a call of one member: (owner, member, args, kwargs). A *check* runs before the
# call is recorded and may refuse it by raising; an *after* hook runs once the call succeeded.
CallHook = Callable[["StrictMock", str, tuple[Any, ...], dict[str, Any]], None]
# A lenient double reports each name its interface lacks that a test uses: (name, how).
Recorder = Callable[[str, str], None]

_ZERO_VALUES: dict[Any, Callable[[], Any]] = {
    str: str,
    int: int,
    float: float,
    bool: bool,
    bytes: bytes,
    dict: dict,
    list: list,
    set: set,
    tuple: tuple,
}
_ABSTRACT_ZERO_VALUES: dict[Any, Callable[[], Any]] = {
    collections.abc.Sequence: list,
    collections.abc.MutableSequence: list,
    collections.abc.Iterable: list,
    collections.abc.Collection: list,
    collections.abc.Mapping: dict,
    collections.abc.MutableMapping: dict,
    collections.abc.Set: set,
}


class _MemberMixin:
    """Signature binding and call hooks for the mocks that stand for one member.

    Members are made often, so they skip what `unittest.mock` spends most of its time on
    and a member never needs: a new class per instance (made only if a test sets a magic
    method on the member) and the magic methods of the mock itself (`len(ws.send_json)`)."""

    def __new__(cls, /, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    def _mock_set_magics(self) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:2] == name[-2:] == "__" and len(name) > 4 and type(self) in _SHARED:
            # A magic method is set on the class: give this member a class of its own first.
            own = type(type(self).__name__, (type(self),), {})
            _SET_CLASS(self, own)  # NonCallableMock.__class__ is a read-only property
        super().__setattr__(name, value)

    def _mock_check_sig(self, /, *args: Any, **kwargs: Any) -> None:
        state = self.__dict__
        owner: StrictMock | None = state.get("_mg_owner")
        if owner is None:
            return
        signature = state["_mg_signature"]
        if signature is not None:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{state['_mg_label']}(): {exc}") from None
        name: str = state["_mg_member"]
        check = owner._mg_hooks.get(name)
        if check is not None:
            check(owner, name, args, kwargs)
        owner._mg_calls.append(getattr(mock.call, name)(*args, **kwargs))

    def _mg_after(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        owner: StrictMock | None = self.__dict__.get("_mg_owner")
        if owner is not None:
            name: str = self.__dict__["_mg_member"]
            after = owner._mg_after.get(name)
            if after is not None:
                after(owner, name, args, kwargs)

    def _mg_result(self, result: Any) -> Any:
        # A configured mutable default (a dict, a list) is copied on each call: the code
        # under test may change what it gets without changing what the next call returns.
        default = self.__dict__.get("_mg_default", _NOTHING)
        if result is default:
            return _fresh(result)
        return result

    def _get_child_mock(self, /, **kw: Any) -> Any:
        # What a member returns or holds is plain data to the test: a MagicMock, never
        # another member (which would expect the owner's state).
        return mock.MagicMock(**kw)


_NOTHING: Any = object()


class SyncMember(_MemberMixin, mock.Mock):
    """A synchronous method of a strict mock: calling it is not awaitable."""

    def _execute_mock_call(self, /, *args: Any, **kwargs: Any) -> Any:
        result = super()._execute_mock_call(*args, **kwargs)
        self._mg_after(args, kwargs)
        return self._mg_result(result)


# What `inspect.iscoroutinefunction` reads on an AsyncMock, made once: an `AsyncMock` makes
# a `NonCallableMock(spec_set=CodeType)` for every instance, which costs more than the rest.
_ASYNC_CODE = (lambda *args, **kwargs: None).__code__.replace(
    co_flags=inspect.CO_COROUTINE | inspect.CO_VARARGS | inspect.CO_VARKEYWORDS
)


class AsyncMember(_MemberMixin, mock.AsyncMock):
    """An `async def` method of a strict mock: calling it returns an awaitable that, like
    real I/O, lets other tasks run before it completes. The factory keeps each awaitable
    until the end of the test, so that one never awaited fails it."""

    def __init__(self, /, *args: Any, **kwargs: Any) -> None:
        # AsyncMockMixin.__init__ without its code mock (see _ASYNC_CODE).
        super(mock.AsyncMockMixin, self).__init__(*args, **kwargs)
        state = self.__dict__
        state["_is_coroutine"] = _COROUTINE_MARK
        state["_mock_await_count"] = 0
        state["_mock_await_args"] = None
        state["_mock_await_args_list"] = mock._CallList()
        state["__code__"] = _ASYNC_CODE
        state["__name__"] = "AsyncMock"
        state["__defaults__"] = ()
        state["__kwdefaults__"] = {}
        state["__annotations__"] = None

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        awaitable = super().__call__(*args, **kwargs)
        owner: StrictMock | None = self.__dict__.get("_mg_owner")
        if owner is not None:
            pending = owner.__dict__["_mg_pending"]
            if pending is not None:
                pending.track(awaitable, self.__dict__["_mg_label"])
        return awaitable

    async def _execute_mock_call(self, /, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        result = await super()._execute_mock_call(*args, **kwargs)
        self._mg_after(args, kwargs)
        return self._mg_result(result)


_SHARED = (SyncMember, AsyncMember)
_SET_CLASS = object.__dict__["__class__"].__set__
_COROUTINE_MARK = getattr(asyncio.coroutines, "_is_coroutine", None)


async def _iterate(items: Iterable[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


class StrictMock:
    """A test double that follows one interface. Made by :class:`MockFactory`."""

    _mg_interface: Interface
    _mg_kind: str
    _mg_config: dict[str, Any]
    _mg_hooks: dict[str, CallHook]
    _mg_after: dict[str, CallHook]
    _mg_allow_extra: bool
    _mg_calls: list[Any]
    _mg_context: Any
    _mg_lenient: Recorder | None
    _mg_extra_cls: type[mock.NonCallableMock]
    _mg_pending: Any
    _mg_behaviours: Any

    def __init__(
        self,
        interface: Interface,
        kind: str,
        config: dict[str, Any],
        hooks: dict[str, CallHook],
        *,
        after: dict[str, CallHook] | None = None,
        allow_extra: bool = False,
        context: Any = None,
        lenient: Recorder | None = None,
        extra_cls: type[mock.NonCallableMock] = mock.MagicMock,
        pending: Any = None,
        behaviours: Any = None,
    ) -> None:
        state = self.__dict__
        state["_mg_interface"] = interface
        state["_mg_kind"] = kind
        state["_mg_config"] = config
        state["_mg_hooks"] = hooks
        state["_mg_after"] = after or {}
        state["_mg_allow_extra"] = allow_extra
        state["_mg_calls"] = []
        state["_mg_context"] = context
        state["_mg_lenient"] = lenient
        state["_mg_extra_cls"] = extra_cls
        state["_mg_pending"] = pending
        state["_mg_behaviours"] = behaviours

    # Reads: a member is made the first time it is used, then found in __dict__ directly.
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_mg_"):
            raise AttributeError(name)
        interface = self._mg_interface
        member = interface.members.get(name)
        record = self._mg_lenient
        if member is None:
            if (self._mg_allow_extra or record is not None) and not name.startswith("__"):
                if record is not None:
                    record(name, "read")
                value = self._mg_extra(name)
                self.__dict__[name] = value
                return value
            raise AttributeError(interface.unknown(name))
        if record is not None and name in interface.foreign:
            record(name, "read")
        value = self._mg_make(member)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        interface = self._mg_interface
        member = interface.members.get(name)
        record = self._mg_lenient
        if member is not None:
            if record is not None and name in interface.foreign:
                record(name, "set")
            if member.is_callable:
                value = self._mg_adopt(member, value)
            self.__dict__[name] = value
            return
        if self._mg_allow_extra or record is not None:
            if record is not None:
                record(name, "set")
            self.__dict__[name] = value
            return
        raise AttributeError(
            f"cannot set `{name}`: {interface.unknown(name)} "
            "(create the mock with allow_extra=True to allow names the interface lacks)"
        )

    def __delattr__(self, name: str) -> None:
        self.__dict__.pop(name, None)

    def __dir__(self) -> list[str]:
        return sorted(set(self._mg_interface.members) | {"mock_calls", "reset_mock"})

    def __repr__(self) -> str:
        context = self._mg_context
        user = f" user={context.user_id}" if getattr(context, "user_id", None) else ""
        return f"<StrictMock {self._mg_kind} ({self._mg_interface.name}){user} id={id(self):#x}>"

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(ws, WebSocket) holds, as with spec=
        target = self._mg_interface.target
        return target if target is not None else StrictMock

    @property
    def mock_calls(self) -> list[Any]:
        """Every call to every member, in order, as `call.send_json({...})` objects."""
        return self._mg_calls

    def reset_mock(self) -> None:
        """Forget all calls, on this mock and on each member made so far."""
        self._mg_calls.clear()
        for value in list(self.__dict__.values()):
            if isinstance(value, (mock.NonCallableMock, StrictMock)):
                value.reset_mock()

    def _mg_peek(self, name: str, default: Any = None) -> Any:
        """The value of a data member (or a configured extra) as the double holds it, made
        if needed, without reporting the read: for the double's own behaviours."""
        state = self.__dict__
        if name in state and not name.startswith("_mg_"):
            return state[name]
        interface = self._mg_interface
        member = interface.members.get(name)
        if member is not None and not member.is_callable:
            value = self._mg_make(member)
            if name not in interface.foreign:  # a foreign read stays to report
                state[name] = value
            return value
        config = self._mg_config
        if member is None and name in config:
            return _fresh(config[name])
        return default

    def _mg_extra(self, name: str) -> Any:
        config = self._mg_config
        if name in config:
            return _fresh(config[name])
        extra: Any = self._mg_extra_cls(name=f"{self._mg_kind}.{name}")
        return extra

    def _mg_make(self, member: Member) -> Any:
        config = self._mg_config
        if member.is_callable:
            return self._mg_make_method(member, config.get(member.name, MISSING))
        if member.name in config:
            return _fresh(config[member.name])
        return _value_for(member, self._mg_kind)

    def _mg_make_method(self, member: Member, configured: Any, *, wraps: Any = None) -> Any:
        label = f"{self._mg_interface.name}.{member.name}"
        cls = AsyncMember if member.kind == "async_method" else SyncMember
        child: mock.Mock = cls(name=f"{self._mg_kind}.{member.name}", wraps=wraps)
        state = child.__dict__
        state["_mg_signature"] = member.signature
        state["_spec_signature"] = member.signature
        state["_mg_label"] = label
        state["_mg_owner"] = self
        state["_mg_member"] = member.name
        if wraps is not None:
            return child
        behaviours = self._mg_behaviours
        if member.kind in ("async_iterator", "generator"):
            items = [] if configured is MISSING else list(configured)
            if member.kind == "async_iterator":
                child.side_effect = lambda *a, **k: _iterate(items)
            else:
                child.side_effect = lambda *a, **k: iter(list(items))
        elif configured is not MISSING:
            configure_member(child, configured)
            if isinstance(configured, _MUTABLE):
                state["_mg_default"] = child.return_value
        elif behaviours is not None and member.name in behaviours:
            behaviour = behaviours[member.name]
            child.side_effect = lambda *a, **k: behaviour(self, *a, **k)
        elif member.name in ("__enter__", "__aenter__"):
            child.return_value = self
        elif member.name in ("__exit__", "__aexit__"):
            child.return_value = None  # a truthy value would swallow the exception
        elif member.annotation is None or member.annotation is Any:
            if not member.name.startswith("__"):
                kind = self._mg_kind
                child.return_value = Unconfigured(
                    f"{label}()",
                    f"`double.{member.name}.return_value = ...`, or "
                    f'create("{kind}", {member.name}=...)',
                )
        else:
            # What the real method is declared to return: data, or a strict double.
            returned = _value_for(member, self._mg_kind, plain=True)
            if returned is not _UNKNOWN:
                child.return_value = returned
                if isinstance(returned, _MUTABLE):
                    state["_mg_default"] = returned
        return child

    def _mg_adopt(self, member: Member, value: Any) -> Any:
        """What `double.<method> = value` stores: a member that keeps the checks and
        delegates to `value`, or an error saying how to configure the method instead."""
        name = member.name
        state = getattr(value, "__dict__", {})
        if isinstance(value, _MemberMixin) and state.get("_mg_owner") is self:
            if state.get("_mg_member") == name:
                return value
        where = f"`{name}` is `{member.describe()}` in {self._mg_interface.name}"
        how = (
            f"set what it returns with `double.{name}.return_value = ...` or what it does "
            f"with `double.{name}.side_effect = ...`, or create the double with `{name}=...`"
        )
        if not callable(value):
            raise AttributeError(f"cannot set `{name}` to {value!r}: {where}; {how}")
        is_async = isinstance(value, mock.AsyncMock) or inspect.iscoroutinefunction(value)
        if member.kind == "async_method" and isinstance(value, mock.NonCallableMock):
            if not is_async:
                raise AttributeError(
                    f"cannot set `{name}` to a synchronous {type(value).__name__}: {where}, "
                    f"so the code awaits it; assign an AsyncMock or an async function, or {how}"
                )
        elif member.kind != "async_method" and is_async:
            raise AttributeError(
                f"cannot set `{name}` to {value!r}: {where}, so the code does not await it; "
                f"assign a Mock or a plain function, or {how}"
            )
        if isinstance(value, mock.NonCallableMock):
            return self._mg_make_method(member, MISSING, wraps=value)
        child = self._mg_make_method(member, MISSING, wraps=None)
        child.side_effect = value
        return child


_MUTABLE = (dict, list, set, bytearray)


def configure_member(child: mock.Mock, value: Any) -> None:
    """Apply a kind default or an override to a method mock: an exception (class or
    instance) or a plain function becomes its side effect, a mock replaces nothing (it
    becomes the return value), anything else is the return value (what `await` yields)."""
    if isinstance(value, BaseException) or (
        isinstance(value, type) and issubclass(value, BaseException)
    ):
        child.side_effect = value
    elif callable(value) and not isinstance(value, (mock.NonCallableMock, StrictMock, type)):
        child.side_effect = value
    else:
        child.return_value = _fresh(value)


_IMMUTABLE = (str, bytes, int, float, complex, bool, type(None), frozenset, range, enum.Enum)


def _fresh(value: Any) -> Any:
    """A default's own copy, so that no two mocks share a mutable value. Objects with
    behaviour (functions, classes, mocks, exceptions) are passed as they are."""
    if isinstance(value, _IMMUTABLE) or callable(value) or isinstance(value, BaseException):
        return value
    if isinstance(value, (mock.NonCallableMock, StrictMock)):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


_UNKNOWN: Any = object()


def _value_for(member: Member, kind: str, *, plain: bool = False) -> Any:
    """The value of a property or data attribute nobody configured (with `plain`, of a
    method's return annotation: `_UNKNOWN` when the annotation says nothing usable)."""
    if member.default is not NO_DEFAULT and not callable(member.default) and not plain:
        return _fresh(member.default)
    annotation = member.annotation
    if annotation is None and plain:
        return _UNKNOWN
    if annotation is type(None):
        return None
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        args = typing.get_args(annotation)
        if type(None) in args:
            return None
        annotation = args[0]
        origin = typing.get_origin(annotation)
    base = origin or annotation
    if base in _ZERO_VALUES:
        return _ZERO_VALUES[base]()
    if base in _ABSTRACT_ZERO_VALUES:
        return _ABSTRACT_ZERO_VALUES[base]()
    if inspect.isclass(base) and base.__module__ not in ("builtins", "typing"):
        from mockguard.factory.interface import compile_interface

        nested = compile_interface(base)
        if nested.members:
            return strict_class(nested)(nested, f"{kind}.{member.name}", {}, {})
    if plain:
        return _UNKNOWN
    return mock.NonCallableMagicMock(name=f"{kind}.{member.name}")


_CLASSES: dict[int, tuple[Interface, type[StrictMock]]] = {}


def strict_class(interface: Interface) -> type[StrictMock]:
    """The StrictMock class for an interface: with the special methods it has
    (`async with session:`, `with ...:`, calling a callable interface), which Python looks
    up on the class, never on the instance."""
    key = id(interface)
    entry = _CLASSES.get(key)
    if entry is not None and entry[0] is interface:
        return entry[1]
    specials = [name for name in interface.members if name.startswith("__")]
    if not specials:
        found: type[StrictMock] = StrictMock
    else:
        namespace = {name: _special(name) for name in specials}
        found = type(
            f"Strict{interface.target.__name__ if interface.target else 'Mock'}",
            (StrictMock,),
            namespace,
        )
    _CLASSES[key] = (interface, found)  # the interface is kept: its id stays its own
    return found


def _special(name: str) -> Callable[..., Any]:
    def method(self: StrictMock, /, *args: Any, **kwargs: Any) -> Any:
        member = self.__dict__.get(name)
        if member is None:
            member = StrictMock.__getattr__(self, name)
        return member(*args, **kwargs)

    method.__name__ = name
    return method
