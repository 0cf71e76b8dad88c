"""The import contracts of pyproject.toml (checked by `lint-imports` in `make lint`) hold,
and breaking one is caught: a layer importing one above it, the scanner importing the
factory, a cycle between sibling modules."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(LINT_IMPORTS is None, reason="import-linter is not installed")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],  # reads the tree's pyproject.toml
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_contracts_hold(tmp_path: Path) -> None:
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("config.py", "import mockguard.report.text", "Layers"),
        ("scan/engine.py", "import mockguard.api", "Layers"),
        ("scan/engine.py", "import mockguard.factory.registry", "The scanner never imports"),
        ("factory/kinds.py", "import mockguard.scan.engine", "The factory never imports"),
        ("report/base.py", "import mockguard.report.text", "No import cycles"),
    ],
    ids=[
        "config-imports-report",
        "scan-imports-api",
        "scan-imports-factory",
        "factory-imports-scan",
        "report-cycle",
    ],
)
def test_breaking_a_contract_fails(tmp_path: Path, module: str, line: str, contract: str) -> None:
    tree = _copy(tmp_path)
    _append(tree / "src" / "mockguard" / module, line)
    done = _lint(tree)
    assert done.returncode != 0, done.stdout
    broken = done.stdout.partition("Broken contracts")[2]
    assert contract in broken, done.stdout
