"""Agent lifecycle events streamed to the client over the WebSocket."""

from __future__ import annotations

import time
from typing import Any, Final

from chat_service.context import UserExecutionContext

AGENT_STARTED: Final = "agent_started"
AGENT_THINKING: Final = "agent_thinking"
TOOL_EXECUTING: Final = "tool_executing"
TOOL_COMPLETED: Final = "tool_completed"
AGENT_COMPLETED: Final = "agent_completed"

#: The lifecycle of one agent run, in the order a client sees it.
LIFECYCLE_EVENTS: Final[tuple[str, ...]] = (
    AGENT_STARTED,
    AGENT_THINKING,
    TOOL_EXECUTING,
    TOOL_COMPLETED,
    AGENT_COMPLETED,
)

#: Sent when the service cannot process a client message (not part of a run).
ERROR_EVENT: Final = "error"


def build_event(
    event_type: str,
    context: UserExecutionContext,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the JSON-serialisable envelope for one lifecycle event.

    Raises:
        ValueError: if ``event_type`` is not one of :data:`LIFECYCLE_EVENTS`.
    """
    if event_type not in LIFECYCLE_EVENTS:
        raise ValueError(f"unknown lifecycle event: {event_type!r}")
    return {
        "type": event_type,
        "user_id": context.user_id,
        "run_id": context.run_id,
        "payload": dict(payload or {}),
        "timestamp": time.time(),
    }


def build_error(message: str, *, user_id: str) -> dict[str, Any]:
    """Build the envelope sent when a client message is rejected."""
    return {
        "type": ERROR_EVENT,
        "user_id": user_id,
        "run_id": None,
        "payload": {"error": message},
        "timestamp": time.time(),
    }
