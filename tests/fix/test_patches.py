"""`fix` hands patches of what a module binds to the factory: `mockguard.factory.patch`, whose
double is built from the real object; everything else a patch may target is refused with
its reason, and the suite's own tests prove each rewritten file."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mockguard.factory
from mockguard.factory import KindError
from mockguard.fix.patches import (
    _in_standard_library,
    module_constants,
    static_text,
    why_not_patchable,
)
from mockguard.scan.project_index import ProjectIndex

CONFIG = """\
[tool.pytest.ini_options]
pythonpath = ["."]
"""
CLOCK = """\
import pathlib
from os import path

pathlib.Path(__file__).with_name("IMPORTED").write_text("the module ran")


def now(tz=None):
    return 1


def elapsed(start, end):
    return end - start


class Signer:
    def sign(self, data):
        return data
"""
TESTS = """\
import os
import subprocess
import time
from unittest import mock
from unittest.mock import patch

from app import clock


@mock.patch("app.clock.now", return_value=5)
def test_now(now):
    assert clock.now() == 5
    now.assert_called_once_with()


@patch("time.sleep")
@patch("app.clock.Signer.sign")
def test_sleep(sign, sleep):
    time.sleep(1)
    assert sleep.called


def test_with():
    with mock.patch.object(clock, "now", side_effect=[3]), mock.patch(
        "os.path.exists", autospec=True, return_value=False
    ):
        assert clock.now() == 3
        assert not os.path.exists("x")
    with mock.patch("app.clock.path.isdir", return_value=True):
        assert clock.path.isdir("q")
    with mock.patch("os.name", "nt"), mock.patch("app.clock.Signer"):
        pass
"""
# A test the factory's patch would fail: it calls the patched function as the real one
# cannot be called.
WRONG_CALL = """\
from unittest import mock

from app import clock


def test_wrong_call():
    with mock.patch("app.clock.elapsed", return_value=2):
        assert clock.elapsed(1) == 2
