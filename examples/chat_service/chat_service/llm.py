"""An OpenAI-style chat-completions client interface and a local, offline model.

The agent only relies on the shape of the OpenAI Python SDK::

    response = await client.chat.completions.create(model=..., messages=[...], tools=[...])
    response.choices[0].message.content
    response.choices[0].message.tool_calls  # list[ToolCall] | None

so any client with that shape can be plugged in.  The service ships
:class:`LocalLLMClient`, a deterministic rule-based "model" that needs no
network and makes the demo reproducible.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Protocol


class LLMError(RuntimeError):
    """The model could not produce a completion."""


@dataclass(frozen=True)
class FunctionCall:
    name: str
    arguments: str  # JSON-encoded, as in the OpenAI API


@dataclass(frozen=True)
class ToolCall:
    id: str
    function: FunctionCall
    type: str = "function"


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str | None
    tool_calls: list[ToolCall] | None = None


@dataclass(frozen=True)
class Choice:
    index: int
    message: ChatMessage
    finish_reason: str


@dataclass(frozen=True)
class ChatCompletion:
    id: str
    model: str
    choices: list[Choice]
    created: int = field(default_factory=lambda: int(time.time()))


class CompletionsAPI(Protocol):
    async def create(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
    ) -> ChatCompletion: ...


class ChatAPI(Protocol):
    @property
    def completions(self) -> CompletionsAPI: ...


class LLMClient(Protocol):
    """Anything with ``client.chat.completions.create(...)``."""

    @property
    def chat(self) -> ChatAPI: ...


# Arithmetic: digits joined by at least one binary operator, brackets allowed.
_ARITHMETIC_CHARS = re.compile(r"[\d.+\-*/%()\s]+")
_HAS_BINARY_OP = re.compile(r"\d\s*\)*\s*(?:\*\*|//|[+\-*/%])\s*\(*\s*-?\d")
_SEARCH_FILLER = re.compile(r"\b(?:please|search|the|docs?|documentation|for|about|in)\b", re.I)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey)\b", re.I)


def extract_arithmetic(text: str) -> str | None:
    """Return the first arithmetic expression in ``text``, or ``None``."""
    for candidate in _ARITHMETIC_CHARS.findall(text):
        expression = candidate.strip().rstrip(".")
        if _HAS_BINARY_OP.search(expression):
            return expression
    return None


def _tool_names(tools: list[dict[str, Any]] | None) -> set[str]:
    return {spec["function"]["name"] for spec in tools or () if spec.get("type") == "function"}


class _LocalCompletions:
    def __init__(self, owner: LocalLLMClient) -> None:
        self._owner = owner

    async def create(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
    ) -> ChatCompletion:
        return self._owner.complete(model=model, messages=messages, tools=tools)


class _LocalChat:
    def __init__(self, owner: LocalLLMClient) -> None:
        self.completions = _LocalCompletions(owner)


class LocalLLMClient:
    """Deterministic, rule-based stand-in for a hosted chat model.

    * After tool results are in the conversation, it summarises them.
    * A user message containing arithmetic asks for the ``calculator`` tool.
    * A user message mentioning "search" asks for the ``search_docs`` tool.
    * Otherwise it answers directly.

    A tool is only requested when the caller offered it in ``tools``.
    """

    def __init__(self) -> None:
        self.chat = _LocalChat(self)
        self._ids = itertools.count(1)

    def complete(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
    ) -> ChatCompletion:
        """Synchronous core of ``chat.completions.create``."""
        if not messages:
            raise LLMError("messages must not be empty")
        user_index = max(
            (i for i, m in enumerate(messages) if m.get("role") == "user"), default=None
        )
        if user_index is None:
            raise LLMError("no user message to answer")
        tool_results = [m for m in messages[user_index + 1 :] if m.get("role") == "tool"]
        if tool_results:
            message = ChatMessage("assistant", self._summarise(tool_results))
        else:
            message = self._respond(str(messages[user_index].get("content") or ""), tools)
        finish = "tool_calls" if message.tool_calls else "stop"
        return ChatCompletion(
            id=f"chatcmpl-local-{next(self._ids)}",
            model=model,
            choices=[Choice(index=0, message=message, finish_reason=finish)],
        )

    def _respond(self, text: str, tools: list[dict[str, Any]] | None) -> ChatMessage:
        offered = _tool_names(tools)
        expression = extract_arithmetic(text)
        if expression is not None and "calculator" in offered:
            return self._tool_call("calculator", {"expression": expression})
        if "search" in text.lower() and "search_docs" in offered:
            query = " ".join(_SEARCH_FILLER.sub(" ", text).split()).strip(" ?!.:")
            return self._tool_call("search_docs", {"query": query or text})
        if _GREETING.match(text):
            return ChatMessage("assistant", "Hello! I can do arithmetic or search the docs for you.")
        return ChatMessage(
            "assistant",
            f"I can help with arithmetic and documentation search. You said: {text.strip()}",
        )

    @staticmethod
    def _tool_call(name: str, arguments: dict[str, Any]) -> ChatMessage:
        call = ToolCall(id="call_0", function=FunctionCall(name, json.dumps(arguments)))
        return ChatMessage("assistant", None, tool_calls=[call])

    @staticmethod
    def _summarise(tool_results: list[dict[str, Any]]) -> str:
        parts = []
        for result in tool_results:
            content = str(result.get("content", ""))
            if content.startswith("Error:"):
                parts.append(f"Sorry, the {result.get('name', 'tool')} failed: {content[6:].strip()}")
            elif result.get("name") == "calculator":
                parts.append(f"The result is {content}.")
            elif result.get("name") == "search_docs":
                parts.append(f"Here is what I found in the docs:\n{content}")
            else:
                parts.append(content)
        return "\n".join(parts)
