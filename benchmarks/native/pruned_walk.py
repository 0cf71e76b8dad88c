"""Feasibility study (benchmarks/NATIVE_PARSER.md): the best case of a native parser that
hands the ast-based rules only the statements that matter.

An oracle stands in for the native stage: the scanner walks each whole module once, and
the statements its sites need (benchmarks/native/needed_share.py) are kept; every other
statement is dropped (a def that holds nothing needed keeps only its name, so that it
still binds it; a class its name and bases). Then, per file, alternating which goes first:

- `whole`: the engine's walk, classification and fingerprints on the whole tree;
- `pruned`: the same on the pruned tree;
- `parse whole` / `parse pruned`: `ast.parse` of the module, and of the pruned tree's source
  (`ast.unparse`), which is about what parsing only the needed statements would cost.

It prints the CPU time of each and whether every file's findings (position, code,
category, arguments, scope, fingerprint, snippet) and diagnostics are identical.

    .venv/bin/python benchmarks/native/pruned_walk.py TREE LISTFILE
"""

from __future__ import annotations

import ast
import copy
import gc
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(__file__))

import needed_share  # noqa: E402

from mockguard.api import load_settings  # noqa: E402
from mockguard.findings import FileResult  # noqa: E402
from mockguard.scan import engine  # noqa: E402

_BLOCKS = ("body", "orelse", "finalbody", "handlers")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Shared instances in a parsed tree (one `Load()` for the whole process): never a mark.
_SINGLETONS = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def prune(tree: ast.Module, needed: set[int]) -> ast.Module:
    """Drop, in place, every statement that is neither needed nor holds a needed node."""
    holds: set[int] = set()

    def mark(node: ast.AST) -> bool:
        inside = id(node) in needed and not isinstance(node, _SINGLETONS)
        for child in ast.iter_child_nodes(node):
            inside = mark(child) or inside
        if inside:
            holds.add(id(node))
        return inside

    mark(tree)

    def cut(node: ast.AST) -> None:
        for name in _BLOCKS:
            block = getattr(node, name, None)
            if not isinstance(block, list):
                continue
            kept = []
            for stmt in block:
                if id(stmt) in holds:
                    cut(stmt)
                    kept.append(stmt)
                elif isinstance(stmt, _DEFS) and node.__class__ in (ast.Module, ast.ClassDef):
                    kept.append(_stub(stmt))  # its name is still bound
            if name == "body" and not kept:
                kept = [ast.Pass(lineno=1, col_offset=0, end_lineno=1, end_col_offset=4)]
            setattr(node, name, kept)
        if isinstance(node, ast.Try) and not node.handlers:  # `try`/`else` needs an `except`
            node.body += node.orelse
            node.orelse = []
            if not node.finalbody:
                node.finalbody = [ast.Pass(lineno=1, col_offset=0, end_lineno=1, end_col_offset=4)]

    cut(tree)
    return tree


def _stub(stmt: ast.AST) -> ast.AST:
    stub = copy.copy(stmt)
    stub.decorator_list = []  # type: ignore[attr-defined]
    stub.body = [ast.Pass(lineno=1, col_offset=0, end_lineno=1, end_col_offset=4)]  # type: ignore[attr-defined]
    if not isinstance(stmt, ast.ClassDef):  # a class keeps its bases (a TestCase is no double)
        stub.args = ast.arguments(
            posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
        )  # type: ignore[attr-defined]
        stub.returns = None  # type: ignore[attr-defined]
    return stub


def _key(result: FileResult) -> tuple[object, ...]:
    return (
        [
            (
                f.line,
                f.col,
                f.end_line,
                f.end_col,
                f.code,
                f.category,
                f.args,
                f.scope,
                f.fingerprint,
                f.snippet,
                f.evidence,
            )
            for f in result.findings
        ],
        [(d.kind, d.message, d.line) for d in result.diagnostics],
    )


def main() -> None:
    os.chdir(sys.argv[1])
    settings = load_settings(None, ["."])
    needed_share.SETTINGS = settings
    paths = [p for p in open(sys.argv[2]).read().split("\n") if p]
    cpu = {"whole": 0.0, "pruned": 0.0, "parse whole": 0.0, "parse pruned": 0.0}
    same = differ = findings = 0
    first_differences: list[str] = []
    gc.disable()
    warnings.simplefilter("ignore")
    for i, path in enumerate(paths):
        data = open(path, "rb").read()
        try:
            tree = ast.parse(data)
        except SyntaxError:
            continue
        visitor = needed_share._visitor(path, data, tree)
        needed, _, _ = needed_share.needed_parts(tree, data, visitor)
        fresh = ast.parse(data)
        pruned = prune(fresh, needed_ids(fresh, tree, needed))
        source = ast.unparse(pruned)
        whole_tree = ast.parse(data)
        results = {}
        for name in ("whole", "pruned") if i % 2 else ("pruned", "whole"):
            t = whole_tree if name == "whole" else pruned
            result = FileResult(path)
            start = time.process_time()
            engine._visit(t, data, path, settings, result)
            cpu[name] += time.process_time() - start
            results[name] = result
        for name in ("parse whole", "parse pruned") if i % 2 else ("parse pruned", "parse whole"):
            text: bytes | str = data if name == "parse whole" else source
            start = time.process_time()
            ast.parse(text)
            cpu[name] += time.process_time() - start
        findings += len(results["whole"].findings)
        if _key(results["whole"]) == _key(results["pruned"]):
            same += 1
        else:
            differ += 1
            if len(first_differences) < 5:
                a, b = _key(results["whole"]), _key(results["pruned"])
                extra = [x for x in b[0] if x not in a[0]][:2]
                lost = [x for x in a[0] if x not in b[0]][:2]
                first_differences.append(f"{path}: lost {lost} extra {extra}")
    print(f"{same + differ} files, {findings} findings; identical {same}, different {differ}")
    for line in first_differences:
        print("  " + line[:600])
    for name, value in cpu.items():
        print(f"{name:13} cpu {value:.3f} s")


def needed_ids(fresh: ast.Module, walked: ast.Module, needed: set[int]) -> set[int]:
    """The needed nodes of `walked`, as the ids of the same nodes in `fresh` (a second
    parse of the same source: both walks run on trees of their own)."""
    out: set[int] = set()
    for a, b in zip(ast.walk(fresh), ast.walk(walked), strict=True):
        if id(b) in needed:
            out.add(id(a))
    return out


if __name__ == "__main__":
    main()
