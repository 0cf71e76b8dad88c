"""Discovery on hostile trees: patterns built to backtrack, .gitignore files that are FIFOs,
devices or huge, sources swapped or grown under the scan, names that are not UTF-8. Each
runs the command in a subprocess with a timeout, so a regression fails instead of hanging;
and discovery agrees with git about what .gitignore files leave out."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

MOCK = "from unittest.mock import Mock\nm = Mock()\n"
BACKTRACKING = "a*" * 14 + "b*"  # a regex engine tries ~C(n, 14) ways on "aaa...a"


def mockguard(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it; past `timeout` seconds the test fails."""
    return subprocess.run(
        [sys.executable, "-m", "mockguard", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        errors="surrogateescape",  # a name that is not UTF-8 is printed as its bytes
        timeout=timeout,
    )


def scan_json(cwd: Path, *args: str, timeout: float = 60) -> dict:
    result = mockguard("scan", "--no-cache", "--format", "json", *args, cwd=cwd, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def paths(document: dict) -> list[str]:
    return sorted(f["path"] for f in document["findings"])


def kinds(document: dict) -> dict[str, str]:
    return {d["path"]: d["kind"] for d in document["diagnostics"]}


def test_patterns_that_backtrack_match_in_linear_time(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text(BACKTRACKING + "\n")
    (tmp_path / "mockguard.toml").write_text(
        f'extend-exclude = ["tests/{BACKTRACKING.replace("b", "c")}"]\n'
    )
    tests = tmp_path / "tests"
    tests.mkdir()
    kept = "a" * 40 + ".py"  # matched by neither: the slow case for a backtracking engine
    for name in (kept, "a" * 20 + "b.py", "a" * 20 + "c.py"):
        (tests / name).write_text(MOCK)
    document = scan_json(tmp_path, ".", timeout=30)  # was exponential: hours at 40 "a"
    assert paths(document) == [f"tests/{kept}"]


def test_a_gitignore_that_is_a_fifo_or_a_device(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / ".gitignore")  # nobody ever writes: reading it would block for ever
    tests = tmp_path / "tests"
    tests.mkdir()
    os.symlink("/dev/zero", tests / ".gitignore")  # endless: reading it would eat memory
    (tests / "test_a.py").write_text(MOCK)
    document = scan_json(tmp_path, "tests", timeout=30)
    assert paths(document) == ["tests/test_a.py"]
    assert kinds(document) == {".gitignore": "not-a-file", "tests/.gitignore": "not-a-file"}


def test_a_huge_gitignore_is_not_applied(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(
        "test_ignored.py\n" + "".join(f"p{i}*q\n" for i in range(300_000))
    )
    (tmp_path / "test_ignored.py").write_text(MOCK)
    document = scan_json(tmp_path, ".", timeout=30)
    assert paths(document) == ["test_ignored.py"]
    assert kinds(document) == {".gitignore": "too-large"}
    assert "its patterns are not applied" in document["diagnostics"][0]["message"]


def test_fifos_among_the_sources(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "test_fifo.py")
    (tmp_path / "test_a.py").write_text(MOCK)
    walked = scan_json(tmp_path, ".", timeout=30)
    assert paths(walked) == ["test_a.py"]
    assert kinds(walked) == {"test_fifo.py": "not-a-file"}
    named = scan_json(tmp_path, "test_fifo.py", "test_a.py", timeout=30)
    assert kinds(named) == {"test_fifo.py": "not-a-file"}


# Runs the command itself, with the one change that a source is swapped (for a FIFO) or
# grown right after discovery's module has looked at it: the race, made certain.
UNDER_THE_SCAN = """
import os, sys
import mockguard.scan.reading

real_stat, real_fstat = os.stat, os.fstat
action, target = sys.argv[1], os.path.abspath(sys.argv[2])
done = []

def from_files_module():
    return sys._getframe(2).f_globals.get("__name__") == "mockguard.scan.reading"

def stat(path, *args, **kwargs):
    info = real_stat(path, *args, **kwargs)
    if action == "swap" and not done and from_files_module() and os.path.abspath(path) == target:
        done.append(1)
        os.unlink(target)
        os.mkfifo(target)
    return info

def fstat(fd):
    info = real_fstat(fd)
    if action == "grow" and not done and from_files_module():
        done.append(1)
        with open(target, "a") as f:
            f.write("# padding\\n" * 500_000)
    return info

os.stat, os.fstat = stat, fstat
from mockguard.cli import main
sys.argv = ["mockguard", "scan", "--no-cache", "--format", "json", "-j", "1", "."]
main()
"""


@pytest.mark.parametrize(("action", "kind"), [("swap", "not-a-file"), ("grow", "too-large")])
def test_a_source_swapped_or_grown_under_the_scan(tmp_path: Path, action: str, kind: str) -> None:
    (tmp_path / "mockguard.toml").write_text("max-file-size = 12000\n")
    (tmp_path / "test_target.py").write_text(MOCK)
    (tmp_path / "test_other.py").write_text(MOCK)
    done = subprocess.run(
        [sys.executable, "-c", UNDER_THE_SCAN, action, "test_target.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "Traceback" not in done.stderr, done.stderr
    document = json.loads(done.stdout)
    assert paths(document) == ["test_other.py"]
    assert kinds(document) == {"test_target.py": kind}


def test_names_that_are_not_utf8_are_scanned(tmp_path: Path) -> None:
    name = os.fsdecode(b"test_\xff\xfe.py")
    (tmp_path / name).write_text(MOCK)
    (tmp_path / "test_a.py").write_text(MOCK)
    document = scan_json(tmp_path, ".", timeout=30)
    assert kinds(document) == {}
    assert len(document["findings"]) == 2
    text = mockguard("scan", "--no-cache", ".", cwd=tmp_path, timeout=30)
    assert text.returncode == 1 and "Traceback" not in text.stderr


def test_force_exclude_leaves_out_files_inside_an_excluded_folder(tmp_path: Path) -> None:
    (tmp_path / "mockguard.toml").write_text('extend-exclude = ["generated", "/tests/fixtures"]\n')
    for name in ("tests/generated/deep/test_a.py", "tests/fixtures/test_b.py", "tests/test_c.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(MOCK)
    named = ["tests/generated/deep/test_a.py", "tests/fixtures/test_b.py", "tests/test_c.py"]
    assert len(scan_json(tmp_path, *named)["findings"]) == 3
    assert paths(scan_json(tmp_path, "--force-exclude", *named)) == ["tests/test_c.py"]


def test_a_folder_excluded_by_folder_glob_is_not_entered(tmp_path: Path) -> None:
    """`x/**` in the exclude settings leaves x out whole: nothing inside it is looked at,
    so a broken link in there says nothing."""
    (tmp_path / "mockguard.toml").write_text('extend-exclude = ["tests/fixtures/**"]\n')
    fixtures = tmp_path / "tests" / "fixtures"
    fixtures.mkdir(parents=True)
    os.symlink("missing.py", fixtures / "test_broken.py")
    (fixtures / "test_a.py").write_text(MOCK)
    (tmp_path / "tests" / "test_b.py").write_text(MOCK)
    document = scan_json(tmp_path, ".")
    assert paths(document) == ["tests/test_b.py"]
    assert document["diagnostics"] == []


# ------------------------------------------------- agreement with git on .gitignore files


def test_the_innermost_gitignore_decides(tmp_path: Path) -> None:
    """As in git: a deeper .gitignore can take back what an outer one ignores (not inside
    an ignored folder, which git never enters)."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("test_gen*.py\nignored/\n")
    (tmp_path / "tests" / "ignored").mkdir(parents=True)
    (tmp_path / "tests" / ".gitignore").write_text("!test_gen_keep.py\n!ignored/\n")
    (tmp_path / "tests" / "ignored" / ".gitignore").write_text("!test_gen_drop.py\n")
    for name in ("test_gen_keep.py", "test_gen_drop.py", "ignored/test_gen_drop.py"):
        (tmp_path / "tests" / name).write_text(MOCK)
    listed = subprocess.run(
        ["git", "ls-files", "-o", "--exclude-standard", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = paths(scan_json(tmp_path, "tests", timeout=30))
    assert found == sorted(p for p in listed if p.endswith(".py"))
    assert "tests/test_gen_keep.py" in found and "tests/test_gen_drop.py" not in found


ATOMS = ["a", "b", "*", "?", "[ab]", "[!a]", "[a-b]", "**", "\\*", "c", ".py", "x", "\\ "]


def random_pattern(rng: random.Random) -> str:
    while True:
        pattern = "/".join(
            "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(1, 2))
        )
        squeezed = pattern.replace("***", "**")
        # `**` inside a segment: git's dir.c quirk (a literal prefix before it is cut off
        # and the rest treated as a full `**`) differs from its documentation; skipped.
        if not any(
            squeezed[i : i + 2] == "**"
            and ((i > 0 and squeezed[i - 1] != "/") or squeezed[i + 2 : i + 3] not in ("", "/"))
            for i in range(len(squeezed))
        ):
            break
    if rng.random() < 0.2:
        pattern = "/" + pattern
    if rng.random() < 0.2:
        pattern += "/"
    if rng.random() < 0.25:
        pattern = "!" + pattern
    if rng.random() < 0.1:
        pattern += "  "
    return pattern


def random_tree(root: Path, rng: random.Random) -> None:
    folders = {root}
    for _ in range(15):
        parts = ["".join(rng.choice("abcx") for _ in range(rng.randint(1, 2))) for _ in range(3)]
        name = "".join(rng.choice("abcx") for _ in range(2)) + rng.choice([".py", "b.py", ".pyi"])
        path = root.joinpath(*parts[: rng.randint(0, 3)], name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(MOCK)
        except (IsADirectoryError, FileExistsError, NotADirectoryError):
            continue
        folders.update(p for p in path.parents if root in (p, *p.parents))
    for folder in sorted(folders):
        if rng.random() < 0.5:
            lines = [random_pattern(rng) for _ in range(rng.randint(1, 3))]
            (folder / ".gitignore").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("seed", range(12))
def test_discovery_agrees_with_git_ls_files(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    # Every Python file, as git lists them (the random names are not test files).
    (root / "mockguard.toml").write_text("exclude = []\nall-files = true\n")
    random_tree(root, random.Random(seed))
    listed = subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", "ls-files", "-z", "-o", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    by_git = sorted(p for p in listed.split("\0") if p.endswith((".py", ".pyi")))
    assert paths(scan_json(root, ".", timeout=30)) == by_git


def test_the_matcher_agrees_with_git_check_ignore(tmp_path: Path) -> None:
    """Each pattern alone, on names and paths, against `git check-ignore`."""
    from mockguard.scan.ignore import IgnoreRules

    rng = random.Random(7)
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    queries = sorted(
        {
            "/".join(
                "".join(rng.choice("abc.x* ") for _ in range(rng.randint(1, 4)))
                for _ in range(rng.randint(1, 3))
            )
            for _ in range(60)
        }
        - {"."}
    )
    queries = [q for q in queries if not {".", ".."} & set(q.split("/"))]
    for _ in range(40):
        pattern = random_pattern(rng).lstrip("!")
        (repo / ".gitignore").write_text(pattern + "\n")
        done = subprocess.run(
            ["git", "check-ignore", "--no-index", "--stdin", "-z"],
            cwd=repo,
            input="\0".join(queries).encode() + b"\0",
            capture_output=True,
        )
        by_git = {p for p in done.stdout.decode().split("\0") if p}
        rules = IgnoreRules([pattern])
        mine = set()
        for query in queries:
            parts = query.split("/")
            folder = "/".join(parts[:-1])
            if (folder and rules.ignores_folder(folder)) or rules.verdict(query, parts[-1], False):
                mine.add(query)
        assert mine == by_git, pattern