"""


def _project(root: Path) -> Path:
    (root / "app").mkdir()
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "clock.py").write_text(CLOCK)
    (root / "tests" / "test_clock.py").write_text(TESTS)
    return root


def _fix_checked(run_cli, root: Path, status: int) -> subprocess.CompletedProcess[str]:
    """`fix --write --check-tests` over the project's tests, as a user runs it, which must
    exit with `status`."""
    pytest_command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    result = run_cli("fix", "--write", "--check-tests", pytest_command, ".", cwd=root)
    assert result.returncode == status, result.stdout + result.stderr
    return result


def test_patches_of_plain_functions_become_factory_patches(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    shown = run_cli("fix", ".", cwd=root)
    assert '+@mockguard.factory.patch("app.clock.now", return_value=5)' in shown.stdout
    assert not (root / "app" / "IMPORTED").exists()  # read, never imported
    result = _fix_checked(run_cli, root, 0)
    assert "no test outcome changed (3 test(s)" in result.stdout
    text = (root / "tests" / "test_clock.py").read_text()
    assert "import mockguard.factory\n" in text
    assert '@mockguard.factory.patch("app.clock.now", return_value=5)\n' in text
    assert '@mockguard.factory.patch("time.sleep")\n' in text
    assert 'with mockguard.factory.patch.object(clock, "now", side_effect=[3])' in text
    # autospec=True goes (the factory's patch always has it); the rest is kept as written
    assert 'mockguard.factory.patch(\n        "os.path.exists", return_value=False\n    )' in text
    # re-exported into a project module: `from os import path` in app/clock.py
    assert 'mockguard.factory.patch("app.clock.path.isdir", return_value=True)' in text
    # a class: the double is built from it, and so is the instance it makes
    assert 'mock.patch("os.name", "nt"), mockguard.factory.patch("app.clock.Signer")' in text
    # refused: a method, a value given positionally; `patch` is still used
    assert '@patch("app.clock.Signer.sign")\n' in text
    assert "from unittest.mock import patch\n" in text

    again = json.loads(run_cli("fix", "--format", "json", ".", cwd=root).stdout)
    assert again["rewritten"] == 0
    reasons = sorted(skip["reason"] for f in again["files"] for skip in f["skips"])
    assert reasons == [
        "its target is not what a module binds: `app.clock.Signer.sign` is a member of "
        "the class `Signer` (its double would take `self`)",
        "the patch chooses what it installs (`new=`)",
    ]
    scan = json.loads(run_cli("scan", "--format", "json", "--no-cache", ".", cwd=root).stdout)
    assert sorted(c["call"] for c in scan["compliant"]) == [
        'mockguard.factory.patch("app.clock.Signer")',
        'mockguard.factory.patch("app.clock.now")',
        'mockguard.factory.patch("app.clock.path.isdir")',
        'mockguard.factory.patch("os.path.exists")',
        'mockguard.factory.patch("time.sleep")',
        "mockguard.factory.patch.object",
    ]
    assert sorted(f["message"] for f in scan["findings"] if f["code"] == "MG201") == [
        "patch(...) patches `app.clock.Signer.sign`",
        "patch(...) patches `os.name`",
    ]


def test_a_patch_rewrite_that_changes_an_outcome_is_reverted_with_its_file(
    run_cli, tmp_path: Path
) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_wrong_call.py").write_text(WRONG_CALL)
    result = _fix_checked(run_cli, root, 2)
    assert "reverted tests/test_wrong_call.py" in result.stderr
    assert "test_wrong_call" in result.stderr
    assert (root / "tests" / "test_wrong_call.py").read_text() == WRONG_CALL
    assert "mockguard.factory.patch" in (root / "tests" / "test_clock.py").read_text()


def test_select_chooses_constructions_or_patches(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_clock.py").write_text(
        TESTS
        + "\n\ndef test_bare():\n    ws = mock.MagicMock()\n    ws.send_json.return_value = 1\n"
    )
    patches = json.loads(
        run_cli("fix", "--select", "MG201", "--format", "json", ".", cwd=root).stdout
    )
    assert patches["rewritten"] == 6
    constructions = json.loads(
        run_cli("fix", "--select", "MG101", "--format", "json", ".", cwd=root).stdout
    )
    assert constructions["rewritten"] == 1
    refused = run_cli("fix", "--select", "MG301", ".", cwd=root)
    assert refused.returncode == 2
    assert "--select one or more of MG101, MG102, MG201" in refused.stderr


def test_what_a_target_is_read_from_the_project_and_the_standard_library(tmp_path: Path) -> None:
    _project(tmp_path)
    index = ProjectIndex(tmp_path)
    assert why_not_patchable("app.clock.now", index) == ""
    assert why_not_patchable("app.clock.path.exists", index) == ""  # `from os import path`
    assert why_not_patchable("app.clock.Signer", index) == ""
    assert why_not_patchable("app.clock.Signer.sign", index) == (
        "a member of the class `Signer` (its double would take `self`)"
    )
    assert why_not_patchable("app.clock.logger", index) == ""  # bound by an assignment
    assert why_not_patchable("app.clock.logger.info", index) == (
        "an attribute of `app.clock.logger`, not of a module"
    )
    assert why_not_patchable("app.clock", index) == "a module"
    assert why_not_patchable("app.clock.pathlib", index) == ""  # a module it imports
    assert why_not_patchable("os.path.exists", index) == ""
    assert why_not_patchable("time.sleep", None) == ""
    assert why_not_patchable("logging.Logger", None) == ""
    assert why_not_patchable("os.name", None) == "a plain value, with no interface to follow"
    assert why_not_patchable("ssl.SSLContext.wrap_socket", None).startswith("a member of a class")
    assert why_not_patchable("requests.get", None) == ""  # a library's function, by its name
    assert why_not_patchable("redis.Redis.ping", None).startswith("a member of a class")
    assert why_not_patchable("antigravity.geohash", None) == (
        "in a standard-library module that acts when imported (never imported here)"
    )
    assert "antigravity" not in sys.modules
    assert not (tmp_path / "app" / "IMPORTED").exists()


def test_a_file_named_like_a_standard_module_is_never_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "colorsys.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('RAN').write_text('x')\n"
        "def rgb_to_hsv(r, g, b):\n    return 0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    _in_standard_library.cache_clear()
    try:
        # read as a library's function, by its name: the file is not imported
        assert why_not_patchable("colorsys.rgb_to_hsv", None) == ""
    finally:
        _in_standard_library.cache_clear()
    assert not (tmp_path / "RAN").exists()


def _elapsed(start: float, end: float) -> float:
    return end - start


async def _fetch(url: str) -> str:
    return url


def test_the_factory_patch_follows_the_real_function() -> None:
    module = sys.modules[__name__]
    with mockguard.factory.patch(f"{__name__}._elapsed", return_value=7) as double:
        assert module._elapsed(1, 2) == 7
        with pytest.raises(TypeError, match="missing a required argument"):
            module._elapsed(1)
        with pytest.raises(AttributeError):
            double.no_such_member()
    double.assert_called_once_with(1, 2)
    with mockguard.factory.patch.object(module, "_fetch", return_value="ok"):
        assert asyncio.run(module._fetch("u")) == "ok"  # an `async def` stays awaitable
    assert module._elapsed(1, 3) == 2  # undone afterwards


@pytest.mark.parametrize(
    "configure",
    [{"new": 1}, {"new_callable": list}, {"spec": os}, {"create": True}, {"autospec": False}],
)
def test_the_factory_patch_refuses_to_install_anything_else(configure: dict[str, object]) -> None:
    with pytest.raises(KindError, match="would choose another double"):
        mockguard.factory.patch("os.path.exists", **configure)
    with pytest.raises(KindError, match="would choose another double"):
        mockguard.factory.patch.object(os.path, "exists", **configure)


SPLICED = {
    "keyword first": 'from unittest import mock\n\n\n@mock.patch("os.path.exists", autospec=True, return_value=1)\ndef test_a(e):\n    mock.sentinel\n',
    "keyword last, on its own line": (
        "from unittest import mock\n\n\n@mock.patch(\n"
        '    "os.path.exists", autospec=True\n)\ndef test_a(e):\n    mock.sentinel\n'
    ),
    "trailing comma": (
        "from unittest import mock\n\n\ndef test_a():\n    with mock.patch(\n"
        '        "os.path.exists",\n        autospec=True,\n    ):\n        mock.sentinel\n'
    ),
    "no import at all, a coding line": (
        "# -*- coding: utf-8 -*-\n# a header\n\n\ndef test_a():\n    from unittest import mock\n\n"
        '    with mock.patch("os.path.exists", autospec=True):\n        mock.sentinel\n'
    ),
    "a docstring and no import": (
        '"""Tests."""\n\n\ndef test_a():\n    from unittest import mock\n\n'
        '    with mock.patch("os.path.exists", autospec=True):\n        mock.sentinel\n'
    ),
    "CRLF, no final newline": (
        'import os\r\nfrom unittest import mock\r\n\r\n\r\n@mock.patch("os.path.exists")\r\n'
        "def test_a(e):\r\n    mock.sentinel"
    ),
    "text that is not ASCII before the callee": (
        "from unittest import mock\n\n\ndef test_a():\n"
        '    name = "été"; p = mock.patch("os.path.exists")\n    mock.sentinel\n'
    ),
    "a mock import left unread": (
        "import os\nfrom unittest.mock import patch\nimport mock\n\n\n"
        '@patch("os.path.exists")\n@mock.patch("os.path.isdir")\ndef test_a(e, d):\n    pass\n'
    ),
    "an import sharing its line": (
        'import os; X = 1\nfrom unittest import mock\n\n\n@mock.patch("os.path.exists")\n'
        "def test_a(e):\n    mock.sentinel\n"
    ),
}
# The edits the text splice leaves to the codemod.
TO_THE_CODEMOD = {
    "a comment beside the dropped argument": (
        'from unittest import mock\n\n\n@mock.patch(\n    "os.path.exists",\n'
        "    autospec=True,  # strict\n    return_value=1,\n)\ndef test_a(e):\n    mock.sentinel\n"
    ),
    "a mock import left unread, with another name": (
        "from unittest.mock import MagicMock, patch\n\n\n"
        '@patch("os.path.exists")\ndef test_a(e):\n    pass\n'
    ),
}


def _both_ways(text: str, tmp_path: Path) -> tuple[str | None, str]:
    import libcst as cst
    from libcst.codemod import CodemodContext

    from mockguard.config import load_settings
    from mockguard.fix.command import ReplaceAdHocMocksCommand, plan_source
    from mockguard.fix.splice import splice_patches

    settings = load_settings(start=tmp_path)
    plan = plan_source(text, "utf-8", "test_a.py", settings)
    assert plan.rewrites and all(r.patch for r in plan.rewrites)
    command = ReplaceAdHocMocksCommand(CodemodContext(filename="test_a.py"), settings, plan=plan)
    by_codemod = command.transform_module(cst.parse_module(text.encode())).code
    return splice_patches(text, plan), by_codemod


@pytest.mark.parametrize("case", sorted(SPLICED))
def test_the_text_splice_rewrites_as_the_codemod_does(case: str, tmp_path: Path) -> None:
    spliced, by_codemod = _both_ways(SPLICED[case], tmp_path)
    assert spliced == by_codemod
    assert "mockguard.factory.patch(" in spliced
    assert "autospec" not in spliced
    assert spliced.count("import mockguard.factory") == 1
    compile(spliced, "test_a.py", "exec")


@pytest.mark.parametrize("case", sorted(TO_THE_CODEMOD))
def test_what_the_text_splice_leaves_to_the_codemod(case: str, tmp_path: Path) -> None:
    spliced, by_codemod = _both_ways(TO_THE_CODEMOD[case], tmp_path)
    assert spliced is None
    assert "mockguard.factory.patch(" in by_codemod


def test_a_patch_rewrite_keeps_the_files_bom_and_line_endings(run_cli, tmp_path: Path) -> None:
    source = '\ufeffimport os\r\nfrom unittest import mock\r\n\r\n\r\n@mock.patch("os.path.exists")\r\ndef test_a(e):\r\n    mock.sentinel\r\n'
    target = tmp_path / "test_bom.py"
    target.write_bytes(source.encode("utf-8"))
    result = run_cli("fix", "--write", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = target.read_bytes()
    assert written.startswith(b"\xef\xbb\xbfimport os\r\n")
    assert b'@mockguard.factory.patch("os.path.exists")\r\n' in written
    assert b"import mockguard.factory\r\n" in written
    assert b"\n" not in written.replace(b"\r\n", b"")


# Three tests in one file: only the middle one's rewrite changes its outcome.
MIXED = """\
from unittest import mock

