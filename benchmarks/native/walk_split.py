"""Feasibility study (benchmarks/NATIVE_PARSER.md): where the walk's time goes in a cold
single-process scan: the visitor's pass (`MockVisitor.run`), the classification and
fingerprints of its sites (`engine._findings`), and the whole of `engine._visit`.

    .venv/bin/python benchmarks/native/walk_split.py TREE >/dev/null
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

from mockguard.scan import engine
from mockguard.scan import visitor as visitor_module

spent = {"visitor run": 0.0, "classify + fingerprints": 0.0, "engine._visit": 0.0}


def timed(owner: Any, name: str, key: str) -> None:
    function: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[key] += time.process_time() - start

    setattr(owner, name, wrapper)


def main() -> None:
    timed(visitor_module.MockVisitor, "run", "visitor run")
    timed(engine, "_findings", "classify + fingerprints")
    timed(engine, "_visit", "engine._visit")
    from mockguard.cli import run

    os.chdir(sys.argv[1])
    sys.argv = ["mockguard", "scan", "--no-cache", "--summary", "-j", "1", "."]
    try:
        run()
    except SystemExit:
        pass
    print({key: round(value, 3) for key, value in spent.items()}, file=sys.stderr)


if __name__ == "__main__":
    main()
