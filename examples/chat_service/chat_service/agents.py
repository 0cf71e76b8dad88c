"""The supervisor agent, the agent registry and the engine that runs agents."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from chat_service.context import UserExecutionContext
from chat_service.llm import LLMClient, ToolCall
from chat_service.tools import ToolError, ToolRegistry
from chat_service.websocket_manager import AgentWebSocketBridge

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are the chat_service assistant. Use the calculator for arithmetic and "
    "search_docs for questions about the service. Answer concisely."
)


class Agent(Protocol):
    name: str

    async def run(self, context: UserExecutionContext, message: str) -> str: ...


class SupervisorAgent:
    """Answers a user message, calling tools when the model asks for them.

    Lifecycle events emitted through the bridge, in order:
    ``agent_started``, ``agent_thinking``, then for each tool call
    ``tool_executing``/``tool_completed``, and finally ``agent_completed``.
    """

    name = "supervisor"

    def __init__(
        self,
        llm_client: LLMClient,
        tools: ToolRegistry,
        bridge: AgentWebSocketBridge,
        *,
        model: str = "local-rules-v1",
        max_tool_calls: int = 4,
    ) -> None:
        self._llm = llm_client
        self._tools = tools
        self._bridge = bridge
        self.model = model
        self.max_tool_calls = max_tool_calls

    async def run(self, context: UserExecutionContext, message: str) -> str:
        """Run one request/response cycle for ``message`` and return the answer."""
        await self._bridge.agent_started(context, self.name)
        await self._bridge.agent_thinking(context, "Working out how to answer")

        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": message},
        ]
        response = await self._llm.chat.completions.create(
            model=self.model, messages=messages, tools=self._tools.specs()
        )
        reply = response.choices[0].message
        tool_calls: list[ToolCall] = list(reply.tool_calls or [])

        if tool_calls:
            if len(tool_calls) > self.max_tool_calls:
                logger.warning(
                    "model asked for %d tool calls; running the first %d",
                    len(tool_calls),
                    self.max_tool_calls,
                )
                tool_calls = tool_calls[: self.max_tool_calls]
            messages.append(
                {
                    "role": "assistant",
                    "content": reply.content,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {
                                "name": call.function.name,
                                "arguments": call.function.arguments,
                            },
                        }
                        for call in tool_calls
                    ],
                }
            )
            for call in tool_calls:
                result = await self._run_tool(context, call)
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call.id,
                        "name": call.function.name,
                        "content": result,
                    }
                )
            final = await self._llm.chat.completions.create(model=self.model, messages=messages)
            answer = final.choices[0].message.content or ""
        else:
            answer = reply.content or ""

        await self._bridge.agent_completed(context, answer)
        return answer

    async def _run_tool(self, context: UserExecutionContext, call: ToolCall) -> str:
        name = call.function.name
        error: ToolError | None = None
        try:
            arguments = self.parse_arguments(call.function.arguments)
        except ToolError as exc:
            arguments, error = {}, exc
        await self._bridge.tool_executing(context, name, arguments)
        if error is None:
            try:
                result = await self._tools.execute(name, arguments)
            except ToolError as exc:
                result = f"Error: {exc}"
        else:
            result = f"Error: {error}"
        await self._bridge.tool_completed(context, name, result)
        return result

    @staticmethod
    def parse_arguments(raw: str | None) -> dict[str, Any]:
        """Decode the JSON arguments of a tool call into a dict."""
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ToolError(f"tool arguments are not valid JSON: {exc.msg}") from exc
        if not isinstance(value, dict):
            raise ToolError("tool arguments must be a JSON object")
        return value


class AgentNotFoundError(LookupError):
    """No agent is registered under the requested name."""


class AgentExecutionError(RuntimeError):
    """An agent failed (raised, or ran out of time) while handling a message."""


class AgentRegistry:
    """Holds the agents the engine can dispatch to; the first one is the default."""

    def __init__(self) -> None:
        self._agents: dict[str, Agent] = {}
        self._default: str | None = None

    def register(self, agent: Agent, *, default: bool = False) -> None:
        if agent.name in self._agents:
            raise ValueError(f"agent {agent.name!r} is already registered")
        self._agents[agent.name] = agent
        if default or self._default is None:
            self._default = agent.name

    def get(self, name: str | None = None) -> Agent:
        key = name or self._default
        if key is None or key not in self._agents:
            raise AgentNotFoundError(f"no agent named {key!r}")
        return self._agents[key]

    @property
    def default_name(self) -> str | None:
        return self._default

    def names(self) -> list[str]:
        return list(self._agents)


@dataclass(frozen=True)
class ExecutionResult:
    run_id: str
    agent_name: str
    answer: str
    elapsed_seconds: float


class ExecutionEngine:
    """Runs a message through an agent with a timeout and uniform errors."""

    def __init__(self, registry: AgentRegistry, *, timeout_seconds: float = 30.0) -> None:
        self._registry = registry
        self.timeout_seconds = timeout_seconds

    async def execute(
        self,
        context: UserExecutionContext,
        message: str,
        agent_name: str | None = None,
    ) -> ExecutionResult:
        """Run ``message`` through the named (or default) agent.

        Raises:
            AgentNotFoundError: if there is no such agent.
            AgentExecutionError: if the agent raised or timed out.
        """
        agent = self._registry.get(agent_name)
        started = time.perf_counter()
        try:
            answer = await asyncio.wait_for(agent.run(context, message), self.timeout_seconds)
        except asyncio.TimeoutError as exc:
            raise AgentExecutionError(
                f"agent {agent.name!r} timed out after {self.timeout_seconds}s"
            ) from exc
        except Exception as exc:
            raise AgentExecutionError(f"agent {agent.name!r} failed: {exc}") from exc
        return ExecutionResult(
            run_id=context.run_id,
            agent_name=agent.name,
            answer=answer,
            elapsed_seconds=time.perf_counter() - started,
        )
