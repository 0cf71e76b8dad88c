"""Tools the agent can call, and the registry it looks them up in."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable


class ToolError(Exception):
    """A tool could not do what it was asked; the message is shown to the model."""


class ToolNotFoundError(ToolError, KeyError):
    """No tool is registered under the requested name."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "tool not found"


@runtime_checkable
class Tool(Protocol):
    """A callable capability offered to the model."""

    name: str
    description: str

    async def run(self, **kwargs: Any) -> str: ...


_BINARY_OPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY_OPS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


def format_number(value: float | int) -> str:
    """Render a result without a spurious ``.0`` and without float noise."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(round(value, 10))
    return str(value)


class CalculatorTool:
    """Evaluates arithmetic safely by walking the AST (never ``eval``)."""

    name = "calculator"
    description = "Evaluate an arithmetic expression such as '(2 + 3) * 4'."
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {"expression": {"type": "string"}},
        "required": ["expression"],
    }
    max_length = 200
    max_exponent = 100

    def evaluate(self, expression: str) -> float | int:
        """Return the value of ``expression``.

        Raises:
            ToolError: for anything that is not plain arithmetic, or on
                division by zero / oversized input.
        """
        expression = expression.strip().replace("^", "**")
        if not expression:
            raise ToolError("empty expression")
        if len(expression) > self.max_length:
            raise ToolError(f"expression longer than {self.max_length} characters")
        try:
            tree = ast.parse(expression, mode="eval")
        except SyntaxError as exc:
            raise ToolError(f"not an arithmetic expression: {expression!r}") from exc
        try:
            return self._eval(tree.body)
        except ZeroDivisionError as exc:
            raise ToolError("division by zero") from exc

    def _eval(self, node: ast.AST) -> float | int:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value  # type: ignore[no-any-return]
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY_OPS:
            return _UNARY_OPS[type(node.op)](self._eval(node.operand))  # type: ignore[no-any-return]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPS:
            left, right = self._eval(node.left), self._eval(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > self.max_exponent:
                raise ToolError(f"exponent larger than {self.max_exponent}")
            return _BINARY_OPS[type(node.op)](left, right)  # type: ignore[no-any-return]
        raise ToolError(f"unsupported syntax: {type(node).__name__}")

    async def run(self, **kwargs: Any) -> str:
        expression = kwargs.get("expression")
        if not isinstance(expression, str):
            raise ToolError("calculator needs an 'expression' string")
        return format_number(self.evaluate(expression))


#: The documentation the search tool looks through: title -> text.
DEFAULT_DOCS: dict[str, str] = {
    "Getting started": "Open a WebSocket to /ws/{user_id} and send {\"message\": \"...\"}.",
    "Lifecycle events": (
        "Each run emits agent_started, agent_thinking, tool_executing, tool_completed "
        "and agent_completed events."
    ),
    "Conversation history": "GET /conversations/{user_id} returns the stored messages.",
    "Calculator tool": "The calculator tool evaluates arithmetic such as (2 + 3) * 4.",
    "Health check": "GET /health reports the service status and open connections.",
}

_WORD = re.compile(r"[a-z0-9_]+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


class SearchDocsTool:
    """Keyword search over a small in-memory documentation set."""

    name = "search_docs"
    description = "Search the service documentation by keywords."
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {"query": {"type": "string"}},
        "required": ["query"],
    }

    def __init__(self, docs: Mapping[str, str] | None = None, *, limit: int = 3) -> None:
        self._docs = docs
        self.limit = limit

    @property
    def docs(self) -> Mapping[str, str]:
        return DEFAULT_DOCS if self._docs is None else self._docs

    def search(self, query: str) -> list[tuple[str, str]]:
        """Return up to ``limit`` (title, text) pairs, best match first."""
        terms = _words(query)
        if not terms:
            return []
        scored = []
        for position, (title, text) in enumerate(self.docs.items()):
            score = 2 * len(terms & _words(title)) + len(terms & _words(text))
            if score:
                scored.append((-score, position, title, text))
        scored.sort()
        return [(title, text) for _, _, title, text in scored[: self.limit]]

    async def run(self, **kwargs: Any) -> str:
        query = kwargs.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ToolError("search_docs needs a non-empty 'query' string")
        hits = self.search(query)
        if not hits:
            return f"No matching documents for {query.strip()!r}."
        return "\n".join(f"- {title}: {text}" for title, text in hits)


class ToolRegistry:
    """Name -> tool lookup, plus the tool specs offered to the model."""

    def __init__(self, tools: list[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools or ():
            self.register(tool)

    def register(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name!r} is already registered")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise ToolNotFoundError(f"unknown tool: {name!r}") from None

    def names(self) -> list[str]:
        return list(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def specs(self) -> list[dict[str, Any]]:
        """OpenAI-style ``tools=[...]`` definitions for every registered tool."""
        return [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": dict(getattr(tool, "parameters", {"type": "object"})),
                },
            }
            for tool in self._tools.values()
        ]

    async def execute(self, name: str, arguments: Mapping[str, Any]) -> str:
        """Run tool ``name`` with ``arguments``.

        Raises:
            ToolNotFoundError: if no such tool is registered.
            ToolError: if the tool rejects its arguments.
        """
        tool = self.get(name)
        try:
            return await tool.run(**arguments)
        except TypeError as exc:
            raise ToolError(f"bad arguments for {name}: {exc}") from exc


def default_tool_registry() -> ToolRegistry:
    """The registry the service starts with: calculator and doc search."""
    return ToolRegistry([CalculatorTool(), SearchDocsTool()])
