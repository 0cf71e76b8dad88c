"""The mock factory: strict, fast, isolated test doubles that follow real interfaces."""

from __future__ import annotations

from typing import Any

from mockguard.factory.binding import using
from mockguard.factory.contexts import ExecutionContext, UserExecutionContext
from mockguard.factory.errors import (
    ContaminationError,
    EventContractError,
    KindError,
    MockguardDeprecationWarning,
    MockguardError,
    MockguardWarning,
    MockLeakError,
    UnawaitedCallError,
    UnconfiguredValueError,
    UnknownKindError,
)
from mockguard.factory.events import (
    DEFAULT_USER_ID_PATHS,
    LIFECYCLE_EVENTS,
    Event,
    EventContract,
    EventLog,
    assert_events,
)
from mockguard.factory.facade import SSotMockFactory, current_factory
from mockguard.factory.interface import Interface, InterfaceError, Member, compile_interface
from mockguard.factory.kinds import Kind
from mockguard.factory.members import create_like
from mockguard.factory.migration import MigrationLog
from mockguard.factory.patching import patch
from mockguard.factory.registry import MockFactory, default_factory
from mockguard.factory.strict import StrictMock
from mockguard.factory.values import Unconfigured

__all__ = [
    "DEFAULT_USER_ID_PATHS",
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
    "MigrationLog",
    "MockFactory",
    "MockLeakError",
    "MockguardDeprecationWarning",
    "MockguardError",
    "MockguardWarning",
    "SSotMockFactory",
    "StrictMock",
    "UnawaitedCallError",
    "Unconfigured",
    "UnconfiguredValueError",
    "UnknownKindError",
    "UserExecutionContext",
    "assert_events",
    "compile_interface",
    "create",
    "create_like",
    "current_factory",
    "default_factory",
    "patch",
    "using",
]


def create(kind: str, /, *args: Any, **kwargs: Any) -> Any:
    """A double from the factory in effect (the running test's under pytest, else
    :data:`default_factory`): `mockguard.factory.create("websocket")`."""
    return current_factory().create(kind, *args, **kwargs)