from app import clock


def test_first():
    with mock.patch("app.clock.now", return_value=5):
        assert clock.now() == 5


def test_wrong_call():
    with mock.patch("app.clock.elapsed", return_value=2):
        assert clock.elapsed(1) == 2


def test_last():
    with mock.patch("time.sleep") as sleep:
        import time

        time.sleep(1)
        assert sleep.called
"""
# The breaking rewrite is in a fixture, outside the test whose outcome it changes.
FIXTURE = """\
from unittest import mock

import pytest

from app import clock


@pytest.fixture
def elapsed():
    with mock.patch("app.clock.elapsed", return_value=2) as patched:
        yield patched


def test_uses_the_fixture(elapsed):
    assert clock.elapsed(1) == 2


def test_alone():
    with mock.patch("app.clock.now", return_value=5):
        assert clock.now() == 5
"""


def test_only_the_rewrites_that_change_an_outcome_are_taken_back(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_clock.py").unlink()
    (root / "tests" / "test_mixed.py").write_text(MIXED)
    (root / "tests" / "test_fixture.py").write_text(FIXTURE)
    pytest_command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    result = run_cli(
        "fix", "--write", "--format", "json", "--check-tests", pytest_command, ".", cwd=root
    )
    assert result.returncode == 2, result.stderr
    assert (
        "kept 2 of 3 rewrite(s) in tests/test_mixed.py; took back 1: "
        "tests.test_mixed::test_wrong_call passed -> failed" in result.stderr
    )
    assert "kept 1 of 2 rewrite(s) in tests/test_fixture.py; took back 1: " in result.stderr
    assert "error: reverted 0 file(s) and 2 rewrite(s) in 2 other" in result.stderr
    mixed = (root / "tests" / "test_mixed.py").read_text()
    assert 'mockguard.factory.patch("app.clock.now", return_value=5)' in mixed
    assert 'mock.patch("app.clock.elapsed", return_value=2)' in mixed
    assert 'mockguard.factory.patch("time.sleep")' in mixed
    fixture = (root / "tests" / "test_fixture.py").read_text()
    assert 'with mock.patch("app.clock.elapsed", return_value=2) as patched' in fixture
    assert 'mockguard.factory.patch("app.clock.now", return_value=5)' in fixture
    document = json.loads(result.stdout)
    assert document["rewritten"] == 3
    taken = [
        (f["path"], s["line"])
        for f in document["files"]
        for s in f["skips"]
        if s["group"] == "reverted: it changed test outcomes"
    ]
    assert sorted(taken) == [("tests/test_fixture.py", 10), ("tests/test_mixed.py", 12)]
    # What is kept passes the suite as before.
    after = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "1 failed" not in after.stdout and after.returncode == 0, after.stdout


# A fixture in conftest.py whose rewrite breaks a test in another file: no stage that looks
# inside the changed tests finds it, so the files are reverted one at a time.
CONFTEST = """\
from unittest import mock

