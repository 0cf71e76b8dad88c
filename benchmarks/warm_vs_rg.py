"""Time a warm `mockguard scan --all-files --summary .` against `rg -c 'Mock\\('`, interleaved.

Run by hand (never from the test suite), from the repository root, on trees that
`benchmarks/bench_scan.py` built:

    .venv/bin/python benchmarks/warm_vs_rg.py benchmarks/.cache/trees/nova-31.0.0 \\
        [more trees] [--rounds 11] [--other /path/to/another/venv/bin/mockguard]

Each round runs, in each tree, one after the other: ripgrep, this mockguard as installed
(a warm rescan that changed nothing is answered from its record), this mockguard's scan
path without that record (the command line module run directly, with recording switched
off: it scans from the cache as a run does when the record does not answer), and `--other` (another mockguard, say the
previous version, in a venv of its own) when given. The medians of the rounds are printed,
and their ratios to ripgrep's median of the same rounds: a shared machine's load moves
every figure, the ratios much less.

Before the rounds, each mockguard primes its cache in the tree; then the script waits until
what priming wrote (the cache folder) is older than the cache's racy window (2 s), and runs
each once more untimed: a rescan of files changed within that window is not trusted to have
seen every change, so only a later one records its output for the next.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RACY_SECONDS = 2.0
SCAN = ["scan", "--all-files", "--summary", "."]
SCAN_PATH = "import mockguard.cli as cli; cli._replayable = lambda *_: False; cli.run()"


def timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--other", help="another mockguard command to compare with")
    options = parser.parse_args()
    rg = shutil.which("rg")
    if rg is None:
        raise SystemExit("ripgrep (rg) is not installed")
    bin_dir = Path(sys.executable).parent
    commands = {
        "rg": [rg, "-c", r"Mock\(", "."],
        "mockguard": [str(bin_dir / "mockguard"), *SCAN],
        "scan path": [sys.executable, "-c", SCAN_PATH, *SCAN],
    }
    if options.other:
        commands["other"] = [options.other, *SCAN]
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for tree in options.trees:
        for name, argv in commands.items():
            if name != "rg":
                timed(argv, tree)  # primes the cache
        time.sleep(RACY_SECONDS + 0.2)
        for argv in commands.values():
            timed(argv, tree)  # records, where it does
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.rounds):
            for name, argv in commands.items():
                times[name].append(timed(argv, tree))
        medians = {name: statistics.median(values) for name, values in times.items()}
        anchor = medians["rg"]
        shown = ", ".join(
            f"{name} {value * 1000:.0f} ms ({value / anchor:.2f}x rg)"
            for name, value in medians.items()
        )
        print(f"{tree.name}: {options.rounds} rounds, medians: {shown}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
