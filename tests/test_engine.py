"""The engine in-process: reading, the pre-filter, the pool, compliant factory calls, grammar."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from mockguard.config import Settings
from mockguard.scan import engine, files
from mockguard.scan.engine import scan_file, scan_files, scan_source

SETTINGS = Settings()


def test_unreadable_file_becomes_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "secret.py"
    target.write_text("from unittest.mock import Mock\nm = Mock()\n")
    real_open = os.open

    def guarded_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path) == str(target):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", guarded_open)
    result = scan_file(str(target), SETTINGS)
    assert [(d.kind, d.message) for d in result.diagnostics] == [
        ("unreadable", "cannot read: Permission denied")
    ]
    assert result.findings == []


def test_prefilter_skips_files_without_mock_words() -> None:
    source = b"def dispatch(event):\n    return client.patched(event)\n"
    result = scan_source(source, "x.py", SETTINGS)
    assert not result.parsed
    # The same text with a real mock word is parsed.
    assert scan_source(b"from unittest.mock import patch\n", "x.py", SETTINGS).parsed


def test_prefilter_keeps_double_classes() -> None:
    result = scan_source(b"class _FakeLoader:\n    pass\n", "x.py", SETTINGS)
    assert [f.code for f in result.findings] == ["MG301"]


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        (b"lock = socket.block()\n", False),  # "ock" everywhere, no mock word
        (b"x.dispatched(stubborn, mockingbird)\n", False),
        (b"m = Mock\n", True),
        (b"from x import create_autospec\n", True),
        (b"self.factory.create_agent()\n", True),  # a configured factory's name
        (b"f = AppMockFactory\n", True),
        (b"f = MockFactoryish\n", False),
        (b"class  _DummyStore(object):\n", True),
        (b"subclass Mockery\n", False),  # "class" only as part of a word
        (b"myproject_helpers.x\n", True),  # a configured mock module
    ],
)
def test_prefilter_words(source: bytes, kept: bool) -> None:
    keep = files.prefilter(
        SETTINGS.factories, SETTINGS.factory_fixtures, ("tests.myproject_helpers",)
    )
    assert keep(source) is kept


def test_pool_and_serial_agree(tmp_path: Path) -> None:
    sources = [
        "from unittest.mock import MagicMock\nws = MagicMock()\nws.send_json.return_value = 1\n",
        "from unittest import mock\n@mock.patch('app.db.get_session')\ndef test(s):\n    pass\n",
        "x = 1\n",
    ]
    paths = []
    for i in range(engine.POOL_THRESHOLD + 10):
        path = tmp_path / f"test_{i:03}.py"
        path.write_text(sources[i % 3])
        paths.append(str(path))
    serial = list(scan_files(paths, SETTINGS, jobs=1))
    pooled = list(scan_files(paths, SETTINGS, jobs=2))
    assert [r.path for r in pooled] == paths
    assert [r.findings for r in serial] == [r.findings for r in pooled]
    assert sum(len(r.findings) for r in pooled) == 50


def test_a_result_crosses_the_pool_whole() -> None:
    source = b"""\
import mockguard

def test(mock_factory):
    ws = MagicMock(spec=WebSocket)
    ws.send_json.assert_called()
    mock_factory.create("database_session")
"""
    result = scan_source(source, "test_x.py", SETTINGS)
    back = pickle.loads(pickle.dumps(result))
    assert result.findings and result.findings[0].evidence
    assert result.diagnostics and result.compliant_calls
    assert back.findings == result.findings
    assert [f.evidence for f in back.findings] == [f.evidence for f in result.findings]
    assert back.diagnostics == result.diagnostics
    assert back.compliant_calls == result.compliant_calls


def test_factory_calls_are_compliant_never_findings() -> None:
    source = b"""\
from mockguard import MockFactory, SSotMockFactory
import mockguard

def test(mock_factory):
    f = MockFactory()
    a = f.create("websocket")
    b = SSotMockFactory.create_database_session_mock()
    c = mockguard.SSotMockFactory.create_agent_mock(agent_type="supervisor")
    d = mock_factory.create("agent")
