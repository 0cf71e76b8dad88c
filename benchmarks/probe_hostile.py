"""Replay hostile and messy inputs against the installed `mockguard`, as an attacker would.

Each probe builds a fresh git repository in a temporary folder, runs the command line on
it in a subprocess (with a time limit) and judges the outcome:

- lost: a file the user owns changed or vanished (inside the project or beside it);
- hidden: findings that exist did not reach the gate (exit 0, or missing from the output);
- injected: scanned content reached the terminal or CI as markup, escapes or commands, or
  a repository's configuration made git run a program;
- hang: the command did not finish within the time limit;
- traceback: a Python traceback, or an exit status other than the documented ones.

    python benchmarks/probe_hostile.py            # a table of probes and the totals
    python benchmarks/probe_hostile.py --json     # the same, as JSON

The exit status is 0 when every count is 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VERDICTS = ("lost", "hidden", "injected", "hang", "traceback")
TIMEOUT = 30.0
MOCKS = (
    "from unittest.mock import AsyncMock, MagicMock\n\n\n"
    "def test_a():\n    ws = MagicMock()\n    ws.send_json = AsyncMock()\n"
)
ESC = "\x1b"


def mockguard() -> list[str]:
    """The console script next to this interpreter, else `python -m mockguard`."""
    script = shutil.which("mockguard", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "mockguard"]


@dataclass
class Run:
    """One finished (or timed-out) command."""

    code: int | None
    stdout: str
    stderr: str

    @property
    def hung(self) -> bool:
        return self.code is None


class Repo:
    """A fresh git repository for one probe, with a sibling folder it must never touch."""

    def __init__(self, base: Path) -> None:
        self.root = base / "project"
        self.sibling = base / "sibling"
        self.root.mkdir()
        self.sibling.mkdir()
        (self.sibling / "keep.txt").write_text("a neighbour's file\n")
        self.git("init", "-q")
        self.git("config", "user.email", "probe@example.invalid")
        self.git("config", "user.name", "probe")
        (self.root / "pyproject.toml").write_text('[project]\nname = "probe"\n')
        self.write("tests/test_base.py", MOCKS)
        self.git("add", "-A")
        self.git("commit", "-qm", "base")

    def git(self, *args: str) -> None:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
        subprocess.run(["git", *args], cwd=self.root, check=True, env=env, timeout=30)

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def config(self, body: str) -> None:
        (self.root / "pyproject.toml").write_text(f'[project]\nname = "probe"\n\n{body}')

    def run(self, *args: str, timeout: float = TIMEOUT, stdout: int | None = None) -> Run:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        try:
            done = subprocess.run(
                [*mockguard(), *args],
                cwd=self.root,
                env=env,
                capture_output=stdout is None,
                stdout=stdout,
                stderr=subprocess.PIPE if stdout is not None else None,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return Run(None, "", "")
        out = done.stdout.decode("utf-8", "replace") if done.stdout else ""
        err = done.stderr.decode("utf-8", "replace") if done.stderr else ""
        return Run(done.returncode, out, err)

    def intact(self) -> bool:
        """The project's own files and the sibling are still there."""
        try:
            return (
                (self.root / ".git" / "HEAD").is_file()
                and (self.root / "tests" / "test_base.py").read_text() == MOCKS
                and (self.sibling / "keep.txt").read_text() == "a neighbour's file\n"
            )
        except OSError:
            return False


# A probe sets up the repository, runs the command line, and returns its verdict (or None).
Probe = Callable[[Repo], "str | None"]
PROBES: dict[str, Probe] = {}


def probe(name: str) -> Callable[[Probe], Probe]:
    def register(function: Probe) -> Probe:
        PROBES[name] = function
        return function

    return register


def broke(run: Run, allowed: tuple[int, ...] = (0, 1, 2)) -> str | None:
    """`hang` or `traceback` for a run that did either, else None."""
    if run.hung:
        return "hang"
    if "Traceback (most recent call last)" in run.stderr + run.stdout or run.code not in allowed:
        return "traceback"
    return None


# ------------------------------------------------------------------------------ data lost


def _cache_dir_probe(folder: str) -> Probe:
    """`cache-dir` naming a folder that is not a cache, then `cache clear`."""

    def run_probe(repo: Repo) -> str | None:
        repo.config(f'[tool.mockguard]\ncache-dir = "{folder}"\n')
        repo.run("scan", ".")
        run = repo.run("cache", "clear")
        return "lost" if not repo.intact() else broke(run)

    return run_probe


