"""git, run on a repository that mockguard did not write: nothing the repository configures
runs, no value from the user is read as an option, every file name git can print is read
back exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.test",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.test",
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
}
MOCK = "from unittest.mock import Mock\nm = Mock()\n"
NEW_MOCK = "n = Mock()\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**ENV, "HOME": str(repo.parent)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for name, text in files.items():
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root


def mockguard(*args: str, cwd: Path, env: dict[str, str] | None = None):
    """The installed command, as a user runs it; a hang fails the test instead of the run."""
    return subprocess.run(
        [sys.executable, "-m", "mockguard", *args],
        cwd=cwd,
        env={**os.environ, **ENV, "HOME": str(cwd.parent), "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def findings(result: subprocess.CompletedProcess[str]) -> list[tuple[str, int]]:
    assert "Traceback" not in result.stderr, result.stderr
    document = json.loads(result.stdout)
    return sorted((f["path"], f["line"]) for f in document["findings"])


def test_nothing_the_repository_configures_runs(tmp_path: Path) -> None:
    """fsmonitor, hooks, clean/smudge filters, textconv, external diff drivers: each would
    run a program when git diffs the working tree or reads the tree. None may."""
    marker = tmp_path / "ran"
    repo = make_repo(tmp_path / "repo", {"test_a.py": MOCK, ".gitattributes": ""})
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    evil = tmp_path / "evil.sh"
    evil.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\ncat\n')
    evil.chmod(0o755)
    hooks = repo / ".git" / "hooks"
    for hook in ("post-index-change", "pre-commit", "post-checkout", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\necho hook >> {marker}\n")
        (hooks / hook).chmod(0o755)
    (repo / ".gitattributes").write_text("*.py filter=evil diff=evil\n")
    for key, value in {
        "core.fsmonitor": str(evil),
        "core.hooksPath": str(hooks),
        "filter.evil.clean": str(evil),
        "filter.evil.smudge": str(evil),
        "filter.evil.process": str(evil),
        "filter.evil.required": "true",
        "filter.a=b.clean": str(evil),  # a name that `-c filter.a=b.clean=` would mangle
        "diff.evil.textconv": str(evil),
        "diff.evil.command": str(evil),
        "diff.external": str(evil),
    }.items():
        git(repo, "config", key, value)
    (repo / "test_a.py").write_text(MOCK + NEW_MOCK)  # stat-dirty: a diff cleans it
    env = {"GIT_EXTERNAL_DIFF": str(evil)}

    diff = mockguard("scan", "--format", "json", "--diff", "HEAD~1", ".", cwd=repo, env=env)
    assert findings(diff) == [("test_a.py", 3)]
    counted = mockguard("history", "--format", "json", "--no-cache", cwd=repo, env=env)
    assert counted.returncode == 0, counted.stderr
    assert [c["total"] for c in json.loads(counted.stdout)["commits"]] == [1, 1]
    page = tmp_path / "report.html"
    reported = mockguard("report", ".", "--html", str(page), cwd=repo, env=env)
    assert reported.returncode == 0, reported.stderr
    assert not marker.exists(), marker.read_text()


@pytest.mark.parametrize(
    "args",
    [
        ("history", "--branch=--output=F"),
        ("history", "--since=--output=F"),
        ("history", "--until=--output=F"),
        ("history", "--path=--output=F"),
        ("scan", "--diff=--output=F", "."),
    ],
)
def test_option_looking_values_are_refused(tmp_path: Path, args: tuple[str, ...]) -> None:
    repo = make_repo(tmp_path / "repo", {"test_a.py": MOCK})
    result = mockguard(*args, cwd=repo)
    assert result.returncode == 2
    assert "starts with '-'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (repo / "F").exists()
    assert not (repo / "--output=F").exists()


# Names that git prints in C quotes (or, with a space, followed by a tab) in a patch.
AWKWARD_NAMES = [
    "test with space.py",
    "test_trailing .py",
    "test\ttab.py",
    "test\nnewline.py",
    'test"quote.py',
    "test\\backslash.py",
    "test_café_ü.py",
    "b/test_under_b.py",
]


def test_changed_lines_of_names_git_quotes(tmp_path: Path) -> None:
    files = {name: MOCK for name in AWKWARD_NAMES}
    root = tmp_path / "repo"
    (root / "b").mkdir(parents=True)
    repo = make_repo(root, files)
    for name in AWKWARD_NAMES:
        (repo / name).write_text(MOCK + NEW_MOCK)
    (repo / "test untracked\tnew.py").write_text(MOCK)
    # --all-files: most of these names are not test files (`test with space.py`).
    result = mockguard("scan", "--format", "json", "--all-files", "--diff", "HEAD", ".", cwd=repo)
    assert findings(result) == sorted(
        [(name, 3) for name in AWKWARD_NAMES]
        + [("test untracked\tnew.py", 2)]  # untracked: all of it is new
    )


def test_an_added_line_that_reads_like_a_file_header(tmp_path: Path) -> None:
    """`++ 1` added reads `+++ 1` in the patch: still a hunk line, not a new file."""
    before = MOCK + "\n" * 5
    repo = make_repo(tmp_path / "repo", {"test_a.py": before, "test_b.py": MOCK})
    (repo / "test_a.py").write_text(MOCK + "++ 1\n" + "\n" * 4 + NEW_MOCK)
    (repo / "test_b.py").write_text(MOCK + NEW_MOCK)
    result = mockguard("scan", "--format", "json", "--diff", "HEAD", ".", cwd=repo)
    assert findings(result) == [("test_a.py", 8), ("test_b.py", 3)]


def test_diff_settings_do_not_change_what_is_read(tmp_path: Path) -> None:
    """Settings that change the patch git prints (prefixes, relative paths, colour,
    merged hunks, renames, quoting) are pinned for the diff mockguard reads."""
    repo = make_repo(tmp_path / "repo", {"test_a.py": MOCK + "\n\n", "test_é.py": MOCK})
    for key, value in {
        "diff.noprefix": "true",
        "diff.mnemonicPrefix": "true",
        "diff.relative": "true",
        "color.ui": "always",
        "color.diff": "always",
        "diff.interHunkContext": "20",
        "diff.context": "9",
        "diff.renames": "copies",
        "core.quotePath": "false",
        "diff.submodule": "log",
    }.items():
        git(repo, "config", key, value)
    (repo / "test_a.py").write_text("import os\n" + MOCK + "\n\n" + NEW_MOCK)
    git(repo, "mv", "test_é.py", "test_renamed.py")
    result = mockguard("scan", "--format", "json", "--diff", "HEAD", ".", cwd=repo)
    assert findings(result) == [("test_a.py", 6), ("test_renamed.py", 2)]


def test_changed_lines_of_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    from mockguard.git import changed_lines

    name = os.fsdecode(b"test_\xff.py")
    repo = make_repo(tmp_path / "repo", {"README": "x\n"})
    (repo / name).write_text(MOCK)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")
    (repo / name).write_text(MOCK + NEW_MOCK)
    (repo / os.fsdecode(b"new_\xfe.py")).write_text(MOCK)
    changed = changed_lines("HEAD", repo)
    top = os.path.realpath(repo)
    assert changed == {
        os.path.join(top, name): {3},
        os.path.join(top, os.fsdecode(b"new_\xfe.py")): None,
    }


def test_history_skips_blobs_over_max_file_size(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "test_small.py": MOCK,
            "test_big.py": MOCK * 2000,
            "mockguard.toml": "max-file-size = 10000\n",
        },
    )
    result = mockguard("history", "--format", "json", "--no-cache", cwd=repo)
    assert result.returncode == 0, result.stderr
    [commit] = json.loads(result.stdout)["commits"]
    assert (commit["total"], commit["files"]) == (1, 2)
