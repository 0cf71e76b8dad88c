"""The scan cache: hits, misses, invalidation, corruption and concurrent scans."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from mockguard.config import Settings
from mockguard.scan import cache as cache_module
from mockguard.scan import engine
from mockguard.scan.cache import FORMAT, ScanCache
from mockguard.scan.cachedir import read_signed, write_signed
from mockguard.scan.engine import scan_files

SOURCE = "from unittest.mock import MagicMock\n\ndef test_x():\n    ws = MagicMock()\n    ws.send_json.assert_not_called()\n"


@pytest.fixture(autouse=True)
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache key of this test's own (never the user's)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Settings, list[str]]:
    paths = []
    for i in range(3):
        path = tmp_path / f"test_{i}.py"
        path.write_text(SOURCE.replace("test_x", f"test_{i}"))
        paths.append(str(path))
    return Settings(root=tmp_path), paths


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files actually parsed, in order."""
    seen: list[str] = []
    real = engine.scan_source

    def counting(data: bytes, path: str, settings: Settings, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(os.path.basename(path))
        return real(data, path, settings, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "scan_source", counting)
    return seen


def scan(settings: Settings, paths: list[str]) -> list:  # type: ignore[type-arg]
    return list(scan_files(paths, settings, jobs=1, cache=ScanCache.for_settings(settings)))


def test_second_scan_reads_nothing(tree, parses) -> None:
    settings, paths = tree
    first = scan(settings, paths)
    assert parses == ["test_0.py", "test_1.py", "test_2.py"]
    second = scan(settings, paths)
    assert parses == ["test_0.py", "test_1.py", "test_2.py"]  # no new parse
    assert [r.findings for r in second] == [r.findings for r in first]
    assert all(r.findings for r in second)


def test_an_edit_is_a_miss_for_that_file_only(tree, parses) -> None:
    settings, paths = tree
    scan(settings, paths)
    Path(paths[1]).write_text(
        SOURCE.replace("ws = MagicMock()", "ws = MagicMock()\n    db = MagicMock()")
    )
    results = scan(settings, paths)
    assert parses[3:] == ["test_1.py"]
    assert [len(r.findings) for r in results] == [1, 2, 1]


def test_touched_but_unchanged_content_is_not_parsed(tree, parses) -> None:
    settings, paths = tree
    first = scan(settings, paths)
    os.utime(paths[0], ns=(1, 1))
    second = scan(settings, paths)
    assert parses[3:] == []  # read and hashed, not parsed
    assert second[0].findings == first[0].findings


def test_config_change_and_version_change_start_afresh(tree, parses, monkeypatch) -> None:
    settings, paths = tree
    scan(settings, paths)
    scan(replace(settings, select=("MG101",)), paths)
    assert len(parses) == 6
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    scan(settings, paths)
    assert len(parses) == 9


def test_corrupt_cache_is_rebuilt(tree, parses) -> None:
    settings, paths = tree
    first = scan(settings, paths)
    folder = settings.root / ".mockguard_cache"
    cache_file = next(folder.glob("scan-*.json"))
    document = read_signed(cache_file)
    entry = document["files"][os.path.abspath(paths[0])]
    place_findings(entry, cache_file, json.dumps([["garbage"]]))
    write_signed(folder, cache_file.name, document)
    again = scan(settings, paths)
    assert parses[3:] == ["test_0.py"]  # the bad entry is scanned again, never trusted
    assert again[0].findings == first[0].findings
    cache_file.write_text("{ not json")
    assert [r.findings for r in scan(settings, paths)] == [r.findings for r in first]
    assert read_signed(cache_file)["format"] == FORMAT


@pytest.mark.parametrize(
    ("where", "bad"),
    [
        (("result", "findings", 0, 1), "3"),  # a line that is a string
        (("result", "findings", 0, 9), 1),  # `suppressed` that is an int
        (("result", "findings", 0, 5), "MG999"),  # no such rule
        (("result", "findings", 0, 10), "0" * 16 + ":0"),  # not the fingerprints digested
        (("result", "findings", 0, 6), "database"),  # not the category counted
        (("result", "findings"), [[]]),  # not a place in the side file
        (("result", "findings"), [0, -1, "0" * 32]),
        (("result", "findings"), [0, 2, "0" * 31]),
        (("result", "findings"), "[[1, "),  # not JSON
        (("result", "findings"), "[]"),  # fewer findings than counted
        (("result", "tally"), [["MG101", "generic", False, 2]]),  # more than stored
        (("result", "tally"), [["MG101", "generic", 0, 1]]),
        (("result", "tally"), [["MG999", "generic", False, 1]]),
        (("result", "fingerprints"), "0" * 32),
        (("result", "fingerprints"), None),
        (("result", "compliant"), {"websocket": True}),
        (("result", "diagnostics"), [["x", "no-such-kind", "m", 1]]),
        (("result", "suppressions"), [["4", None]]),
        (("result", "shapes"), [[["MagicMock", "", [["a"]]], [1] * 8]]),
        (("result", "parsed"), "yes"),
        (("stat",), [1, 2, 3]),
        (("digest",), ""),
        (("result",), []),
    ],
)
def test_an_entry_of_the_wrong_shape_is_scanned_again(tree, parses, where, bad) -> None:
    settings, paths = tree
    first = scan(settings, paths)
    folder = settings.root / ".mockguard_cache"
    cache_file = next(folder.glob("scan-*.json"))
    document = read_signed(cache_file)
    entry = document["files"][os.path.abspath(paths[0])]
    tamper(entry, where, bad, cache_file)
    write_signed(folder, cache_file.name, document)
    again = scan(settings, paths)
    assert parses[3:] == ["test_0.py"]
    assert [r.findings for r in again] == [r.findings for r in first]


def side_file(cache_file: Path) -> Path:
    """The side file that holds the findings of the signed `cache_file`."""
    return cache_file.with_suffix(".findings")


def stored_rows(entry: dict, cache_file: Path) -> list:  # type: ignore[type-arg]
    """The findings an entry names in the side file, decoded."""
    start, length, _ = entry["result"]["findings"]
    return json.loads(side_file(cache_file).read_bytes()[start : start + length])  # type: ignore[no-any-return]


def place_findings(entry: dict, cache_file: Path, text: str) -> None:  # type: ignore[type-arg]
    """Put `text` at the end of the side file and name it in `entry`, with its hash, as
    mockguard would (the signed file must then be signed again)."""
    side = side_file(cache_file)
    data = side.read_bytes()
    blob = text.encode()
    side.write_bytes(data + b"\n" + blob)
    entry["result"]["findings"] = [len(data) + 1, len(blob), cache_module.content_digest(blob)]


def tamper(entry: dict, where: tuple, bad: object, cache_file: Path) -> None:  # type: ignore[type-arg]
    """Set the field at `where` in a cache entry; inside a finding, the findings (kept in
    the side file) are decoded, changed, encoded again and named with their new hash."""
    if where[:2] == ("result", "findings") and len(where) > 2:
        rows = stored_rows(entry, cache_file)
        rows[where[2]][where[3]] = bad
        place_findings(entry, cache_file, json.dumps(rows))
        return
    if where == ("result", "findings") and isinstance(bad, str):
        place_findings(entry, cache_file, bad)
        return
    node = entry
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = bad


@pytest.mark.parametrize(
    ("where", "bad"),
    [
        (("result", "findings", 0, 1), "3"),
        (("result", "findings", 0, 10), "0" * 16 + ":0"),
        (("result", "findings"), "[[1, "),
        (("result", "findings"), "[]"),
    ],
)
def test_stored_findings_of_the_wrong_shape_are_scanned_again_when_read(
    tree, parses, where, bad
) -> None:
    """Left stored (lazy), the findings are checked when decoded: the file is scanned
    again then, and its entry replaced."""
    settings, paths = tree
    first = scan(settings, paths)
    folder = settings.root / ".mockguard_cache"
    cache_file = next(folder.glob("scan-*.json"))
    document = read_signed(cache_file)
    tamper(document["files"][os.path.abspath(paths[0])], where, bad, cache_file)
    write_signed(folder, cache_file.name, document)
    lazy = list(
        scan_files(paths, settings, jobs=1, cache=ScanCache.for_settings(settings), lazy=True)
    )
    assert parses[3:] == []  # nothing decoded, nothing parsed yet
    assert all(r.findings == [] and r.stored is not None for r in lazy)
    assert [r.stored.load() for r in lazy if r.stored] == [r.findings for r in first]
    assert parses[3:] == ["test_0.py"]
    replaced = read_signed(cache_file)["files"][os.path.abspath(paths[0])]
    assert stored_rows(replaced, cache_file)[0][1] == first[0].findings[0].line
    assert [r.findings for r in scan(settings, paths)] == [r.findings for r in first]
    assert parses[3:] == ["test_0.py"]  # the replaced entry is trusted again


def test_a_changed_file_is_never_served_from_the_cache(tree, monkeypatch) -> None:
    """Even when its size and mtime are what they were, and its last change was long
    before the scan (no racy window): the ctime and inode tell."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    settings, paths = tree
    assert len(scan(settings, paths)[0].findings) == 1
    path = Path(paths[0])
    before = path.stat()
    path.write_text(SOURCE.replace("ws = MagicMock()", "ws = object()   "))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert scan(settings, paths)[0].findings == []


def test_a_file_changed_in_the_same_tick_is_hashed_again(tree, monkeypatch) -> None:
    """A change right after the scan that recorded a file can leave its whole stat as it
    was (a coarse file system clock): an entry that recent is checked by content."""
    settings, paths = tree
    path = Path(paths[0])
    real_stat = os.stat
    assert len(scan(settings, paths)[0].findings) == 1
    recorded = real_stat(path)
    path.write_text(SOURCE.replace("ws = MagicMock()", "ws = object()   "))

    def same_tick(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        return recorded if os.fspath(name) == str(path) else real_stat(name, *args, **kwargs)

    monkeypatch.setattr(os, "stat", same_tick)
    assert scan(settings, paths)[0].findings == []


def test_cache_folder_ignores_itself(tree) -> None:
    settings, paths = tree
    scan(settings, paths)
    assert (settings.root / ".mockguard_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_concurrent_scans_agree(tmp_path: Path, run_cli) -> None:
    for i in range(120):
        (tmp_path / f"test_{i:03}.py").write_text(SOURCE.replace("test_x", f"test_{i}"))
    from conftest import mockguard_command

    command = [*mockguard_command(), "scan", "--format", "json", "."]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True) for _ in range(3)
    ]
    outputs = [json.loads(p.communicate(timeout=120)[0])["findings"] for p in runs]
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]) == 120
    warm = run_cli("scan", "--format", "json", ".", cwd=tmp_path)
    assert json.loads(warm.stdout)["findings"] == outputs[0]


def test_no_cache_and_cache_clear(tmp_path: Path, run_cli) -> None:
    (tmp_path / "test_a.py").write_text(SOURCE)
    assert run_cli("scan", "--no-cache", ".", cwd=tmp_path).returncode == 1
    assert not (tmp_path / ".mockguard_cache").exists()
    assert run_cli("scan", ".", cwd=tmp_path).returncode == 1
    assert (tmp_path / ".mockguard_cache").is_dir()
    cleared = run_cli("cache", "clear", cwd=tmp_path)
    assert cleared.returncode == 0 and "deleted" in cleared.stdout
    assert not (tmp_path / ".mockguard_cache").exists()


def test_dependencies_are_kept_once(tmp_path: Path, parses) -> None:
    """The (path, hash) pairs results were decided from are kept once, in a table that
    entries name by place; a pair no entry names any more is dropped when saved."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text("import pytest\n")
    paths = []
    for i in range(3):
        path = tmp_path / "tests" / f"test_{i}.py"
        path.write_text("def test_x(fixture):\n    pass\n")
        paths.append(str(path))
    settings = Settings(root=tmp_path)
    first = scan(settings, paths)
    assert all(r.depends for r in first)
    cache_file = next((tmp_path / ".mockguard_cache").glob("scan-*.json"))
    document = read_signed(cache_file)
    table = list(document["depends"])
    assert len(table) == len({tuple(pair) for pair in table})  # each pair once
    named = {place for entry in document["files"].values() for place in entry["result"]["depends"]}
    assert named == set(range(len(table)))
    assert [r.depends for r in scan(settings, paths)] == [r.depends for r in first]
    # A pair that no entry names is dropped the next time the cache is written.
    document["depends"].append(["/nowhere/conftest.py", ""])
    write_signed(cache_file.parent, cache_file.name, document)
    Path(paths[0]).write_text("def test_y(fixture):\n    pass\n")
    again = scan(settings, paths)
    assert parses[-1] == "test_0.py"
    saved = read_signed(cache_file)
    assert saved["depends"] == table
    assert [r.depends for r in again] == [r.depends for r in first]
