"""The benchmark of record for mockguard's migration (scan, dupes, kinds, fix) on real suites.

Run by hand (never from the test suite), from the repository root:

    .venv/bin/python benchmarks/bench_migrate.py                       # both projects
    .venv/bin/python benchmarks/bench_migrate.py --project kombu [--keep] [--again]

For each project (the suites of /work/shared/real-suites.md):

1. The pinned sdist is downloaded into benchmarks/.cache/downloads/ (sha256-checked) and
   unpacked once into benchmarks/.cache/src/; a fresh working copy of it is made under
   benchmarks/.cache/migrate/<project>/ on every run (always the same path).
2. A venv for the suite is made once under benchmarks/.cache/migrate/venvs/<project>/ (kept
   while its stamp file matches the install commands and mockguard's dependencies): the
   install commands of real-suites.md, with an editable install of the working copy (so the
   tests import the rewritten tree), and mockguard itself, editable, so that rewritten tests
   import it and its pytest plugin loads.
3. The suite runs once before any change (serial, a fresh TMPDIR per run, JUnit XML); the
   tests that fail then are deselected in every later run and listed. pytest gets `-c` (the
   sdist's own setup.cfg) and `--rootdir=.`: google-auth has no pytest config, and pytest
   would otherwise take the one of this repository's pyproject.toml, above the copy.
4. mockguard, from the repository's venv, runs in the working copy: `scan --format json
   --no-cache .`, `dupes .`, `kinds suggest --write .`, `fix --write --format json
   --check-tests CMD .` (CMD is the suite's pytest command; its output goes to a log
   file), `check_rewrites.py` against the unpacked sdist (the rewritten files parse, the
   diffs touch only rewritten statements and imports, a second fix plans nothing on a
   line the first one changed), and the scan again.
5. The suite runs again and each test's outcome is compared with the run before (it must
   not change).
6. With `--again`, `fix --write --check-tests CMD .` runs a second time on the rewritten
   copy: it must keep none of the rewrites it tries again and leave every `.py` file as
   the first run left it (a sha256 over them, before and after).

Ad-hoc doubles are the scan's unsuppressed findings of MG101, MG102, MG201 and MG301;
factory calls are the summary's compliant count. Every step's output is in
benchmarks/.cache/migrate/logs/<project>/. The working copies and their TMPDIRs are removed
at the end unless `--keep`. mockguard commands that fail are listed with their first lines
of error; the Markdown table, one row per project, comes last.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # the dev dependencies have tomli
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REPO = HERE.parent
CACHE = HERE / ".cache"
MIGRATE = CACHE / "migrate"
VENVS = MIGRATE / "venvs"
LOGS = MIGRATE / "logs"
TEMPS = MIGRATE / "tmp"
MOCKGUARD = REPO / ".venv" / "bin" / "mockguard"
STAMP = ".bench-migrate-stamp"
from sdists import Project, download, log, unpack  # noqa: E402

from mockguard.fix.check import read_report  # noqa: E402

AD_HOC = ("MG101", "MG102", "MG201", "MG301")
PIP_TIMEOUT = 1800
SUITE_TIMEOUT = 1800  # one run of a test suite
STEP_TIMEOUT = 900  # scan, dupes, kinds suggest
FIX_TIMEOUT = 4 * 3600  # fix runs the suite at least twice, once more per file it reverts
# How many changed tests, failing tests and error lines are shown one by one.
SHOWN = 10
ERROR_LINES = 5
# Environment variables of this shell that would change what the suites run.
DROPPED_ENV = ("PYTEST_ADDOPTS", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MOCKGUARD_DEBUG")


@dataclass(frozen=True)
class Suite:
    """A project whose own test suite runs here, as real-suites.md installs and runs it."""

    label: str
    project: Project
    extras: str  # appended to the editable install's path, e.g. "[testing]"
    requirements: tuple[str, ...]  # pip arguments after it; {src} is the working copy
    tests: tuple[str, ...]  # pytest's arguments before the options
    config: str  # pytest's config file in the sdist (-c), with or without a pytest section
    deselect: tuple[str, ...]


SUITES = {
    suite.label: suite
    for suite in (
        Suite(
            "google-auth",
            Project(
                "google_auth",
                "2.63.0",
                "f198b99dd49e81f96f54abce2c03d4dd28fb7e3c77702eb6ae1c5bf25435054c",
            ),
            "[testing]",
            ("pytest-xdist",),
            ("tests",),
            "setup.cfg",
            (),
        ),
        Suite(
            "kombu",
            Project(
                "kombu",
                "5.7.0",
                "31e62fdfd2381caa3422f8e02b84a491d9a2180ddda74507b57f4cb1e1c2c2c9",
            ),
            "",
            (
                "hypothesis<7",
                "Pyro4==4.82",
                "pytest-freezer==0.4.9",
                "pytest-xdist",
                "-r",
                "{src}/requirements/extras/redis.txt",
                "boto3",
                "urllib3",
                "pycurl",
                "msgpack",
                "PyYAML",
                "azure-servicebus",
                "azure-storage-queue",
                "azure-identity",
                "python-consul2",
                "kazoo",
                "python-etcd",
                "google-cloud-pubsub",
                "google-cloud-monitoring",
                "sqlalchemy>=1.4.54,<2.2",
                "pymongo",
                "confluent-kafka",
                "pgmq",
                "brotli",
                "backports.zstd",
            ),
            ("t/unit",),
            "setup.cfg",
            ("t/unit/transport/test_redis.py::test_Channel::test_global_keyprefix_pubsub",),
        ),
    )
}


class BenchError(Exception):
    """An expected failure, with a one-line message: the project's run stops there."""


