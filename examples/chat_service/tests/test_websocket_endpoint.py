"""The /ws/{user_id} endpoint, end to end and with parts mocked out."""

from __future__ import annotations

import json
from types import SimpleNamespace
from unittest.mock import AsyncMock, MagicMock, patch

from fastapi.testclient import TestClient

import chat_service.app as app_module
from chat_service.agents import AgentExecutionError, ExecutionEngine
from chat_service.app import create_app
from chat_service.events import LIFECYCLE_EVENTS
from chat_service.llm import ChatCompletion, ChatMessage, Choice, FunctionCall, ToolCall


class StubLLMClient:
    """Scripted completions (same idea as the one in test_agents, slightly different)."""

    def __init__(self, responses):
        self._responses = iter(responses)
        self.calls = 0
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self.create))

    async def create(self, **kwargs):
        self.calls += 1
        return next(self._responses)


class _FakeToolRegistry:
    def __init__(self, result):
        self.result = result
        self.executed = []

    def names(self):
        return ["lookup"]

    def specs(self):
        return [{"type": "function", "function": {"name": "lookup"}}]

    async def execute(self, name, arguments):
        self.executed.append((name, arguments))
        return self.result


def _receive_run(ws, until=("agent_completed", "error"), max_frames=10):
    """Read frames until the run ends, so a broken run fails instead of hanging the test."""
    received = []
    while len(received) < max_frames:
        received.append(ws.receive_json())
        if received[-1]["type"] in until:
            break
    return received


def test_tool_run_streams_five_events_in_order_and_persists(client):
    with client.websocket_connect("/ws/alice") as ws:
        ws.send_json({"message": "what is (2 + 3) * 4?"})
        received = _receive_run(ws)

    assert [event["type"] for event in received] == list(LIFECYCLE_EVENTS)
    assert {event["user_id"] for event in received} == {"alice"}
    assert len({event["run_id"] for event in received}) == 1
    assert received[2]["payload"] == {"tool": "calculator", "arguments": {"expression": "(2 + 3) * 4"}}
    assert received[3]["payload"] == {"tool": "calculator", "result": "20"}
    assert received[4]["payload"] == {"answer": "The result is 20."}
    stored = client.get("/conversations/alice").json()["messages"]
    assert [(m["role"], m["content"]) for m in stored] == [
        ("user", "what is (2 + 3) * 4?"),
        ("assistant", "The result is 20."),
    ]


def test_bad_frames_get_an_error_and_the_socket_stays_usable(client, mocker):
    parse = mocker.spy(app_module, "parse_client_message")
    with client.websocket_connect("/ws/bob") as ws:
        assert client.get("/health").json()["connections"] == 1
        ws.send_text("not json")
        ws.send_json({"message": "   "})
        ws.send_json({"message": "hello"})
        bad_json, empty, *run = _receive_run(ws, until=("agent_completed",))

    assert (bad_json["type"], bad_json["payload"]) == ("error", {"error": "message is not valid JSON"})
    assert (empty["type"], empty["payload"]) == ("error", {"error": "message must not be empty"})
    assert [e["type"] for e in run] == ["agent_started", "agent_thinking", "agent_completed"]
    assert client.get("/health").json()["connections"] == 0
    assert parse.call_count == 3
    assert parse.spy_return == "hello"


def test_agent_failure_is_reported_and_no_answer_is_stored(client):
    failure = AgentExecutionError("agent 'supervisor' failed: model unavailable")
    with patch.object(
        ExecutionEngine, "execute", new_callable=AsyncMock, side_effect=failure
    ) as mock_execute, client.websocket_connect("/ws/carol") as ws:
        ws.send_json({"message": "hi"})
        error = ws.receive_json()

    assert error["type"] == "error"
    assert error["payload"] == {"error": "agent 'supervisor' failed: model unavailable"}
    assert mock_execute.await_args.args[1] == "hi"
    stored = client.get("/conversations/carol").json()["messages"]
    assert [m["role"] for m in stored] == ["user"]


def test_endpoint_uses_the_app_llm_client(monkeypatch):
    call = ToolCall(id="call_1", function=FunctionCall("lookup", json.dumps({"key": "tz"})))
    stub = StubLLMClient(
        [
            ChatCompletion("c1", "stub", [Choice(0, ChatMessage("assistant", None, [call]), "tool_calls")]),
            ChatCompletion("c2", "stub", [Choice(0, ChatMessage("assistant", "UTC"), "stop")]),
        ]
    )
    monkeypatch.setattr(app_module, "LocalLLMClient", MagicMock(return_value=stub))
    tools = _FakeToolRegistry("Europe/Oslo -> UTC")

    with TestClient(create_app(tools=tools)) as client:
        with client.websocket_connect("/ws/dave") as ws:
            ws.send_json({"message": "which timezone?"})
            events = _receive_run(ws)

    assert stub.calls == 2
    assert tools.executed == [("lookup", {"key": "tz"})]
    assert events[3]["payload"] == {"tool": "lookup", "result": "Europe/Oslo -> UTC"}
    assert events[4]["payload"] == {"answer": "UTC"}


def test_user_and_assistant_messages_go_through_the_repository(mocker):
    repository_cls = mocker.patch("chat_service.app.ConversationRepository")
    repository_cls.return_value.add_message = AsyncMock()

    with TestClient(create_app()) as client:
        with client.websocket_connect("/ws/erin") as ws:
            ws.send_json({"message": "hello"})
            _receive_run(ws)

    add_message = repository_cls.return_value.add_message
    assert add_message.await_args_list == [
        mocker.call("erin", "user", "hello"),
        mocker.call("erin", "assistant", "Hello! I can do arithmetic or search the docs for you."),
    ]
