"""The engine's limits, through the command line: deep nesting is scanned, a file the scan
cannot read through fails the scan, wide encodings are reported, and the worker pool stays
small and ends with the scan."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

MOCKED = (
    "from unittest.mock import MagicMock\n\n\n"
    "def test_x():\n    ws = MagicMock()\n    ws.send_json.return_value = 1\n"
)
# Lines nested past the default recursion limit of the walk, each still under the parser's
# own limits (200 nested brackets).
DEEP_LINES = {
    "a 900-term sum": "x = " + " + ".join(["0"] * 900),
    "a 2,500-term sum": "x = " + " + ".join(["0"] * 2500),
    "a 2,500-link subscript chain": "x = a" + "[0]" * 2500,
    "a 1,000-branch conditional": "x = " + "a if b else " * 1000 + "c",
    "900 nested lambdas": "x = " + "lambda: " * 900 + "0",
    "calls nested 150 deep in sums": "x = " + "f(" * 150 + "0" + (" + 0" * 10 + ")") * 150,
}
# Past the parse's default limit too. From Python 3.12 on, the parser's own limit is fixed
# below this depth (the file is then `too-deep`, and fails the scan).
PAST_THE_PARSE = pytest.param(
    "x = a" + ".b" * 4000,
    id="a 4,000-link attribute chain",
    marks=pytest.mark.skipif(sys.version_info >= (3, 12), reason="past Python's own limit"),
)
ON_LINUX_PROC = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="counts processes through /proc"
)
OLDER_PYTHON = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="Python 3.12 parses this grammar itself"
)
# A module only the newer-grammar parser reads on Python 3.11 (a PEP 695 alias).
NEWER = "type Payload = dict[str, object]\n"


def scan_json(run_cli, root: Path, *args: str) -> tuple[int, dict, str]:
    done = run_cli("scan", "--no-cache", "--format", "json", *args, ".", cwd=root)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


@pytest.mark.parametrize(
    "line", [*(pytest.param(v, id=k) for k, v in DEEP_LINES.items()), PAST_THE_PARSE]
)
def test_deeply_nested_files_are_scanned_fully(run_cli, tmp_path: Path, line: str) -> None:
    (tmp_path / "test_deep.py").write_text(MOCKED + line + "\n")
    code, document, _ = scan_json(run_cli, tmp_path)
    assert document["diagnostics"] == []
    assert [(f["line"], f["code"]) for f in document["findings"]] == [(5, "MG101")]
    assert code == 1


INCOMPLETE = {
    "too-deep": ("x = " + "-" * 8_000 + "1\n", ""),
    "too-large": ("x = 1\n" * 4000, "max-file-size = 10000\n"),
}


@pytest.mark.parametrize("kind", INCOMPLETE, ids=list(INCOMPLETE))
def test_a_file_not_scanned_through_fails_the_scan(run_cli, tmp_path: Path, kind: str) -> None:
    tail, config = INCOMPLETE[kind]
    (tmp_path / "mockguard.toml").write_text(config)
    (tmp_path / "test_hidden.py").write_text(MOCKED + tail)
    (tmp_path / "test_clean.py").write_text("def test_ok():\n    assert True\n")
    code, document, stderr = scan_json(run_cli, tmp_path)
    assert [(d["path"], d["kind"]) for d in document["diagnostics"]] == [("test_hidden.py", kind)]
    assert document["findings"] == []
    assert code == 1
    assert f"1 file(s) not scanned through ({kind})" in stderr
    assert len(stderr.splitlines()) == 1
    # Allowed on the command line, or in the config: the findings that were seen decide.
    assert scan_json(run_cli, tmp_path, "--allow-incomplete")[0] == 0
    (tmp_path / "mockguard.toml").write_text(config + "allow-incomplete = true\n")
    assert scan_json(run_cli, tmp_path)[0] == 0
    assert scan_json(run_cli, tmp_path, "--exit-zero")[0] == 0


@pytest.mark.parametrize("depth", [250, 5000])
def test_brackets_past_the_tokenizers_limit_are_a_syntax_error(
    run_cli, tmp_path: Path, depth: int
) -> None:
    # 200 levels is CPython's limit in every version: the file cannot run, so it hides
    # nothing, and the newer-grammar parser is not tried on it (it would say `too-deep`).
    tail = "x = " + "[" * depth + "]" * depth + "\n"
    (tmp_path / "test_brackets.py").write_text(MOCKED + tail)
    code, document, _ = scan_json(run_cli, tmp_path)
    [diagnostic] = document["diagnostics"]
    assert diagnostic["kind"] == "syntax-error"
    assert diagnostic["message"] == "cannot parse: too many nested parentheses"
    assert code == 0


def test_a_gitignore_too_large_to_apply_does_not_fail_the_scan(run_cli, tmp_path: Path) -> None:
    # Its patterns are not applied: more files are scanned, none is hidden.
    (tmp_path / ".gitignore").write_text("build/\n" * 200_000)
    (tmp_path / "test_clean.py").write_text("def test_ok():\n    assert True\n")
    code, document, _ = scan_json(run_cli, tmp_path)
    assert [(d["path"], d["kind"]) for d in document["diagnostics"]] == [
        (".gitignore", "too-large")
    ]
    assert code == 0


BROKEN_WALK = """
import sys
from mockguard.cli import main
from mockguard.scan import engine