@dataclass(frozen=True)
class Done:
    status: int
    stdout: str
    stderr: str
    seconds: float


@dataclass(frozen=True)
class Scan:
    ad_hoc: int
    compliant: int
    by_rule: dict[str, int]
    incomplete: int


@dataclass(frozen=True)
class TestRun:
    outcomes: dict[str, str]  # JUnit `classname::name` -> passed, failed, error, skipped
    status: int
    seconds: float

    def counts(self) -> str:
        tally = Counter(self.outcomes.values())
        order = ("passed", "failed", "error", "skipped")
        return ", ".join(f"{tally.get(name, 0)} {name}" for name in order)


@dataclass
class Result:
    suite: Suite
    venv_note: str = ""
    before_tests: TestRun | None = None
    failing: list[tuple[str, str | None]] = field(default_factory=list)  # key, node id
    scans: list[Scan | None] = field(default_factory=list)
    kinds_note: str = ""
    fix: dict[str, Any] | None = None
    fix_notes: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # check_rewrites.py's output
    again: str = ""  # what a second fix run did, with --again
    after_tests: TestRun | None = None
    changed: dict[str, tuple[str, str]] | None = None
    steps: dict[str, float] = field(default_factory=dict)  # mockguard step -> seconds
    whole: float = 0.0
    problems: list[str] = field(default_factory=list)  # mockguard commands that failed
    error: str = ""  # why the run stopped early


# ------------------------------------------------------------------------- helpers


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def shown(argv: Sequence[str]) -> str:
    return shlex.join(str(arg) for arg in argv)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(extra)
    return env


def run(
    argv: Sequence[str | Path],
    cwd: Path,
    timeout: float,
    logs: Path,
    step: str,
    env: Mapping[str, str] | None = None,
) -> Done:
    """Run a command in its own process group (killed whole on timeout), its output kept in
    `logs/<step>.out` and `.err`."""
    command = [str(arg) for arg in argv]
    started = time.perf_counter()
    try:
        child = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env) if env is not None else clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise BenchError(f"{shown(command)}: {exc.strerror or exc}") from None
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise BenchError(f"{shown(command)} timed out after {timeout:.0f} s") from None
    except KeyboardInterrupt:
        os.killpg(child.pid, signal.SIGKILL)
        raise
    took = time.perf_counter() - started
    stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
    logs.mkdir(parents=True, exist_ok=True)
    (logs / f"{step}.out").write_text(stdout, encoding="utf-8")
    (logs / f"{step}.err").write_text(f"$ {shown(command)}\n{stderr}", encoding="utf-8")
    return Done(child.returncode, stdout, stderr, took)