for _folder in (".", "../sibling", "tests"):
    probe(f"cache-dir '{_folder}' then cache clear")(_cache_dir_probe(_folder))


@probe("baseline '../x' with --force")
def _baseline_outside(repo: Repo) -> str | None:
    target = repo.sibling / "keep.txt"
    repo.config('[tool.mockguard]\nbaseline = "../sibling/keep.txt"\n')
    run = repo.run("baseline", "--force", ".")
    return "lost" if target.read_text() != "a neighbour's file\n" else broke(run)


@probe("fix keeps a statement on the mock's line")
def _fix_multi_statement(repo: Repo) -> str | None:
    source = (
        "from unittest.mock import AsyncMock, MagicMock\n\n\nasync def test_a():\n"
        "    ws = MagicMock(); ws.send_json = AsyncMock(); assert False\n"
        "    await ws.send_json({})\n"
    )
    path = repo.write("tests/test_multi.py", source)
    run = repo.run("fix", "--write", "tests/test_multi.py")
    return "lost" if "assert False" not in path.read_text() else broke(run)


@probe("fix keeps CRLF, BOM and latin-1 bytes")
def _fix_bytes(repo: Repo) -> str | None:
    body = (
        "from unittest.mock import AsyncMock, MagicMock\n\n\nasync def test_a():\n"
        "    ws = MagicMock()\n    ws.send_json = AsyncMock()\n    await ws.send_json({})\n"
    )
    crlf = repo.write("tests/test_crlf.py", body.replace("\n", "\r\n").encode())
    bom = repo.write("tests/test_bom.py", b"\xef\xbb\xbf" + body.encode())
    latin = repo.write(
        "tests/test_latin.py",
        ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + body).encode("latin-1"),
    )
    run = repo.run("fix", "--write", "tests")
    ok = (
        crlf.read_bytes().count(b"\r\n") == crlf.read_bytes().count(b"\n")
        and bom.read_bytes().startswith(b"\xef\xbb\xbf")
        and b"caf\xe9" in latin.read_bytes()
    )
    return "lost" if not ok else broke(run)


@probe("fix leaves a read-only file alone")
def _fix_read_only(repo: Repo) -> str | None:
    body = (
        "from unittest.mock import AsyncMock, MagicMock\n\n\nasync def test_a():\n"
        "    ws = MagicMock()\n    ws.send_json = AsyncMock()\n    await ws.send_json({})\n"
    )
    path = repo.write("tests/test_ro.py", body)
    path.chmod(0o444)
    run = repo.run("fix", "--write", "tests/test_ro.py")
    return "lost" if path.read_text() != body else broke(run)


@probe("symlinked cache folder points outside")
def _cache_symlink(repo: Repo) -> str | None:
    os.symlink(repo.sibling, repo.root / ".mockguard_cache")
    run = repo.run("scan", ".")
    touched = sorted(p.name for p in repo.sibling.iterdir()) != ["keep.txt"]
    return "lost" if touched or not repo.intact() else broke(run)


@probe("symlinked baseline points outside")
def _baseline_symlink(repo: Repo) -> str | None:
    os.symlink(repo.sibling / "keep.txt", repo.root / ".mockguard-baseline.json")
    run = repo.run("baseline", "--force", ".")
    return "lost" if not repo.intact() else broke(run)


@probe("-o onto a character device")
def _output_device(repo: Repo) -> str | None:
    device = repo.root / "null-device"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return None  # only root can make a device node
    run = repo.run("scan", "-o", str(device), ".")
    return "lost" if not stat.S_ISCHR(os.lstat(device).st_mode) else broke(run)


@probe("baseline --update drops entries of deleted files")
def _baseline_deleted(repo: Repo) -> str | None:
    repo.write("tests/test_gone.py", MOCKS)
    repo.run("baseline", ".")
    (repo.root / "tests" / "test_gone.py").unlink()
    run = repo.run("baseline", "--update", ".")
    text = (repo.root / ".mockguard-baseline.json").read_text()
    return "hidden" if "test_gone.py" in text else broke(run)


# ------------------------------------------------------------------------------ hidden


