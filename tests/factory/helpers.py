"""Helpers shared by the mock factory tests."""

from __future__ import annotations

from typing import Any

from mockguard.factory import LIFECYCLE_EVENTS


def lifecycle_payloads(
    *,
    run_id: str | None = None,
    user_id: str | None = None,
    style: str = "flat",
    events: tuple[str, ...] = LIFECYCLE_EVENTS,
) -> list[dict[str, Any]]:
    """The payloads of one agent run, flat (`{"type": ...}`) or nested
    (`{"event": ..., "data": {...}}`)."""
    payloads: list[dict[str, Any]] = []
    for name in events:
        data: dict[str, Any] = {"step": name}
        if run_id is not None:
            data["run_id"] = run_id
        if user_id is not None:
            data["user_id"] = user_id
        if style == "flat":
            payloads.append({"type": name, **data})
        else:
            payloads.append({"event": name, "data": data})
    return payloads


async def send_lifecycle(websocket: Any, **kwargs: Any) -> None:
    """Send one run's lifecycle events through `websocket` (see `lifecycle_payloads`)."""
    for payload in lifecycle_payloads(**kwargs):
        await websocket.send_json(payload)
