"""Feasibility study (benchmarks/NATIVE_PARSER.md): the floor of a cold scan. Runs
`mockguard scan --no-cache --summary -j 1 TREE` in this process with the per-file parse
and walk replaced, and prints the CPU time:

- `full`: the scan as it is;
- `parse-only`: `ast.parse` (and freeing the tree) but no walk;
- `floor`: neither: start-up, discovery, reading, the pre-filter, the conftest fixtures,
  the report. Whatever parser and walk a native design brings come on top of this.

    .venv/bin/python benchmarks/native/scan_floor.py MODE TREE >/dev/null
"""

from __future__ import annotations

import os
import sys
import time

from mockguard.findings import FileResult
from mockguard.scan import engine


def main() -> None:
    mode, tree = sys.argv[1], sys.argv[2]
    if mode == "floor":
        engine._scan_module = lambda data, path, settings, deep: FileResult(path)  # type: ignore[assignment]
    elif mode == "parse-only":
        engine._visit = lambda tree, data, path, settings, result: None  # type: ignore[assignment]
    from mockguard.cli import run

    os.chdir(tree)
    sys.argv = ["mockguard", "scan", "--no-cache", "--summary", "-j", "1", "."]
    start = time.process_time()
    try:
        run()
    except SystemExit:
        pass
    print(f"{mode} cpu {time.process_time() - start:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
