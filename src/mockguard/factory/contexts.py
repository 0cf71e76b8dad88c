"""User and execution contexts: real frozen values with unique ids, never mocks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


@dataclass(frozen=True, slots=True)
class UserExecutionContext:
    """Who a request runs for. Every mock the factory makes for a user belongs to one."""

    user_id: str = field(default_factory=lambda: _id("user"))
    thread_id: str = field(default_factory=lambda: _id("thread"))
    run_id: str = field(default_factory=lambda: _id("run"))
    request_id: str = field(default_factory=lambda: _id("req"))
    websocket_connection_id: str | None = None
    metadata: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class ExecutionContext:
    """One agent run: the user it is for, the agent, and when it started."""

    user_context: UserExecutionContext = field(default_factory=UserExecutionContext)
    agent_name: str = "supervisor"
    run_id: str = field(default_factory=lambda: _id("run"))
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    metadata: tuple[tuple[str, Any], ...] = ()

    @property
    def user_id(self) -> str:
        return self.user_context.user_id
