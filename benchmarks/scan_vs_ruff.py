"""Time a cold `mockguard scan` against `ruff check --no-cache --select PT` on one tree.

Run by hand (never from the test suite): the two commands alternate, each `--runs` times,
and the medians and their ratio are printed. Usage:

    python benchmarks/scan_vs_ruff.py PATH [--runs 5]
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


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    mockguard = shutil.which("mockguard", path=str(bindir)) or "mockguard"
    ruff = shutil.which("ruff", path=str(bindir)) or shutil.which("ruff")
    if ruff is None:
        print("ruff is not installed", file=sys.stderr)
        return 2
    tree = args.path.resolve()
    files = sum(1 for _ in tree.rglob("*.py"))
    size = sum(p.stat().st_size for p in tree.rglob("*.py")) / 1e6
    commands = {
        "mockguard scan": [mockguard, "scan", "--format", "json", "-o", os.devnull, "."],
        "ruff check --no-cache --select PT": [
            ruff,
            "check",
            "--no-cache",
            "--select",
            "PT",
            "--quiet",
            ".",
        ],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(timed(command, tree))
    print(
        f"{tree.name}: {files} Python files, {size:.1f} MB, {os.cpu_count()} cores, {args.runs} runs each"
    )
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"  {name:36} median {value:6.2f} s  (min {min(times[name]):.2f} s)")
    mine, anchor = medians["mockguard scan"], medians["ruff check --no-cache --select PT"]
    print(f"  ratio mockguard / ruff: {mine / anchor:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
