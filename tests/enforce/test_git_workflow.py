"""The ratchet in a real git repository: baseline, new, gone, --update, --diff, errors."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

FIRST = textwrap.dedent(
    """\
    from unittest.mock import MagicMock, patch


    def test_socket():
        ws = MagicMock()
        ws.send_json.assert_not_called()


    @patch("app.db.get_session")
    def test_db(get_session):
        assert get_session is not None
    """
)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.test",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.test",
            "HOME": str(repo),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.mockguard]\npaths = ['tests']\n")
    (root / "tests" / "test_app.py").write_text(FIRST)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


def scan(run_cli, repo: Path, *args: str) -> tuple[int, dict, str]:
    result = run_cli("scan", "--format", "json", *args, cwd=repo)
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 2:
        return 2, {}, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def test_the_ratchet(run_cli, repo: Path) -> None:
    written = run_cli("baseline", cwd=repo)
    assert written.returncode == 0, written.stderr
    assert "wrote .mockguard-baseline.json with 2 findings" in written.stdout
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "baseline")

    code, doc, _ = scan(run_cli, repo, "--baseline")
    assert code == 0
    assert doc["baseline"] | {"by_category": None} == {
        "path": ".mockguard-baseline.json",
        "new": 0,
        "baselined": 2,
        "gone": 0,
        "by_category": None,
    }

    # Commit 2: a new mock, and lines inserted above the old ones (which stay baselined).
    test_file = repo / "tests" / "test_app.py"
    test_file.write_text(
        "import os\n\n"
        + FIRST
        + textwrap.dedent(
            """

            def test_agent():
                agent = MagicMock()
                agent.run_agent.return_value = "ok"
            """
        )
    )
    git(repo, "commit", "-q", "-am", "a new mock")
    code, doc, _ = scan(run_cli, repo, "--baseline")
    assert code == 1
    assert [(f["path"], f["line"], f["code"], f["category"]) for f in doc["findings"]] == [
        ("tests/test_app.py", 17, "MG101", "agent")
    ]
    assert doc["findings"][0]["use_instead"].startswith("SSotMockFactory.create_agent_mock()")
    assert doc["baseline"]["by_category"]["agent"] == {"new": 1, "baselined": 0, "gone": 0}
    text = run_cli("scan", "--baseline", cwd=repo)
    assert text.returncode == 1
    assert "tests/test_app.py:17:13: MG101 MagicMock() builds an ad-hoc mock [agent]" in text.stdout
    assert "use instead: SSotMockFactory.create_agent_mock()" in text.stdout

    # --diff sees only the changed lines: the new mock, not the old (shifted) ones.
    code, doc, _ = scan(run_cli, repo, "--diff", "HEAD~1")
    assert [f["line"] for f in doc["findings"]] == [17]

    # Removing a baselined mock makes it gone; --update shrinks the baseline, never grows it.
    test_file.write_text(test_file.read_text().replace('@patch("app.db.get_session")\n', ""))
    code, doc, _ = scan(run_cli, repo, "--baseline")
    assert doc["baseline"]["gone"] == 1
    assert [g["code"] for g in doc["gone"]] == ["MG201"]
    updated = run_cli("baseline", "--update", cwd=repo)
    assert updated.returncode == 0
    assert "removed 1 gone entries, 1 remain; 1 new findings were not added" in updated.stdout
    stored = json.loads((repo / ".mockguard-baseline.json").read_text())
    assert stored["totals"] == {"websocket": 1}
    forced = run_cli("baseline", "--force", cwd=repo)
    assert "added 1, removed 0, 2 in all" in forced.stdout
    code, doc, _ = scan(run_cli, repo, "--baseline")
    assert code == 0


def test_baseline_is_sorted_and_stable(run_cli, repo: Path) -> None:
    run_cli("baseline", cwd=repo)
    first = (repo / ".mockguard-baseline.json").read_text()
    run_cli("baseline", "--force", cwd=repo)
    assert (repo / ".mockguard-baseline.json").read_text() == first
    document = json.loads(first)
    assert document["schema_version"] == 2 and document["tool"]["name"] == "mockguard"
    paths = [(f["path"], f["code"]) for f in document["findings"]]
    assert paths == sorted(paths)
    assert "line" not in document["findings"][0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "corrupt baseline (not JSON"),
        ('{"tool": {"name": "ruff"}, "findings": []}', "not a mockguard baseline"),
        (
            '{"tool": {"name": "mockguard"}, "schema_version": 9, "findings": []}',
            "schema version 9",
        ),
        (
            '{"tool": {"name": "mockguard"}, "schema_version": 1, "findings": [{"fingerprint": "x"}]}',
            "corrupt baseline (entry 1 lacks",
        ),
        (
            '{"tool": {"name": "mockguard"}, "schema_version": 1, "findings": [{"fingerprint": "x",'
            ' "path": "../../etc/passwd", "code": "MG101", "category": "generic", "scope": "",'
            ' "snippet": ""}]}',
            "has a path outside the project",
        ),
    ],
)
def test_bad_baselines_are_one_line_errors(run_cli, repo: Path, content: str, message: str) -> None:
    (repo / ".mockguard-baseline.json").write_text(content)
    result = run_cli("scan", "--baseline", cwd=repo)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    refused = run_cli("baseline", "--update", cwd=repo)
    assert refused.returncode == 2
    assert (repo / ".mockguard-baseline.json").read_text() == content  # never lost


def test_missing_baseline_and_bad_revision(run_cli, repo: Path) -> None:
    missing = run_cli("scan", "--baseline", cwd=repo)
    assert missing.returncode == 2
    assert "no baseline there (write one with `mockguard baseline`)" in missing.stderr
    bad = run_cli("scan", "--diff", "no-such-rev", cwd=repo)
    assert bad.returncode == 2
    assert bad.stderr.startswith("mockguard: error: --diff no-such-rev: git rev-parse")
    assert run_cli("baseline", cwd=repo).returncode == 0
    again = run_cli("baseline", cwd=repo)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_pre_commit_hook_entry(run_cli, repo: Path) -> None:
    """Run the hook the way pre-commit does: its entry, with the staged files appended."""
    import shlex

    from conftest import ROOT

    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    entry = next(line.split(":", 1)[1].strip() for line in hooks.splitlines() if "entry:" in line)
    command = shlex.split(entry)
    assert command[0] == "mockguard"
    run_cli("baseline", cwd=repo)
    staged = repo / "tests" / "test_new.py"
    staged.write_text("from unittest.mock import Mock\n\ndef test_x():\n    assert Mock()\n")
    fixtures = repo / "tests" / "fixtures"
    fixtures.mkdir()
    (fixtures / "test_generated.py").write_text("from unittest.mock import Mock\nm = Mock()\n")
    (repo / "pyproject.toml").write_text(
        "[tool.mockguard]\npaths = ['tests']\nextend-exclude = ['tests/fixtures/**']\n"
    )
    args = ["tests/test_app.py", "tests/test_new.py", "tests/fixtures/test_generated.py"]
    result = run_cli(*command[1:], *args, cwd=repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "tests/test_new.py:4:12: MG101 Mock() builds an ad-hoc mock [generic]"
    ]
    clean = run_cli(*command[1:], "tests/test_app.py", cwd=repo)
    assert clean.returncode == 0 and clean.stdout == ""
