"""Feasibility study (benchmarks/NATIVE_PARSER.md): what parsing costs, per parser, on the
files that pass mockguard's byte pre-filter, against ruff's whole run on the same tree.

Run by hand, never by the tests:

    .venv/bin/python benchmarks/native/parse_costs.py TREE LISTFILE [--rounds N]

LISTFILE holds the pre-filtered paths (one a line; benchmarks/native/list_parsed.py writes
it). Each round runs every side once, in an order rotated round by round; the report gives
medians of CPU time (this process's for in-process sides, the child's for ruff).
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable

import tree_sitter_python
from tree_sitter import Language, Parser, Query, QueryCursor

# The names whose calls are sites or may be (the visitor resolves them through imports).
CALL_WORDS = (
    "Mock|MagicMock|AsyncMock|NonCallableMock|NonCallableMagicMock|PropertyMock|"
    "create_autospec|mock_open|CoroutineMock|stub|async_stub|patch|spy|setattr|"
    "MockPatch|MockPatchObject|MockPatchMultiple|MonkeyPatch"
)
DOUBLE_CLASS = "(?i)mock|fake|stub|dummy"
QUERY = f"""
(call function: (identifier) @name (#match? @name "^({CALL_WORDS})$")) @call
(call function: (attribute attribute: (identifier) @name (#match? @name "^({CALL_WORDS})$"))) @call
(call function: (attribute object: (attribute attribute: (identifier) @name (#eq? @name "patch")))) @call
(class_definition name: (identifier) @name (#match? @name "{DOUBLE_CLASS}")) @class
(class_definition superclasses: (argument_list [(identifier) (attribute)] @name (#match? @name "Mock"))) @class
(import_from_statement) @import
(import_statement) @import
"""
# The same without text predicates: every call and class, filtered afterwards in Python.
QUERY_ALL = "(call function: [(identifier) (attribute)] @name) @call (class_definition) @class"


def _cpu() -> float:
    return time.process_time()


def side_ast(sources: list[bytes]) -> int:
    nodes = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in sources:
            try:
                tree = ast.parse(data)
            except SyntaxError:
                continue
            nodes += len(tree.body)
            del tree
    return nodes


def make_ts() -> tuple[Parser, Language]:
    language = Language(tree_sitter_python.language())
    return Parser(language), language


def side_ts_parse(sources: list[bytes]) -> int:
    parser, _ = make_ts()
    errors = 0
    for data in sources:
        tree = parser.parse(data)
        errors += tree.root_node.has_error
    return errors


def side_ts_query(sources: list[bytes]) -> int:
    parser, language = make_ts()
    cursor = QueryCursor(Query(language, QUERY))
    found = 0
    for data in sources:
        tree = parser.parse(data)
        captures = cursor.captures(tree.root_node)
        found += len(captures.get("call", ())) + len(captures.get("class", ()))
    return found


def side_ts_query_all(sources: list[bytes]) -> int:
    import re

    words = re.compile(rf"(?:^|\.)(?:{CALL_WORDS})$".encode())
    parser, language = make_ts()
    cursor = QueryCursor(Query(language, QUERY_ALL))
    found = 0
    for data in sources:
        tree = parser.parse(data)
        captures = cursor.captures(tree.root_node)
        for node in captures.get("name", ()):
            if words.search(data[node.start_byte : node.end_byte]):
                found += 1
    return found


def side_sg(sources: list[bytes]) -> int:
    from ast_grep_py import SgRoot

    rule = {
        "any": [
            {"kind": "call", "has": {"field": "function", "regex": f"(^|\\.)({CALL_WORDS})$"}},
            {"kind": "class_definition", "has": {"field": "name", "regex": DOUBLE_CLASS}},
        ]
    }
    found = 0
    for data in sources:
        root = SgRoot(data.decode("utf-8", "replace"), "python").root()
        found += len(root.find_all(**rule))  # type: ignore[arg-type]
    return found


def side_ruff(tree: str) -> Callable[[], float]:
    def run() -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [RUFF, "check", "--no-cache", "--select", "PT", "--quiet", "--exit-zero", "."],
            cwd=tree,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    return run


RUFF = os.path.join(os.path.dirname(sys.executable), "ruff")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tree")
    parser.add_argument("listfile")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sides", default="ruff,ast,ts_parse,ts_query,ts_query_all,sg")
    opts = parser.parse_args()
    paths = [p for p in open(opts.listfile).read().split("\n") if p]
    sources = [open(p, "rb").read() for p in paths]
    print(f"{len(sources)} files, {sum(map(len, sources)) / 1e6:.1f} MB", flush=True)
    sides: dict[str, Callable[[], object]] = {
        "ast": lambda: side_ast(sources),
        "ts_parse": lambda: side_ts_parse(sources),
        "ts_query": lambda: side_ts_query(sources),
        "ts_query_all": lambda: side_ts_query_all(sources),
        "sg": lambda: side_sg(sources),
    }
    wanted = opts.sides.split(",")
    cpu: dict[str, list[float]] = {name: [] for name in wanted}
    wall: dict[str, list[float]] = {name: [] for name in wanted}
    ruff = side_ruff(opts.tree)
    for r in range(opts.rounds):
        order = wanted[r % len(wanted) :] + wanted[: r % len(wanted)]
        for name in order:
            gc.disable()
            w, c = time.perf_counter(), _cpu()
            if name == "ruff":
                child = ruff()
                cpu[name].append(child)
                out: object = "-"
            else:
                out = sides[name]()
                cpu[name].append(_cpu() - c)
            wall[name].append(time.perf_counter() - w)
            gc.enable()
            gc.collect()
            print(
                f"round {r} {name:13} cpu {cpu[name][-1]:.3f} wall {wall[name][-1]:.3f} {out}",
                flush=True,
            )
    base = statistics.median(cpu["ruff"]) if "ruff" in cpu else None
    basew = statistics.median(wall["ruff"]) if "ruff" in wall else None
    print(f"\nmedians of {opts.rounds} interleaved rounds")
    for name in wanted:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        ratio = f"  {c / base:.2f}x ruff CPU, {w / basew:.2f}x ruff wall" if base else ""
        print(f"{name:13} cpu {c:.3f} s  wall {w:.3f} s{ratio}")


if __name__ == "__main__":
    main()
