"""SupervisorAgent: LLM round trips, tool calls and lifecycle events."""

from __future__ import annotations

import json
import unittest
from types import SimpleNamespace
from unittest.mock import AsyncMock, MagicMock, create_autospec, patch

import pytest

from chat_service.agents import SupervisorAgent
from chat_service.events import LIFECYCLE_EVENTS
from chat_service.llm import ChatCompletion, ChatMessage, Choice, FunctionCall, ToolCall
from chat_service.tools import ToolError
from chat_service.websocket_manager import AgentWebSocketBridge


def _completion(content=None, tool_calls=None):
    message = ChatMessage(role="assistant", content=content, tool_calls=tool_calls)
    return ChatCompletion(id="cmpl-test", model="stub", choices=[Choice(0, message, "stop")])


class StubLLMClient:
    """Replays scripted completions and remembers what it was asked."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests = []
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    async def _create(self, *, model, messages, tools=None):
        self.requests.append({"model": model, "messages": list(messages), "tools": tools})
        return self.responses.pop(0)


class _FakeToolRegistry:
    def __init__(self, results=None, error=None):
        self.results = results or {}
        self.error = error
        self.executed = []

    def specs(self):
        return [{"type": "function", "function": {"name": n}} for n in self.results]

    def names(self):
        return list(self.results)

    async def execute(self, name, arguments):
        self.executed.append((name, arguments))
        if self.error:
            raise self.error
        return self.results[name]


def _call(name, arguments, call_id="call_0"):
    return ToolCall(id=call_id, function=FunctionCall(name, json.dumps(arguments)))


async def test_direct_answer_skips_tool_events(mock_bridge, user_context):
    llm = StubLLMClient(_completion("Hi there"))
    agent = SupervisorAgent(llm, _FakeToolRegistry(), mock_bridge)

    answer = await agent.run(user_context, "hello")

    assert answer == "Hi there"
    mock_bridge.agent_started.assert_awaited_once_with(user_context, "supervisor")
    mock_bridge.tool_executing.assert_not_awaited()
    mock_bridge.agent_completed.assert_awaited_once_with(user_context, "Hi there")
    assert len(llm.requests) == 1


async def test_tool_run_emits_the_five_events_in_order(user_context):
    emitted = []
    bridge = MagicMock()
    for event in LIFECYCLE_EVENTS:
        setattr(bridge, event, AsyncMock(side_effect=lambda *a, _e=event: emitted.append(_e)))
    llm = StubLLMClient(
        _completion(tool_calls=[_call("calculator", {"expression": "6 * 7"})]),
        _completion("The result is 42."),
    )
    tools = _FakeToolRegistry({"calculator": "42"})

    answer = await SupervisorAgent(llm, tools, bridge).run(user_context, "what is 6 * 7")

    assert answer == "The result is 42."
    assert emitted == list(LIFECYCLE_EVENTS)
    assert tools.executed == [("calculator", {"expression": "6 * 7"})]


async def test_tool_result_is_fed_back_to_the_model(mock_bridge, user_context, mocker):
    mocker.patch("chat_service.agents.SYSTEM_PROMPT", "Answer from the docs.")
    llm = StubLLMClient(
        _completion(tool_calls=[_call("search_docs", {"query": "health"}, call_id="call_9")]),
        _completion("GET /health"),
    )
    agent = SupervisorAgent(llm, _FakeToolRegistry({"search_docs": "- Health check"}), mock_bridge)

    await agent.run(user_context, "search health")

    final_request = llm.requests[1]["messages"]
    assert final_request[0] == {"role": "system", "content": "Answer from the docs."}
    assert final_request[-2]["tool_calls"][0]["id"] == "call_9"
    assert final_request[-1] == {
        "role": "tool",
        "tool_call_id": "call_9",
        "name": "search_docs",
        "content": "- Health check",
    }
    mock_bridge.tool_completed.assert_awaited_once_with(user_context, "search_docs", "- Health check")


async def test_tool_failure_is_reported_to_user_and_model(user_context):
    mock_bridge = create_autospec(AgentWebSocketBridge, instance=True)
    llm = StubLLMClient(
        _completion(tool_calls=[_call("calculator", {"expression": "1/0"})]),
        _completion("Sorry, that failed."),
    )
    tools = _FakeToolRegistry({"calculator": None}, error=ToolError("division by zero"))

    answer = await SupervisorAgent(llm, tools, mock_bridge).run(user_context, "1/0")

    assert answer == "Sorry, that failed."
    mock_bridge.tool_completed.assert_awaited_once_with(
        user_context, "calculator", "Error: division by zero"
    )
    assert llm.requests[1]["messages"][-1]["content"] == "Error: division by zero"


async def test_malformed_tool_arguments_are_not_executed(mock_bridge, user_context):
    call = MagicMock()
    call.id = "call_1"
    call.function.name = "calculator"
    call.function.arguments = "{not json"
    first = MagicMock()
    first.choices = [MagicMock(message=MagicMock(content=None, tool_calls=[call]))]
    second = MagicMock()
    second.choices = [MagicMock(message=MagicMock(content="I could not parse that.", tool_calls=None))]
    llm = MagicMock()
    llm.chat.completions.create = AsyncMock(side_effect=[first, second])
    tools = MagicMock()
    tools.specs.return_value = []
    tools.execute = AsyncMock()

    answer = await SupervisorAgent(llm, tools, mock_bridge).run(user_context, "calc")

    assert answer == "I could not parse that."
    tools.execute.assert_not_awaited()
    mock_bridge.tool_executing.assert_awaited_once_with(user_context, "calculator", {})
    result = mock_bridge.tool_completed.await_args.args[2]
    assert result.startswith("Error: tool arguments are not valid JSON")


@patch("chat_service.agents.logger")
@patch("chat_service.agents.SYSTEM_PROMPT", "Be terse.")
async def test_prompt_and_tool_call_limit(mock_logger, mock_bridge, user_context):
    calls = [_call("calculator", {"expression": f"{i} + 1"}, f"call_{i}") for i in range(3)]
    llm = StubLLMClient(_completion(tool_calls=calls), _completion("done"))
    tools = _FakeToolRegistry({"calculator": "x"})
    agent = SupervisorAgent(llm, tools, mock_bridge, model="gpt-test", max_tool_calls=2)

    await agent.run(user_context, "sum things")

    assert llm.requests[0]["messages"][0] == {"role": "system", "content": "Be terse."}
    assert llm.requests[0]["model"] == "gpt-test"
    assert [args for _, args in tools.executed] == [{"expression": "0 + 1"}, {"expression": "1 + 1"}]
    mock_logger.warning.assert_called_once()


async def test_llm_failure_propagates_without_completing(mock_bridge, mock_llm_client, user_context):
    mock_llm_client.chat.completions.create.side_effect = ConnectionError("model unavailable")
    agent = SupervisorAgent(mock_llm_client, _FakeToolRegistry(), mock_bridge)

    with pytest.raises(ConnectionError):
        await agent.run(user_context, "hello")

    mock_bridge.agent_started.assert_awaited_once()
    mock_bridge.agent_completed.assert_not_awaited()


class TestSupervisorAgentWithMocks(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.llm = MagicMock()
        self.response = MagicMock()
        self.response.choices = [MagicMock()]
        self.response.choices[0].message.content = "Plain answer"
        self.response.choices[0].message.tool_calls = []
        self.llm.chat.completions.create = AsyncMock(return_value=self.response)
        self.bridge = MagicMock()
        self.bridge.agent_started = AsyncMock()
        self.bridge.agent_thinking = AsyncMock()
        self.bridge.tool_executing = AsyncMock()
        self.bridge.tool_completed = AsyncMock()
        self.bridge.agent_completed = AsyncMock()
        self.tools = MagicMock()
        self.tools.specs.return_value = [{"type": "function", "function": {"name": "calculator"}}]
        self.tools.execute = AsyncMock(return_value="5")
        self.context = MagicMock(user_id="u1", run_id="r1")
        self.agent = SupervisorAgent(self.llm, self.tools, self.bridge, model="local-rules-v1")

    async def test_offers_the_registry_specs_to_the_model(self) -> None:
        await self.agent.run(self.context, "hi")

        kwargs = self.llm.chat.completions.create.await_args.kwargs
        self.assertEqual(kwargs["model"], "local-rules-v1")
        self.assertEqual(kwargs["tools"], self.tools.specs.return_value)
        self.assertEqual(kwargs["messages"][-1], {"role": "user", "content": "hi"})

    async def test_empty_model_content_becomes_empty_answer(self) -> None:
        self.response.choices[0].message.content = None

        answer = await self.agent.run(self.context, "hi")

        self.assertEqual(answer, "")
        self.bridge.agent_completed.assert_awaited_once_with(self.context, "")
