"""Nothing the user owns is deleted or overwritten: `cache clear` deletes only mockguard's
own cache, the configured cache and baseline stay inside the project, a committed symbolic
link redirects no write, and `-o` onto a FIFO or a device writes through it."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

SOURCE = "from unittest.mock import MagicMock\n\ndef test_a():\n    ws = MagicMock()\n"
# A mock that `fix --write` rewrites.
REWRITABLE = (
    "from unittest.mock import AsyncMock, MagicMock\n\nasync def test_ws():\n"
    "    ws = MagicMock()\n    ws.send_json = AsyncMock()\n    await ws.send_json({})\n"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A cache key of the test's own."""
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with a test file, and a sibling repository next to it."""
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_a.py").write_text(SOURCE)
    sibling = tmp_path / "other-repo"
    sibling.mkdir()
    (sibling / "keep.txt").write_text("precious\n")
    for repo in (root, sibling):
        subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=60)
    return root


def config(project: Path, text: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.mockguard]\n{text}\n")


def one_line_error(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("mockguard: error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for part in parts:
        assert part in result.stderr


@pytest.mark.parametrize("folder", [".", "../other-repo", "tests/../..", "/tmp"])
def test_a_cache_dir_outside_the_project_is_a_config_error(run_cli, project, env, folder) -> None:
    config(project, f'cache-dir = "{folder}"')
    for command in (("cache", "clear"), ("scan", "."), ("baseline",)):
        result = run_cli(*command, cwd=project, env=env)
        one_line_error(result, "`tool.mockguard.cache-dir` must name a path inside the project")
    assert (project / ".git").is_dir() and (project / "tests" / "test_a.py").is_file()
    assert (project.parent / "other-repo" / "keep.txt").read_text() == "precious\n"
    assert (project.parent / "other-repo" / ".git").is_dir()


def test_a_cache_dir_that_leads_out_through_a_link_is_a_config_error(run_cli, project, env) -> None:
    os.symlink(project.parent / "other-repo", project / "cache")
    config(project, 'cache-dir = "cache/sub"')
    one_line_error(run_cli("cache", "clear", cwd=project, env=env), "outside the project")
    config(project, 'cache-dir = "cache"')
    one_line_error(run_cli("cache", "clear", cwd=project, env=env), "outside the project")
    assert sorted(os.listdir(project.parent / "other-repo")) == [".git", "keep.txt"]


def test_clear_refuses_a_folder_that_is_not_its_cache(run_cli, project, env) -> None:
    config(project, 'cache-dir = "tests"')
    # Scans work, without a cache: mockguard never tags or writes in a folder of the project.
    assert run_cli("scan", ".", cwd=project, env=env).returncode == 1
    assert os.listdir(project / "tests") == ["test_a.py"]
    one_line_error(run_cli("cache", "clear", cwd=project, env=env), "not deleting it")
    one_line_error(run_cli("baseline", cwd=project, env=env), "is not a mockguard cache folder")
    assert (project / "tests" / "test_a.py").read_text() == SOURCE
    # Tags planted next to a .git or a pyproject.toml do not make a cache either.
    sub = project / "tests" / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("")
    (sub / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    (sub / "mockguard.tag").write_text("")
    config(project, 'cache-dir = "tests/sub"')
    one_line_error(run_cli("cache", "clear", cwd=project, env=env), "holds pyproject.toml")
    assert sorted(os.listdir(sub)) == ["CACHEDIR.TAG", "mockguard.tag", "pyproject.toml"]


def test_clear_deletes_only_what_mockguard_wrote(run_cli, project, env) -> None:
    assert run_cli("scan", ".", cwd=project, env=env).returncode == 1
    cache = project / ".mockguard_cache"
    tag = (cache / "CACHEDIR.TAG").read_text().splitlines()
    assert tag[0] == "Signature: 8a477f597d28d172789f06886806bc55"
    assert (cache / "mockguard.tag").is_file()
    (cache / "notes.txt").write_text("mine\n")
    cleared = run_cli("cache", "clear", cwd=project, env=env)
    assert cleared.returncode == 0 and "kept 1 other entries" in cleared.stdout
    # The folder stays, still marked as the cache, with the user's file in it.
    assert sorted(os.listdir(cache)) == [".gitignore", "CACHEDIR.TAG", "mockguard.tag", "notes.txt"]
    (cache / "notes.txt").unlink()
    assert run_cli("scan", ".", cwd=project, env=env).returncode == 1
    assert "deleted" in run_cli("cache", "clear", cwd=project, env=env).stdout
    assert not cache.exists()


def test_a_baseline_outside_the_project_is_a_config_error(run_cli, project, env) -> None:
    victim = project.parent / "other-repo" / "keep.txt"
    config(project, 'baseline = "../other-repo/keep.txt"')
    forced = run_cli("baseline", "--force", cwd=project, env=env)
    one_line_error(forced, "`tool.mockguard.baseline` must name a path inside the project")
    assert "--force" not in forced.stderr
    assert victim.read_text() == "precious\n"
    # A file named on the command line is the user's choice, as with -o.
    chosen = project.parent / "chosen.json"
    config(project, "")
    assert run_cli("baseline", "--file", str(chosen), cwd=project, env=env).returncode == 0
    assert '"schema_version": 2' in chosen.read_text()


def test_committed_links_redirect_no_write(run_cli, project, env) -> None:
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "victim.json").write_text("precious\n")
    # The cache folder itself is a link: not used, not written, not deleted.
    os.symlink(outside, project / ".mockguard_cache")
    assert run_cli("scan", ".", cwd=project, env=env).returncode == 1
    one_line_error(run_cli("baseline", cwd=project, env=env), "is a symbolic link")
    one_line_error(run_cli("cache", "clear", cwd=project, env=env), "is a symbolic link")
    assert sorted(os.listdir(outside)) == ["victim.json"]
    (project / ".mockguard_cache").unlink()
    # A lock, a cache file and the baseline are links: no write goes through them.
    assert run_cli("scan", ".", cwd=project, env=env).returncode == 1
    cache = project / ".mockguard_cache"
    (cache_file,) = cache.glob("scan-*.json")
    cache_file.unlink()
    os.symlink(outside / "victim.json", cache_file)
    os.symlink(outside / "lock", cache / "baseline.lock")
    os.symlink(outside / "old-lock", project / "..mockguard-baseline.json.lock")
    (project / "tests" / "test_a.py").write_text(SOURCE + "\n")  # so that the cache is saved
    assert run_cli("scan", ".", cwd=project, env=env).returncode == 1
    one_line_error(run_cli("baseline", cwd=project, env=env), "is a symbolic link")
    (cache / "baseline.lock").unlink()
    os.symlink(outside / "victim.json", project / ".mockguard-baseline.json")
    one_line_error(run_cli("baseline", "--force", cwd=project, env=env), "is a symbolic link")
    one_line_error(run_cli("scan", "--baseline", cwd=project, env=env), "is a symbolic link")
    os.symlink(outside / "fix-lock", cache / "fix.lock")
    rewritable = project / "tests" / "test_ws.py"
    rewritable.write_text(REWRITABLE)
    one_line_error(run_cli("fix", "--write", ".", cwd=project, env=env), "is a symbolic link")
    assert rewritable.read_text() == REWRITABLE
    assert sorted(os.listdir(outside)) == ["victim.json"]
    assert (outside / "victim.json").read_text() == "precious\n"


def test_output_onto_a_fifo_writes_through_it(run_cli, project, env) -> None:
    fifo = project / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_cli("scan", "--format", "json", "-o", str(fifo), ".", cwd=project, env=env)
    reader.join(timeout=60)
    assert result.returncode == 1, result.stderr
    assert b'"findings"' in received[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_onto_a_device_writes_through_it(run_cli, project, env) -> None:
    null = project / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("cannot make a device node here")
    result = run_cli("scan", "-o", str(null), ".", cwd=project, env=env)
    assert result.returncode == 1, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)  # still the device, not a regular file


def test_output_onto_a_link_replaces_the_link(run_cli, project, env) -> None:
    """A shell would write through it; a report path in a repository under review may be a
    link planted where CI writes its SARIF, so the link is replaced, never followed."""
    target = project.parent / "reports" / "authorized_keys"
    target.parent.mkdir()
    target.write_text("precious\n")
    os.symlink(target, project / "out.sarif")
    result = run_cli("scan", "--format", "sarif", "-o", "out.sarif", ".", cwd=project, env=env)
    assert result.returncode == 1, result.stderr
    assert not os.path.islink(project / "out.sarif")
    assert '"runs"' in (project / "out.sarif").read_text()
    assert target.read_text() == "precious\n"
