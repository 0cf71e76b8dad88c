"""Per-request execution context passed through the agent pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from uuid import uuid4


def _new_id() -> str:
    return str(uuid4())


@dataclass(frozen=True)
class UserExecutionContext:
    """Identifies who a piece of agent work is being done for.

    Every agent run gets its own ``run_id``; messages sent over the same
    WebSocket connection share a ``thread_id``.  The context is immutable so it
    can be handed to concurrent tasks without anyone mutating it underneath.
    """

    user_id: str
    thread_id: str = field(default_factory=_new_id)
    run_id: str = field(default_factory=_new_id)
    request_id: str = field(default_factory=_new_id)

    def __post_init__(self) -> None:
        if not self.user_id or not self.user_id.strip():
            raise ValueError("user_id must be a non-empty string")

    def for_new_run(self) -> UserExecutionContext:
        """Return a copy for a new run in the same thread (fresh run/request ids)."""
        return replace(self, run_id=_new_id(), request_id=_new_id())