def first_lines(text: str, count: int = ERROR_LINES) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:count]) or "(no output)"


def mockguard_dependencies() -> list[str]:
    """mockguard's dependencies, as its pyproject.toml lists them (all of the file's text
    where it cannot be read as TOML)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    try:
        return sorted(str(d) for d in tomllib.loads(text)["project"]["dependencies"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        return [hashlib.sha256(text.encode()).hexdigest()]


# ------------------------------------------------------------------------- setup


def repository_boundary() -> None:
    """Make migrate/ an (empty) git repository of its own: mockguard, like git, applies the
    .gitignore files of the enclosing repository, whose own ignores benchmarks/.cache/."""
    if not (MIGRATE / ".git").exists():
        MIGRATE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["git", "init", "--quiet", str(MIGRATE)], capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise BenchError(f"git init {MIGRATE}: {first_lines(done.stderr)}")


def fresh_copy(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    if target.exists():
        raise BenchError(f"cannot remove {target}")
    shutil.copytree(source, target, symlinks=True)


def install_commands(suite: Suite, venv: Path, work: Path) -> list[list[str]]:
    python = str(venv / "bin" / "python")
    requirements = [r.replace("{src}", str(work)) for r in suite.requirements]
    return [
        [sys.executable, "-m", "venv", str(venv)],
        [python, "-m", "pip", "install", "-e", f"{work}{suite.extras}", *requirements],
        [python, "-m", "pip", "install", "-e", str(REPO)],
    ]


def ensure_venv(suite: Suite, work: Path, logs: Path) -> tuple[Path, str]:
    """The suite's venv, made unless its stamp says it is complete for these commands."""
    venv = VENVS / suite.label
    commands = install_commands(suite, venv, work)
    stamp = json.dumps(
        {"commands": commands, "mockguard dependencies": mockguard_dependencies()},
        indent=1,
    )
    python = venv / "bin" / "python"
    stamp_file = venv / STAMP
    if python.exists() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return python, "reused"
    log(f"{suite.label}: making the venv {venv.relative_to(REPO)} (a minute or two)")
    shutil.rmtree(venv, ignore_errors=True)
    started = time.perf_counter()
    for number, command in enumerate(commands, 1):
        done = run(command, MIGRATE, PIP_TIMEOUT, logs, f"venv-{number}")
        if done.status != 0:
            tail = done.stderr.strip().splitlines()[-ERROR_LINES:]
            raise BenchError(
                f"{shown(command)} exited {done.status}: {' | '.join(tail) or '(no output)'}"
            )
    stamp_file.write_text(stamp)
    return python, f"made in {time.perf_counter() - started:.0f} s"


# ------------------------------------------------------------------------- tests


def node_id(key: str, work: Path) -> str | None:
    """The pytest node id of a JUnit `classname::name` (classname: the module's path with
    dots, then its classes), or None when no module of the working copy matches."""
    classname, _, name = key.partition("::")
    parts = classname.split(".") if classname else []
    for length in range(len(parts), 0, -1):
        module = "/".join(parts[:length]) + ".py"
        if (work / module).is_file():
            return "::".join([module, *parts[length:], name])
    return None


def pytest_argv(suite: Suite, python: Path, deselect: Sequence[str]) -> list[str]:
    argv = [str(python), "-m", "pytest", *suite.tests, "-q", "-p", "no:cacheprovider"]
    argv += ["-c", suite.config, "--rootdir=."]  # not the config of a folder above the copy
    for test in deselect:
        argv += ["--deselect", test]
    return argv


