"""mockguard: one source of truth for a Python test suite's test doubles.

The scanner is the `mockguard` command. The factory is importable from here; it is loaded
on first use, so the command's start-up does not pay for it.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False  # not typing's: the command's start-up does without importing it
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"
# When this process loaded mockguard: a temp file last changed before it was left by a
# writer that is gone (see `mockguard.io`).
STARTED = time.time()

_FACTORY_NAMES = frozenset(
    {
        "ContaminationError",
        "EventContract",
        "EventContractError",
        "ExecutionContext",
        "Kind",
        "KindError",
        "MockFactory",
        "MockLeakError",
        "SSotMockFactory",
        "StrictMock",
        "UnknownKindError",
        "UserExecutionContext",
        "assert_events",
        "default_factory",
    }
)

__all__ = ["__version__", *sorted(_FACTORY_NAMES)]


def __getattr__(name: str) -> Any:
    if name in _FACTORY_NAMES:
        import importlib

        return getattr(importlib.import_module("mockguard.factory"), name)
    raise AttributeError(f"module 'mockguard' has no attribute {name!r}")