def broken(*args, **kwargs):
    raise KeyError("a scanner bug")

engine._visit = broken
sys.argv = ["mockguard", *sys.argv[1:]]
main()
"""


def test_a_scanner_error_fails_the_scan(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(MOCKED)
    args = ["scan", "--no-cache", "-j", "1", "--format", "json", "."]
    done = subprocess.run(
        [sys.executable, "-c", BROKEN_WALK, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    document = json.loads(done.stdout)
    assert [d["kind"] for d in document["diagnostics"]] == ["internal-error"]
    assert "KeyError" in document["diagnostics"][0]["message"]
    assert done.returncode == 1
    assert "not scanned through (internal-error)" in done.stderr
    assert "Traceback" not in done.stderr


def test_files_python_cannot_read_do_not_fail_the_scan(run_cli, tmp_path: Path) -> None:
    # Python cannot run them either: no test double in them runs, and pytest fails on them.
    (tmp_path / "test_syntax.py").write_text(MOCKED + "def broken(:\n")
    (tmp_path / "test_nul.py").write_bytes(MOCKED.encode() + b"\x00")
    code, document, _ = scan_json(run_cli, tmp_path)
    kinds = {d["path"]: d["kind"] for d in document["diagnostics"]}
    assert kinds == {"test_syntax.py": "syntax-error", "test_nul.py": "nul-bytes"}
    assert code == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_wide_encodings_are_reported_not_skipped(run_cli, tmp_path: Path, encoding: str) -> None:
    text = MOCKED if encoding != "utf-16-be" else "\ufeff" + MOCKED
    (tmp_path / "test_wide.py").write_bytes(text.encode(encoding))
    code, document, _ = scan_json(run_cli, tmp_path)
    [diagnostic] = document["diagnostics"]
    assert diagnostic["kind"] == "decode-error"
    assert encoding.upper()[:6] in diagnostic["message"]
    assert code == 0


@OLDER_PYTHON
def test_newer_grammar_too_deep_for_its_parser_fails_fast(run_cli, tmp_path: Path) -> None:
    # The newer-grammar parser's time grows with the square of a chain's length: a
    # 6,000-term sum would take it minutes. It is refused, and the file fails the scan.
    deep = "x = " + " + ".join(["0"] * 6000) + "\n"
    (tmp_path / "test_newer.py").write_text(NEWER + MOCKED + deep)
    started = time.monotonic()
    code, document, _ = scan_json(run_cli, tmp_path)
    assert time.monotonic() - started < 30
    [diagnostic] = document["diagnostics"]
    assert diagnostic["kind"] == "too-deep"
    assert "newer-grammar parser" in diagnostic["message"]
    assert code == 1


PEAK_RSS = """
import resource, sys
from mockguard.cli import main
sys.argv = ["mockguard", "scan", "--no-cache", "-j", "1", "--format", "json", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
"""


@OLDER_PYTHON
def test_newer_grammar_parser_memory_is_bounded(tmp_path: Path) -> None:
    # 1 MB that only the newer-grammar parser reads: it would take about 1.5 GB there.
    (tmp_path / "test_big.py").write_text(
        NEWER + "from unittest.mock import MagicMock\n" + "x = a + b\n" * 100_000
    )
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    peak_mib = int(done.stderr.split()[-1])
    [diagnostic] = json.loads(done.stdout)["diagnostics"]
    assert diagnostic["kind"] == "too-large"
    assert "newer-grammar parser" in diagnostic["message"]
    assert peak_mib < 700, peak_mib


# ------------------------------------------------------------------------ the worker pool


def slow_tree(root: Path, count: int) -> None:
    """`count` test files that take a while each (about 60 KB of mock setups)."""
    body = MOCKED + "".join(
        f"\n\ndef test_{i}():\n    ws = MagicMock()\n    ws.send_json.return_value = {i}\n"
        for i in range(800)
    )
    for i in range(count):
        (root / f"test_{i:03}.py").write_text(body)


def _stat(pid: int) -> tuple[str, int] | None:
    """The state and parent of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: the fields follow the last ")".
    fields = raw[raw.rindex(b")") + 2 :].split()
    return fields[0].decode(), int(fields[1])


def running(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> set[int]:
    """The running processes whose parent is `pid`."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == pid and stat[0] not in ("Z", "X"):
                found.add(int(entry))
    return found


def start_scan(root: Path, *args: str) -> subprocess.Popen[bytes]:
    """`mockguard scan` running in the background, as a user starts it."""
    script = shutil.which("mockguard", path=str(Path(sys.executable).parent))
    assert script, "the mockguard console script is not installed in this environment"
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen(
        [script, "scan", "--no-cache", "--summary", *args, "."],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def end(pids: set[int]) -> None:
    """Kill what a test started and left running."""
    for pid in pids:
        if running(pid):
            os.kill(pid, signal.SIGKILL)


@ON_LINUX_PROC
def test_workers_are_bounded_by_the_cores(tmp_path: Path) -> None:
    slow_tree(tmp_path, 100)
    scan = start_scan(tmp_path, "-j", "120")
    seen: set[int] = set()
    most = 0
    try:
        while scan.poll() is None:
            now = children(scan.pid)
            seen |= now
            most = max(most, len(now))
            time.sleep(0.01)
    finally:
        scan.kill()
        scan.wait(timeout=60)
        end(seen)
    cores = len(os.sched_getaffinity(0))
    assert 1 <= most <= 2 * cores, (most, cores)
    assert scan.returncode == 1


@ON_LINUX_PROC
def test_workers_end_when_the_scan_is_killed(tmp_path: Path) -> None:
    slow_tree(tmp_path, 100)
    scan = start_scan(tmp_path, "-j", "2")
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and scan.poll() is None and time.monotonic() < deadline:
            workers |= children(scan.pid)
            time.sleep(0.01)
        assert len(workers) == 2, "the pool did not start"
        scan.send_signal(signal.SIGKILL)
        scan.wait(timeout=60)
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if running(pid)]
    finally:
        scan.kill()
        scan.wait(timeout=60)
        end(workers)


ORPHANED = """
import os, sys, time
from mockguard.scan import engine

engine._die_with_parent = lambda: False  # as where Linux's parent-death signal is missing
owner = os.getpid()
ready, tell = os.pipe()
child = os.fork()
if child == 0:
    quiet = os.open(os.devnull, os.O_WRONLY)  # the test reads until its parent's output ends
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    engine.start_worker(owner)
    os.write(tell, b"x")  # set up while its parent lives: only the watch can end it now
    time.sleep(60)
    os._exit(0)
os.read(ready, 1)
print(child, flush=True)
os._exit(0)
"""


@ON_LINUX_PROC
def test_a_worker_watches_its_parent_where_the_kernel_cannot(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ORPHANED], capture_output=True, text=True, timeout=60
    )
    worker = int(done.stdout)
    try:
        deadline = time.monotonic() + 5
        while running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(worker)
    finally:
        end({worker})
