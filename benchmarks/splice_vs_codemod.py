"""Compare `fix`'s two ways of rewriting a file whose only rewrites are patches.

Run by hand in a project's root (here the google-auth sdist the migration benchmark
unpacks), naming its tests folder:

    (cd benchmarks/.cache/src/google_auth-2.63.0 && ../../../../.venv/bin/python ../../../splice_vs_codemod.py tests)

For each `test_*.py` under the folder whose plan holds only patch rewrites, the text splice
(mockguard.fix.splice) and the LibCST codemod both rewrite it; the two results must be the
same text. Prints the files compared, how many matched, differed (the first three diffs
shown) or were left to the codemod by the splice, and the time each way took.
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext

from mockguard.config import load_settings
from mockguard.fix.command import ReplaceAdHocMocksCommand, plan_source
from mockguard.fix.runner import _encoding
from mockguard.fix.splice import splice_patches


def main(folder: str) -> None:
    settings = load_settings()
    counts = {"files": 0, "same": 0, "differ": 0, "to the codemod": 0}
    splice_time = codemod_time = 0.0
    for path in sorted(Path(folder).rglob("test_*.py")):
        data = path.read_bytes()
        encoding = _encoding(data)
        text = data.decode(encoding)
        try:
            plan = plan_source(
                text, "utf-8" if encoding == "utf-8-sig" else encoding, str(path), settings
            )
        except SyntaxError:
            continue
        if not plan.rewrites or not all(r.patch for r in plan.rewrites):
            continue
        counts["files"] += 1
        started = time.perf_counter()
        spliced = splice_patches(text, plan)
        splice_time += time.perf_counter() - started
        if spliced is None:
            counts["to the codemod"] += 1
            continue
        started = time.perf_counter()
        command = ReplaceAdHocMocksCommand(CodemodContext(filename=str(path)), settings, plan=plan)
        by_codemod = command.transform_module(cst.parse_module(data)).code
        codemod_time += time.perf_counter() - started
        if by_codemod == spliced:
            counts["same"] += 1
            continue
        counts["differ"] += 1
        if counts["differ"] <= 3:
            diff = difflib.unified_diff(by_codemod.splitlines(True), spliced.splitlines(True))
            print(path, "".join(list(diff)[:30]), sep="\n")
    print(", ".join(f"{name} {count}" for name, count in counts.items()))
    print(f"splice {splice_time:.2f} s, codemod {codemod_time:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1])
