#!/bin/bash
# Feasibility study (benchmarks/NATIVE_PARSER.md): today's cold scan against ruff, the
# commands of the question, interleaved, ROUNDS rounds; CPU is user+system of the command
# and its children (GNU time). Usage: benchmarks/native/cold_vs_ruff.sh TREE... (ROUNDS=5)
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
for r in $(seq 1 "${ROUNDS:-5}"); do
  for tree in "$@"; do
    name=$(basename "$tree")
    (cd "$tree" && /usr/bin/time -f "round $r $name mockguard cpu %U+%S wall %e" \
      "$here/.venv/bin/mockguard" scan --no-cache --summary . >/dev/null 2>/tmp/cold_vs_ruff.err;
      tail -1 /tmp/cold_vs_ruff.err)
    (cd "$tree" && /usr/bin/time -f "round $r $name ruff cpu %U+%S wall %e" \
      "$here/.venv/bin/ruff" check --no-cache --select PT --quiet . >/dev/null 2>/tmp/cold_vs_ruff.err;
      tail -1 /tmp/cold_vs_ruff.err)
  done
done
