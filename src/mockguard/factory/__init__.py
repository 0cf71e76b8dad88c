"""The mock factory: strict, fast, isolated test doubles that follow real interfaces."""

from __future__ import annotations

from typing import Any

from mockguard.factory.contexts import ExecutionContext, UserExecutionContext
from mockguard.factory.errors import (
    ContaminationError,
    EventContractError,
    KindError,
    MockguardDeprecationWarning,
    MockguardError,
    MockLeakError,
    UnknownKindError,
)
from mockguard.factory.events import LIFECYCLE_EVENTS, Event, EventContract, EventLog, assert_events
from mockguard.factory.interface import Interface, InterfaceError, Member, compile_interface
from mockguard.factory.kinds import Kind
from mockguard.factory.registry import MockFactory, SSotMockFactory, default_factory
from mockguard.factory.strict import StrictMock

__all__ = [
    "LIFECYCLE_EVENTS",
    "ContaminationError",
    "Event",
    "EventContract",
    "EventContractError",
    "EventLog",
    "ExecutionContext",
    "Interface",
    "InterfaceError",
    "Kind",
    "KindError",
    "Member",
    "MockFactory",
    "MockLeakError",
    "MockguardDeprecationWarning",
    "MockguardError",
    "SSotMockFactory",
    "StrictMock",
    "UnknownKindError",
    "UserExecutionContext",
    "assert_events",
    "compile_interface",
    "create",
    "default_factory",
]


def create(kind: str, /, *args: Any, **kwargs: Any) -> Any:
    """A double from the default factory: `mockguard.factory.create("websocket")`."""
    return default_factory.create(kind, *args, **kwargs)
