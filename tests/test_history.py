"""`mockguard history` on a real git repository with a known history."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.test",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.test",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}

ADHOC = """\
from unittest.mock import AsyncMock, MagicMock


def test_socket():
    ws = MagicMock()
    ws.send_json = AsyncMock()


def test_session():
    session = AsyncMock()
    session.commit.assert_not_awaited()
"""
MIGRATED = """\
from mockguard import SSotMockFactory


def test_socket():
    ws = SSotMockFactory.create_websocket_mock()


def test_session():
    session = SSotMockFactory.create_database_session_mock()
    session.commit.assert_not_awaited()
"""


def commit(repo: Path, message: str, date: str) -> None:
    env = {**ENV, "HOME": str(repo), "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "tests" / "test_a.py").write_text(ADHOC)
    commit(root, "ad-hoc mocks", "2026-01-05T10:00:00+00:00")
    (root / "tests" / "test_b.py").write_text(ADHOC)  # the same blob again
    (root / "app.py").write_text("x = 1\n")
    commit(root, "copied", "2026-01-20T10:00:00+00:00")
    (root / "tests" / "test_a.py").write_text(MIGRATED)
    commit(root, "migrated", "2026-02-03T10:00:00+00:00")
    (root / "tests" / "test_b.py").unlink()
    commit(root, "removed", "2026-02-10T10:00:00+00:00")
    return root


def rows(run_cli, repo: Path, *args: str) -> tuple[list[dict], dict]:
    result = run_cli("history", "--format", "json", *args, cwd=repo)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    return document["commits"], document["blobs"]


def test_counts_per_commit_and_the_blob_cache(run_cli, repo: Path) -> None:
    commits, blobs = rows(run_cli, repo)
    assert [(c["total"], c["compliant"], c["counts"], c["adoption"]) for c in commits] == [
        (3, 0, {"database": 1, "websocket": 2}, 0.0),
        (6, 0, {"database": 2, "websocket": 4}, 0.0),
        (3, 2, {"database": 1, "websocket": 2}, 0.4),
        (0, 2, {}, 1.0),
    ]
    assert [c["date"][:10] for c in commits] == [
        "2026-01-05",
        "2026-01-20",
        "2026-02-03",
        "2026-02-10",
    ]
    # Two distinct Python blobs of test code: the ad-hoc file (shared by test_a and test_b)
    # and the migrated one; each scanned once. app.py is no test code.
    assert blobs == {"distinct": 2, "scanned": 2}
    _, again = rows(run_cli, repo)
    assert again == {"distinct": 2, "scanned": 0}  # all from the blob cache
    _, fresh = rows(run_cli, repo, "--no-cache")
    assert fresh["scanned"] == 2
    every, everything = rows(run_cli, repo, "--all-files")
    assert everything["distinct"] == 3  # and app.py
    assert [c["total"] for c in every] == [c["total"] for c in commits]  # app.py has none
    assert sum(c["files"] for c in every) > sum(c["files"] for c in commits)


def test_selecting_commits(run_cli, repo: Path) -> None:
    by_month, _ = rows(run_cli, repo, "--by", "month")
    assert [c["date"][:10] for c in by_month] == ["2026-01-20", "2026-02-10"]
    every, _ = rows(run_cli, repo, "--every", "3")
    assert [c["date"][:10] for c in every] == ["2026-01-05", "2026-02-10"]
    since, _ = rows(run_cli, repo, "--since", "2026-02-01")
    assert len(since) == 2
    only_b, _ = rows(run_cli, repo, "--path", "tests/test_b.py")
    assert [c["total"] for c in only_b] == [0, 3, 3, 0]


def test_csv_and_errors(run_cli, repo: Path, tmp_path: Path) -> None:
    result = run_cli("history", cwd=repo)
    lines = result.stdout.splitlines()
    assert lines[0] == "commit,date,websocket,database,agent,generic,total,compliant,adoption,files"
    assert lines[-1].endswith(",0,0,0,0,0,2,1.0000,1")  # test code only: not app.py
    assert "4 commits, 2 distinct Python blobs" in result.stderr
    outside = tmp_path / "not_a_repo"
    outside.mkdir()
    failed = run_cli("history", str(outside), cwd=tmp_path)
    assert failed.returncode == 2
    assert failed.stderr.startswith("mockguard: error: git rev-parse:")
