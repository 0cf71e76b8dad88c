"""UserExecutionContext and the lifecycle event envelope."""

from __future__ import annotations

import dataclasses
from unittest import mock
from unittest.mock import MagicMock, patch

import pytest

from chat_service import events
from chat_service.context import UserExecutionContext
from chat_service.events import LIFECYCLE_EVENTS, build_error, build_event


def test_context_generates_distinct_ids_by_default():
    first = UserExecutionContext(user_id="alice")
    second = UserExecutionContext(user_id="alice")

    assert first.run_id != second.run_id
    assert first.thread_id != second.thread_id
    assert len({first.run_id, first.thread_id, first.request_id}) == 3


def test_context_is_immutable_and_needs_a_user():
    context = UserExecutionContext(user_id="alice")

    with pytest.raises(dataclasses.FrozenInstanceError):
        context.user_id = "mallory"  # type: ignore[misc]
    with pytest.raises(ValueError, match="user_id"):
        UserExecutionContext(user_id="")
    with pytest.raises(ValueError, match="user_id"):
        UserExecutionContext(user_id="   ")


@patch("chat_service.context.uuid4")
def test_for_new_run_keeps_thread_and_refreshes_run_ids(mock_uuid4):
    mock_uuid4.side_effect = ["run-b", "req-b"]
    context = UserExecutionContext(user_id="alice", thread_id="t-1", run_id="run-a", request_id="req-a")

    next_run = context.for_new_run()

    assert next_run == UserExecutionContext(
        user_id="alice", thread_id="t-1", run_id="run-b", request_id="req-b"
    )
    assert mock_uuid4.call_count == 2


@patch("chat_service.events.time")
def test_build_event_envelope(mock_time, user_context):
    mock_time.time.return_value = 1_700_000_000.0

    event = build_event(events.TOOL_EXECUTING, user_context, {"tool": "calculator"})

    assert event == {
        "type": "tool_executing",
        "user_id": "user-123",
        "run_id": "run-1",
        "payload": {"tool": "calculator"},
        "timestamp": 1_700_000_000.0,
    }


def test_build_event_copies_the_payload_and_checks_the_type(user_context):
    payload = {"answer": "42"}

    event = build_event(events.AGENT_COMPLETED, user_context, payload)
    payload["answer"] = "changed"

    assert event["payload"] == {"answer": "42"}
    assert all(build_event(t, user_context)["type"] == t for t in LIFECYCLE_EVENTS)
    with pytest.raises(ValueError, match="agent_exploded"):
        build_event("agent_exploded", user_context)


def test_build_error_has_no_run(monkeypatch):
    monkeypatch.setattr(events, "time", MagicMock(time=MagicMock(return_value=42.0)))

    error = build_error("message is not valid JSON", user_id="bob")

    assert error == {
        "type": "error",
        "user_id": "bob",
        "run_id": None,
        "payload": {"error": "message is not valid JSON"},
        "timestamp": 42.0,
    }


def test_build_event_defaults_to_empty_payload():
    context = mock.MagicMock()
    context.user_id = "carol"
    context.run_id = "run-77"

    event = build_event(events.AGENT_STARTED, context)

    assert event["payload"] == {}
    assert (event["user_id"], event["run_id"]) == ("carol", "run-77")