def run_suite(
    suite: Suite, python: Path, work: Path, deselect: Sequence[str], logs: Path, step: str
) -> TestRun:
    """One serial run of the suite with a fresh TMPDIR and a JUnit XML report."""
    TEMPS.mkdir(parents=True, exist_ok=True)
    temp = tempfile.mkdtemp(prefix=f"{suite.label}-", dir=TEMPS)
    report = Path(tempfile.mkdtemp(prefix="junit-", dir=TEMPS)) / "report.xml"
    argv = [*pytest_argv(suite, python, deselect), f"--junitxml={report}"]
    log(f"{suite.label}: running the tests ({step})")
    done = run(argv, work, SUITE_TIMEOUT, logs, step, clean_env(TMPDIR=temp))
    outcomes = read_report(report)  # keyed as `fix --check-tests` keys them
    if outcomes is None or done.status not in (0, 1):
        tail = done.stdout.strip().splitlines()[-ERROR_LINES:] + done.stderr.splitlines()[-2:]
        raise BenchError(
            f"{shown(argv)} (in {work}) exited {done.status}"
            + ("" if outcomes is not None else " with no JUnit report")
            + f": {' | '.join(tail) or '(no output)'}"
        )
    shutil.copy(report, logs / f"{step}.xml")
    shutil.rmtree(report.parent, ignore_errors=True)
    return TestRun(outcomes, done.status, done.seconds)


def check_command(suite: Suite, python: Path, deselect: Sequence[str], log_file: Path) -> str:
    """The suite's pytest command as a shell command for `fix --check-tests`: a fresh TMPDIR
    per run, and its output appended to `log_file` (not mixed into fix's output)."""
    temps = shlex.quote(str(TEMPS))
    command = shlex.join(pytest_argv(suite, python, deselect))
    return f'TMPDIR="$(mktemp -d -p {temps})" {command} >> {shlex.quote(str(log_file))} 2>&1'


def changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    return {
        test: (before.get(test, "absent"), after.get(test, "absent"))
        for test in sorted(before.keys() | after.keys())
        if before.get(test) != after.get(test)
    }


# ------------------------------------------------------------------------- mockguard


def mockguard(
    result: Result, step: str, args: Sequence[str], work: Path, logs: Path, timeout: float
) -> Done | None:
    """Run one mockguard step in the working copy, timed; None (and the problem recorded)
    when it could not run at all."""
    argv = [str(MOCKGUARD), *args]
    log(f"{result.suite.label}: mockguard {step}")
    try:
        done = run(argv, work, timeout, logs, step.replace(" ", "-"))
    except BenchError as exc:
        result.problems.append(f"`{step}`: {exc}")
        return None
    result.steps[step] = done.seconds
    return done


def problem(result: Result, args: Sequence[str], done: Done, what: str) -> None:
    command = shown(["mockguard", *args])
    result.problems.append(f"`{command}` {what} (exit {done.status}): {first_lines(done.stderr)}")


def scan(result: Result, step: str, work: Path, logs: Path) -> Scan | None:
    args = ["scan", "--format", "json", "--no-cache", "."]
    done = mockguard(result, step, args, work, logs, STEP_TIMEOUT)
    if done is None:
        return None
    try:
        data = json.loads(done.stdout)
        findings = data["findings"]
        summary = data["summary"]
        ad_hoc = sum(
            1 for f in findings if f.get("code") in AD_HOC and not f.get("suppressed", False)
        )
        by_rule = {code: summary.get("by_rule", {}).get(code, 0) for code in AD_HOC}
        found = Scan(ad_hoc, int(summary["compliant"]), by_rule, int(summary.get("incomplete", 0)))
    except (ValueError, KeyError, TypeError):
        problem(result, args, done, "printed no JSON report of the expected shape")
        return None
    if done.status not in (0, 1):
        problem(result, args, done, "failed")
    return found


def suggest_kinds(result: Result, work: Path, logs: Path) -> None:
    args = ["kinds", "suggest", "--write", "."]
    done = mockguard(result, "kinds suggest", args, work, logs, STEP_TIMEOUT)
    if done is None:
        result.kinds_note = "did not run"
        return
    if done.status != 0:
        problem(result, args, done, "failed")
        result.kinds_note = f"failed (exit {done.status})"
        return
    added = re.search(r"added (\d+) kind\(s\) to (.+)", done.stderr)
    if added:
        where = Path(added.group(2).strip())
        name = where.relative_to(work) if where.is_relative_to(work) else where
        result.kinds_note = f"added {added.group(1)} kind(s) to {name}"
    else:
        result.kinds_note = "added no kind"


# The skip group of a rewrite `--check-tests` took back (its file kept the others).
TAKEN_BACK = "reverted: it changed test outcomes"


