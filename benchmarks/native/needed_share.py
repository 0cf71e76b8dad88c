"""Feasibility study (benchmarks/NATIVE_PARSER.md): how much of each module the ast-based
rules would still have to see if a native parser handed over only what matters.

For every pre-filtered file the scanner's own walk runs on the whole tree; then the share of
AST nodes and bytes that a "candidate statements only" design would still parse and walk is
counted:

- the statement holding each site (a decorator alone for a decorator's site; a class's
  header, decorators and member headers for a double class), never a compound statement's
  nested block;
- every import, every module-level simple statement (the module's bindings), and the
  header of every def and class around a site (its scope and qualified name);
- every statement of a site's scope that names what the site watches (`ws` in
  `ws.send_json.assert_called()`; `self.ws` in any method of the class), as the categories
  read the attributes used on a mock and where it flows, or a name a site's call takes in
  (`opts` in `patch.dict(mod.__opts__, opts)`: its dict literal names the patch).

    .venv/bin/python benchmarks/native/needed_share.py TREE LISTFILE
"""

from __future__ import annotations

import ast
import os
import sys
import warnings

from mockguard.api import load_settings
from mockguard.scan import engine
from mockguard.scan.visitor import MockVisitor

_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
# Shared instances in a parsed tree (one `Load()` for the whole process): never counted.
SINGLETONS = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def own_nodes(stmt: ast.AST) -> list[ast.AST]:
    """A statement's nodes, without the statements of its nested blocks."""
    out: list[ast.AST] = []
    stack = [stmt]
    while stack:
        node = stack.pop()
        out.append(node)
        for name, value in ast.iter_fields(node):
            if (name in _BLOCKS and node is stmt) or (
                name in _BLOCKS and isinstance(node, ast.ExceptHandler)
            ):
                continue
            if isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    return out


def header_nodes(node: ast.AST) -> list[ast.AST]:
    """A def's or class's decorators, arguments, bases and returns: its header."""
    out: list[ast.AST] = [node]
    for name in ("decorator_list", "bases", "keywords", "args", "returns"):
        value = getattr(node, name, None)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, ast.AST):
                out.extend(ast.walk(v))
    return out


def main() -> None:
    global SETTINGS
    os.chdir(sys.argv[1])
    SETTINGS = load_settings(None, ["."])
    paths = [p for p in open(sys.argv[2]).read().split("\n") if p]
    total_nodes = needed_nodes = total_bytes = needed_bytes = 0
    files = 0
    for path in paths:
        data = open(path, "rb").read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                tree = ast.parse(data)
            except SyntaxError:
                continue
        files += 1
        needed, spans, all_nodes = needed_parts(tree, data, _visitor(path, data, tree))
        total_nodes += all_nodes
        needed_nodes += len(needed)
        total_bytes += len(data)
        spans.sort()
        covered, last = 0, -1
        for start, end in spans:
            start = max(start, last)
            if end > start:
                covered += end - start
                last = end
        needed_bytes += covered
    print(
        f"{files} files: nodes {needed_nodes}/{total_nodes} = {needed_nodes / total_nodes:.1%}; "
        f"bytes {needed_bytes}/{total_bytes} = {needed_bytes / total_bytes:.1%}"
    )


def needed_parts(
    tree: ast.Module, data: bytes, visitor: MockVisitor
) -> tuple[set[int], list[tuple[int, int]], int]:
    """The ids of the nodes the rules need (see the module's docstring), the byte spans of
    the statements they belong to, and the number of nodes in the whole tree."""
    lines = data.split(b"\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    parents: dict[int, ast.AST] = {}
    all_nodes = 0
    for node in ast.walk(tree):
        all_nodes += not isinstance(node, SINGLETONS)
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    needed: set[int] = set()
    spans: list[tuple[int, int]] = []

    def take(nodes: list[ast.AST], span_of: ast.AST | None = None) -> None:
        for n in nodes:
            needed.add(id(n))
        top = span_of if span_of is not None else nodes[0]
        if hasattr(top, "lineno") and top.end_lineno is not None:
            start = offsets[top.lineno - 1] + top.col_offset
            end = offsets[top.end_lineno - 1] + top.end_col_offset
            if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                end = offsets[top.body[0].lineno - 1]  # the header only
            spans.append((start, end))

    def enclosing_stmt(node: ast.AST) -> ast.AST:
        while not isinstance(node, (ast.stmt, ast.excepthandler)) and id(node) in parents:
            parent = parents[id(node)]
            if (
                isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and node in parent.decorator_list
            ):
                return node  # a decorator: alone
            node = parent
        return node

    def scopes_around(node: ast.AST) -> list[ast.AST]:
        out = []
        while id(node) in parents:
            node = parents[id(node)]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                out.append(node)
        return out

    watched: dict[int, set[str]] = {}  # id(scope body) -> names
    for site in visitor.pending:
        node = site.node
        if isinstance(node, ast.ClassDef):
            take(header_nodes(node), node)
            for member in node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    take(header_nodes(member), member)
        else:
            stmt = enclosing_stmt(node)
            if isinstance(stmt, ast.expr):  # a decorator
                take(list(ast.walk(stmt)))
            else:
                take(own_nodes(stmt), stmt)
        for scope in scopes_around(node):
            if not isinstance(scope, ast.Lambda):
                take(header_nodes(scope), scope)
        for scope, name in site.watch:
            watched.setdefault(id(scope.body), set()).add(name)
        if isinstance(node, ast.Call):  # names it takes in (`patch.dict(m.__opts__, opts)`)
            taken = [*node.args, *(k.value for k in node.keywords)]
            names = {a.id for a in taken if isinstance(a, ast.Name)}
            if names:
                watched.setdefault(id(site.scope.body), set()).update(names)
    # Module bindings and imports anywhere.
    for stmt in tree.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            take(own_nodes(stmt), stmt)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in needed:
            take([node])
    # Statements of a watching scope that name a watched name.
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list) or id(body) not in watched:
            continue
        names = watched[id(body)]
        plain = {n for n in names if not n.startswith("self.")}
        attrs = {n[5:] for n in names if n.startswith("self.")}
        stack = list(body)
        while stack:
            stmt = stack.pop()
            for member in ("body", "orelse", "finalbody", "handlers"):
                stack.extend(getattr(stmt, member, None) or [])
            if id(stmt) in needed or isinstance(stmt, ast.ExceptHandler):
                continue
            nodes = own_nodes(stmt)
            if any(
                (isinstance(n, ast.Name) and n.id in plain)
                or (
                    isinstance(n, ast.Attribute)
                    and n.attr in attrs
                    and isinstance(n.value, ast.Name)
                    and n.value.id in ("self", "cls")
                )
                for n in nodes
            ):
                take(nodes, stmt)
    return needed, spans, all_nodes


def _visitor(path: str, data: bytes, tree: ast.Module) -> MockVisitor:
    settings = SETTINGS
    assert settings is not None
    visitor, _ = engine.module_visitor(tree, data, path, settings, frozenset(settings.select))
    visitor.run(tree)
    return visitor


SETTINGS = None

if __name__ == "__main__":
    main()