@probe("a file too deep to walk")
def _too_deep(repo: Repo) -> str | None:
    repo.write("tests/test_deep.py", MOCKS + "x = " + " + ".join(["0"] * 900) + "\n")
    run = repo.run("scan", "tests/test_deep.py")
    return "hidden" if run.code == 0 else broke(run)


@probe("a file name that is not UTF-8")
def _non_utf8_name(repo: Repo) -> str | None:
    name = os.fsencode(repo.root / "tests") + b"/test_\xff.py"
    with open(name, "w") as handle:
        handle.write(MOCKS)
    run = repo.run("scan", "--format", "json", "tests")
    if broke(run):
        return broke(run)
    try:
        findings = json.loads(run.stdout)["findings"]
    except ValueError:
        return "traceback"
    return (
        None
        if sum("test_" in f["path"] and "base" not in f["path"] for f in findings)
        else "hidden"
    )


@probe("--diff with a file name git quotes")
def _diff_quoted(repo: Repo) -> str | None:
    repo.write('tests/test_\u00e9t\u00e9 "q".py', MOCKS)
    run = repo.run("scan", "--format", "json", "--diff", "HEAD", ".")
    if broke(run):
        return broke(run)
    return None if json.loads(run.stdout)["findings"] else "hidden"


def _tamper_cache(repo: Repo, change: Callable[[dict[str, Any]], None]) -> int:
    """Scan once, then `change` every entry of the scan cache in place (as an attacker who
    commits a cache file would, keeping its digests); returns how many entries changed."""
    repo.run("scan", ".")
    changed = 0
    for cache in (repo.root / ".mockguard_cache").glob("scan-*.json"):
        try:
            document = json.loads(cache.read_text())
        except ValueError:
            continue
        body = document.get("body", document)  # a signed file wraps the document
        for entry in body.get("files", {}).values():
            if isinstance(entry, dict):
                change(entry)
                changed += 1
        cache.write_text(json.dumps(document))
    return changed


@probe("a planted cache entry")
def _planted_cache(repo: Repo) -> str | None:
    def no_findings(entry: dict[str, Any]) -> None:
        if isinstance(entry.get("result"), dict):
            entry["result"]["findings"] = []

    if not _tamper_cache(repo, no_findings):
        return "probe-error (no cache entry to plant)"
    run = repo.run("scan", ".")
    return "hidden" if run.code == 0 else broke(run)


@probe("a new category does not fail the baseline")
def _category_change(repo: Repo) -> str | None:
    repo.write("tests/test_pay.py", "from unittest.mock import MagicMock\n\npay = MagicMock()\n")
    repo.run("baseline", ".")
    repo.config('[tool.mockguard.categories.payments]\nnames = ["pay"]\n')
    run = repo.run("scan", "--baseline", "--format", "json", ".")
    if broke(run):
        return broke(run)
    document = json.loads(run.stdout)
    if not any(f["category"] == "payments" for f in document["findings"] + document["baselined"]):
        return "probe-error (the category did not change)"
    return "hidden" if run.code != 0 else None


@probe("a UTF-16 file")
def _utf16(repo: Repo) -> str | None:
    repo.write("tests/test_utf16.py", MOCKS.encode("utf-16"))
    run = repo.run("scan", "--format", "json", "tests/test_utf16.py")
    if broke(run):
        return broke(run)
    document = json.loads(run.stdout)
    return None if document["findings"] or document["diagnostics"] else "hidden"


# ------------------------------------------------------------------------------ injected


@probe("emoji codes in a path")
def _emoji(repo: Repo) -> str | None:
    repo.write("tests/test_:100:_:smile:.py", MOCKS)
    run = repo.run("scan", "--color", "never", ".")
    return "injected" if "\U0001f4af" in run.stdout or "\U0001f604" in run.stdout else broke(run)


@probe("escape sequences in a path")
def _escapes_in_path(repo: Repo) -> str | None:
    repo.write(f"tests/test_{ESC}]52;c;aGk={ESC}\\x.py", MOCKS)
    bad = []
    for fmt in ("text", "json", "sarif", "github"):
        run = repo.run("scan", "--format", fmt, ".")
        if broke(run):
            return broke(run)
        bad.append(ESC in run.stdout)
    return "injected" if any(bad) else None


