"""The baseline blames the right finding and survives what a repository can hold: identical
sites added above old ones, a better classifier, an old schema, deleted files, and files
that are not baselines at all."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PAIR = textwrap.dedent(
    """\
    from unittest.mock import MagicMock


    def test_pair():
        first = MagicMock()
        second = MagicMock()
        assert first is not second
    """
)
# Two identical MagicMock() sites: one added above the baselined pair, one below.
GROWN = PAIR.replace(
    "    first = MagicMock()", "    extra = MagicMock()\n    first = MagicMock()"
).replace("    assert first", "    last = MagicMock()\n    assert first")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A cache key of the test's own."""
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.mockguard]\npaths = ['tests']\n")
    (root / "tests" / "test_app.py").write_text(PAIR)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


def lines_of(run_cli, project: Path, env: dict[str, str], *args: str) -> list[int]:
    result = run_cli("scan", "--baseline", "--format", "json", *args, cwd=project, env=env)
    assert result.returncode in (0, 1), result.stderr
    return [f["line"] for f in json.loads(result.stdout)["findings"]]


def test_identical_sites_added_above_blame_the_added_lines(run_cli, project, env) -> None:
    assert run_cli("baseline", cwd=project, env=env).returncode == 0
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "baseline")
    (project / "tests" / "test_app.py").write_text(GROWN)
    # extra (line 5) and last (line 8) are new; first and second (6, 7) are untouched.
    assert lines_of(run_cli, project, env) == [5, 8]
    text = run_cli("scan", "--baseline", "-q", cwd=project, env=env)
    assert [line.split(":")[1] for line in text.stdout.splitlines()] == ["5", "8"]
    github = run_cli("scan", "--baseline", "--format", "github", cwd=project, env=env)
    assert [line.split("line=")[1].split(",")[0] for line in github.stdout.splitlines()[1:]] == [
        "5",
        "8",
    ]
    sarif = run_cli("scan", "--baseline", "--format", "sarif", cwd=project, env=env)
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    new = [r for r in results if not r.get("suppressions")]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in new] == [5, 8]
    # --diff sees both added mocks, none of the old ones.
    assert lines_of(run_cli, project, env, "--diff", "HEAD") == [5, 8]
    plugin = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--mockguard", "-p", "no:cacheprovider"],
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    reported = [line for line in plugin.stdout.splitlines() if ": MG101 " in line]
    assert [line.split(":")[1] for line in reported] == ["5", "8"], plugin.stdout
    # The ratchet: --update keeps the two entries, now matched to lines 6 and 7.
    updated = run_cli("baseline", "--update", cwd=project, env=env)
    assert "removed 0 gone entries, 2 remain; 2 new findings were not added" in updated.stdout
    assert lines_of(run_cli, project, env) == [5, 8]


def test_a_better_classifier_turns_nothing_new(run_cli, project, env) -> None:
    assert run_cli("baseline", cwd=project, env=env).returncode == 0
    # The same mocks, now classified into a category of their own.
    (project / "pyproject.toml").write_text(
        "[tool.mockguard]\npaths = ['tests']\n\n"
        "[tool.mockguard.categories.pairs]\nnames = ['first', 'second']\n"
    )
    result = run_cli("scan", "--baseline", "--format", "json", cwd=project, env=env)
    assert result.returncode == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["baseline"]["baselined"] == 2 and document["baseline"]["gone"] == 0
    assert {f["category"] for f in document["baselined"]} == {"pairs"}


