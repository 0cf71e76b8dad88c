"""`mockguard.factory.create_like`: a double of a real object's member, where a test wires a
bare mock onto that object.

`channel.basic_ack = Mock(return_value=True)` puts a mock with no interface on a real
channel: any call, any attribute passes. `channel.basic_ack =
mockguard.factory.create_like(channel, "basic_ack", return_value=True)` puts there a double
built from what `channel.basic_ack` is, as `create_autospec` builds it: a call the real
signature refuses is a TypeError, an attribute the real object lacks is an AttributeError,
and an `async def` stays awaitable. The assignment stays the test's own (nothing is undone
after the test, as before).

The real member must be there to build from: an attribute the object lacks, a property
(reading it could run code), None, a plain value (a number, a string, a container) or a
mock already is refused with a KindError. So is a function on a class: as a class attribute
the double would be bound to each instance (use `mockguard.factory.patch.object`). The
arguments that would choose another double (`spec`, `spec_set`, `wraps`, ...) are refused;
configured values (`return_value`, `side_effect`, `name`, any `attr=value`) are passed on.
"""

from __future__ import annotations

import functools
import inspect
import types
from typing import Any
from unittest import mock

from mockguard.factory.errors import KindError

# Arguments of a mock constructor that pick another double than the real member's.
_CHOOSERS = ("spec", "spec_set", "wraps", "new", "new_callable", "instance", "unsafe")
# Values with no interface of their own to follow: a mock of one stands for something else.
PLAIN_VALUES = (
    str,
    bytes,
    bytearray,
    int,
    float,
    complex,
    bool,
    list,
    tuple,
    dict,
    set,
    frozenset,
)


def create_like(owner: object, attribute: str, /, **configure: Any) -> Any:
    """A double of `owner.attribute` built from the real member, to assign in its place:
    `obj.send = create_like(obj, "send", return_value=None)`."""
    where = f"create_like(..., {attribute!r})"
    chosen = [name for name in _CHOOSERS if name in configure]
    if chosen:
        names = ", ".join(f"`{name}`" for name in chosen)
        raise KindError(
            f"{where}: {names} would choose another double than the real member's; "
            "use a unittest.mock constructor for that"
        )
    if _is_mock(owner):
        raise KindError(f"{where}: the object is a mock itself, not a real one to follow")
    original = _member(owner, attribute, where)
    name = configure.pop("name", None)
    double = mock.create_autospec(original, _name=name, **configure)
    if isinstance(owner, type) and isinstance(double, types.FunctionType):
        raise KindError(
            f"{where}: a function on the class {owner.__name__}; as a class attribute its "
            "double would be bound to each instance (use mockguard.factory.patch.object)"
        )
    return double


def _member(owner: object, attribute: str, where: str) -> Any:
    """The real member to build the double from, or a KindError saying why there is none."""
    try:
        found = inspect.getattr_static(owner, attribute)
    except AttributeError:
        raise KindError(
            f"{where}: {_kind_of(owner)} has no attribute {attribute!r}: nothing to build "
            "the double from"
        ) from None
    if isinstance(found, (property, functools.cached_property)):
        raise KindError(f"{where}: a property of {_kind_of(owner)}; reading it could run code")
    original = getattr(owner, attribute)
    if _is_mock(original):
        raise KindError(f"{where}: already a mock, not a real member to build the double from")
    if original is None or isinstance(original, PLAIN_VALUES):
        raise KindError(
            f"{where}: {type(original).__name__} has no interface to build the double from"
        )
    return original


def _is_mock(value: object) -> bool:
    """A mock, or a function `create_autospec` made (it keeps its mock as `.mock`)."""
    return isinstance(value, mock.NonCallableMock) or isinstance(
        getattr(value, "mock", None), mock.NonCallableMock
    )


def _kind_of(owner: object) -> str:
    if isinstance(owner, type):
        return f"the class {owner.__name__}"
    if isinstance(owner, types.ModuleType):
        return f"the module {owner.__name__}"
    return f"a {type(owner).__name__}"
