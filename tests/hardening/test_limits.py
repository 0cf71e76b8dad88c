"""Item 6: resource limits: big files, deep nesting, and memory on a huge tree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MEASURE = """
import resource, sys
from mockguard.cli import main
sys.argv = ["mockguard", "scan", "--no-cache", "--summary", "-j", "1", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
MOCKED = "from unittest.mock import MagicMock\n\ndef test_x():\n    ws = MagicMock()\n    ws.send_json.return_value = 1\n"


def test_big_files_and_deep_nesting_are_diagnostics(run_cli, tmp_path: Path) -> None:
    (tmp_path / "mockguard.toml").write_text("max-file-size = 12000\n")
    (tmp_path / "big.py").write_text(MOCKED * 300)
    (tmp_path / "deep.py").write_text("from unittest.mock import Mock\nx = " + "-" * 8_000 + "1\n")
    (tmp_path / "fine.py").write_text(MOCKED)
    result = run_cli("scan", "--format", "json", "--all-files", ".", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert {d["path"]: d["kind"] for d in document["diagnostics"]} == {
        "big.py": "too-large",
        "deep.py": "too-deep",
    }
    assert [f["path"] for f in document["findings"]] == ["fine.py"]


def peak_kib(tree: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tree)], capture_output=True, text=True, timeout=600
    )
    rss = int(next(line for line in done.stdout.splitlines() if line.startswith("RSS")).split()[1])
    return rss, done.stdout


def make_tree(root: Path, count: int) -> None:
    for i in range(count):
        folder = root / f"pkg{i // 1000:03}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"test_{i:06}.py").write_text(
            MOCKED if i % 10 == 0 else "def test_ok():\n    assert True\n"
        )


def test_memory_stays_flat_on_a_hundred_thousand_files(tmp_path: Path) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    make_tree(small, 10_000)
    make_tree(large, 100_000)
    small_rss, _ = peak_kib(small)
    large_rss, output = peak_kib(large)
    assert "Found 10000 ad-hoc test doubles" in output
    print(
        f"\npeak RSS: 10,000 files {small_rss / 1024:.0f} MiB, 100,000 files {large_rss / 1024:.0f} MiB"
    )
    # Ten times the files, with a tenth of them holding a finding each: the findings are kept
    # (they are the report), the trees are not. Allow what 10,000 findings and paths weigh.
    assert large_rss - small_rss < 80 * 1024
