"""Two installs of mockguard scanning the same trees, interleaved: CPU and wall medians.

Used to check that a change does not slow the cold scan down. Both sides scan with
`--no-cache --summary`; give the side that defaults to test files only `--all-files`
through `--new-args` (or `--old-args`) so that both read the same files. CPU time is user
plus system time of the scan and its workers, read from the children's resource usage.

    python benchmarks/compare_versions.py --old /tmp/old/.venv/bin/mockguard \\
        --new .venv/bin/mockguard --new-args=--all-files --rounds 5 TREE [TREE...]
"""

from __future__ import annotations

import argparse
import resource
import shlex
import statistics
import subprocess
import time
from pathlib import Path


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """The CPU seconds (user + system, with workers) and wall seconds of one run."""
    cpu, wall, _ = measure_output(command, cwd)
    return cpu, wall


def measure_output(command: list[str], cwd: Path | None = None) -> tuple[float, float, bytes]:
    """:func:`measure`, and what the command printed (its exit status is not checked)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall, done.stdout


def compare(tree: Path, sides: dict[str, list[str]], rounds: int) -> str:
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    wall: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):  # alternate who goes first
            spent, elapsed = measure([*sides[name][:2], str(tree), *sides[name][2:]])
            cpu[name].append(spent)
            wall[name].append(elapsed)
    old_cpu, new_cpu = statistics.median(cpu["old"]), statistics.median(cpu["new"])
    old_wall, new_wall = statistics.median(wall["old"]), statistics.median(wall["new"])
    return (
        f"{tree.name}: CPU old {old_cpu:.2f} s, new {new_cpu:.2f} s, ratio {new_cpu / old_cpu:.3f}"
        f" | wall old {old_wall:.2f} s, new {new_wall:.2f} s, ratio {new_wall / old_wall:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--old", required=True, help="the old side's mockguard executable")
    parser.add_argument("--new", required=True, help="the new side's mockguard executable")
    parser.add_argument("--old-args", default="", help="extra arguments for the old side")
    parser.add_argument("--new-args", default="", help="extra arguments for the new side")
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    common = ["--no-cache", "--summary"]
    sides = {
        "old": [options.old, "scan", *common, *shlex.split(options.old_args)],
        "new": [options.new, "scan", *common, *shlex.split(options.new_args)],
    }
    for tree in options.trees:
        print(compare(tree, sides, options.rounds), flush=True)


if __name__ == "__main__":
    main()
