"""Name bindings within a scope, and short texts for expressions.

Names are resolved to qualified names (`unittest.mock.MagicMock`) through the imports,
parameters and assignments of the scopes that enclose them, never by matching text; this
module lists how each name gets bound.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

# `fallback`: an assignment in an `except ImportError` handler to a name the `try` imports.
SourceKind = Literal["import", "param", "assign", "with", "global", "other", "fallback"]


@dataclass(frozen=True, slots=True)
class Source:
    """One way a name gets bound in a scope."""

    kind: SourceKind
    value: str = ""  # import: the qualified name; param: the parameter name
    node: ast.AST | None = None  # assign/with: the value expression; param: the annotation


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
    statements but not into nested functions or classes (whose names it does record).

    An import fallback (`try: from x import Real` / `except ImportError: Real = MagicMock`)
    binds the name to the real import: the assignment in the handler is a `fallback`,
    which resolves to nothing."""
    sources: dict[str, list[Source]] = {}
    # Each node with the names whose assignments under it are import fallbacks.
    stack: list[tuple[ast.AST, frozenset[str]]] = [(node, _NONE) for node in body]
    while stack:
        node, fallbacks = stack.pop()
        if node.__class__ in _BINDING_KINDS:
            for name, source in _bindings(node):
                if name in fallbacks and source.kind in ("assign", "other"):
                    source = Source("fallback", node=source.node)
                sources.setdefault(name, []).append(source)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        fields = _BLOCK_FIELDS.get(node.__class__)
        if fields is None:
            if isinstance(node, ast.pattern):
                stack.extend(
                    (c, fallbacks) for c in ast.iter_child_nodes(node) if isinstance(c, ast.pattern)
                )
            continue  # a simple statement holds no other
        imported = _imported_in_try(node) if isinstance(node, _TRY) else _NONE
        for field in fields:
            value = getattr(node, field)
            for child in value if isinstance(value, list) else (value,):
                inner = fallbacks
                if imported and isinstance(child, ast.ExceptHandler) and _catches_import(child):
                    inner = fallbacks | imported
                stack.append((child, inner))
    return sources


_NONE: frozenset[str] = frozenset()
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_TRY: tuple[type[ast.AST], ...] = (ast.Try, *([ast.TryStar] if hasattr(ast, "TryStar") else []))
# The fields of a compound statement (or handler, or case) that hold statements, handlers,
# cases or patterns, in the order `ast.iter_child_nodes` gives them.
_BLOCK_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {
    ast.If: ("body", "orelse"),
    ast.For: ("body", "orelse"),
    ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"),
    ast.With: ("body",),
    ast.AsyncWith: ("body",),
    ast.ExceptHandler: ("body",),
    ast.Match: ("cases",),
    ast.match_case: ("pattern", "body"),
    **{kind: ("body", "handlers", "orelse", "finalbody") for kind in _TRY},
}


# The nodes `_bindings` finds names in (a fast path past the many that bind none).
_BINDING_KINDS: frozenset[type[ast.AST]] = frozenset(
    {
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Import,
        ast.ImportFrom,
        ast.Assign,
        ast.AnnAssign,
        ast.AugAssign,
        ast.For,
        ast.AsyncFor,
        ast.With,
        ast.AsyncWith,
        ast.ExceptHandler,
        ast.MatchAs,
        ast.MatchStar,
        ast.MatchMapping,
        ast.Global,
        ast.Nonlocal,
    }
)


def _imported_in_try(node: ast.AST) -> frozenset[str]:
    """The names a `try` statement's body binds by importing them ("" for anything else)."""
    body: list[ast.stmt] | None = getattr(node, "body", None)
    if body is None or not isinstance(node, _TRY):
        return _NONE
    names: set[str] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        statement = stack.pop()
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update(name for name, _ in import_sources(statement) if name != "*")
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(c for c in ast.iter_child_nodes(statement) if isinstance(c, ast.stmt))
    return frozenset(names)


def _catches_import(handler: ast.ExceptHandler) -> bool:
    """True for `except ImportError`, `except ModuleNotFoundError`, or a tuple with one."""
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        (dotted(kind) or "").rsplit(".", 1)[-1] in _IMPORT_ERRORS
        for kind in kinds
        if kind is not None
    )


def _bindings(node: ast.AST) -> Iterator[tuple[str, Source]]:
    """The names one statement (or handler, or pattern) binds itself, with how."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name, Source("other")
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        yield from import_sources(node)
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            single = isinstance(target, ast.Name)
            for bound in _targets(target):
                yield bound.id, Source("assign", node=node.value) if single else Source("other")
    elif isinstance(node, ast.AnnAssign):
        if isinstance(node.target, ast.Name):
            value = node.value
            yield node.target.id, Source("assign", node=value) if value else Source("other")
    elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
        for bound in _targets(node.target):
            yield bound.id, Source("other")
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if item.optional_vars is not None:
                single = isinstance(item.optional_vars, ast.Name)
                for bound in _targets(item.optional_vars):
                    source = Source("with", node=item.context_expr) if single else Source("other")
                    yield bound.id, source
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        yield node.name, Source("other")
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest, Source("other")
    elif isinstance(node, ast.Global | ast.Nonlocal):
        for name in node.names:
            yield name, Source("global")
