"""The hostile-input probe script (benchmarks/probe_hostile.py) replays every probe on a
fresh repository through the installed command and finds nothing lost, hidden, injected,
hanging or crashing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "probe_hostile.py"


def test_the_probe_script_reports_nothing() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--json"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    document = json.loads(done.stdout)
    failed = [p for p in document["probes"] if p["verdict"] is not None]
    assert failed == [], failed
    assert document["totals"] == dict.fromkeys(
        ("lost", "hidden", "injected", "hang", "traceback"), 0
    )
    assert len(document["probes"]) >= 39  # as many as the README says it replays
    assert done.returncode == 0
