"""Compliant sites: carried by each file's result, kept by the scan cache (and rebuilt when
a file they were decided from changes), counted and listed by the reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_inhouse_factories import write_project

from mockguard.config import Settings
from mockguard.findings import CompliantCall, FileResult
from mockguard.history import _blob_entry
from mockguard.report import FormatOptions, get_formatter
from mockguard.report.model import ScanReport
from mockguard.scan import cache as cache_module
from mockguard.scan import engine
from mockguard.scan.cache import FORMAT, ScanCache
from mockguard.scan.cachedir import write_signed
from mockguard.scan.engine import scan_files

SOURCE = b"""\
from unittest.mock import MagicMock
from mockguard import SSotMockFactory

def test_send(mock_factory):
    ws = SSotMockFactory.create_websocket_mock()
    db = mock_factory.create("database_session")
    other = MagicMock()
"""


@pytest.fixture(autouse=True)
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache key of this test's own (never the user's)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = engine.scan_source

    def counting(data: bytes, path: str, settings: Settings, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(os.path.basename(path))
        return real(data, path, settings, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "scan_source", counting)
    return seen


def test_a_result_carries_its_sites_and_counts_them(tmp_path: Path) -> None:
    result = engine.scan_source(SOURCE, "t.py", Settings(root=tmp_path))
    assert result.compliant_calls == [
        CompliantCall(
            t := "t.py", 5, 9, "websocket", "SSotMockFactory.create_websocket_mock", "test_send"
        ),
        CompliantCall(t, 6, 9, "database", 'mock_factory.create("database_session")', "test_send"),
    ]
    assert result.compliant == {"websocket": 1, "database": 1}


def test_a_double_of_a_member_takes_the_category_of_what_it_doubles(tmp_path: Path) -> None:
    source = (
        b"import mockguard.factory\n\ndef test_a(conn):\n"
        b'    conn.ws = mockguard.factory.create_like(conn, "ws")\n'
        b'    conn.db_session = mockguard.factory.create_like(conn, "db_session")\n'
        b'    conn.other = mockguard.factory.create_like(conn, "other")\n'
    )
    result = engine.scan_source(source, "t.py", Settings(root=tmp_path))
    assert [(c.line, c.category, c.call) for c in result.compliant_calls] == [
        (4, "websocket", "mockguard.factory.create_like"),
        (5, "database", "mockguard.factory.create_like"),
        (6, "generic", "mockguard.factory.create_like"),
    ]
    assert not result.findings


def test_the_cache_round_trips_compliant_sites(tmp_path: Path, parses: list[str]) -> None:
    path = tmp_path / "test_a.py"
    path.write_bytes(SOURCE)
    settings = Settings(root=tmp_path)
    (fresh,) = scan_files([str(path)], settings, jobs=1, cache=ScanCache.for_settings(settings))
    assert parses == ["test_a.py"]
    reloaded = ScanCache.for_settings(settings)
    cached, _ = reloaded.lookup(str(path))
    if cached is None:  # written within the racy window: served after a hash instead
        (cached,) = scan_files([str(path)], settings, jobs=1, cache=reloaded)
    assert parses == ["test_a.py"]  # not parsed again
    assert cached.compliant_calls == fresh.compliant_calls and len(fresh.compliant_calls) == 2
    assert cached.depends == fresh.depends


def test_encoding_keeps_sites_and_dependencies() -> None:
    result = FileResult(
        "x.py",
        compliant_calls=[CompliantCall("x.py", 3, 4, "agent", "F.create_agent_mock", "t")],
        depends=(("/p/tests/conftest.py", "ab"), ("/p/tests/gone/conftest.py", "")),
        digest="d",
    )
    entry = {"digest": "d", "stat": [1, 2, 3, 4], "checked_ns": 5}
    entry["result"] = cache_module._encode(result)
    # The cache keeps each (path, hash) pair once, in a table; an entry names its places.
    table = [tuple(pair) for pair in entry["result"]["depends"]]
    entry["result"]["depends"] = [1, 0]
    table.reverse()
    back = cache_module._decode(
        "x.py", json.loads(json.dumps(entry)), lambda places: tuple(table[i] for i in places)
    )
    assert back.compliant_calls == result.compliant_calls and back.depends == result.depends


@pytest.mark.parametrize(
    "bad",
    [{"websocket": 1}, [[3, 4, "agent", "call"]], [["3", 4, "agent", "call", ""]]],
    ids=["old-counts", "short-row", "string-line"],
)
def test_a_compliant_row_of_the_wrong_shape_is_not_trusted(bad: object) -> None:
    result = cache_module._encode(FileResult("x.py", digest="d"))
    result["compliant"] = bad
    entry = {"digest": "d", "stat": [1, 2, 3, 4], "checked_ns": 5, "result": result}
    with pytest.raises((TypeError, ValueError)):
        cache_module._decode("x.py", entry)


def test_a_cache_of_the_previous_format_is_rebuilt(tmp_path: Path, parses: list[str]) -> None:
    assert FORMAT == 7
    path = tmp_path / "test_a.py"
    path.write_bytes(SOURCE)
    settings = Settings(root=tmp_path)
    cache = ScanCache.for_settings(settings)
    info = path.stat()
    old_entry = {
        "digest": cache_module.content_digest(SOURCE),
        "stat": [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino],
        "checked_ns": 2**62,
        "result": {
            "path": str(path),
            "parsed": True,
            "compliant": [[3, 4, "websocket", "f.create_websocket_mock", "test_a"]],
            "depends": [],
            "diagnostics": [],
            "findings": [],
            "suppressions": [],
            "shapes": [],
        },
    }
    document = {"format": 5, "version": "0.1.0", "files": {str(path.resolve()): old_entry}}
    write_signed(cache.directory, cache.file.name, document)
    (result,) = scan_files([str(path)], settings, jobs=1, cache=ScanCache.for_settings(settings))
    assert parses == ["test_a.py"]
    assert len(result.compliant_calls) == 2


def _mockguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(cwd.parent / "xdg")}
    return subprocess.run(
        [sys.executable, "-m", "mockguard", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _calls(cwd: Path) -> set[str]:
    result = _mockguard("scan", ".", "--format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return {
        c["call"]
        for c in json.loads(result.stdout)["compliant"]
        if c["path"] == "tests/test_app.py"
    }


def test_a_changed_conftest_or_factory_module_rescans_the_test_file(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    assert "app_factory.create_websocket_mock" in _calls(project)
    assert (project / ".mockguard_cache").is_dir()
    # The fixture now hands out something else: the unchanged test file is scanned again.
    conftest = project / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text().replace("return AppMockFactory()", "return object()"))
    calls = _calls(project)
    assert "app_factory.create_websocket_mock" not in calls
    assert "AppMockFactory.create_websocket_mock" in calls
    # The factory loses its create* methods: none of its calls is compliant any more.
    factory = project / "tests" / "support" / "factory.py"
    factory.write_text(factory.read_text().replace("def create_", "def make_"))
    assert _calls(project) == set()
    # A new conftest.py nearer the test file counts too.
    factory.write_text(factory.read_text().replace("def make_", "def create_"))
    (project / "tests" / "sub").mkdir()
    (project / "tests" / "sub" / "test_app.py").write_text(
        "from unittest.mock import MagicMock\n\ndef test(near):\n    near.create_agent_mock()\n"
    )
    assert _mockguard("scan", ".", cwd=project).returncode in (0, 1)
    (project / "tests" / "sub" / "conftest.py").write_text(
        "import pytest\nfrom tests.support.factory import AppMockFactory\n\n"
        "@pytest.fixture\ndef near():\n    return AppMockFactory()\n"
    )
    result = _mockguard("scan", ".", "--format", "json", cwd=project)
    assert "near.create_agent_mock" in {c["call"] for c in json.loads(result.stdout)["compliant"]}


def test_the_report_counts_and_lists_the_sites() -> None:
    report = ScanReport(categories=("websocket", "database", "agent"), rules=("MG101",))
    report.add(
        FileResult(
            "b.py",
            compliant_calls=[
                CompliantCall("b.py", 9, 0, "agent", "F.create_agent_mock"),
                CompliantCall("b.py", 2, 4, "websocket", "F.create_websocket_mock"),
            ],
        )
    )
    report.add(
        FileResult("a.py", compliant_calls=[CompliantCall("a.py", 1, 0, "agent", "f.create")])
    )
    report.finish()
    assert report.compliant == {"agent": 2, "websocket": 1} and report.total_compliant == 3
    assert [(c.path, c.line) for c in report.compliant_calls] == [
        ("a.py", 1),
        ("b.py", 2),
        ("b.py", 9),
    ]
    document = json.loads(get_formatter("json", FormatOptions()).format(report))
    assert document["summary"]["compliant"] == 3
    assert [c["line"] for c in document["compliant"]] == [1, 2, 9]
    assert document["compliant"][0] == {
        "path": "a.py",
        "line": 1,
        "column": 1,
        "category": "agent",
        "call": "f.create",
        "scope": "",
    }


def test_show_compliant_lines_are_printable_text() -> None:
    report = ScanReport(categories=("websocket",), rules=("MG101",))
    report.add(
        FileResult(
            "t\x1b[2J.py",
            compliant_calls=[CompliantCall("t\x1b[2J.py", 1, 0, "websocket", "[bold]F[/].create")],
        )
    )
    report.finish()
    text = get_formatter("text", FormatOptions(show_compliant=True)).format(report)
    assert "t\\x1b[2J.py:1:1: compliant [bold]F[/].create [websocket]" in text
    assert "\x1b" not in text
    assert "1 compliant factory call:" in text
    none = get_formatter("text", FormatOptions(show_compliant=True)).format(
        ScanReport(categories=(), rules=())
    )
    assert "No compliant factory calls." in none
    summary = get_formatter("text", FormatOptions(show_compliant=True, summary_only=True)).format(
        report
    )
    assert ": compliant " not in summary


def test_history_counts_compliant_calls(tmp_path: Path) -> None:
    entry = _blob_entry(SOURCE, "tests/test_a.py", Settings(root=tmp_path))
    assert entry["compliant"] == 2 and entry["counts"] == {"generic": 1}