import pytest


@pytest.fixture
def elapsed():
    with mock.patch("app.clock.elapsed", return_value=2) as patched:
        yield patched


@pytest.fixture
def now():
    with mock.patch("app.clock.now", return_value=5) as patched:
        yield patched
"""
USES_CONFTEST = """\
from app import clock


def test_elapsed(elapsed):
    assert clock.elapsed(1) == 2


def test_now(now):
    assert clock.now() == 5
"""


def test_a_rewrite_outside_the_changed_tests_file_is_found_file_by_file(
    run_cli, tmp_path: Path
) -> None:
    root = _project(tmp_path)
    (root / "tests" / "conftest.py").write_text(CONFTEST)
    (root / "tests" / "test_uses.py").write_text(USES_CONFTEST)
    result = _fix_checked(run_cli, root, 2)
    assert (
        "kept 1 of 2 rewrite(s) in tests/conftest.py; took back 1: "
        "tests.test_uses::test_elapsed passed -> failed" in result.stderr
    )
    conftest = (root / "tests" / "conftest.py").read_text()
    assert 'with mock.patch("app.clock.elapsed", return_value=2) as patched' in conftest
    assert 'mockguard.factory.patch("app.clock.now", return_value=5) as patched' in conftest
    assert "mockguard.factory.patch" in (root / "tests" / "test_clock.py").read_text()


# Twenty harmless patches, then a base class whose fixture's rewrite breaks a test of its
# subclass: no stage that looks at the changed test holds a rewrite, so the file is
# reverted and its rewrites are given back by halves until only the fixture's is left.
HARMLESS = "".join(
    f"""
    def test_now_{n}(self):
        with mock.patch("app.clock.now", return_value={n}):
            assert clock.now() == {n}
