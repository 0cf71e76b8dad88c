"""What the scanner knows about mock APIs, and name bindings within a scope.

Names are resolved to qualified names (`unittest.mock.MagicMock`) through the imports,
parameters and assignments of the scopes that enclose them, never by matching text.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MOCK_MODULES = frozenset({"unittest.mock", "mock", "mock.mock", "asynctest", "asynctest.mock"})

# Callables that build a mock object.
CONSTRUCTORS = frozenset(
    {
        "Mock",
        "MagicMock",
        "AsyncMock",
        "NonCallableMock",
        "NonCallableMagicMock",
        "PropertyMock",
        "create_autospec",
        "mock_open",
        "CoroutineMock",
    }
)
# Mock classes a hand-written double may inherit from.
MOCK_CLASSES = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock", "CoroutineMock"}
)
# Names that mean a mock whatever module they are imported from.
DISTINCTIVE = CONSTRUCTORS - {"Mock"}
PATCHERS = frozenset({"patch", "patch.object", "patch.dict", "patch.multiple"})
# The members of pytest-mock's `mocker` that build or patch.
MOCKER_CONSTRUCTORS = CONSTRUCTORS | {"stub", "async_stub"}
MOCKER_PATCHERS = PATCHERS | {"spy"}
MOCKER_PARAMETERS = frozenset(
    {"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"}
)
MOCKER = "pytest_mock.MockerFixture"
MONKEYPATCH = "_pytest.monkeypatch.MonkeyPatch"
FACTORY_FIXTURE = "<factory>"
# A name bound to a mock object inside a function (`m = MagicMock()`, `with patch(...) as m`).
MOCK_VALUE = "<mock>"
# Names that, used without any import, are assumed to come from unittest.mock.
UNRESOLVED_MOCK_NAMES = CONSTRUCTORS | {"patch", "mock"}


@dataclass(frozen=True, slots=True)
class Source:
    """One way a name gets bound in a scope."""

    kind: str  # import, param, assign, with, other
    value: str = ""  # import: the qualified name; param: the parameter name
    node: ast.AST | None = None  # assign/with: the value expression; param: the annotation


def mock_member(qualname: str, extra_modules: Iterable[str] = ()) -> str | None:
    """The mock API member a qualified name refers to (`MagicMock`, `patch.object`), or None.

    `unittest.mock.patch.object` -> `patch.object`; `tests.support.mock.MagicMock` ->
    `MagicMock` (distinctive names and modules called `mock` re-export unittest.mock).
    """
    for module in (*MOCK_MODULES, *extra_modules):
        if qualname.startswith(module) and qualname[len(module) : len(module) + 1] == ".":
            return qualname[len(module) + 1 :]
    head, _, last = qualname.rpartition(".")
    if not head:
        return None
    if last in DISTINCTIVE:
        return last
    parts = head.split(".")
    for i, part in enumerate(parts):
        if part in ("mock", "mocks"):
            member = ".".join([*parts[i + 1 :], last])
            if member.split(".")[0] in CONSTRUCTORS | {"patch"}:
                return member
    return None


def is_mock_module(qualname: str, extra_modules: Iterable[str] = ()) -> bool:
    return qualname in MOCK_MODULES or qualname in extra_modules


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of attributes on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def source_text(node: ast.AST) -> str:
    """A short text for an expression: `a.b.c` for an attribute chain, else its source."""
    name = dotted(node)
    if name is not None:
        return name
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of exotic nodes
        return "<expr>"


def callee_text(func: ast.AST) -> str:
    """A cheap name for a callee: `a.b.f`, or the last attribute of anything else."""
    text = dotted(func)
    if text is not None:
        return text
    return func.attr if isinstance(func, ast.Attribute) else ""


def _targets(node: ast.AST) -> Iterator[ast.Name]:
    if isinstance(node, ast.Name):
        yield node
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from _targets(elt)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def parameter_sources(args: ast.arguments) -> Iterator[tuple[str, Source]]:
    """Bindings made by a function's parameters."""
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        every.append(args.vararg)
    if args.kwarg:
        every.append(args.kwarg)
    for arg in every:
        yield arg.arg, Source("param", arg.arg, arg.annotation)


def import_sources(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, Source]]:
    """Bindings made by an import statement, as qualified names."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, Source("import", alias.name)
            else:
                top = alias.name.split(".")[0]
                yield top, Source("import", top)
        return
    if node.level:
        # A relative import of a project module: keep the module path readable.
        module = "." * node.level + (node.module or "")
    else:
        module = node.module or ""
    for alias in node.names:
        if alias.name == "*":
            yield "*", Source("import", module)
        else:
            yield alias.asname or alias.name, Source("import", f"{module}.{alias.name}")


def collect_sources(body: Iterable[ast.stmt]) -> dict[str, list[Source]]:
    """Every name bound directly in a block of statements, descending into compound
    statements but not into nested functions or classes (whose names it does record)."""
    sources: dict[str, list[Source]] = {}

    def add(name: str, source: Source) -> None:
        sources.setdefault(name, []).append(source)

    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(node.name, Source("other"))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, source in import_sources(node):
                add(name, source)
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for bound in _targets(target):
                    single = isinstance(target, ast.Name)
                    add(bound.id, Source("assign", node=node.value) if single else Source("other"))
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name):
                add(
                    node.target.id,
                    Source("assign", node=node.value) if node.value else Source("other"),
                )
        elif isinstance(node, ast.AugAssign):
            for bound in _targets(node.target):
                add(bound.id, Source("other"))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            for bound in _targets(node.target):
                add(bound.id, Source("other"))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    for bound in _targets(item.optional_vars):
                        single = isinstance(item.optional_vars, ast.Name)
                        add(
                            bound.id,
                            Source("with", node=item.context_expr) if single else Source("other"),
                        )
        elif isinstance(node, ast.ExceptHandler):
            if node.name:
                add(node.name, Source("other"))
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            add(node.name, Source("other"))
        elif isinstance(node, ast.MatchMapping) and node.rest:
            add(node.rest, Source("other"))
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                add(name, Source("global"))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case, ast.pattern)):
                stack.append(child)
    return sources