def run_fix(
    result: Result, step: str, work: Path, logs: Path, command: str
) -> tuple[Done, list[str], dict[str, Any]] | None:
    """`fix --write --check-tests CMD .` with a JSON report: what it did, its arguments and
    its report; None (and the problem recorded) when it printed no report."""
    args = ["fix", "--write", "--format", "json", "-q", "--check-tests", command, "."]
    done = mockguard(result, step, args, work, logs, FIX_TIMEOUT)
    if done is None:
        return None
    try:
        document = json.loads(done.stdout)
        if not isinstance(document, dict) or not isinstance(document.get("skip_reasons"), dict):
            raise ValueError
    except ValueError:
        problem(result, args, done, "printed no JSON report of the expected shape")
        return None
    return done, args, document


def fix(result: Result, work: Path, logs: Path, command: str) -> None:
    ran = run_fix(result, "fix", work, logs, command)
    if ran is None:
        return
    done, args, document = ran
    result.fix = document
    result.fix_notes = [
        re.sub(r"^`[^`]*`: ", "", line.removeprefix("mockguard: "))  # less the command
        for line in done.stderr.splitlines()
        if line.startswith("mockguard: ")
        and (
            "test outcome" in line
            or "reverted" in line
            or "took back" in line
            or "wrote no JUnit" in line
        )
    ]
    reverted = [
        f
        for f in document.get("files", [])
        if "reverted" in f or any(s.get("group") == TAKEN_BACK for s in f.get("skips", []))
    ]
    if done.status != 0 and not (reverted and "reverted" in done.stderr):
        problem(result, args, done, "failed")


def fix_again(result: Result, work: Path, logs: Path, command: str) -> None:
    """A second `fix --write --check-tests` on the rewritten copy, which must write nothing:
    what it tried again it takes back, and every .py file stays as it was."""
    before = python_digest(work)
    ran = run_fix(result, "fix again", work, logs, command)
    if ran is None:
        return
    document = ran[2]
    kept = int(document.get("rewritten", 0))
    taken = int(document["skip_reasons"].get(TAKEN_BACK, 0))
    same = python_digest(work) == before
    result.again = f"tried {kept + taken} rewrite(s), kept {kept}; every .py file " + (
        "as the first run left it" if same else "NOT as the first run left it"
    )
    if kept or not same:
        result.problems.append(f"a second fix wrote: {result.again}")