@probe("a newline in a path forges a workflow command")
def _newline_in_path(repo: Repo) -> str | None:
    repo.write("tests/test_x\n::error file=forged.py::owned.py", MOCKS)
    outputs = [repo.run("scan", "--format", fmt, ".") for fmt in ("github", "text")]
    lines = [line for run in outputs for line in run.stdout.splitlines()]
    forged = any(line.startswith("::error file=forged.py") for line in lines)
    return "injected" if forged else broke(outputs[0]) or broke(outputs[1])


@probe("a newline in scanned code forges a workflow command")
def _newline_in_code(repo: Repo) -> str | None:
    repo.write(
        "tests/test_setattr.py",
        "from unittest.mock import MagicMock\n\ndef test_a(o):\n"
        '    setattr(o, "x\\n::error file=forged.py::owned", MagicMock())\n',
    )
    outputs = [repo.run("scan", "--format", fmt, ".") for fmt in ("github", "text")]
    lines = [line for run in outputs for line in run.stdout.splitlines()]
    forged = any(line.startswith("::error file=forged.py") for line in lines)
    return "injected" if forged else broke(outputs[0])


@probe("bidirectional overrides in a path")
def _bidi(repo: Repo) -> str | None:
    repo.write("tests/test_rtl_\u202egnp.py", MOCKS)
    for fmt in ("text", "json", "sarif", "github"):
        run = repo.run("scan", "--format", fmt, ".")
        if broke(run):
            return broke(run)
        if "\u202e" in run.stdout:
            return "injected"
    return None


@probe("markup in a configured category name")
def _markup_category(repo: Repo) -> str | None:
    repo.config(
        '[tool.mockguard.categories."[link=https://x.invalid]evil[/bold]"]\nnames = ["ws"]\n'
    )
    run = repo.run("scan", ".")
    if broke(run):
        return broke(run)
    return None if "[link=https://x.invalid]evil" in run.stdout else "injected"


@probe("core.fsmonitor in .git/config")
def _fsmonitor(repo: Repo) -> str | None:
    marker = repo.sibling / "ran"
    hook = repo.sibling / "monitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    repo.git("config", "core.fsmonitor", str(hook))
    run = repo.run("scan", "--diff", "HEAD", ".")
    return "injected" if marker.exists() else broke(run)


@probe("a textconv driver in .git/config")
def _textconv(repo: Repo) -> str | None:
    marker = repo.sibling / "converted"
    driver = repo.sibling / "conv.sh"
    driver.write_text(f'#!/bin/sh\ntouch {marker}\ncat "$1"\n')
    driver.chmod(0o755)
    repo.git("config", "diff.probe.textconv", str(driver))
    (repo.root / ".gitattributes").write_text("*.py diff=probe\n")
    repo.write("tests/test_base.py", MOCKS + "\n")
    run = repo.run("scan", "--diff", "HEAD", ".")
    repo.write("tests/test_base.py", MOCKS)
    return "injected" if marker.exists() else broke(run)


@probe("an option-looking --branch")
def _branch_option(repo: Repo) -> str | None:
    target = repo.sibling / "created"
    run = repo.run("history", f"--branch=--output={target}", ".")
    return "injected" if target.exists() else broke(run)


# ------------------------------------------------------------------------------ hangs


@probe("an exponential ignore pattern")
def _pattern(repo: Repo) -> str | None:
    (repo.root / ".gitignore").write_text("a*" * 16 + "b\n")
    repo.write("tests/" + "a" * 60 + ".py", MOCKS)
    return broke(repo.run("scan", ".", timeout=20))


@probe("baseline = /dev/urandom")
def _urandom(repo: Repo) -> str | None:
    repo.config('[tool.mockguard]\nbaseline = "/dev/urandom"\n')
    return broke(repo.run("scan", "--baseline", ".", timeout=20))


@probe("a FIFO .gitignore")
def _fifo_gitignore(repo: Repo) -> str | None:
    os.mkfifo(repo.root / "tests" / ".gitignore")
    return broke(repo.run("scan", ".", timeout=20))


@probe("baseline after kill -9 of baseline")
def _killed_baseline(repo: Repo) -> str | None:
    for index in range(150):
        repo.write(f"tests/test_many_{index}.py", MOCKS)
    process = subprocess.Popen(
        [*mockguard(), "baseline", "--force", "-j", "2", "."],
        cwd=repo.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=False,
    )
    time.sleep(0.6)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    time.sleep(0.5)
    run = repo.run("baseline", "--force", ".")
    return "hang" if "another mockguard" in run.stderr else broke(run)


