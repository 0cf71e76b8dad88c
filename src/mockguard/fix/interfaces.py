"""The interfaces of the project's own classes, read from their source for the codemod.

A configured kind (`[tool.mockguard.kinds.NAME] interface = "pkg.transport:Request"`)
stands for a class of the project. `fix` must know its members to decide whether a kind
covers an ad-hoc double's setup, without importing or running the project's code: the
class is found through the project index, its module is parsed with `ast`, and its members
are read from the class body (methods, properties, class attributes) and from the
assignments to `self.x` in its methods. Bases defined in the project are followed; a base
from outside it (a library) cannot be read, so its members are unknown and a member not
found is taken as missing.
"""

from __future__ import annotations

import ast
import inspect
from functools import lru_cache

from mockguard.factory.interface import Interface, Member, MemberKind
from mockguard.scan.project_index import ClassSummary, ModuleSummary, ProjectIndex
from mockguard.scan.reading import read_source

MAX_BASES = 8  # project bases followed at most this deep


def import_path(text: str) -> str:
    """`pkg.module:Class` or `pkg.module.Class` -> `pkg.module.Class`."""
    return text.replace(":", ".")


class StaticInterfaces:
    """The interfaces of the project's classes under one root, each read once."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._found: dict[str, Interface | None] = {}

    def interface(self, path: str) -> Interface | None:
        """The interface of the class an import path names, or None when the project does
        not define such a class (or its module cannot be read)."""
        qualname = import_path(path)
        if qualname not in self._found:
            self._found[qualname] = None  # a class that is its own base is read once
            members = self._members(qualname, 0)
            if members is not None:
                self._found[qualname] = Interface(qualname, None, members)
        return self._found[qualname]

    def _members(self, qualname: str, depth: int) -> dict[str, Member] | None:
        located = self.index.locate(qualname)
        if located is None or located.cls is None or located.member:
            return None
        tree = _parsed(str(self.index.root / located.summary.path), self.index.max_file_size)
        node = _class_named(tree, located.cls.name) if tree is not None else None
        if node is None:
            return None
        members: dict[str, Member] = {}
        if depth < MAX_BASES:
            for base in _project_bases(located.summary, located.cls):
                members.update(self._members(base, depth + 1) or {})
        members.update(_own_members(node))
        return members

    def ancestors(self, path: str) -> set[str]:
        """The import paths of the project classes the class derives from, at any depth."""
        found: set[str] = set()
        pending = [(import_path(path), 0)]
        while pending:
            qualname, depth = pending.pop()
            located = self.index.locate(qualname)
            if located is None or located.cls is None or depth >= MAX_BASES:
                continue
            for base in _project_bases(located.summary, located.cls):
                real = self.index.locate(base)
                if real is None or real.cls is None:
                    continue
                name = f"{real.summary.module}.{real.cls.name}"
                if name not in found:
                    found.add(name)
                    pending.append((name, depth + 1))
        return found


def _project_bases(summary: ModuleSummary, cls: ClassSummary) -> list[str]:
    """The bases of a class that its module names (imported or its own), as dotted
    paths; builtins and names from nowhere are left out."""
    bases: list[str] = []
    for base in cls.bases:
        head, _, rest = base.partition(".")
        origin = summary.names.get(head)
        if origin is None and head in summary.classes:
            origin = f"{summary.module}.{head}"
        if origin is not None:
            bases.append(f"{origin}.{rest}" if rest else origin)
    return bases


@lru_cache(maxsize=64)
def _parsed(path: str, max_file_size: int) -> ast.Module | None:
    data = read_source(path, max_file_size)
    if not isinstance(data, bytes):
        return None
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _class_named(tree: ast.Module, name: str) -> ast.ClassDef | None:
    return next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name),
        None,
    )


def _own_members(node: ast.ClassDef) -> dict[str, Member]:
    """The members a class body defines, with `self.x` attributes its methods assign."""
    members: dict[str, Member] = {}
    attributes: list[str] = []
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            members[statement.name] = _method(statement)
            attributes += _self_attributes(statement)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            members[statement.target.id] = Member(statement.target.id, "attribute")
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    members[target.id] = Member(target.id, "attribute")
    for name in attributes:
        members.setdefault(name, Member(name, "attribute"))
    return {n: m for n, m in members.items() if not _private_special(n)}


def _private_special(name: str) -> bool:
    """Dunder names other than the protocols a double must support."""
    return (
        name.startswith("__")
        and name.endswith("__")
        and name not in {"__call__", "__enter__", "__exit__", "__aenter__", "__aexit__"}
    )


def _method(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Member:
    decorators = {_last_name(d) for d in function.decorator_list}
    if any("property" in d for d in decorators):  # property, cached_property, abstractproperty
        return Member(function.name, "property")
    is_async = isinstance(function, ast.AsyncFunctionDef)
    kind: MemberKind = "async_method" if is_async else "method"
    drop_first = "staticmethod" not in decorators
    return Member(function.name, kind, _signature(function.args, drop_first=drop_first))


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _signature(arguments: ast.arguments, *, drop_first: bool) -> inspect.Signature | None:
    """The signature a method's `def` line gives (defaults stand as `...`)."""
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    kinds: list[inspect._ParameterKind] = [inspect.Parameter.POSITIONAL_ONLY] * len(
        arguments.posonlyargs
    )
    kinds += [inspect.Parameter.POSITIONAL_OR_KEYWORD] * len(arguments.args)
    parameters: list[inspect.Parameter] = []
    for arg, default, kind in zip(positional, defaults, kinds, strict=True):
        parameters.append(_parameter(arg.arg, kind, default))
    if drop_first and parameters:
        parameters.pop(0)
    if arguments.vararg is not None:
        parameters.append(_parameter(arguments.vararg.arg, inspect.Parameter.VAR_POSITIONAL))
    for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        parameters.append(_parameter(arg.arg, inspect.Parameter.KEYWORD_ONLY, default))
    if arguments.kwarg is not None:
        parameters.append(_parameter(arguments.kwarg.arg, inspect.Parameter.VAR_KEYWORD))
    try:
        return inspect.Signature(parameters)
    except ValueError:  # duplicate names: code Python would not compile
        return None


def _parameter(
    name: str, kind: inspect._ParameterKind, default: ast.expr | None = None
) -> inspect.Parameter:
    value = inspect.Parameter.empty if default is None else ...
    return inspect.Parameter(name, kind, default=value)


def _self_attributes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """`x` for every `self.x = ...` (or `self.x: T = ...`) in a method."""
    if not function.args.args:
        return []
    first = function.args.args[0].arg
    found: list[str] = []
    for node in ast.walk(function):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == first
            ):
                found.append(target.attr)
    return found
