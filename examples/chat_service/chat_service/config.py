"""Runtime settings, read from ``CHAT_SERVICE_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///:memory:"
DEFAULT_MODEL = "local-rules-v1"


@dataclass(frozen=True)
class Settings:
    """Service configuration."""

    database_url: str = DEFAULT_DATABASE_URL
    llm_model: str = DEFAULT_MODEL
    max_tool_calls: int = 4
    agent_timeout_seconds: float = 30.0


def get_settings() -> Settings:
    """Read settings from the environment, falling back to the defaults."""
    env = os.environ
    try:
        max_tool_calls = int(env.get("CHAT_SERVICE_MAX_TOOL_CALLS", "4"))
        timeout = float(env.get("CHAT_SERVICE_AGENT_TIMEOUT", "30"))
    except ValueError as exc:
        raise ValueError(f"invalid numeric setting: {exc}") from exc
    if max_tool_calls < 1:
        raise ValueError("CHAT_SERVICE_MAX_TOOL_CALLS must be at least 1")
    return Settings(
        database_url=env.get("CHAT_SERVICE_DATABASE_URL", DEFAULT_DATABASE_URL),
        llm_model=env.get("CHAT_SERVICE_MODEL", DEFAULT_MODEL),
        max_tool_calls=max_tool_calls,
        agent_timeout_seconds=timeout,
    )