"""
    result = scan_source(source, "x.py", SETTINGS)
    assert result.findings == []
    assert result.compliant == {"websocket": 1, "database": 1, "agent": 2}


def test_factory_paths_of_the_factory_package_are_compliant() -> None:
    source = b"""import mockguard.factory
from mockguard.factory import MockFactory, default_factory

def test(user):
    f = MockFactory.from_config()
    g = MockFactory()
    a = f.create("websocket", user)
    b = g.create("database_session")
    c = default_factory.create("agent")
    d = mockguard.factory.create("tool")
"""
    result = scan_source(source, "x.py", SETTINGS)
    assert result.findings == []
    assert result.compliant == {"websocket": 1, "database": 1, "agent": 2}


def test_configured_factory_path(tmp_path: Path) -> None:
    settings = Settings(factories=("tests.support.factory.MockFactory",))
    source = (
        b"from tests.support.factory import MockFactory\nws = MockFactory.create_websocket_mock()\n"
    )
    result = scan_source(source, "x.py", settings)
    assert result.findings == [] and result.compliant == {"websocket": 1}


def test_only_factory_creation_methods_are_compliant() -> None:
    # A @patch parameter that happens to share the fixture's name is not a factory.
    source = b"""\
from unittest.mock import patch

@patch("app.db.create_engine")
def test(mock_factory):
    mock_factory.assert_called_once_with("sqlite://")
    mock_factory.register("kind")
"""
    result = scan_source(source, "x.py", SETTINGS)
    assert result.compliant == {}
    assert [f.code for f in result.findings] == ["MG201"]


NEWER_GRAMMAR = b"""\
from unittest.mock import MagicMock

def first[T](items: list[T]) -> T:
    return items[0]

type Payload = dict[str, object]

def test_events():
    ws = MagicMock()
    label = f"{"nested" + 'quotes'}"
    ws.send_json.assert_not_called()
    return label
"""


def test_newer_grammar_is_scanned_not_skipped() -> None:
    import sys

    result = scan_source(NEWER_GRAMMAR, "new.py", SETTINGS)
    assert [(f.line, f.col, f.code, f.category) for f in result.findings] == [
        (9, 9, "MG101", "websocket")
    ]
    kinds = [d.kind for d in result.diagnostics]
    assert kinds == ([] if sys.version_info >= (3, 12) else ["newer-grammar"])


def test_real_syntax_errors_stay_errors() -> None:
    result = scan_source(
        b"from unittest.mock import Mock\ndef f(:\n    Mock()\n", "bad.py", SETTINGS
    )
    assert [d.kind for d in result.diagnostics] == ["syntax-error"]
    assert result.findings == []


def _corpus() -> list[Path]:
    here = Path(__file__).parent
    root = here.parent
    return sorted(
        [
            *(here / "rules" / "fixtures").glob("*.py"),
            *(here / "accuracy" / "cases").glob("*.py"),
            *(root / "examples" / "chat_service").rglob("*.py"),
            *(here / "report" / "project").rglob("*.py"),
        ]
    )


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_prefilter_loses_nothing(path: Path) -> None:
    data = path.read_bytes()
    filtered = scan_source(data, str(path), SETTINGS)
    full = scan_source(data, str(path), SETTINGS, use_prefilter=False)
    assert filtered.findings == full.findings
    assert filtered.compliant == full.compliant
    assert filtered.diagnostics == full.diagnostics


def test_newer_grammar_parser_takes_bounded_work() -> None:
    from mockguard.scan.grammar import MAX_WORK, Refused, parse_newer, work

    assert not isinstance(parse_newer(NEWER_GRAMMAR), Refused)
    deep = NEWER_GRAMMAR + b"x = " + b" + ".join([b"0"] * 5000) + b"\n"
    assert parse_newer(deep) == Refused("too-deep", "its expressions are nested too deeply")
    large = NEWER_GRAMMAR + b"x = a + b\n" * 30_000
    assert parse_newer(large) == Refused("too-large", "it is too large")
    # Flat data is not deep: a chain restarts at each comma.
    tokens, chains = work(b"x = [" + b"a.b.c, " * 5000 + b"]\n", MAX_WORK) or (0, 0)
    assert tokens > 30_000 and chains < tokens // 4
    # What Python cannot tokenize is the syntax error it almost always is.
    assert parse_newer(b"x = (\n") is None
