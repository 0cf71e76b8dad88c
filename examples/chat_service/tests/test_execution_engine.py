"""AgentRegistry and ExecutionEngine."""

from __future__ import annotations

import asyncio
import unittest
from unittest import mock
from unittest.mock import AsyncMock as AM
from unittest.mock import MagicMock, create_autospec, patch

import pytest

from chat_service.agents import (
    AgentExecutionError,
    AgentNotFoundError,
    AgentRegistry,
    ExecutionEngine,
    SupervisorAgent,
)
from chat_service.context import UserExecutionContext


def _agent(name, answer="ok"):
    agent = MagicMock()
    agent.name = name
    agent.run = AM(return_value=answer)
    return agent


def test_registry_default_and_lookup():
    agents = {
        "supervisor": MagicMock(run=AM(return_value="s")),
        "researcher": MagicMock(run=AM(return_value="r")),
    }
    registry = AgentRegistry()
    for name, agent in agents.items():
        agent.name = name
        registry.register(agent)
    registry.register(_agent("planner"), default=True)

    assert registry.names() == ["supervisor", "researcher", "planner"]
    assert registry.default_name == "planner"
    assert registry.get("researcher") is agents["researcher"]
    with pytest.raises(AgentNotFoundError):
        registry.get("ghost")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(_agent("supervisor"))


async def test_execute_runs_the_default_agent(user_context):
    agent = MagicMock()
    agent.name = "supervisor"
    agent.run = AM(return_value="The result is 4.")
    registry = AgentRegistry()
    registry.register(agent)

    result = await ExecutionEngine(registry).execute(user_context, "2 + 2")

    agent.run.assert_awaited_once_with(user_context, "2 + 2")
    assert (result.run_id, result.agent_name, result.answer) == ("run-1", "supervisor", "The result is 4.")


async def test_execute_respects_autospec_signature(user_context):
    agent = create_autospec(SupervisorAgent, instance=True)
    agent.name = "supervisor"
    agent.run.return_value = "autospecced answer"
    registry = AgentRegistry()
    registry.register(agent)

    result = await ExecutionEngine(registry).execute(user_context, "hello")

    assert result.answer == "autospecced answer"
    agent.run.assert_awaited_once_with(user_context, "hello")


async def test_agent_errors_are_wrapped(user_context):
    agent = mock.MagicMock()
    agent.name = "supervisor"
    agent.run = mock.AsyncMock(side_effect=RuntimeError("llm down"))
    registry = AgentRegistry()
    registry.register(agent)

    with pytest.raises(AgentExecutionError, match="'supervisor' failed: llm down") as excinfo:
        await ExecutionEngine(registry).execute(user_context, "hi")

    assert isinstance(excinfo.value.__cause__, RuntimeError)


async def test_slow_agent_times_out(user_context):
    async def never_answers(context, message):
        await asyncio.sleep(5)

    agent = _agent("supervisor")
    agent.run = AM(side_effect=never_answers)
    registry = AgentRegistry()
    registry.register(agent)

    with pytest.raises(AgentExecutionError, match=r"timed out after 0\.01s"):
        await ExecutionEngine(registry, timeout_seconds=0.01).execute(user_context, "hi")


@patch.object(AgentRegistry, "get")
@patch("chat_service.agents.time")
async def test_execute_reports_elapsed_time_of_named_agent(mock_time, mock_get):
    mock_time.perf_counter.side_effect = [10.0, 12.5]
    mock_get.return_value = _agent("helper", answer="helped")
    context = UserExecutionContext(user_id="dora", run_id="run-9")

    result = await ExecutionEngine(AgentRegistry()).execute(context, "help", agent_name="helper")

    mock_get.assert_called_once_with("helper")
    assert result.elapsed_seconds == 2.5
    assert result.answer == "helped"


class TestExecutionEngineUnittest(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        self.agent = MagicMock()
        self.agent.name = "supervisor"
        self.agent.run = AM(return_value="ok")
        self.registry = AgentRegistry()
        self.registry.register(self.agent)
        self.engine = ExecutionEngine(self.registry, timeout_seconds=1.0)
        self.context = UserExecutionContext(user_id="erin")

    async def test_unknown_agent_is_not_run(self) -> None:
        with self.assertRaises(AgentNotFoundError):
            await self.engine.execute(self.context, "hi", agent_name="ghost")

        self.agent.run.assert_not_awaited()

    async def test_result_carries_the_context_run_id(self) -> None:
        result = await self.engine.execute(self.context, "hi")

        self.assertEqual(result.run_id, self.context.run_id)
        self.assertGreaterEqual(result.elapsed_seconds, 0.0)