def _processes_in(folder: Path) -> list[int]:
    """The processes whose working folder is `folder` (Linux: /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(entry / "cwd") == str(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@probe("no worker outlives a scan killed with -9")
def _killed_scan(repo: Repo) -> str | None:
    if not Path("/proc/self/cwd").exists():
        return None
    for index in range(400):
        repo.write(f"tests/test_many_{index}.py", MOCKS * 20)
    process = subprocess.Popen(
        [*mockguard(), "scan", "--no-cache", "-j", "2", "."],
        cwd=repo.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while _processes_in(repo.root) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _processes_in(repo.root)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return "hang" if left else None


# ------------------------------------------------------------------------------ tracebacks


@probe("a baseline whose tool is null")
def _baseline_null(repo: Repo) -> str | None:
    (repo.root / ".mockguard-baseline.json").write_text('{"tool": null, "findings": []}')
    return broke(repo.run("scan", "--baseline", "."))


@probe("a baseline nested 100k deep")
def _baseline_deep(repo: Repo) -> str | None:
    (repo.root / ".mockguard-baseline.json").write_text("[" * 100_000 + "]" * 100_000)
    return broke(repo.run("scan", "--baseline", "."))


@probe("a config nested deep")
def _config_deep(repo: Repo) -> str | None:
    repo.config("[tool.mockguard]\nexclude = " + "[" * 5000 + "]" * 5000 + "\n")
    return broke(repo.run("scan", "."))


@probe("history -o into a missing folder")
def _history_missing(repo: Repo) -> str | None:
    return broke(repo.run("history", "-o", "/missing/x", "."))


@probe("baseline --file under a regular file")
def _baseline_under_file(repo: Repo) -> str | None:
    return broke(repo.run("baseline", "--file", "/etc/passwd/b.json", "."))


@probe("stdout on /dev/full")
def _dev_full(repo: Repo) -> str | None:
    if not Path("/dev/full").exists():
        return None
    with open("/dev/full", "w") as full:
        return broke(repo.run("scan", ".", stdout=full.fileno()))


@probe("wrong types in a cache entry")
def _cache_types(repo: Repo) -> str | None:
    def wrong_types(entry: dict[str, Any]) -> None:
        entry["size"] = "big"
        entry["result"] = {"findings": "nope", "path": 3}

    if not _tamper_cache(repo, wrong_types):
        return "probe-error (no cache entry to change)"
    run = repo.run("scan", ".")
    return broke(run) or (None if run.code == 1 else "hidden")


@probe("lock files stay out of the repository root")
def _locks(repo: Repo) -> str | None:
    run = repo.run("baseline", "--force", ".")
    leftovers = [p.name for p in repo.root.iterdir() if p.name.endswith(".lock")]
    return "lost" if leftovers else broke(run)


def run_all(selected: list[str] | None = None) -> list[tuple[str, str | None, float]]:
    """Every probe (or the selected ones) on its own fresh repository."""
    results = []
    for name, function in PROBES.items():
        if selected and not any(s in name for s in selected):
            continue
        base = Path(tempfile.mkdtemp(prefix="mockguard-probe-"))
        started = time.perf_counter()
        try:
            verdict = function(Repo(base))
        except Exception as exc:  # the probe itself failed: say so, never pass silently
            verdict = f"probe-error ({type(exc).__name__}: {exc})"
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(base)], check=False)
            shutil.rmtree(base, ignore_errors=True)
        results.append((name, verdict, time.perf_counter() - started))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("only", nargs="*", help="run only probes whose name contains these")
    options = parser.parse_args()
    results = run_all(options.only)
    totals = {verdict: sum(v == verdict for _, v, _ in results) for verdict in VERDICTS}
    if options.json:
        document = {
            "probes": [{"name": n, "verdict": v, "seconds": round(s, 2)} for n, v, s in results],
            "totals": totals,
        }
        print(json.dumps(document, indent=2))
    else:
        width = max(len(name) for name, _, _ in results)
        for name, verdict, seconds in results:
            print(f"{name.ljust(width)}  {seconds:5.1f}s  {verdict or 'ok'}")
        print(", ".join(f"{count} {verdict}" for verdict, count in totals.items()))
    errors = [name for name, verdict, _ in results if verdict and verdict not in VERDICTS]
    return 1 if any(totals.values()) or errors else 0


if __name__ == "__main__":
    sys.exit(main())
