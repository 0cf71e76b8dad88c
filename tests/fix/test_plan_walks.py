"""The planner's short cuts through a module's tree agree with the plain walks they replace."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mockguard.fix.members import _statements_breadth_first
from mockguard.fix.patches import ModuleConstants, module_constants
from mockguard.fix.plan import _Bodies, _functions

ROOT = Path(__file__).resolve().parents[2]
NESTED = """\
import mock

PREFIX = "app."


@mock.patch("os.getcwd")
def top(getcwd):
    mock.patch("os.sep")

    @mock.patch.object(thing, "a")
    @mock.patch.object(thing, "b")
    def inner(a, b):
        mock.patch("os.getpid")

        def innermost(x=mock.patch("os.sep")):
            return mock.patch("time.time")

        return innermost

    class Local:
        @mock.patch("os.name")
        def method(self):
            mock.patch.object(self, "c")

    mock.patch("os.path")


class Case:
    @mock.patch("os.getcwd")
    def test_one(self):
        def helper(): return mock.patch("os.getpid")
        try:
            mock.patch("os.sep")
        except ValueError:
            mock.patch("time.sleep")
        else:
            with mock.patch("os.devnull") as devnull:
                pass

    async def test_two(self): mock.patch("time.time")


mock.patch("os.getcwd")


def starts_with_a_decorated_function():
    @mock.patch("os.getpid")
    def first(getpid):
        pass
"""


def _holders_by_walking(tree: ast.Module) -> dict[int, ast.AST]:
    """The innermost function whose body makes each call, the slow and plain way."""
    functions, _ = _functions(tree)
    holders: dict[int, ast.AST] = {}
    for function in functions:  # outer ones first: an inner one overwrites
        for statement in function.body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Call):
                    holders[id(node)] = function
    return holders


def _python_files() -> list[Path]:
    files = sorted((ROOT / "examples").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    return [path for path in files if "fixtures" in path.parts or "examples" in path.parts]


def _trees() -> list[tuple[str, ast.Module]]:
    trees = [("nested", ast.parse(NESTED))]
    for path in _python_files():
        try:
            trees.append((str(path.relative_to(ROOT)), ast.parse(path.read_bytes())))
        except SyntaxError:
            continue
    return trees


def test_the_nested_module_has_calls_outside_every_body() -> None:
    tree = ast.parse(NESTED)
    functions, _ = _functions(tree)
    bodies = _Bodies(functions)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    by_line = {call.lineno: bodies.holder(call) for call in calls}
    # Decorators of `top` and of `Case.test_one`, and the module's last line: in no body.
    assert by_line[6] is None and by_line[29] is None and by_line[43] is None
    # `inner`'s decorators lie in `top`'s body; a default value in `inner`'s.
    assert getattr(by_line[10], "name", None) == "top"
    assert getattr(by_line[15], "name", None) == "inner"
    assert getattr(by_line[16], "name", None) == "innermost"
    assert getattr(by_line[31], "name", None) == "helper"
    assert getattr(by_line[35], "name", None) == "test_one"
    assert getattr(by_line[40], "name", None) == "test_two"
    # A body whose first statement is decorated starts at the decorator.
    assert getattr(by_line[47], "name", None) == "starts_with_a_decorated_function"


@pytest.mark.parametrize(("name", "tree"), _trees(), ids=lambda value: str(value)[:60])
def test_holders_by_position_are_the_walk_s(name: str, tree: ast.Module) -> None:
    functions, _ = _functions(tree)
    bodies = _Bodies(functions)
    expected = _holders_by_walking(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            assert bodies.holder(node) is expected.get(id(node)), (name, node.lineno)


@pytest.mark.parametrize(("name", "tree"), _trees(), ids=lambda value: str(value)[:60])
def test_statements_come_in_the_walk_s_order(name: str, tree: ast.Module) -> None:
    kinds = (ast.stmt, ast.excepthandler, ast.match_case)
    for root in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef))]:
        walked = [n for n in ast.walk(root) if n is root or isinstance(n, kinds)]
        assert list(_statements_breadth_first(root)) == walked, name


def test_module_constants_are_read_only_when_asked() -> None:
    tree = ast.parse(NESTED)
    lazy = ModuleConstants(tree)
    assert "_values" not in vars(lazy)
    assert lazy.get("PREFIX") == "app." and dict(lazy) == module_constants(tree)
