"""Check what `mockguard fix --write` did to a tree against the tree before it.

Run by hand, for example on the working copies `bench_migrate.py --keep` leaves:

    .venv/bin/python benchmarks/check_rewrites.py ORIGINAL REWRITTEN --report FIX_JSON

ORIGINAL is the tree before the fix, REWRITTEN the tree after it, FIX_JSON what
`fix --write --format json` printed (its files' rewrites are the ones it kept). Checked:

- every changed file parses (with this Python, or the way the scanner reads newer code);
- every line the diff touches in the original belongs to a statement that holds a kept
  rewrite's line, to the wiring of a rewritten name (`ws.send = ...` taken into its
  factory call), or to an import (or is a blank line beside one); every line it adds
  where nothing was is an import;
- a second `mockguard fix --format json .` (a dry run) in REWRITTEN plans nothing on a
  line the first run changed: what it plans can only be the sites the first run's
  `--check-tests` took back, or sites it did not plan.

Prints one line per problem and a summary; exits 1 when there is a problem.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MOCKGUARD = str(HERE.parent / ".venv" / "bin" / "mockguard")
SKIPPED_FOLDERS = {".git", ".mockguard_cache", ".tox", ".venv", "__pycache__"}


def python_files(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if not SKIPPED_FOLDERS.intersection(relative.parts):
            found[relative.as_posix()] = path
    return found


def parses(data: bytes) -> bool:
    """Whether the file parses, read the way fix reads it (newer grammar included)."""
    from mockguard.fix.plan import parse_tree

    try:
        parse_tree(data.decode("utf-8", "surrogateescape"))
        return True
    except (SyntaxError, ValueError):
        return False


def statement_lines(tree: ast.Module) -> list[tuple[int, int, ast.stmt]]:
    """Every statement's first and last line (from its first decorator), innermost last."""
    spans: list[tuple[int, int, ast.stmt]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            decorators = getattr(node, "decorator_list", [])
            first = min([node.lineno, *(d.lineno for d in decorators)])
            spans.append((first, node.end_lineno or node.lineno, node))
    return spans


def allowed_lines(source: bytes, rewrites: list[dict[str, object]]) -> tuple[set[int], set[int]]:
    """The original's lines a diff may touch (see the module's docstring), and of those
    the lines of its imports."""
    tree = ast.parse(source)
    spans = statement_lines(tree)
    allowed: set[int] = set()
    imports: set[int] = set()
    targets = {str(r["target"]) for r in rewrites if r.get("kind") not in ("patch", "member")}
    for first, last, node in spans:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.update(range(first, last + 1))
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            written = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in written:
                text = ast.unparse(target)
                if any(text == t or text.startswith(f"{t}.") for t in targets):
                    allowed.update(range(first, last + 1))
    call_ends: dict[int, int] = {}  # a line -> the last line of the calls that start on it
    for call in ast.walk(tree):
        if isinstance(call, ast.Call):
            end = call.end_lineno or call.lineno
            call_ends[call.lineno] = max(end, call_ends.get(call.lineno, end))
    for rewrite in rewrites:
        line = int(str(rewrite["line"]))
        # The smallest simple statement holding the line, else the calls starting on it
        # (a decorator).
        holding = [
            (last - first, first, last)
            for first, last, node in spans
            if first <= line <= last and not hasattr(node, "body")
        ]
        if holding:
            _, first, last = min(holding)
            allowed.update(range(first, last + 1))
        else:
            allowed.update(range(line, call_ends.get(line, line) + 1))
    return allowed | imports, imports


def check_file(
    name: str, before: bytes, after: bytes, rewrites: list[dict[str, object]]
) -> tuple[list[str], set[int]]:
    """The problems of one changed file, and the lines of the rewritten file it changed."""
    problems: list[str] = []
    if not parses(after):
        problems.append(f"{name}: the rewritten file does not parse")
    old = before.decode("utf-8", "surrogateescape").splitlines()
    new = after.decode("utf-8", "surrogateescape").splitlines()
    allowed, imports = allowed_lines(before, rewrites)
    changed_new: set[int] = set()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changed_new.update(range(j1 + 1, j2 + 1))
        outside = [
            line
            for line in range(i1 + 1, i2 + 1)
            if line not in allowed
            # a blank line removed with an import beside it
            and not (
                tag == "delete" and not old[line - 1].strip() and {line - 1, line + 1} & imports
            )
        ]
        if outside:
            problems.append(f"{name}:{outside[0]}: the diff touches a line no rewrite holds")
        if tag == "insert":
            added = [text.strip() for text in new[j1:j2] if text.strip()]
            if not all(text.startswith(("import ", "from ")) for text in added):
                problems.append(f"{name}:{i1}: the diff adds a line that is not an import")
    return problems, changed_new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("rewritten", type=Path)
    parser.add_argument("--report", type=Path, required=True, help="fix's JSON output")
    parser.add_argument("--mockguard", default=MOCKGUARD)
    options = parser.parse_args()
    report = json.loads(options.report.read_text(encoding="utf-8"))
    kept = {entry["path"]: entry.get("rewrites", []) for entry in report["files"]}
    before, after = python_files(options.original), python_files(options.rewritten)
    problems: list[str] = []
    changed: dict[str, set[int]] = {}
    for name in sorted(after):
        new = after[name].read_bytes()
        old = before[name].read_bytes() if name in before else None
        if old == new:
            continue
        if old is None:
            problems.append(f"{name}: a file fix added")
            continue
        if not kept.get(name):
            problems.append(f"{name}: changed, yet the report keeps no rewrite in it")
        found, lines = check_file(name, old, new, kept.get(name, []))
        problems += found
        changed[name] = lines
    second = subprocess.run(
        [options.mockguard, "fix", "-q", "--format", "json", "."],
        cwd=options.rewritten,
        capture_output=True,
        text=True,
    )
    again = json.loads(second.stdout)
    again_count = 0
    for entry in again["files"]:
        for rewrite in entry.get("rewrites", []):
            again_count += 1
            if rewrite["line"] in changed.get(entry["path"], set()):
                problems.append(
                    f"{entry['path']}:{rewrite['line']}: the second run rewrites a line"
                    " the first one changed"
                )
    for problem in problems:
        print(problem)
    rewrites = sum(len(r) for r in kept.values())
    print(
        f"{len(changed)} files changed ({rewrites} rewrites kept), all checked;"
        f" a second fix plans {again_count} rewrites, none on a changed line"
        if not problems
        else f"{len(problems)} problems in {len(changed)} changed files"
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