"""
    for n in range(20)
)
BASE_FIXTURE = f"""\
from unittest import mock

import pytest

from app import clock


class TestHarmless:{HARMLESS}

class Base:
    @pytest.fixture
    def elapsed(self):
        with mock.patch("app.clock.elapsed", return_value=2) as patched:
            yield patched


class TestUses(Base):
    def test_elapsed(self, elapsed):
        assert clock.elapsed(1) == 2
"""


def test_a_reverted_files_rewrites_are_given_back_but_the_culprit(run_cli, tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_classes.py").write_text(BASE_FIXTURE)
    result = _fix_checked(run_cli, root, 2)
    assert (
        "kept 20 of 21 rewrite(s) in tests/test_classes.py; took back 1: "
        "tests.test_classes.TestUses::test_elapsed passed -> failed" in result.stderr
    )
    text = (root / "tests" / "test_classes.py").read_text()
    assert 'with mock.patch("app.clock.elapsed", return_value=2) as patched' in text
    assert text.count("mockguard.factory.patch(") == 20
    # a second run tries the fixture's patch again, and takes it back again
    _fix_checked(run_cli, root, 2)
    assert (root / "tests" / "test_classes.py").read_text() == text


CHANNEL = """\
class Channel:
    timeout = None

    def close(self, code=0):
        return code
