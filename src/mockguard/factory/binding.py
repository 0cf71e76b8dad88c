"""Which factory the facade serves: the running test's, never one shared across tests.

`SSotMockFactory` and `mockguard.factory.create` ask :func:`bound` for the factory in
effect. The pytest plugin binds a fresh factory to every test (made on first use, checked
at teardown); :func:`using` binds one explicitly, outside pytest or around a block. With
nothing bound, the module-level `default_factory` serves (reset it with
`default_factory.reset()` between uses).

The binding lives in a `ContextVar`, so asyncio tasks and `contextvars.copy_context()` runs
see the factory of the code that started them. Threads start with an empty context: for
them, the binding of the running test is also kept process-wide (set with `test=True`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

# The factory is typed loosely here: this module sits below the registry (which asks it
# what is bound), so it cannot name MockFactory without an import cycle.
MockFactory = Any


class Binding:
    """A factory made on first use: most tests never ask for one."""

    __slots__ = ("_factory", "_lock", "_make")

    def __init__(self, make: Callable[[], MockFactory]) -> None:
        self._make = make
        self._factory: MockFactory | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, factory: MockFactory) -> Binding:
        """A binding to an existing factory."""
        made = cls(lambda: factory)
        made._factory = factory
        return made

    @property
    def made(self) -> MockFactory | None:
        """The factory, if anything asked for it yet."""
        return self._factory

    def factory(self) -> MockFactory:
        """The factory, made now if needed."""
        found = self._factory
        if found is None:
            with self._lock:
                found = self._factory
                if found is None:
                    found = self._factory = self._make()
        return found


_CURRENT: ContextVar[Binding | None] = ContextVar("mockguard_factory", default=None)
_TEST: list[Binding | None] = [None]  # the running test's binding, seen from its threads


@dataclass(frozen=True)
class BindingToken:
    """What :func:`unbind` needs to restore the previous binding."""

    token: Token[Binding | None]
    previous_test: Binding | None
    test: bool


def bind(target: MockFactory | Binding, *, test: bool = False) -> BindingToken:
    """Make `target` the factory in effect in this context (and, with `test`, in threads
    started while it is bound)."""
    binding = target if isinstance(target, Binding) else Binding.of(target)
    previous = _TEST[0]
    if test:
        _TEST[0] = binding
    return BindingToken(_CURRENT.set(binding), previous, test)


def unbind(token: BindingToken) -> None:
    """Restore the binding in effect before :func:`bind`."""
    try:
        _CURRENT.reset(token.token)
    except ValueError:  # reset from another context: bind nothing here
        _CURRENT.set(None)
    if token.test:
        _TEST[0] = token.previous_test


def bound() -> MockFactory | None:
    """The factory bound to the running code, if any (made now if it is lazy)."""
    binding = _CURRENT.get() or _TEST[0]
    return binding.factory() if binding is not None else None


@contextmanager
def using(factory: MockFactory) -> Iterator[MockFactory]:
    """Bind `factory` inside the block: `with using(MockFactory.from_config()): ...`."""
    token = bind(factory)
    try:
        yield factory
    finally:
        unbind(token)
