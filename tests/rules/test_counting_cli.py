"""How sites are counted, through the command as a user runs it: `python -m mockguard scan
--format json` on a file in a fresh folder.

A patch is one MG201 whatever it installs; a mock built in its arguments is one MG101 of its
own; the fixtures library's patch fixtures are patches; a name imported in a `try` with a
mock fallback in `except ImportError` is the real thing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any


def scan(tmp_path: Path, source: str, name: str = "test_counting.py") -> dict[str, Any]:
    (tmp_path / name).write_text(textwrap.dedent(source), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mockguard", "scan", "--format", "json", name],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["diagnostics"] == []
    return document


def sites(document: dict[str, Any]) -> Counter[tuple[int, str]]:
    """(line, code) -> how many findings."""
    return Counter((f["line"], f["code"]) for f in document["findings"])


PATCHES = """\
import os
from unittest.mock import AsyncMock, MagicMock, Mock, patch

import salt.modules.cmdmod as mod


def test_patches(mocker):
    patch("x", MagicMock(return_value=1))
    patch.multiple(mod, a=Mock(), b=Mock())
    patch.object(mod, "b", new=AsyncMock())
    mocker.patch("x", return_value=MagicMock())
    patch.dict(mod.__salt__, {"cmd.run": MagicMock(return_value=1)})
    patch("app.db.get_session", MagicMock())
    patch("y", new_callable=AsyncMock)
    patch("z", MagicMock(return_value=MagicMock()))
"""


def test_a_mock_built_in_a_patch_is_its_own_mg101(tmp_path: Path) -> None:
    document = scan(tmp_path, PATCHES)
    assert sites(document) == Counter(
        {
            (8, "MG201"): 1,
            (8, "MG101"): 1,
            (9, "MG201"): 1,
            (9, "MG101"): 2,
            (10, "MG201"): 1,
            (10, "MG101"): 1,
            (11, "MG201"): 1,
            (11, "MG101"): 1,
            (12, "MG201"): 1,
            (12, "MG101"): 1,
            (13, "MG201"): 1,
            (13, "MG101"): 1,
            (14, "MG201"): 1,  # new_callable=AsyncMock is a reference, not a construction
            (15, "MG201"): 1,
            (15, "MG101"): 2,
        }
    )
    assert document["summary"]["by_rule"] == {"MG101": 9, "MG102": 0, "MG201": 8, "MG301": 0}
    # The mock passed to the patch is classified from the patch target.
    on_13 = {f["code"]: f["category"] for f in document["findings"] if f["line"] == 13}
    assert on_13 == {"MG201": "database", "MG101": "database"}


def test_the_mg201_message_says_what_is_patched(tmp_path: Path) -> None:
    document = scan(
        tmp_path,
        """\
        import os
        from unittest.mock import patch


        def test_targets(monkeypatch):
            patch.dict(os.environ, {"A": "1"})
            patch("app.db.get_session")
            monkeypatch.setattr(os, "sep", "/")
            patch("app.line\\nbreak")
        """,
    )
    messages = [f["message"] for f in document["findings"]]
    assert messages == [
        "patch.dict(...) patches `os.environ`",
        "patch(...) patches `app.db.get_session`",
        "monkeypatch.setattr(...) patches `os.sep`",
        "patch(...) patches `app.line\\nbreak`",
    ]
    assert all("\n" not in message for message in messages)


def test_a_patch_is_mg201_whatever_it_installs(tmp_path: Path) -> None:
    document = scan(
        tmp_path,
        """\
        import os


        def real():
            return 1


        def test_monkeypatch(monkeypatch, tmp_path):
            monkeypatch.setattr(os, "getcwd", lambda: "/")
            monkeypatch.setattr(os, "getpid", real)
            monkeypatch.setattr(os, "sep", 5)
            monkeypatch.setattr("os.getppid", lambda: 1)
            monkeypatch.setenv("A", "1")
            monkeypatch.delenv("B", raising=False)
            monkeypatch.setitem(os.environ, "C", "1")
            monkeypatch.delitem(os.environ, "C")
            monkeypatch.chdir(tmp_path)
            with monkeypatch.context() as mp:
                mp.setattr(os, "linesep", "\\n")
        """,
    )
    assert sites(document) == Counter(
        {(9, "MG201"): 1, (10, "MG201"): 1, (11, "MG201"): 1, (12, "MG201"): 1, (19, "MG201"): 1}
    )


def test_a_mock_built_in_a_monkeypatch_value_is_its_own_mg101(tmp_path: Path) -> None:
    document = scan(
        tmp_path,
        """\
        import os
        from unittest.mock import MagicMock


        def test_monkeypatch(monkeypatch):
            monkeypatch.setattr(os, "getcwd", lambda: MagicMock())
            monkeypatch.setattr(os, "getpid", MagicMock())
            monkeypatch.setattr(os, "getppid", MagicMock)
        """,
    )
    assert sites(document) == Counter(
        {(6, "MG201"): 1, (6, "MG101"): 1, (7, "MG201"): 1, (7, "MG101"): 1, (8, "MG201"): 1}
    )


def test_fixtures_library_patches_are_mg201(tmp_path: Path) -> None:
    # No word of the mock library in the file: it must still be parsed.
    document = scan(
        tmp_path,
        """\
        import fixtures
        from fixtures import MockPatchObject

        from nova import utils


        class TestServer:
            def setUp(self):
                self.useFixture(fixtures.MockPatch("nova.db.api.instance_get", return_value=1))
                self.useFixture(MockPatchObject(utils, "execute"))
                self.useFixture(fixtures.MockPatchMultiple(utils, execute=None))
                self.useFixture(fixtures.MonkeyPatch("nova.utils.ssh_execute", None))
                self.useFixture(fixtures.TempDir())
        """,
    )
    assert [(f["line"], f["code"], f["message"]) for f in document["findings"]] == [
        (9, "MG201", "fixtures.MockPatch(...) patches `nova.db.api.instance_get`"),
        (10, "MG201", "fixtures.MockPatchObject(...) patches `utils.execute`"),
        (11, "MG201", "fixtures.MockPatchMultiple(...) patches `utils`"),
        (12, "MG201", "fixtures.MonkeyPatch(...) patches `nova.utils.ssh_execute`"),
    ]
    assert document["findings"][0]["category"] == "database"


def test_an_import_fallback_is_the_real_thing(tmp_path: Path) -> None:
    document = scan(
        tmp_path,
        """\
        from unittest import mock
        from unittest.mock import MagicMock

        try:
            from app.clients import Client
        except ImportError:
            Client = MagicMock

        try:
            from app.db import Session
        except (ImportError, AttributeError):
            Session = mock.MagicMock()

        try:
            from app.cache import Cache
        except ModuleNotFoundError:
            Cache = None


        def test_real():
            return Client(), Session(), Cache()
        """,
    )
    assert sites(document) == Counter({(12, "MG101"): 1})
