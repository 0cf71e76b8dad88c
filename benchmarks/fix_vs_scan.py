"""`mockguard fix` against a cold `mockguard scan` of the same large tree, interleaved.

Run by hand (never from the test suite), from the repository root:

    .venv/bin/python benchmarks/fix_vs_scan.py                 # Nova x7: 10,409 files
    .venv/bin/python benchmarks/fix_vs_scan.py --copies 7 --rounds 3 [--project nova]

The tree is built the way `bench_scan.py` builds its scale trees (the pinned sdist,
hard-linked N times under benchmarks/.cache/trees/, a project of its own). Each round runs,
in alternating order:

- fix: `mockguard fix -q --format json .` (a dry run: it scans, plans every site, and
  builds every rewrite's diff), with the tree's scan cache removed first, so its scan is cold;
- scan: `mockguard scan --no-cache --summary .`.

CPU is user plus system time of the command and its workers (the children's resource
usage); the medians and their ratio come last. What fix planned (rewrites and skips) is
printed from its JSON report, so a change in what it does shows beside its cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_scan import PROJECTS, TREES, Tree, build, remove_cache, repository_boundary  # noqa: E402
from compare_versions import measure_output  # noqa: E402
from sdists import download, unpack  # noqa: E402

MOCKGUARD = str(HERE.parent / ".venv" / "bin" / "mockguard")


def planned(report: bytes) -> str:
    """What one fix report planned: rewrites and skipped sites."""
    data = json.loads(report)
    return f"{data['rewritten']} rewrites planned, {data['skipped']} sites skipped"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", default="nova", help="one of the scan benchmark's sdists")
    parser.add_argument("--copies", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    project = PROJECTS[options.project]
    source = unpack(project, download(project))
    repository_boundary()
    tree = Tree(
        f"{project.name} x{options.copies}",
        TREES / f"{source.name}-x{options.copies}",
        (source,),
        options.copies,
        scaled=True,
    )
    build(tree)
    files = sum(1 for _ in tree.path.rglob("*.py"))
    print(f"{tree.label}: {files} Python files, {options.rounds} rounds", flush=True)
    commands = {
        "fix": [MOCKGUARD, "fix", "-q", "--format", "json", "."],
        "scan": [MOCKGUARD, "scan", "--no-cache", "--summary", "."],
    }
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    wall: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(options.rounds):
        order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in order:
            remove_cache(tree.path)
            spent, elapsed, output = measure_output(commands[name], tree.path)
            cpu[name].append(spent)
            wall[name].append(elapsed)
            detail = f" ({planned(output)})" if name == "fix" else ""
            print(f"  round {round_ + 1} {name}: {spent:.1f} s CPU, {elapsed:.1f} s wall{detail}")
    fix_cpu, scan_cpu = statistics.median(cpu["fix"]), statistics.median(cpu["scan"])
    fix_wall, scan_wall = statistics.median(wall["fix"]), statistics.median(wall["scan"])
    print(
        f"medians: fix {fix_cpu:.1f} s CPU / {fix_wall:.1f} s wall,"
        f" scan {scan_cpu:.1f} s CPU / {scan_wall:.1f} s wall;"
        f" ratio {fix_cpu / scan_cpu:.2f}x CPU, {fix_wall / scan_wall:.2f}x wall"
    )


if __name__ == "__main__":
    main()