def schema_1_baseline(entries: list[tuple[str, str, str, str, str]]) -> str:
    """A baseline as mockguard 0.1 wrote it: fingerprints hashed the category too."""
    findings = []
    seen: dict[str, int] = {}
    for path, code, category, scope, snippet in entries:
        key = "\0".join((path, code, category, scope, snippet))
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        findings.append(
            {
                "fingerprint": f"{digest}:{index}",
                "path": path,
                "code": code,
                "category": category,
                "scope": scope,
                "snippet": snippet,
            }
        )
    document = {
        "schema_version": 1,
        "tool": {"name": "mockguard", "version": "0.1.0"},
        "totals": {"generic": len(findings)},
        "findings": findings,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def test_a_schema_1_baseline_is_migrated_and_survives_a_category_change(
    run_cli, project, env
) -> None:
    site = ("tests/test_app.py", "MG101", "generic", "test_pair", "MagicMock()")
    baseline = project / ".mockguard-baseline.json"
    baseline.write_text(schema_1_baseline([site, site]))
    assert lines_of(run_cli, project, env) == []
    (project / "pyproject.toml").write_text(
        "[tool.mockguard]\npaths = ['tests']\n\n"
        "[tool.mockguard.categories.pairs]\nnames = ['first', 'second']\n"
    )
    assert lines_of(run_cli, project, env) == []
    third = PAIR.replace("    assert first", "    third = MagicMock()\n    assert first")
    (project / "tests" / "test_app.py").write_text(third)
    assert lines_of(run_cli, project, env) == [7]  # no context recorded: the last is new
    updated = run_cli("baseline", "--update", cwd=project, env=env)
    assert updated.returncode == 0, updated.stderr
    stored = json.loads(baseline.read_text())
    assert stored["schema_version"] == 2
    assert stored["totals"] == {"pairs": 2}
    assert [f["fingerprint"][-2:] for f in stored["findings"]] == [":0", ":1"]
    assert all(len(f["context"]) == 16 for f in stored["findings"])
    assert lines_of(run_cli, project, env) == [7]


def test_update_drops_the_entries_of_deleted_files(run_cli, project, env) -> None:
    other = project / "tests" / "unit" / "test_other.py"
    other.parent.mkdir()
    other.write_text(PAIR)
    kept = project / "legacy" / "test_legacy.py"
    kept.parent.mkdir()
    kept.write_text(PAIR)
    assert run_cli("baseline", "tests", "legacy", cwd=project, env=env).returncode == 0
    other.unlink()
    kept.unlink()
    updated = run_cli("baseline", "--update", "tests", cwd=project, env=env)
    assert updated.returncode == 0, updated.stderr
    assert "removed 2 gone entries, 4 remain" in updated.stdout
    paths = {
        f["path"]
        for f in json.loads((project / ".mockguard-baseline.json").read_text())["findings"]
    }
    # legacy/ was not scanned this time: its entries stay until a scan covers it.
    assert paths == {"tests/test_app.py", "legacy/test_legacy.py"}
    forced = run_cli("baseline", "--force", cwd=project, env=env)
    assert "added 0, removed 0, 4 in all" in forced.stdout
    again = run_cli("baseline", "--update", "tests", "legacy", cwd=project, env=env)
    assert "removed 2 gone entries, 2 remain" in again.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"tool": null, "schema_version": 2, "findings": []}', "not a mockguard baseline"),
        ('{"tool": "mockguard", "schema_version": 2, "findings": []}', "not a mockguard baseline"),
        (
            '{"tool": {"name": "mockguard"}, "schema_version": true, "findings": []}',
            "schema version True",
        ),
        ("[" * 100_000 + "]" * 100_000, "corrupt baseline (nested too deeply"),
        (b"\xff\xfe{}", "corrupt baseline (not UTF-8)"),
        (
            '{"tool": {"name": "mockguard"}, "schema_version": 2, "findings": [{"fingerprint": "x",'
            ' "path": "a.py", "code": "MG101", "category": "generic", "scope": "", "snippet": "",'
            ' "context": ""}]}',
            "entry 1 has a malformed fingerprint",
        ),
        (
            '{"tool": {"name": "mockguard"}, "schema_version": 2, "findings": [{"fingerprint":'
            ' "0123456789abcdef:0", "path": "a.py", "code": "MG101", "category": "generic",'
            ' "scope": "", "snippet": ""}]}',
            "entry 1 lacks",
        ),
    ],
)
def test_bad_baselines_are_one_line_errors(run_cli, project, env, content, message) -> None:
    baseline = project / ".mockguard-baseline.json"
    if isinstance(content, bytes):
        baseline.write_bytes(content)
    else:
        baseline.write_text(content)
    result = run_cli("scan", "--baseline", cwd=project, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_baseline_that_is_no_regular_file_is_never_read(run_cli, project, env) -> None:
    baseline = project / ".mockguard-baseline.json"
    os.mkfifo(baseline)
    fifo = run_cli("scan", "--baseline", cwd=project, env=env)  # would block forever
    assert fifo.returncode == 2 and "not a regular file" in fifo.stderr
    forced = run_cli("baseline", "--force", cwd=project, env=env)
    assert forced.returncode == 2 and "not a regular file" in forced.stderr
    assert "--force" not in forced.stderr  # no advice that cannot work
    device = run_cli("scan", "--baseline-file", "/dev/urandom", cwd=project, env=env)
    assert device.returncode == 2 and "not a regular file" in device.stderr
    baseline.unlink()
    with baseline.open("wb") as handle:  # sparse: over the size limit, costs nothing
        handle.truncate(65 * 1024 * 1024)
    large = run_cli("scan", "--baseline", cwd=project, env=env)
    assert large.returncode == 2 and "larger than" in large.stderr
    for given in ("/etc/passwd/b.json", "/dev/null/b.json"):
        written = run_cli("baseline", "--file", given, cwd=project, env=env)
        assert written.returncode == 2, written.stderr
        assert written.stderr.startswith(f"mockguard: error: cannot write {given}: ")
        assert len(written.stderr.strip().splitlines()) == 1


def test_a_configured_device_as_baseline_is_a_config_error(run_cli, project, env) -> None:
    (project / "pyproject.toml").write_text('[tool.mockguard]\nbaseline = "/dev/urandom"\n')
    result = run_cli("scan", "--baseline", cwd=project, env=env)
    assert result.returncode == 2
    assert "`tool.mockguard.baseline` must name a path inside the project" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
