"""User and execution contexts: real frozen values with unique ids, never mocks.

They also carry what the doubles of the factory they replace carried (`user_tier`,
`created_at`, `connection_id`, `get_state`/`set_state`), so that tests written against those
keep working; extra values given at creation (`metadata`) read as attributes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _extra(metadata: tuple[tuple[str, Any], ...], owner: str, name: str) -> Any:
    if not name.startswith("_"):
        for key, value in metadata:
            if key == name:
                return value
    raise AttributeError(f"{owner} has no attribute `{name}`")


@dataclass(frozen=True, slots=True)
class UserExecutionContext:
    """Who a request runs for. Every mock the factory makes for a user belongs to one."""

    user_id: str = field(default_factory=lambda: _id("user"))
    thread_id: str = field(default_factory=lambda: _id("thread"))
    run_id: str = field(default_factory=lambda: _id("run"))
    request_id: str = field(default_factory=lambda: _id("req"))
    websocket_connection_id: str | None = None
    metadata: tuple[tuple[str, Any], ...] = ()
    websocket_client_id: str | None = None
    user_tier: str = "free"
    created_at: datetime = field(default_factory=_now, compare=False)
    state: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def connection_id(self) -> str | None:
        """The websocket connection the request came on (`websocket_connection_id`)."""
        return self.websocket_connection_id

    def get_state(self, key: str | None = None, default: Any = None) -> Any:
        """The value kept under `key` (`default` when none); without a key, a copy of all."""
        return dict(self.state) if key is None else self.state.get(key, default)

    def set_state(self, key: str, value: Any) -> None:
        """Keep `value` under `key` for the rest of the request."""
        self.state[key] = value

    def __getattr__(self, name: str) -> Any:
        return _extra(self.metadata, "UserExecutionContext", name)


@dataclass(frozen=True, slots=True)
class ExecutionContext:
    """One agent run: the user it is for, the agent, and when it started."""

    user_context: UserExecutionContext = field(default_factory=UserExecutionContext)
    agent_name: str = "supervisor"
    run_id: str = field(default_factory=lambda: _id("run"))
    started_at: datetime = field(default_factory=_now)
    metadata: tuple[tuple[str, Any], ...] = ()
    state: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def user_id(self) -> str:
        return self.user_context.user_id

    @property
    def thread_id(self) -> str:
        return self.user_context.thread_id

    @property
    def created_at(self) -> datetime:
        """When the run started (`started_at`)."""
        return self.started_at

    def get_state(self, key: str | None = None, default: Any = None) -> Any:
        """The value kept under `key` (`default` when none); without a key, a copy of all."""
        return dict(self.state) if key is None else self.state.get(key, default)

    def set_state(self, key: str, value: Any) -> None:
        """Keep `value` under `key` for the rest of the run."""
        self.state[key] = value

    def __getattr__(self, name: str) -> Any:
        return _extra(self.metadata, "ExecutionContext", name)
