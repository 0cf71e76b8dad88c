"""Every outcome has its exit status and at most one line on stderr: 0 clean, 1 findings,
2 an error the user can fix, 3 a bug, 130 Ctrl-C, 141 a reader that closed the pipe."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import mockguard_command

MOCKS = "from unittest.mock import MagicMock\n\n\ndef test_x():\n    m = MagicMock()\n"

# Loaded by the interpreter at start-up when its folder is on PYTHONPATH: makes the scan
# fail the way MOCKGUARD_FAULT says, so that the command's handling of it can be watched.
FAULTS = """\
import os
import pathlib
import time

fault = os.environ.get("MOCKGUARD_FAULT")
if fault:
    import mockguard.api

    def scan(*args, **kwargs):
        if fault == "bug":
            return 1 / 0
        if fault == "os-error":
            raise PermissionError(13, "Permission denied", "/srv/cache/entry")
        pathlib.Path(os.environ["MOCKGUARD_FAULT_STARTED"]).touch()
        time.sleep(60)

    mockguard.api.scan = scan
"""


@pytest.fixture
def faulty(tmp_path: Path) -> dict[str, str]:
    """The environment that makes `mockguard scan` fail: add MOCKGUARD_FAULT."""
    folder = tmp_path / "faults"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(FAULTS)
    (tmp_path / "test_x.py").write_text(MOCKS)
    return {"PYTHONPATH": str(folder), "MOCKGUARD_FAULT_STARTED": str(tmp_path / "started")}


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_bug_is_exit_3_with_one_line_that_says_how_to_report_it(
    run_cli, tmp_path: Path, faulty: dict[str, str]
) -> None:
    result = run_cli("scan", ".", cwd=tmp_path, env={**faulty, "MOCKGUARD_FAULT": "bug"})
    assert result.returncode == 3
    line = one_line(result.stderr)
    assert line.startswith(
        "mockguard: internal error in `mockguard scan`: ZeroDivisionError: division by zero. "
        "This is a bug in mockguard"
    )
    assert "--debug" in line and "MOCKGUARD_DEBUG=1" in line


@pytest.mark.parametrize(
    ("args", "env"), [(("--debug", "scan", "."), {}), (("scan", "."), {"MOCKGUARD_DEBUG": "1"})]
)
def test_debug_shows_the_traceback(
    run_cli, tmp_path: Path, faulty: dict[str, str], args: tuple[str, ...], env: dict[str, str]
) -> None:
    result = run_cli(*args, cwd=tmp_path, env={**faulty, **env, "MOCKGUARD_FAULT": "bug"})
    assert result.returncode == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "ZeroDivisionError" in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("mockguard: internal error in `mockguard scan`")


def test_an_operating_system_error_is_one_line_exit_2(
    run_cli, tmp_path: Path, faulty: dict[str, str]
) -> None:
    result = run_cli("scan", ".", cwd=tmp_path, env={**faulty, "MOCKGUARD_FAULT": "os-error"})
    assert result.returncode == 2
    assert one_line(result.stderr) == "mockguard: error: Permission denied: /srv/cache/entry"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path, faulty: dict[str, str]) -> None:
    started = Path(faulty["MOCKGUARD_FAULT_STARTED"])
    process = subprocess.Popen(
        [*mockguard_command(), "scan", "."],
        cwd=tmp_path,
        env={**os.environ, **faulty, "MOCKGUARD_FAULT": "sleep"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As in a terminal's foreground job, whatever this run inherited: a shell that starts
        # a job in the background (`make test &`, nohup) has it ignore SIGINT.
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the scan never started"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal sends it: to the group
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 130
    assert one_line(stderr) == "mockguard: interrupted"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [("scan", "."), ("scan", "--format", "json", "."), ("rules",)])
def test_a_full_disk_on_stdout_is_one_line_exit_2(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "test_x.py").write_text(MOCKS)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*mockguard_command(), *command],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert one_line(result.stderr) == (
        "mockguard: error: cannot write the output: No space left on device"
    )


def run_with_stdout_closed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run mockguard as `mockguard ARGS >&-` does: file descriptor 1 closed."""
    return subprocess.run(
        [*mockguard_command(), *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.close(1),
    )


def test_a_closed_stdout_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(MOCKS)
    result = run_with_stdout_closed("scan", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        one_line(result.stderr) == "mockguard: error: cannot write the output: Bad file descriptor"
    )
    # A report written to a file needs no stdout.
    result = run_with_stdout_closed("scan", "-o", "out.txt", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Found 1 ad-hoc test double" in (tmp_path / "out.txt").read_text(encoding="utf-8")


def test_a_closed_pipe_ends_quietly_with_141(tmp_path: Path) -> None:
    # More output than a pipe holds, so that writing outlives the reader.
    body = "".join(f"    m{n} = MagicMock()\n" for n in range(3000))
    (tmp_path / "test_many.py").write_text(MOCKS + body)
    process = subprocess.Popen(
        [*mockguard_command(), "scan", "-q", "."],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # as `| head -1` does
        stderr = process.stderr.read()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert first.startswith(b"test_many.py:5:9: MG101")
    assert process.returncode == 141
    assert stderr == b""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("scan", "--frmat", "json"), "No such option '--frmat'. Did you mean '--format'?"),
        (("scan", "--format", "xml"), "Invalid value for '--format'"),
        (("nope",), "No such command 'nope'."),
        (("scan", "missing"), "missing"),
        (("rules", "MG999"), "unknown rule 'MG999'"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    run_cli, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("mockguard: error: ") and expected in line
    assert result.stdout == ""


def test_a_usage_error_names_the_help_to_read(run_cli, tmp_path: Path) -> None:
    result = run_cli("scan", "--frmat", "json", cwd=tmp_path)
    assert one_line(result.stderr).endswith("(see `mockguard scan --help`)")


def test_an_error_message_cannot_hold_a_second_line(run_cli, tmp_path: Path) -> None:
    result = run_cli("scan", "missing\n::error::forged\x1b[2J", cwd=tmp_path)
    assert result.returncode == 2
    assert "missing\\n::error::forged\\x1b[2J" in one_line(result.stderr)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_history_to_a_missing_folder_is_one_line_exit_2(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(MOCKS)
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "one"]):
        subprocess.run(
            ["git", *command], cwd=tmp_path, check=True, timeout=60, env={**os.environ, **env}
        )
    result = run_cli("history", "-q", "-o", str(tmp_path / "missing" / "x.csv"), cwd=tmp_path)
    assert result.returncode == 2
    assert one_line(result.stderr).startswith("mockguard: error: cannot write ")


def test_scan_output_to_a_missing_folder_is_one_line_exit_2(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(MOCKS)
    result = run_cli("scan", "-o", str(tmp_path / "missing" / "x.json"), ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such file or directory" in one_line(result.stderr)


def test_a_report_under_a_file_is_one_line_exit_2(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(MOCKS)
    (tmp_path / "taken").write_text("")
    result = run_cli("report", ".", "--html", "taken/r.html", "--no-history", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        one_line(result.stderr)
        == "mockguard: error: cannot write taken/r.html: taken is not a folder"
    )


def test_help_and_version_exit_0(run_cli) -> None:
    assert run_cli("--help").returncode == 0
    assert run_cli("scan", "--help").returncode == 0
    assert run_cli("--version").returncode == 0
