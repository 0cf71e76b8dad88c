"""Calculator, doc search and the tool registry."""

from __future__ import annotations

from unittest.mock import AsyncMock, MagicMock, patch

import pytest

from chat_service import tools
from chat_service.tools import (
    CalculatorTool,
    SearchDocsTool,
    ToolError,
    ToolNotFoundError,
    ToolRegistry,
    default_tool_registry,
)


async def test_calculator_evaluates_arithmetic():
    calculator = CalculatorTool()

    assert await calculator.run(expression="2 + 3") == "5"
    assert await calculator.run(expression="(2 + 3) * 4") == "20"
    assert await calculator.run(expression="7 / 2") == "3.5"
    assert await calculator.run(expression="12 / 4") == "3"
    assert await calculator.run(expression="2 ^ 10") == "1024"
    assert await calculator.run(expression="-3 + 1") == "-2"
    assert await calculator.run(expression="0.1 + 0.2") == "0.3"


async def test_calculator_refuses_what_is_not_safe_arithmetic():
    refused = {
        "__import__('os').system('true')": "unsupported syntax",
        "2 ** 1000": "exponent",
        "1 / 0": "division by zero",
        "2 +": "not an arithmetic expression",
    }
    for expression, reason in refused.items():
        with pytest.raises(ToolError, match=reason):
            await CalculatorTool().run(expression=expression)


async def test_calculator_run_goes_through_evaluate(mocker):
    spy = mocker.spy(CalculatorTool, "evaluate")

    result = await CalculatorTool().run(expression="6 * 7")

    assert result == "42"
    assert spy.call_args.args[1] == "6 * 7"
    assert spy.spy_return == 42


async def test_search_reads_the_current_documentation():
    with patch.dict(tools.DEFAULT_DOCS, {"Billing": "Invoices are sent monthly."}, clear=True):
        found = await SearchDocsTool().run(query="when are invoices sent")
        missing = await SearchDocsTool().run(query="lifecycle events")

    assert found == "- Billing: Invoices are sent monthly."
    assert missing == "No matching documents for 'lifecycle events'."
    docs = {"Intro": "The health endpoint is described later.", "Health check": "GET /status"}
    assert SearchDocsTool(docs, limit=1).search("health") == [("Health check", "GET /status")]


async def test_registry_executes_with_keyword_arguments():
    tool = MagicMock()
    tool.name = "weather"
    tool.run = AsyncMock(return_value="sunny")
    registry = ToolRegistry([tool])

    result = await registry.execute("weather", {"city": "Oslo"})

    assert result == "sunny"
    tool.run.assert_awaited_once_with(city="Oslo")


async def test_registry_errors():
    broken = AsyncMock()
    broken.name = "broken"
    broken.run.side_effect = TypeError("run() got an unexpected keyword argument 'x'")
    registry = ToolRegistry([broken])

    with pytest.raises(ToolError, match="bad arguments for broken"):
        await registry.execute("broken", {"x": 1})
    with pytest.raises(ToolNotFoundError, match="unknown tool: 'nope'"):
        await registry.execute("nope", {})
    with pytest.raises(ValueError, match="already registered"):
        registry.register(broken)


def test_specs_describe_every_registered_tool():
    fakes = [MagicMock(description="Adds numbers"), MagicMock(description="Finds docs")]
    fakes[0].name, fakes[0].parameters = "add", {"type": "object"}
    fakes[1].name, fakes[1].parameters = "find", {"type": "object"}

    specs = ToolRegistry(fakes).specs()

    assert [spec["function"]["name"] for spec in specs] == ["add", "find"]
    assert specs[1] == {
        "type": "function",
        "function": {"name": "find", "description": "Finds docs", "parameters": {"type": "object"}},
    }
    default = default_tool_registry()
    assert default.names() == ["calculator", "search_docs"]
    assert all(isinstance(tool, tools.Tool) for tool in default)
