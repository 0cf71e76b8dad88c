"""Fingerprints survive unrelated edits and change when the finding itself changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mockguard.config import Settings
from mockguard.scan.engine import scan_file

ORIGINAL = textwrap.dedent(
    """\
    from unittest.mock import AsyncMock, MagicMock, patch


    def helper():
        return 1


    def test_socket():
        ws = MagicMock()
        ws.send_json = AsyncMock()
        return ws


    @patch("app.db.get_session")
    def test_db(get_session):
        first = MagicMock()
        second = MagicMock()
        return first, second
    """
)


def fingerprints(tmp_path: Path, source: str) -> dict[tuple[str, str], str]:
    """(scope, snippet) -> fingerprint, for the file written at the same path each time."""
    path = tmp_path / "tests" / "test_x.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(source)
    result = scan_file(str(path), Settings(root=tmp_path))
    assert not result.diagnostics
    return {(f.scope, f.snippet + f.fingerprint[-2:]): f.fingerprint for f in result.findings}


def test_identical_sites_in_one_test_are_two_findings(tmp_path: Path) -> None:
    found = fingerprints(tmp_path, ORIGINAL)
    db = [fp for (scope, _), fp in found.items() if scope == "test_db"]
    assert len(db) == 3  # the patch and two identical MagicMock() lines
    assert len(set(found.values())) == len(found) == 5


def test_lines_inserted_above_change_nothing(tmp_path: Path) -> None:
    before = fingerprints(tmp_path, ORIGINAL)
    shifted = ORIGINAL.replace("def helper():", "import os\n\n\nCONSTANT = 3\n\n\ndef helper():")
    assert fingerprints(tmp_path, shifted) == before


def test_reformatting_changes_nothing(tmp_path: Path) -> None:
    before = fingerprints(tmp_path, ORIGINAL)
    reformatted = (
        ORIGINAL.replace("return 1", "return (\n        1\n    )")
        .replace("ws.send_json = AsyncMock()", "ws.send_json = AsyncMock(  # the socket\n    )")
        .replace('@patch("app.db.get_session")', '@patch(\n    "app.db.get_session"\n)')
    )
    assert fingerprints(tmp_path, reformatted) == before


def test_moving_a_test_within_the_file_changes_nothing(tmp_path: Path) -> None:
    before = fingerprints(tmp_path, ORIGINAL)
    head, socket_test = ORIGINAL.split("def test_socket():")
    socket_test, db_test = socket_test.split('@patch("app.db.get_session")')
    moved = head + '@patch("app.db.get_session")' + db_test + "\n\ndef test_socket():" + socket_test
    assert fingerprints(tmp_path, moved) == before


def test_renaming_the_test_makes_its_findings_new(tmp_path: Path) -> None:
    before = fingerprints(tmp_path, ORIGINAL)
    after = fingerprints(tmp_path, ORIGINAL.replace("def test_socket", "def test_websocket"))
    changed = set(after.values()) - set(before.values())
    assert len(changed) == 2  # the MagicMock() and the wiring inside the renamed test
    assert set(after.values()) & set(before.values())  # the other test's findings stay


def test_changing_the_mock_call_makes_it_new(tmp_path: Path) -> None:
    before = fingerprints(tmp_path, ORIGINAL)
    after = fingerprints(
        tmp_path, ORIGINAL.replace("ws = MagicMock()", "ws = MagicMock(spec=object)")
    )
    assert len(set(after.values()) - set(before.values())) == 1


def test_the_path_is_part_of_the_identity(tmp_path: Path) -> None:
    source = "from unittest.mock import Mock\nm = Mock()\n"
    (tmp_path / "a.py").write_text(source)
    (tmp_path / "b.py").write_text(source)
    settings = Settings(root=tmp_path)
    (a,) = scan_file(str(tmp_path / "a.py"), settings).findings
    (b,) = scan_file(str(tmp_path / "b.py"), settings).findings
    assert a.fingerprint != b.fingerprint


def test_the_category_is_not_part_of_the_identity(tmp_path: Path) -> None:
    """A better classifier changes a finding's category, never its fingerprint."""
    from dataclasses import replace

    from mockguard.config import parse_table

    before = fingerprints(tmp_path, ORIGINAL)
    path = tmp_path / "tests" / "test_x.py"
    categories = parse_table({"categories": {"pairs": {"names": ["first", "second"]}}}, path)
    settings = replace(Settings(root=tmp_path), **categories)
    result = scan_file(str(path), settings)
    assert {f.category for f in result.findings if f.scope == "test_db"} >= {"pairs"}
    assert {(f.scope, f.snippet + f.fingerprint[-2:]): f.fingerprint for f in result.findings} == (
        before
    )
