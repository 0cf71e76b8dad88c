"""Which mocks wired onto real objects (MG102) `fix` hands to the factory, and why not others.

`channel.basic_ack = Mock(return_value=True)` becomes `channel.basic_ack =
mockguard.factory.create_like(channel, "basic_ack", return_value=True)`: the same
assignment, with a double built from the member it replaces (see
:mod:`mockguard.factory.members`). Only the call changes: its callee, and the object and
attribute put in front of the arguments it had.

The object must be a real one, which is what the factory follows. So a mock wired onto a
mock is left alone: onto a name the test binds to a mock, a factory's double or a patch (`ws
= MagicMock()`, `with patch(...) as client`, a parameter a `@patch` decorator passes in),
onto a name that says it is one (`mock_queue.channel`), onto a mock's `return_value`. So is
a mock wired onto a class (its double would be bound to each instance), one whose
constructor chooses its own spec or takes positional arguments, one assigned to several
attributes at once, and one that is not the whole value of a plain assignment
(`setattr(...)`, tuples), and one wired onto an instance of the module's own subclass of a
mock (`class WriterMock(AsyncMock)`) or onto what a fixture of the module hands out when
that is a mock. What the static reading cannot see (a fixture of a `conftest.py` that hands
out a mock, an attribute the object lacks) the factory refuses when the test runs, and
`--check-tests` takes the rewrite back.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from mockguard.scan.bindings import dotted
from mockguard.scan.classify import plain_words
from mockguard.scan.vocabulary import CONSTRUCTORS

LIKE_CALL = "mockguard.factory.create_like"
# What a double's own constructor may carry: the values it configures.
CHOOSING_KEYWORDS = frozenset({"spec", "spec_set", "wraps", "unsafe", "instance"})
# A mock's own attributes: a receiver reached through one of them is a mock.
MOCK_ATTRIBUTES = frozenset(
    {"return_value", "side_effect", "mock_calls", "call_args", "call_args_list", "mock"}
)
# Calls that make a mock: the scanner's constructors.
MOCK_CALLEES = CONSTRUCTORS

# A factory's creating method (`create`, `create_like`, `create_websocket_mock`).
_FACTORY_CALL = re.compile(r"create(_like|_\w*_?mock)?")

# The groups of reasons a wired mock is left alone.
NOT_WHOLE_VALUE = "not the whole value of a plain assignment"
ONTO_A_MOCK = "it is wired onto a mock, not a real object"
ONTO_A_CLASS = "it is wired onto a class (its double would be bound to each instance)"
RECEIVER_NOT_NAMED = "the object it is wired onto is not a name or an attribute chain"
MANY_ATTRIBUTES = "it is assigned to more than one attribute"


@dataclass(frozen=True)
class ModuleMocks:
    """What a module itself shows to be a mock: its classes that subclass one (`class
    WriterMock(AsyncMock)`), and its fixtures, each with whether it hands one out."""

    classes: frozenset[str] = frozenset()
    # (the class that defines it, "" at the top level; the name it is asked for by) -> the
    # line of a fixture that hands out a mock, None for one that hands out something else.
    fixtures: dict[tuple[str, str], int | None] = field(default_factory=dict)

    def mock_fixture(self, name: str, region: Iterable[ast.AST]) -> int | None:
        """The line of the fixture `name` a test in `region` gets, when it is this module's
        and hands out a mock: its class's own fixture first, then the module's."""
        for node in region:
            if isinstance(node, ast.ClassDef) and (node.name, name) in self.fixtures:
                return self.fixtures[(node.name, name)]
        return self.fixtures.get(("", name))


def module_mocks(tree: ast.Module) -> ModuleMocks:
    """The :class:`ModuleMocks` of a module: its top-level classes, and the fixtures at its
    top level or in those classes (the last definition of a name wins, as in Python)."""
    classes = frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(_mock_callee(dotted(base) or "", frozenset()) for base in node.bases)
    )
    fixtures: dict[tuple[str, str], int | None] = {}
    for node in tree.body:
        owner = node.name if isinstance(node, ast.ClassDef) else ""
        for member in node.body if isinstance(node, ast.ClassDef) else [node]:
            if not isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            name = _fixture_name(member)
            if name is not None:
                mock = _hands_out_mock(member, classes)
                fixtures[(owner, name)] = member.lineno if mock else None
    return ModuleMocks(classes, fixtures)


def _fixture_name(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The name a pytest fixture is asked for by (`@pytest.fixture(name="ws")`), or None
    for a function that is no fixture or whose name is not written out."""
    for decorator in function.decorator_list:
        callee = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (dotted(callee) or "").rsplit(".", 1)[-1] != "fixture":
            continue
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name":
                    value = keyword.value
                    is_text = isinstance(value, ast.Constant) and isinstance(value.value, str)
                    return value.value if is_text else None  # type: ignore[attr-defined]
        return function.name
    return None


