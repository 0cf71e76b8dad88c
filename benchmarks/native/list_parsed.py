"""Feasibility study (benchmarks/NATIVE_PARSER.md): write the paths that a cold scan of
TREE parses (the test files that pass the byte pre-filter), one a line, to LISTFILE.

    .venv/bin/python benchmarks/native/list_parsed.py TREE LISTFILE
"""

from __future__ import annotations

import os
import sys

from mockguard.findings import FileResult
from mockguard.scan import engine


def main() -> None:
    tree, listfile = sys.argv[1], os.path.abspath(sys.argv[2])
    parsed: list[str] = []
    parse = engine._parse

    def recording(data: bytes, path: str, result: FileResult):  # type: ignore[no-untyped-def]
        parsed.append(os.path.abspath(path))
        return parse(data, path, result)

    engine._parse = recording  # type: ignore[assignment]
    from mockguard.cli import run

    os.chdir(tree)
    sys.argv = ["mockguard", "scan", "--no-cache", "--summary", "-j", "1", "."]
    try:
        run()
    except SystemExit:
        pass
    with open(listfile, "w") as out:
        out.write("\n".join(parsed) + "\n")
    print(f"{len(parsed)} files parsed", file=sys.stderr)


if __name__ == "__main__":
    main()
