"""The factory's errors and warnings."""

from __future__ import annotations


class MockguardError(Exception):
    """Base class of the factory's errors."""


class UnknownKindError(MockguardError, KeyError):
    """A kind name the factory does not know."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class KindError(MockguardError, TypeError):
    """A kind that cannot be registered or built as asked (bad interface, bad override)."""


class ContaminationError(MockguardError, AssertionError):
    """A message stamped with one user's id went through another user's socket."""


class MockLeakError(MockguardError, TypeError):
    """A mock object (or a value the wire cannot carry) reached a socket or a session."""


class EventContractError(MockguardError, AssertionError):
    """The recorded events do not satisfy the event contract."""


class MockguardDeprecationWarning(DeprecationWarning):
    """A deprecated factory name was used; the message names the canonical one."""


class UnconfiguredValueError(MockguardError, TypeError):
    """Code used a value a double returned without anybody configuring it."""


class UnawaitedCallError(MockguardError, AssertionError):
    """A factory coroutine was called but never awaited: the call did nothing."""


class MockguardWarning(UserWarning):
    """Something the factory did that the test author should know about (a fallback)."""
