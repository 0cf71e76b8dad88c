"""The scan cache is never trusted beyond what this machine wrote: a planted or edited
cache file is ignored, an entry of the wrong shape is scanned again, and a changed file is
never served from the cache."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mockguard.scan import cache, cachedir

SOURCE = "from unittest.mock import MagicMock\n\ndef test_a():\n    ws = MagicMock()\n"


@pytest.fixture
def key_home(tmp_path: Path) -> Path:
    return tmp_path / "xdg"


@pytest.fixture
def env(key_home: Path) -> dict[str, str]:
    """A cache key of the test's own."""
    return {"XDG_CACHE_HOME": str(key_home)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "test_a.py").write_text(SOURCE)
    return root


@contextmanager
def key_of(home: Path) -> Iterator[None]:
    """Sign and read cache files, in this process, with the key kept under `home`."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(home)
    try:
        yield
    finally:
        if before is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = before


def findings(run_cli, project: Path, env: dict[str, str]) -> list[int]:
    result = run_cli("scan", "--format", "json", ".", cwd=project, env=env)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return [f["line"] for f in json.loads(result.stdout)["findings"]]


def cache_file(project: Path) -> Path:
    (found,) = (project / ".mockguard_cache").glob("scan-*.json")
    return found


def empty_result(path: Path) -> dict[str, Any]:
    return {
        "path": str(path),
        "parsed": True,
        "compliant": {},
        "diagnostics": [],
        "findings": [],
        "suppressions": [],
        "shapes": [],
    }


def planted_unsigned(project: Path, path: Path) -> None:
    """An entry as an unsigned cache held it: the file's digest and stat, no findings."""
    info = path.stat()
    entry = {
        "digest": hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest(),
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "result": empty_result(path),
    }
    document = {"format": 2, "version": "0.1.0", "files": {str(path): entry}}
    cache_file(project).write_text(json.dumps(document))


def planted_signed_elsewhere(project: Path, path: Path, home: Path) -> None:
    """The same entry in today's format, signed with another machine's key."""
    info = path.stat()
    entry = {
        "digest": hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest(),
        "stat": [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino],
        "checked_ns": 2**62,
        "result": empty_result(path),
    }
    document = {"format": cache.FORMAT, "version": "0.1.0", "files": {str(path): entry}}
    with key_of(home):
        cachedir.write_signed(project / ".mockguard_cache", cache_file(project).name, document)


@pytest.mark.parametrize("form", ["unsigned", "signed-elsewhere"])
def test_a_planted_entry_hides_nothing(run_cli, project, env, tmp_path, form) -> None:
    assert findings(run_cli, project, env) == [4]
    path = (project / "test_a.py").resolve()
    if form == "unsigned":
        planted_unsigned(project, path)
    else:
        planted_signed_elsewhere(project, path, tmp_path / "other-machine")
    assert findings(run_cli, project, env) == [4]
    # The cache that failed verification was rewritten, signed with this machine's key.
    with key_of(env_home(env)):
        assert cachedir.read_signed(cache_file(project))["files"]


def env_home(env: dict[str, str]) -> Path:
    return Path(env["XDG_CACHE_HOME"])


def tamper(project: Path, home: Path, change: Callable[[dict[str, Any], Path], None]) -> None:
    """Edit the cache's only entry and sign the result as this machine would (an entry of
    the wrong shape, from this machine's own hand)."""
    file = cache_file(project)
    with key_of(home):
        document = cachedir.read_signed(file) if hasattr(cachedir, "read_signed") else None
        signed = document is not None
        if not signed:
            document = json.loads(file.read_text())
        (entry,) = document["files"].values()
        change(entry, file.with_suffix(".findings"))
        if signed:
            cachedir.write_signed(file.parent, file.name, document)
        else:
            file.write_text(json.dumps(document))


def set_finding(entry: dict[str, Any], side: Path, index: int, value: Any) -> None:
    """Change a field of the first finding: the findings are kept in the side file, named
    in the signed entry by their place and hash, which are made to match the change."""
    start, length, _ = entry["result"]["findings"]
    data = side.read_bytes()
    rows = json.loads(data[start : start + length])
    rows[0][index] = value
    blob = json.dumps(rows).encode()
    side.write_bytes(data + b"\n" + blob)
    digest = hashlib.blake2b(blob, digest_size=16).hexdigest()
    entry["result"]["findings"] = [len(data) + 1, len(blob), digest]