"""
CHANNEL_TESTS = """\
from unittest import mock

from app.channel import Channel


def test_real_object():
    channel = Channel()
    with mock.patch.object(channel, "close", return_value=5) as close:
        assert channel.close(1) == 5
    close.assert_called_once_with(1)


def test_onto_a_mock():
    channel = mock.MagicMock()
    with mock.patch.object(channel, "close"):
        pass


def test_onto_a_class():
    with mock.patch.object(Channel, "close"):
        pass
"""


def test_a_patch_of_an_object_the_test_holds(run_cli, tmp_path: Path) -> None:
    root = tmp_path
    (root / "app").mkdir()
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "channel.py").write_text(CHANNEL)
    (root / "tests" / "test_channel.py").write_text(CHANNEL_TESTS)
    plan = json.loads(run_cli("fix", "--format", "json", ".", cwd=root).stdout)
    [module] = plan["files"]
    assert [(r["line"], r["call"]) for r in module["rewrites"]] == [
        (8, "mockguard.factory.patch.object")
    ]
    skips = {s["line"]: s["reason"] for s in module["skips"]}
    assert skips[15] == (
        "it patches a mock, not a real object: `channel` is bound to a mock (line 14)"
    )
    assert skips[20] == (
        "its target is not what a module binds: `app.channel.Channel.close` is a member of "
        "the class `Channel` (its double would take `self`)"
    )
    result = _fix_checked(run_cli, root, 0)
    assert "no test outcome changed (3 test(s)" in result.stdout
    text = (root / "tests" / "test_channel.py").read_text()
    assert 'with mockguard.factory.patch.object(channel, "close", return_value=5) as close' in text


def test_the_factory_patches_a_bound_method_and_refuses_a_plain_value() -> None:
    from mockguard.factory import KindError, patch

    class Channel:
        timeout = None

        def close(self, code: int = 0) -> int:
            return code

    channel = Channel()
    with patch.object(channel, "close", return_value=5) as close:
        assert channel.close(1) == 5
        with pytest.raises(TypeError):
            channel.close(1, 2, 3)  # the real signature, without `self`
    close.assert_called_once_with(1)
    with pytest.raises(KindError, match="NoneType has no interface"):
        patch.object(channel, "timeout")


def test_a_target_written_with_the_modules_constants(run_cli, tmp_path: Path) -> None:
    tree = ast.parse('MODULE = "app.clock"\nSUB = MODULE + ".path"\nTWICE = "x"\nTWICE = "y"\n')
    constants = module_constants(tree)
    assert constants == {"MODULE": "app.clock", "SUB": "app.clock.path"}

    def text(source: str) -> str | None:
        return static_text(ast.parse(source, mode="eval").body, constants)

    assert text('MODULE + ".now"') == "app.clock.now"
    assert text('f"{SUB}.exists"') == "app.clock.path.exists"
    assert text('f"{SUB!r}"') is None
    assert text('TWICE + ".x"') is None  # bound twice: not a constant
    assert text('name + ".x"') is None

    root = _project(tmp_path)
    (root / "tests" / "test_clock.py").write_text(
        "from unittest import mock\n\nCLOCK = 'app.clock'\n\n\n"
        "@mock.patch(CLOCK + '.now', return_value=5)\ndef test_now(now):\n    pass\n"
    )
    plan = json.loads(run_cli("fix", "--format", "json", ".", cwd=root).stdout)
    assert [(r["line"], r["call"]) for f in plan["files"] for r in f["rewrites"]] == [
        (6, "mockguard.factory.patch")
    ]
