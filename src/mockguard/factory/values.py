"""What a double hands out when nobody configured a value: a loud placeholder.

A member whose interface says nothing usable about its result (`-> Any`, or no annotation)
returns an :class:`Unconfigured` until the test configures one. Printing it is fine; any
other use (truth, iteration, indexing, attributes, calls, arithmetic) raises
:class:`~mockguard.factory.errors.UnconfiguredValueError` naming the member and how to
configure it, where a `MagicMock` would have been truthy and let the test pass. Awaiting it
is Python's own `TypeError` (`can't be used in 'await' expression`): the code awaits a
synchronous method, which is the error to see.
"""

from __future__ import annotations

from typing import Any, NoReturn

from mockguard.factory.errors import UnconfiguredValueError


class Unconfigured:
    """The result of a call nobody configured (see the module docstring)."""

    __slots__ = ("_mg_hint", "_mg_label")

    def __init__(self, label: str, hint: str) -> None:
        object.__setattr__(self, "_mg_label", label)
        object.__setattr__(self, "_mg_hint", hint)

    def _mg_fail(self, what: str) -> NoReturn:
        raise UnconfiguredValueError(
            f"{self._mg_label} returned a value nobody configured, and the code {what} it; "
            f"configure it first: {self._mg_hint}"
        )

    def __repr__(self) -> str:
        return f"<unconfigured result of {self._mg_label}>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        self._mg_fail("tested the truth of")

    def __len__(self) -> int:
        self._mg_fail("took the length of")

    def __iter__(self) -> Any:
        self._mg_fail("iterated over")

    def __aiter__(self) -> Any:
        self._mg_fail("iterated over")

    def __contains__(self, item: object) -> bool:
        self._mg_fail("searched")

    def __getitem__(self, key: object) -> Any:
        self._mg_fail(f"indexed [{key!r}]")

    def __setitem__(self, key: object, value: object) -> None:
        self._mg_fail(f"set [{key!r}] of")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self._mg_fail(f"read `.{name}` of")

    def __setattr__(self, name: str, value: object) -> None:
        self._mg_fail(f"set `.{name}` of")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._mg_fail("called")

    def __enter__(self) -> Any:
        self._mg_fail("entered")

    def __int__(self) -> int:
        self._mg_fail("converted to int")

    def __float__(self) -> float:
        self._mg_fail("converted to float")

    def __index__(self) -> int:
        self._mg_fail("used as an index")

    def _mg_arith(self, other: object) -> Any:
        self._mg_fail("computed with")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _mg_arith
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __pow__ = _mg_arith
    __lt__ = __le__ = __gt__ = __ge__ = _mg_arith