def set_column(entry: dict[str, Any], side: Path) -> None:
    set_finding(entry, side, 2, "x")


def set_line(entry: dict[str, Any], side: Path) -> None:
    set_finding(entry, side, 1, "4")


def set_args(entry: dict[str, Any], side: Path) -> None:
    set_finding(entry, side, 7, 5)


def set_fingerprint(entry: dict[str, Any], side: Path) -> None:
    set_finding(entry, side, 10, "0" * 16 + ":0")


def set_tally(entry: dict[str, Any], side: Path) -> None:
    entry["result"]["tally"] = [["MG101", "generic", False, "1"]]


def set_compliant(entry: dict[str, Any], side: Path) -> None:
    entry["result"]["compliant"] = {"websocket": "many"}


def set_result(entry: dict[str, Any], side: Path) -> None:
    entry["result"] = ["not", "a", "result"]


@pytest.mark.parametrize(
    "change",
    [set_column, set_line, set_args, set_fingerprint, set_tally, set_compliant, set_result],
)
def test_an_entry_of_the_wrong_shape_is_scanned_again(
    run_cli, project, env, key_home, change
) -> None:
    assert findings(run_cli, project, env) == [4]
    tamper(project, key_home, change)
    text = run_cli("scan", ".", cwd=project, env=env)
    assert text.returncode == 1 and "Traceback" not in text.stderr, text.stderr
    assert "test_a.py:4:10: MG101" in text.stdout
    assert findings(run_cli, project, env) == [4]


@pytest.mark.parametrize("how", ["edited", "emptied", "removed", "a link", "foreign"])
def test_a_side_file_not_as_written_is_not_trusted(run_cli, project, env, tmp_path, how) -> None:
    """The side file is not signed: the signed file names each file's findings by their
    hash, so findings that are not those bytes are not used, and the file is scanned
    again; the summary is counted from the signed file alone."""
    assert findings(run_cli, project, env) == [4]
    side = cache_file(project).with_suffix(".findings")
    data = side.read_bytes()
    if how == "edited":  # the same length, another line
        side.write_bytes(data.replace(b",4,", b",7,", 1))
        assert side.read_bytes() != data
    elif how == "emptied":
        side.write_bytes(b"")
    elif how == "removed":
        side.unlink()
    elif how == "a link":
        elsewhere = tmp_path / "elsewhere.findings"
        elsewhere.write_bytes(data)
        side.unlink()
        side.symlink_to(elsewhere)
    else:  # from another project, whose findings are elsewhere in its files
        other = tmp_path / "other"
        other.mkdir()
        (other / "test_a.py").write_text(SOURCE.replace("def test_a():", "def test_a():\n"))
        assert findings(run_cli, other, env) == [5]
        side.write_bytes(cache_file(other).with_suffix(".findings").read_bytes())
    summary = run_cli("scan", "--summary", ".", cwd=project, env=env)
    assert summary.returncode == 1 and "1 ad-hoc test double in 1 file" in summary.stdout
    text = run_cli("scan", ".", cwd=project, env=env)
    assert text.returncode == 1 and "Traceback" not in text.stderr, text.stderr
    assert "test_a.py:4:10: MG101" in text.stdout
    assert findings(run_cli, project, env) == [4]
    if how != "a link":  # rewritten as it should be (a link is never written through)
        assert cache_file(project).with_suffix(".findings").read_bytes() == data


def test_a_changed_file_is_never_served_from_the_cache(run_cli, project, env) -> None:
    path = project / "test_a.py"
    assert findings(run_cli, project, env) == [4]
    before = path.stat()
    path.write_text(SOURCE.replace("ws = MagicMock()", "ws = object()   "))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert findings(run_cli, project, env) == []


def test_the_key_is_private_and_outside_the_project(run_cli, project, env, key_home) -> None:
    assert findings(run_cli, project, env) == [4]
    key = key_home / "mockguard" / "key"
    info = key.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_size == 32
    first = key.read_bytes()
    # A key others may read is not trusted: a new one is made, the old cache is not used.
    os.chmod(key, 0o644)
    assert findings(run_cli, project, env) == [4]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_bytes() != first
    assert not list(project.rglob("key"))


def test_without_a_key_there_is_no_cache(run_cli, project, tmp_path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    env = {"XDG_CACHE_HOME": str(blocked)}
    assert findings(run_cli, project, env) == [4]
    assert findings(run_cli, project, env) == [4]
    assert not (project / ".mockguard_cache").exists()