def _hands_out_mock(
    function: ast.FunctionDef | ast.AsyncFunctionDef, classes: frozenset[str]
) -> bool:
    """Whether a fixture returns or yields a mock it makes, or a name it binds to one. Only
    the fixture's own statements count (not those of functions defined in it), and only a
    mock class or a patch makes a mock here: a factory's product may well be real."""
    bound = _mock_bindings(function, classes, factories=False, nested=False)
    for node in _statements_breadth_first(function, nested=False):
        if isinstance(node, ast.Return):
            value = node.value
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Yield):
            value = node.value.value
        else:
            continue
        if value is None:
            continue
        if _makes_mock(value, classes, factories=False):
            return True
        if isinstance(value, ast.Name) and value.id in bound:
            return True
    return False


@dataclass(frozen=True)
class Wired:
    """A wired mock the factory can take: the object as written, and the attribute."""

    receiver: str
    attribute: str


def decide_member(
    statement: ast.stmt,
    call: ast.Call,
    region: Iterable[ast.AST],
    owner: ast.AST,
    classes: frozenset[str],
    mocks: ModuleMocks,
) -> Wired | tuple[str, str]:
    """The object and attribute of `obj.attr = Mock(...)` to hand to the factory, or why not
    (the reason's group and its text). `region` is where the test binds its names (the
    function, and its class for `self.x`); `classes` are the module's class names and the
    CapWords names it imports; `mocks`, what the module shows to be mocks."""
    if not (isinstance(statement, ast.Assign) and statement.value is call):
        return NOT_WHOLE_VALUE, NOT_WHOLE_VALUE
    attributes = [t for t in statement.targets if isinstance(t, ast.Attribute)]
    others = [t for t in statement.targets if not isinstance(t, (ast.Attribute, ast.Name))]
    if len(attributes) != 1 or others:
        return MANY_ATTRIBUTES, MANY_ATTRIBUTES
    target = attributes[0]
    receiver = dotted(target.value)
    if receiver is None:
        return RECEIVER_NOT_NAMED, RECEIVER_NOT_NAMED
    if call.args or any(k.arg is None or k.arg in CHOOSING_KEYWORDS for k in call.keywords):
        said = ", ".join(
            f"`{k.arg}=`" if k.arg else "`**`"
            for k in call.keywords
            if k.arg is None or k.arg in CHOOSING_KEYWORDS
        )
        return "the constructor configures the mock itself", (
            f"the constructor chooses its own double ({said or 'positional arguments'})"
        )
    refused = not_real(receiver, target.attr, region, owner, classes, mocks)
    if refused is not None:
        what, why = refused
        if what == "class":
            return ONTO_A_CLASS, f"{ONTO_A_CLASS}: `{receiver}`"
        return ONTO_A_MOCK, f"{ONTO_A_MOCK}: {why}"
    return Wired(receiver, target.attr)


def not_real(
    receiver: str,
    attribute: str,
    region: Iterable[ast.AST],
    owner: ast.AST,
    classes: frozenset[str],
    mocks: ModuleMocks,
) -> tuple[str, str] | None:
    """Why `receiver.attribute` is not a member of a real object the factory can follow:
    ("mock", why) when the receiver is a mock as far as the test's text shows, ("class", "")
    when it is a class; None when nothing says so."""
    parts = receiver.split(".")
    if MOCK_ATTRIBUTES.intersection([*parts, attribute]):
        return "mock", f"`{receiver}.{attribute}` is reached through a mock's attribute"
    named = next((p for p in parts if "mock" in plain_words(p)), None)
    if named is not None:
        return "mock", f"`{named}` is named as one"
    bound = _bound_to_mock(receiver, region, owner, mocks.classes)
    if bound is not None:
        return "mock", f"`{bound[0]}` is bound to a mock (line {bound[1]})"
    line = mocks.mock_fixture(parts[0], region)
    if line is not None and parts[0] in _parameters(owner):
        return "mock", f"`{parts[0]}` is a fixture that hands out a mock (line {line})"
    if parts[-1] in classes:
        return "class", ""
    return None