def python_digest(root: Path) -> str:
    """A sha256 over the paths and contents of the .py files under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def check_rewrites(result: Result, source: Path, work: Path, logs: Path) -> None:
    """benchmarks/check_rewrites.py on the working copy against the unpacked sdist: the
    rewritten files parse, the diffs touch only rewritten statements and imports, and a
    second fix plans nothing on a line the first one changed."""
    log(f"{result.suite.label}: checking the rewrites")
    argv = [
        sys.executable,
        str(HERE / "check_rewrites.py"),
        str(source),
        str(work),
        "--report",
        str(logs / "fix.out"),
        "--mockguard",
        str(MOCKGUARD),
    ]
    try:
        done = run(argv, work, STEP_TIMEOUT, logs, "check-rewrites")
    except BenchError as exc:
        result.problems.append(f"check_rewrites.py: {exc}")
        return
    result.checked = done.stdout.splitlines()
    if done.status != 0:
        result.problems.append(f"check_rewrites.py found problems: {first_lines(done.stdout)}")


# ------------------------------------------------------------------------- one project


def bench(suite: Suite, keep: bool, again: bool) -> Result:
    result = Result(suite)
    started = time.perf_counter()
    work = MIGRATE / suite.label
    logs = LOGS / suite.label
    try:
        try:
            source = unpack(suite.project, download(suite.project))
        except SystemExit as exc:  # sdists.py's one-line errors
            raise BenchError(str(exc.code)) from None
        except OSError as exc:
            raise BenchError(f"{suite.project.sdist}: {exc}") from None
        repository_boundary()
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        fresh_copy(source, work)
        python, result.venv_note = ensure_venv(suite, work, logs)
        if result.venv_note != "reused":
            fresh_copy(source, work)  # the install wrote build leftovers into it
        steps(result, suite, python, source, work, logs, again)
    except BenchError as exc:
        result.error = str(exc)
        log(f"{suite.label}: error: {exc}")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(TEMPS, ignore_errors=True)
    result.whole = time.perf_counter() - started
    return result


def steps(
    result: Result,
    suite: Suite,
    python: Path,
    source: Path,
    work: Path,
    logs: Path,
    again: bool,
) -> None:
    before = run_suite(suite, python, work, suite.deselect, logs, "tests-before")
    result.before_tests = before
    failing = [key for key, outcome in before.outcomes.items() if outcome in ("failed", "error")]
    result.failing = [(key, node_id(key, work)) for key in failing]
    deselect = [*suite.deselect, *(node for _, node in result.failing if node is not None)]
    result.scans.append(scan(result, "scan", work, logs))
    dupes = ["dupes", "."]
    done = mockguard(result, "dupes", dupes, work, logs, STEP_TIMEOUT)
    if done is not None and done.status != 0:
        problem(result, dupes, done, "failed")
    suggest_kinds(result, work, logs)
    fix_log = logs / "fix-tests.log"
    fix(result, work, logs, check_command(suite, python, deselect, fix_log))
    if result.fix is not None:
        check_rewrites(result, source, work, logs)
    result.scans.append(scan(result, "scan after", work, logs))
    after = run_suite(suite, python, work, deselect, logs, "tests-after")
    result.after_tests = after
    dropped = {key for key, node in result.failing if node is not None}
    expected = {k: v for k, v in before.outcomes.items() if k not in dropped}
    result.changed = changes(expected, after.outcomes)
    if again and result.fix is not None:
        again_log = logs / "fix-again-tests.log"
        fix_again(result, work, logs, check_command(suite, python, deselect, again_log))


# ------------------------------------------------------------------------- report


def count(value: int | None) -> str:
    return "?" if value is None else str(value)


def scan_value(result: Result, index: int, attribute: str) -> int | None:
    if len(result.scans) <= index or result.scans[index] is None:
        return None
    return int(getattr(result.scans[index], attribute))


def project_section(result: Result) -> list[str]:
    suite = result.suite
    lines = [f"## {suite.label} {suite.project.version}", ""]
    if result.venv_note:
        lines.append(f"- venv {(VENVS / suite.label).relative_to(REPO)}: {result.venv_note}")
    if result.before_tests is not None:
        t = result.before_tests
        lines.append(f"- tests before: {t.counts()} ({seconds(t.seconds)})")
        if result.failing:
            lines.append(f"- failing before, deselected later ({len(result.failing)}):")
            for key, node in result.failing[:SHOWN]:
                lines.append(f"  - {node or key + ' (no node id: not deselected)'}")
            if len(result.failing) > SHOWN:
                lines.append(f"  - and {len(result.failing) - SHOWN} more")
        else:
            lines.append("- failing before: none")
    for index, label in ((0, "before"), (1, "after")):
        found = result.scans[index] if len(result.scans) > index else None
        if found is not None:
            rules = ", ".join(f"{code} {n}" for code, n in found.by_rule.items())
            incomplete = f"; {found.incomplete} file(s) incomplete" if found.incomplete else ""
            lines.append(
                f"- scan {label}: {found.ad_hoc} ad-hoc doubles ({rules}),"
                f" {found.compliant} factory calls{incomplete}"
            )
    if result.kinds_note:
        lines.append(f"- kinds suggest --write: {result.kinds_note}")
    if result.fix is not None:
        fixed = result.fix
        by_category = ", ".join(f"{c} {n}" for c, n in sorted(fixed["by_category"].items()))
        lines.append(
            f"- fix: {fixed['rewritten']} site(s) rewritten ({by_category or 'none'}) in"
            f" {fixed.get('files_written', '?')} file(s); {fixed['skipped']} refused:"
        )
        kinds = Counter(
            rewrite.get("kind", "?")
            for f in fixed.get("files", [])
            if "reverted" not in f
            for rewrite in f.get("rewrites", [])
        )
        shown = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
        lines.append(f"  - rewrites kept, by kind (patch, member: a wired mock): {shown or 'none'}")
        reasons = sorted(fixed["skip_reasons"].items(), key=lambda item: (-item[1], item[0]))
        lines += [f"  - {n} {reason}" for reason, n in reasons]
        lines += [f"- fix's own test check: {note}" for note in result.fix_notes]
    if result.checked:
        lines.append(f"- rewrites checked (check_rewrites.py): {result.checked[-1]}")
    if result.again:
        taken = seconds(result.steps.get("fix again"))
        lines.append(f"- a second fix --write --check-tests: {result.again} ({taken})")
    if result.after_tests is not None and result.changed is not None:
        t = result.after_tests
        lines.append(f"- tests after: {t.counts()} ({seconds(t.seconds)})")
        lines.append(f"- tests whose outcome changed: {len(result.changed)}")
        for test, (old, new) in list(result.changed.items())[:SHOWN]:
            lines.append(f"  - {test}: {old} -> {new}")
        if len(result.changed) > SHOWN:
            lines.append(f"  - and {len(result.changed) - SHOWN} more")
    if result.steps:
        timings = ", ".join(f"{step} {seconds(s)}" for step, s in result.steps.items())
        lines.append(f"- mockguard steps: {timings} (fix includes its test runs)")
    lines.append(f"- whole: {seconds(result.whole)}")
    if result.error:
        lines.append(f"- **stopped**: {result.error}")
    for text in result.problems:
        lines.append(f"- **mockguard problem**: {text}")
    return [*lines, ""]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def table(results: Sequence[Result]) -> list[str]:
    header = [
        "project",
        "ad-hoc doubles",
        "factory calls",
        "rewritten",
        "refused",
        "outcomes changed",
        "failing before",
        "scan",
        "dupes",
        "kinds suggest",
        "fix (+tests)",
        "scan after",
        "whole",
    ]
    rows = []
    for r in results:
        fixed = r.fix or {}
        changed = count(len(r.changed)) if r.changed is not None else "?"
        rows.append(
            [
                f"{r.suite.label} {r.suite.project.version}" + (" (stopped)" if r.error else ""),
                f"{count(scan_value(r, 0, 'ad_hoc'))} → {count(scan_value(r, 1, 'ad_hoc'))}",
                f"{count(scan_value(r, 0, 'compliant'))} → {count(scan_value(r, 1, 'compliant'))}",
                count(fixed.get("rewritten")),
                count(fixed.get("skipped")),
                changed if changed == "0" or changed == "?" else f"**{changed}**",
                str(len(r.failing)) if r.before_tests is not None else "?",
                *(seconds(r.steps.get(step)) for step in ("scan", "dupes", "kinds suggest")),
                *(seconds(r.steps.get(step)) for step in ("fix", "scan after")),
                seconds(r.whole),
            ]
        )
    return markdown_table(header, rows)


def first_line(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return next(iter(done.stdout.splitlines()), "")


def machine() -> list[str]:
    commit = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = first_line(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"])
    return [
        f"- Python {platform.python_version()}, os.cpu_count() = {os.cpu_count()},"
        f" {platform.system()} {platform.release()}",
        f"- {first_line([str(MOCKGUARD), '--version'])} at {commit}"
        + (" with uncommitted changes in src/" if dirty else ""),
    ]


# ------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--project", choices=sorted(SUITES), help="only this project (default: both)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the rewritten working copies and TMPDIRs"
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="run fix --write --check-tests a second time: it must write nothing",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not MOCKGUARD.is_file():
        log(f"error: {MOCKGUARD} is missing (make the repository's venv: pip install -e .)")
        return 2
    suites = [SUITES[args.project]] if args.project else list(SUITES.values())
    started = time.perf_counter()
    results: list[Result] = []
    try:
        for suite in suites:
            results.append(bench(suite, args.keep, args.again))
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    lines = ["# mockguard migration benchmark", ""]
    for result in results:
        lines += project_section(result)
    lines += [
        "Ad-hoc doubles: unsuppressed MG101/MG102/MG201/MG301 findings; factory calls: the"
        " scan's compliant count; times are wall times.",
        "",
        *table(results),
        "",
        *machine(),
        f"- the benchmark took {time.perf_counter() - started:.0f} s",
    ]
    print("\n".join(lines))
    bad = any(r.error or r.problems or (r.changed or {}) for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
