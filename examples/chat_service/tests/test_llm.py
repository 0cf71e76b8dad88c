"""LocalLLMClient: the deterministic offline model."""

from __future__ import annotations

import json
from unittest.mock import patch

import pytest

from chat_service.llm import LLMError, LocalLLMClient, extract_arithmetic
from chat_service.tools import default_tool_registry

TOOLS = default_tool_registry().specs()


def _user(text):
    return [{"role": "system", "content": "be nice"}, {"role": "user", "content": text}]


async def test_arithmetic_asks_for_the_calculator():
    client = LocalLLMClient()

    response = await client.chat.completions.create(
        model="local", messages=_user("what is (2 + 3) * 4?"), tools=TOOLS
    )

    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls
    assert call.function.name == "calculator"
    assert json.loads(call.function.arguments) == {"expression": "(2 + 3) * 4"}


async def test_search_asks_for_search_docs_with_the_keywords():
    client = LocalLLMClient()

    response = await client.chat.completions.create(
        model="local", messages=_user("Please search the docs for lifecycle events"), tools=TOOLS
    )

    [call] = response.choices[0].message.tool_calls
    assert call.function.name == "search_docs"
    assert json.loads(call.function.arguments) == {"query": "lifecycle events"}


async def test_direct_answers_without_tools_or_for_greetings():
    client = LocalLLMClient()

    response = await client.chat.completions.create(model="local", messages=_user("2 + 2"))

    message = response.choices[0].message
    assert message.tool_calls is None
    assert message.content == "I can help with arithmetic and documentation search. You said: 2 + 2"
    greeting = await client.chat.completions.create(
        model="local-rules-v1", messages=_user("hello!"), tools=TOOLS
    )
    assert greeting.model == "local-rules-v1"
    assert greeting.choices[0].finish_reason == "stop"
    assert greeting.choices[0].message.content.startswith("Hello!")


async def test_tool_results_are_summarised():
    client = LocalLLMClient()
    messages = [
        *_user("what is 6 * 7"),
        {"role": "assistant", "content": None, "tool_calls": []},
        {"role": "tool", "tool_call_id": "call_0", "name": "calculator", "content": "42"},
    ]

    response = await client.chat.completions.create(model="local", messages=messages, tools=TOOLS)

    assert response.choices[0].message.content == "The result is 42."


async def test_only_tool_results_after_the_last_user_message_count():
    client = LocalLLMClient()
    old_result = {"role": "tool", "name": "calculator", "content": "1"}
    new_result = {"role": "tool", "name": "calculator", "content": "2"}
    messages = [
        {"role": "user", "content": "1 + 0"},
        old_result,
        {"role": "user", "content": "1 + 1"},
        new_result,
    ]

    with patch.object(LocalLLMClient, "_summarise", return_value="stubbed") as mock_summarise:
        response = await client.chat.completions.create(model="local", messages=messages)

    mock_summarise.assert_called_once_with([new_result])
    assert response.choices[0].message.content == "stubbed"


async def test_completion_ids_are_unique_per_client(mocker):
    client = LocalLLMClient()
    spy = mocker.spy(client, "complete")

    first = await client.chat.completions.create(model="m", messages=_user("hi"))
    second = await client.chat.completions.create(model="m", messages=_user("hi"))

    assert first.id != second.id
    assert spy.call_count == 2
    assert spy.call_args.kwargs == {"model": "m", "messages": _user("hi"), "tools": None}


async def test_unanswerable_conversations_raise():
    client = LocalLLMClient()

    with pytest.raises(LLMError, match="empty"):
        await client.chat.completions.create(model="m", messages=[])
    with pytest.raises(LLMError, match="no user message"):
        await client.chat.completions.create(
            model="m", messages=[{"role": "system", "content": "no user here"}]
        )


def test_extract_arithmetic():
    assert extract_arithmetic("what is 2 + 3?") == "2 + 3"
    assert extract_arithmetic("compute (1+2)*3.") == "(1+2)*3"
    assert extract_arithmetic("12 / 4 please") == "12 / 4"
    assert extract_arithmetic("I have 3 cats") is None
