"""A warm `scan --summary` that changed nothing is answered from the record of the last one:
the same output and exit status, without importing the scanner; any change to what the
outcome was decided from runs the scan again, with what a cold scan reports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mockguard.scan import replay

# A warm run records only what has not changed for this long (see replay.RACY_NS).
SETTLE = replay.RACY_NS / 1e9 + 0.2
MOCKS = "from unittest.mock import MagicMock, patch\n\n\ndef test_{n}():\n    ws = MagicMock()\n"
# Runs the command as the console script does, then says whether the scanner was imported.
PROBE = (
    "import os, sys\n"
    "from mockguard.launch import run\n"
    "try:\n"
    "    run()\n"
    "finally:\n"
    "    with open(os.environ['SCANNED_MARK'], 'w') as mark:\n"
    "        mark.write(str('mockguard.scan.engine' in sys.modules))\n"
)


def make_project(root: Path) -> None:
    (root / "tests" / "unit").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.mockguard]\n")
    (root / "tests" / "unit" / "test_a.py").write_text(MOCKS.format(n="a"))
    (root / "tests" / "unit" / "test_b.py").write_text(MOCKS.format(n="b") * 2)
    (root / "tests" / "conftest.py").write_text("import pytest\n")
    (root / "app.py").write_text("from unittest.mock import MagicMock\nx = MagicMock()\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    make_project(root)
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "SCANNED_MARK": str(tmp_path / "mark"),
    }


Scan = Callable[..., tuple[str, str, int, bool]]


@pytest.fixture
def scan(project: Path, env: dict[str, str], tmp_path: Path) -> Scan:
    """Run `mockguard scan --summary ARGS` in the project: its output (the elapsed time
    left out), its exit status, and whether it scanned (else it was replayed)."""

    def run(*args: str) -> tuple[str, str, int, bool]:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, "scan", "--summary", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr
        scanned = (tmp_path / "mark").read_text() == "True"
        stdout = re.sub(r" in \d+\.\d\ds\.", " in <elapsed>.", done.stdout)
        return stdout, done.stderr, done.returncode, scanned

    return run


def primed(scan: Scan, *args: str) -> tuple[str, str, int, bool]:
    """Prime the cache, let what it wrote settle, and record a warm run."""
    time.sleep(SETTLE)  # the files were just written
    scan(*args)
    time.sleep(SETTLE)  # and so was the cache folder
    warm = scan(*args)
    assert warm[3], "the run that records scans"
    return warm


@pytest.mark.parametrize(
    ("args", "found"),
    [((), "3 ad-hoc test doubles in 2 files"), (("--all-files",), "4 ad-hoc test doubles in 3")],
    ids=["tests", "all-files"],
)
def test_a_warm_summary_is_replayed_as_it_was_printed(
    scan: Scan, project: Path, args: tuple[str, ...], found: str
) -> None:
    warm = primed(scan, *args)
    (record,) = (project / ".mockguard_cache").glob("warm-*.record")
    replayed = scan(*args)
    assert not replayed[3]  # answered from the record: the scanner was not imported
    assert replayed[:3] == warm[:3]
    assert f"Found {found}" in replayed[0] and replayed[2] == 1
    if not args:  # the note about the file left out is printed too
        assert replayed[1] == "mockguard: 1 non-test files not scanned (use --all-files)\n"
    assert replayed[:3] == scan(*args, "--no-cache")[:3]
    assert scan(*args)[3] is False  # and again
    assert list((project / ".mockguard_cache").glob("warm-*.record")) == [record]


def _edit(project: Path) -> None:
    path = project / "tests" / "unit" / "test_a.py"
    path.write_text(path.read_text() + "    db = MagicMock()\n")


def _touch(project: Path) -> None:
    os.utime(project / "tests" / "unit" / "test_a.py")


def _add(project: Path) -> None:
    (project / "tests" / "unit" / "test_c.py").write_text(MOCKS.format(n="c"))


def _remove(project: Path) -> None:
    (project / "tests" / "unit" / "test_b.py").unlink()


def _gitignore(project: Path) -> None:
    (project / "tests" / ".gitignore").write_text("test_b.py\n")


def _config(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.mockguard]\nselect = ["MG201"]\n')


def _pytest_config(project: Path) -> None:
    (project / "pytest.ini").write_text("[pytest]\npython_files = check_*.py\n")


def _conftest(project: Path) -> None:
    (project / "tests" / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef f(): ...\n"
    )


def _above(project: Path) -> None:
    (project.parent / "mockguard.toml").write_text('select = ["MG201"]\n')


def _rename(project: Path) -> None:
    (project / "tests" / "unit").rename(project / "tests" / "other")


@pytest.mark.parametrize(
    "change",
    [
        _edit,
        _touch,
        _add,
        _remove,
        _gitignore,
        _config,
        _pytest_config,
        _conftest,
        _above,
        _rename,
    ],
)
def test_any_change_is_scanned(scan: Scan, project: Path, change: Callable[[Path], None]) -> None:
    primed(scan)
    change(project)
    after = scan()
    assert after[3]  # scanned, not replayed
    assert after[:3] == scan("--no-cache")[:3]


def test_other_files_above_the_project_do_not_matter(scan: Scan, project: Path) -> None:
    warm = primed(scan)
    (project.parent / "notes.txt").write_text("unrelated\n")
    (project.parent / "elsewhere").mkdir()
    replayed = scan()
    assert not replayed[3] and replayed[:3] == warm[:3]


@pytest.mark.parametrize("how", ["edited", "signed-elsewhere", "truncated"])
def test_a_record_not_as_signed_here_is_not_used(scan: Scan, project: Path, how: str) -> None:
    warm = primed(scan)
    (record,) = (project / ".mockguard_cache").glob("warm-*.record")
    data = record.read_bytes()
    signature, _, body = data.partition(b"\n")
    # Another status and another text.
    forged = body.replace(b"\x001\x00", b"\x000\x00", 1).replace(b"Found 3", b"Found 0", 1)
    assert forged != body
    if how == "edited":  # under the old signature
        record.write_bytes(signature + b"\n" + forged)
    elif how == "signed-elsewhere":  # with another machine's key
        record.write_bytes(replay.mac(os.urandom(32), record.name, forged) + b"\n" + forged)
    else:
        record.write_bytes(data[: len(data) // 2])
    after = scan()
    assert after[3] and after[:3] == warm[:3]
    assert record.read_bytes() == data  # recorded again, as it was


def test_nothing_is_recorded_for_other_output(scan: Scan, project: Path, env) -> None:
    primed(scan)
    before = set((project / ".mockguard_cache").iterdir())
    for args in (["--format", "json"], ["--color", "always"], ["-o", "out.txt"]):
        done = subprocess.run(
            [sys.executable, "-m", "mockguard", "scan", "--summary", *args],
            cwd=project,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
    assert set((project / ".mockguard_cache").iterdir()) == before


def test_a_change_just_made_is_not_recorded(scan: Scan, project: Path) -> None:
    primed(scan)
    (record,) = (project / ".mockguard_cache").glob("warm-*.record")
    before = record.read_bytes()
    _add(project)
    scan()  # scans the new file
    assert scan()[3]  # cached, but changed too recently to be recorded
    assert scan()[3]
    assert record.read_bytes() == before


def test_cache_clear_removes_the_record(scan: Scan, project: Path, env) -> None:
    primed(scan)
    done = subprocess.run(
        [sys.executable, "-m", "mockguard", "cache", "clear"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "deleted" in done.stdout, done.stderr
    assert not (project / ".mockguard_cache").exists()
    assert scan()[3]


def test_diagnostics_are_counted_in_the_replay_too(scan: Scan, project: Path) -> None:
    broken = "from unittest.mock import MagicMock\n\ndef test_x(:\n"
    (project / "tests" / "unit" / "test_broken.py").write_text(broken)
    warm = primed(scan)
    assert "1 diagnostic in 1 file: 1 syntax-error" in warm[0]
    replayed = scan()
    assert not replayed[3] and replayed[:3] == warm[:3]


def test_a_walk_that_met_a_symbolic_link_is_not_recorded(scan: Scan, project: Path) -> None:
    (project / "tests" / "unit" / "test_link.py").symlink_to(
        project / "tests" / "unit" / "test_a.py"
    )
    time.sleep(SETTLE)
    scan()
    time.sleep(SETTLE)
    assert scan()[3]
    assert scan()[3]
    assert not list((project / ".mockguard_cache").glob("warm-*.record"))