def _bound_to_mock(
    receiver: str, region: Iterable[ast.AST], owner: ast.AST, classes: frozenset[str]
) -> tuple[str, int] | None:
    """The name (the receiver or a prefix of it) that the test binds to a mock or a
    patch, and where."""
    parts = receiver.split(".")
    prefixes = {".".join(parts[:k]) for k in range(1, len(parts) + 1)} - {"self", "cls"}
    if _patched_parameter(owner, parts[0]):
        return parts[0], getattr(owner, "lineno", 0)
    for root in region:
        bound = _mock_bindings(root, classes)
        found = [bound[name] for name in prefixes if name in bound]
        if found:
            _, name, line = min(found)
            return name, line
    return None


@lru_cache(maxsize=256)
def _mock_bindings(
    root: ast.AST, classes: frozenset[str], *, factories: bool = True, nested: bool = True
) -> dict[str, tuple[int, str, int]]:
    """The names a function or class binds to a mock or a patch (`classes`: the module's
    classes that subclass a mock; `factories`: a factory's product counts as one), each
    with its first binding: (its rank in the walk, the name, its line). With `nested`
    False, the functions and classes defined in `root` are not read. Read once per
    function or class, however many mocks are wired in it."""
    bound: dict[str, tuple[int, str, int]] = {}
    for rank, node in enumerate(_statements_breadth_first(root, nested=nested)):
        names: list[str | None] = []
        if isinstance(node, ast.Assign) and _makes_mock(node.value, classes, factories=factories):
            for target in node.targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                names += [dotted(element) for element in elements]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            names += [
                dotted(item.optional_vars)
                for item in node.items
                if item.optional_vars is not None
                and _makes_mock(item.context_expr, classes, factories=factories)
            ]
        for name in names:
            if name is not None:
                bound.setdefault(name, (rank, name, getattr(node, "lineno", 0)))
    return bound


def _statements_breadth_first(root: ast.AST, *, nested: bool = True) -> Iterator[ast.AST]:
    """`root` and the statements in it, in the order `ast.walk` meets them, without
    walking into expressions (no statement lies in one); with `nested` False, not into the
    functions and classes defined in `root` either."""
    pending = deque([root])
    while pending:
        node = pending.popleft()
        yield node
        if not nested and node is not root and isinstance(node, _DEFINITIONS):
            continue
        pending.extend(
            child
            for child in ast.iter_child_nodes(node)
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case))
        )


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _makes_mock(value: ast.expr, classes: frozenset[str], *, factories: bool = True) -> bool:
    """A call that makes a mock or a patch (`MagicMock()`, `WriterMock()`, `patch(...)`,
    `p.start()`), or with `factories` a factory's (`create_x()`, `self.factory.x()`);
    `classes` are the module's classes that subclass a mock."""
    if not isinstance(value, ast.Call):
        return False
    callee = dotted(value.func) or ""
    last = callee.rsplit(".", 1)[-1]
    made = _mock_callee(callee, classes) or last == "start" or _says_patch(callee)
    return made or (
        factories and ("factory" in callee.lower() or _FACTORY_CALL.fullmatch(last) is not None)
    )


def _mock_callee(callee: str, classes: frozenset[str]) -> bool:
    """A mock class: the scanner's constructors, a class named as a mock (`WriterMock`), or
    one of `classes`."""
    last = callee.rsplit(".", 1)[-1]
    return last in MOCK_CALLEES or last in classes or "mock" in plain_words(last)


def _parameters(owner: ast.AST) -> set[str]:
    arguments = getattr(owner, "args", None)
    if not isinstance(arguments, ast.arguments):
        return set()
    return {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}


def _says_patch(callee: str) -> bool:
    """`patch`, `mock.patch.object`, `mocker.patch`, `MockPatch` (not `dispatch`)."""
    return any("patch" in plain_words(part) for part in callee.split("."))


def _patched_parameter(owner: ast.AST, name: str) -> bool:
    """Whether `name` is a parameter a `@patch` decorator passes in."""
    decorators = getattr(owner, "decorator_list", [])
    patched = any(
        _says_patch(dotted(d.func if isinstance(d, ast.Call) else d) or "") for d in decorators
    )
    arguments = getattr(owner, "args", None)
    if not patched or not isinstance(arguments, ast.arguments):
        return False
    return name in {a.arg for a in (*arguments.posonlyargs, *arguments.args)} - {"self", "cls"}
