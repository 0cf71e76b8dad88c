"""Strict, lazy mocks built from a compiled :class:`~mockguard.factory.interface.Interface`.

A :class:`StrictMock` is a plain object, not a `unittest.mock` instance: making one costs a
few attribute writes. Its members are made on first use: a method becomes a
`unittest.mock.Mock` (an `AsyncMock` for `async def`) that binds every call to the real
signature before recording it, so the usual `assert_called_once_with(...)` helpers work;
properties and data attributes get values. Reading or setting a name the interface lacks
raises `AttributeError` with the closest real name.
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

# A hook sees a call of one member: (owner, member, args, kwargs). A *check* runs before the
# call is recorded and may refuse it by raising; an *after* hook runs once the call succeeded.
CallHook = Callable[["StrictMock", str, tuple[Any, ...], dict[str, Any]], None]

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
    """Signature binding and call hooks for the mocks that stand for one member."""

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

    def _get_child_mock(self, /, **kw: Any) -> Any:
        # What a member returns or holds is plain data to the test: a MagicMock, never
        # another member (which would expect the owner's state).
        return mock.MagicMock(**kw)


class SyncMember(_MemberMixin, mock.Mock):
    """A synchronous method of a strict mock: calling it is not awaitable."""

    def _execute_mock_call(self, /, *args: Any, **kwargs: Any) -> Any:
        result = super()._execute_mock_call(*args, **kwargs)
        self._mg_after(args, kwargs)
        return result


class AsyncMember(_MemberMixin, mock.AsyncMock):
    """An `async def` method of a strict mock: calling it returns an awaitable that, like
    real I/O, lets other tasks run before it completes."""

    async def _execute_mock_call(self, /, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        result = await super()._execute_mock_call(*args, **kwargs)
        self._mg_after(args, kwargs)
        return result


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

    # Reads: a member is made the first time it is used, then found in __dict__ directly.
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_mg_"):
            raise AttributeError(name)
        interface = self._mg_interface
        member = interface.members.get(name)
        if member is None:
            if self._mg_allow_extra and not name.startswith("__"):
                config = self._mg_config
                value: Any = (
                    _fresh(config[name])
                    if name in config
                    else mock.MagicMock(name=f"{self._mg_kind}.{name}")
                )
                self.__dict__[name] = value
                return value
            raise AttributeError(interface.unknown(name))
        value = self._mg_make(member)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._mg_interface.members or self._mg_allow_extra:
            self.__dict__[name] = value
            return
        raise AttributeError(
            f"cannot set `{name}`: {self._mg_interface.unknown(name)} "
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

    def _mg_make(self, member: Member) -> Any:
        config = self._mg_config
        if member.is_callable:
            return self._mg_make_method(member, config.get(member.name, MISSING))
        if member.name in config:
            return _fresh(config[member.name])
        return _value_for(member, self._mg_kind)

    def _mg_make_method(self, member: Member, configured: Any) -> Any:
        label = f"{self._mg_interface.name}.{member.name}"
        cls = AsyncMember if member.kind == "async_method" else SyncMember
        child: mock.Mock = cls(name=f"{self._mg_kind}.{member.name}")
        state = child.__dict__
        state["_mg_signature"] = member.signature
        state["_spec_signature"] = member.signature
        state["_mg_label"] = label
        state["_mg_owner"] = self
        state["_mg_member"] = member.name
        if member.kind == "async_iterator":
            items = [] if configured is MISSING else list(configured)
            child.side_effect = lambda *a, **k: _iterate(items)
        elif configured is not MISSING:
            configure_member(child, configured)
        elif member.name in ("__enter__", "__aenter__"):
            child.return_value = self
        elif member.name in ("__exit__", "__aexit__"):
            child.return_value = None  # a truthy value would swallow the exception
        elif member.annotation is not None:
            # What the real method is declared to return: data, or a strict double.
            returned = _value_for(member, self._mg_kind, plain=True)
            if returned is not _UNKNOWN:
                child.return_value = returned
        return child


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


_CLASSES: dict[int, type[StrictMock]] = {}


def strict_class(interface: Interface) -> type[StrictMock]:
    """The StrictMock class for an interface: with the special methods it has
    (`async with session:`, `with ...:`, calling a callable interface), which Python looks
    up on the class, never on the instance."""
    key = id(interface)
    found = _CLASSES.get(key)
    if found is None:
        specials = [name for name in interface.members if name.startswith("__")]
        if not specials:
            found = StrictMock
        else:
            namespace = {name: _special(name) for name in specials}
            found = type(
                f"Strict{interface.target.__name__ if interface.target else 'Mock'}",
                (StrictMock,),
                namespace,
            )
        _CLASSES[key] = found
    return found


def _special(name: str) -> Callable[..., Any]:
    def method(self: StrictMock, /, *args: Any, **kwargs: Any) -> Any:
        member = self.__dict__.get(name)
        if member is None:
            member = StrictMock.__getattr__(self, name)
        return member(*args, **kwargs)

    method.__name__ = name
    return method
