"""In-house mock factories: a project's own `*MockFactory` classes with `create*` methods,
their instances and the fixtures that hand them out are factory calls, with no config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mockguard.config import Settings, load_settings
from mockguard.findings import CompliantCall
from mockguard.scan.engine import scan_file, scan_source
from mockguard.scan.factories import FactoryRegistry, ModuleFactories

FACTORY = """\
from unittest.mock import MagicMock


class BaseMockFactory:
    def create_agent_mock(self):
        return MagicMock()


class AppMockFactory(BaseMockFactory):
    \"\"\"The suite's own factory.\"\"\"

    @staticmethod
    def create_websocket_mock(user_id="u"):
        return MagicMock()

    def create_database_session_mock(self):
        return MagicMock()

    def register(self, name):
        pass


class InheritedMockFactory(BaseMockFactory):
    pass


class FooMockFactory:
    def build(self):
        return MagicMock()
"""

CONFTEST = """\
import pytest

from tests.support.factory import AppMockFactory, FooMockFactory


@pytest.fixture
def app_factory():
    return AppMockFactory()


@pytest.fixture
def factory_class():
    yield AppMockFactory


@pytest.fixture(name="named_factory")
def _named():
    factory = AppMockFactory()
    return factory


@pytest.fixture
def foo_factory():
    return FooMockFactory()


@pytest.fixture
def websocket():
    return AppMockFactory.create_websocket_mock()
"""

TEST_APP = """\
from unittest.mock import MagicMock

from thirdparty.testing import XMockFactory
from tests.support.factory import AppMockFactory, FooMockFactory, InheritedMockFactory


def test_class():
    ws = AppMockFactory.create_websocket_mock(user_id="alice")
    helper = MagicMock()


def test_instance():
    f = AppMockFactory()
    db = f.create_database_session_mock()
    inline = AppMockFactory().create_agent_mock()


def test_fixture(app_factory, factory_class, named_factory):
    ws = app_factory.create_websocket_mock()
    db = factory_class.create_database_session_mock()
    agent = named_factory.create_agent_mock()


def test_inherited():
    InheritedMockFactory().create_agent_mock()


def test_not_factories(foo_factory, websocket):
    XMockFactory.create_websocket_mock()
    FooMockFactory().create_thing()
    foo_factory.create_thing()
    websocket.create_anything()
    AppMockFactory().register("x")


class TestKept:
    def setup_method(self):
        self.factory = AppMockFactory()

    def test_kept(self):
        self.factory.create_websocket_mock()
        self.other.create_websocket_mock()
"""

# (line, call, category) of every compliant site of TEST_APP.
EXPECTED = {
    (8, "AppMockFactory.create_websocket_mock", "websocket"),
    (14, "f.create_database_session_mock", "database"),
    (15, "AppMockFactory().create_agent_mock", "agent"),
    (19, "app_factory.create_websocket_mock", "websocket"),
    (20, "factory_class.create_database_session_mock", "database"),
    (21, "named_factory.create_agent_mock", "agent"),
    (25, "InheritedMockFactory().create_agent_mock", "agent"),
    (41, "self.factory.create_websocket_mock", "websocket"),
}
# And one in the conftest.py: its `websocket` fixture makes its double through the factory.
TOTAL = len(EXPECTED) + 1


def write_project(root: Path, files: dict[str, str] | None = None) -> Path:
    """The fixture project: tests/support/factory.py, tests/conftest.py, a test module."""
    layout = {
        "tests/__init__.py": "",
        "tests/support/__init__.py": "",
        "tests/support/factory.py": FACTORY,
        "tests/conftest.py": CONFTEST,
        "tests/test_app.py": TEST_APP,
        **(files or {}),
    }
    for name, text in layout.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def mockguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m mockguard ...`, as a user runs it."""
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "XDG_CACHE_HOME": str(cwd.parent / "xdg"),
    }
    return subprocess.run(
        [sys.executable, "-m", "mockguard", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def scan_json(cwd: Path, *args: str) -> dict:
    result = mockguard("scan", ".", "--format", "json", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def sites(document: dict, path: str = "tests/test_app.py") -> set[tuple[int, str, str]]:
    return {
        (c["line"], c["call"], c["category"]) for c in document["compliant"] if c["path"] == path
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


# ------------------------------------------------------------------- as a user runs it


def test_in_house_factory_calls_are_listed_in_json_with_no_config(project: Path) -> None:
    document = scan_json(project)
    assert sites(document) == EXPECTED
    summary = document["summary"]
    assert summary["compliant"] == TOTAL
    assert sites(document, "tests/conftest.py") == {
        (29, "AppMockFactory.create_websocket_mock", "websocket")
    }
    assert summary["by_category"]["websocket"]["compliant"] == 4
    assert summary["adoption"] > 0
    first = next(c for c in document["compliant"] if c["line"] == 8)
    assert first == {
        "path": "tests/test_app.py",
        "line": 8,
        "column": 10,
        "category": "websocket",
        "call": "AppMockFactory.create_websocket_mock",
        "scope": "test_class",
    }


def test_the_negatives_are_not_factories(project: Path) -> None:
    calls = {c["call"] for c in scan_json(project)["compliant"]}
    for call in (
        "XMockFactory.create_websocket_mock",  # imported from a library: not the project's
        "FooMockFactory().create_thing",  # the project's, but without create* methods
        "foo_factory.create_thing",  # a fixture handing out that class
        "websocket.create_anything",  # a fixture handing out a double, not a factory
        'AppMockFactory().register("x")',  # not a creation method
        "self.other.create_websocket_mock",  # nothing kept there
    ):
        assert call not in calls


def test_adoption_is_not_zero_in_the_text_table(project: Path) -> None:
    result = mockguard("scan", ".", "--summary", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    total = next(line for line in result.stdout.splitlines() if line.startswith("│ Total"))
    cells = [cell.strip() for cell in total.split("│") if cell.strip()]
    assert cells[-2] == str(TOTAL), total  # Compliant
    assert cells[-1] != "0.0%" and cells[-1].endswith("%"), total  # Adoption


def test_show_compliant_prints_each_site_after_the_findings(project: Path) -> None:
    result = mockguard("scan", ".", "--show-compliant", "--no-cache", cwd=project)
    lines = result.stdout.splitlines()
    compliant = [line for line in lines if ": compliant " in line]
    assert (
        "tests/test_app.py:8:10: compliant AppMockFactory.create_websocket_mock [websocket]"
        in compliant
    )
    assert len(compliant) == TOTAL
    heading = lines.index(f"{TOTAL} compliant factory calls:")
    last_finding = max(i for i, line in enumerate(lines) if ": MG" in line)
    assert heading > last_finding
    plain = mockguard("scan", ".", "--no-cache", cwd=project)
    assert ": compliant " not in plain.stdout
    quiet = mockguard("scan", ".", "-q", "--show-compliant", "--no-cache", cwd=project)
    assert sum(": compliant " in line for line in quiet.stdout.splitlines()) == TOTAL


def test_init_writes_the_factories_it_finds(project: Path) -> None:
    result = mockguard("init", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "tests.support.factory.AppMockFactory (tests/support/factory.py)" in result.stdout
    assert "tests.support.factory.InheritedMockFactory" in result.stdout
    assert "FooMockFactory" not in result.stdout
    assert "app_factory -> tests.support.factory.AppMockFactory" in result.stdout
    settings = load_settings(project / "mockguard.toml")
    assert "tests.support.factory.AppMockFactory" in settings.factories
    assert "tests.support.factory.FooMockFactory" not in settings.factories
    assert "mockguard.SSotMockFactory" in settings.factories  # the defaults are kept
    assert {"mock_factory", "app_factory", "factory_class", "named_factory"} <= set(
        settings.factory_fixtures
    )
    assert "foo_factory" not in settings.factory_fixtures
    # The written config scans the same calls.
    assert sites(scan_json(project)) == EXPECTED


def test_init_into_pyproject_and_without_factories(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    result = mockguard("init", "--pyproject", cwd=project)
    assert result.returncode == 0, result.stderr
    settings = load_settings(project / "pyproject.toml")
    assert "tests.support.factory.AppMockFactory" in settings.factories
    bare = tmp_path / "bare"
    (bare / "tests").mkdir(parents=True)
    (bare / "tests" / "test_x.py").write_text("def test():\n    pass\n")
    result = mockguard("init", cwd=bare)
    assert result.returncode == 0, result.stderr
    assert "no in-house mock factory found" in result.stdout
    assert "found in" not in (bare / "mockguard.toml").read_text()


def test_init_finds_only_classes_the_code_defines(tmp_path: Path) -> None:
    from mockguard.starter import describe, find_in_house

    in_string = 'TEXT = """\nclass StringMockFactory:\n    def create_x(self):\n        pass\n"""\n'
    project = write_project(tmp_path / "p", {"tests/test_text.py": in_string})
    found = find_in_house(project)
    names = [f.qualname for f in found.factories]
    assert names == [
        "tests.support.factory.AppMockFactory",
        "tests.support.factory.BaseMockFactory",
        "tests.support.factory.InheritedMockFactory",
    ]
    assert found.factories[0].creators == (
        "create_database_session_mock",
        "create_websocket_mock",
    )
    assert found.fixtures == {
        name: "tests.support.factory.AppMockFactory"
        for name in ("app_factory", "factory_class", "named_factory")
    }
    assert describe(found)[-1] == "listed in `factories` and `factory-fixtures`"


@pytest.mark.parametrize(
    "entry", ["!tests.support.factory.AppMockFactory", "!tests.support.*", "!*"]
)
def test_an_excluded_factory_is_not_recognised(project: Path, entry: str) -> None:
    (project / "mockguard.toml").write_text(f'factories = ["mockguard.MockFactory", "{entry}"]\n')
    calls = {call for _, call, _ in sites(scan_json(project, "--no-cache"))}
    assert not any("AppMockFactory" in call or "app_factory" in call for call in calls)
    if entry == "!tests.support.factory.AppMockFactory":
        assert "InheritedMockFactory().create_agent_mock" in calls  # only that one is out


def test_a_configured_factory_need_not_be_named_mock_factory(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "project",
        {
            "tests/support/doubles.py": "class Doubles:\n    def make(self):\n        pass\n",
            "tests/conftest.py": (
                "import pytest\nfrom tests.support.doubles import Doubles\n\n"
                "@pytest.fixture\ndef doubles():\n    return Doubles()\n"
            ),
            "tests/test_app.py": (
                "from unittest.mock import MagicMock\n\n"
                "def test(doubles):\n    doubles.create_websocket_mock()\n"
            ),
        },
    )
    (project / "mockguard.toml").write_text('factories = ["tests.support.doubles.Doubles"]\n')
    assert sites(scan_json(project)) == {(4, "doubles.create_websocket_mock", "websocket")}


# ------------------------------------------------------------------------- in process


def scan_in(root: Path, relative: str = "tests/test_app.py", **settings: object) -> list:
    """The compliant calls of one file of a project, scanned from the project's root."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = scan_file(relative, Settings(root=root, **settings))  # type: ignore[arg-type]
    finally:
        os.chdir(cwd)
    return [(c.line, c.call) for c in result.compliant_calls]


def test_the_nearest_conftest_decides(tmp_path: Path) -> None:
    test = "from unittest.mock import MagicMock\n\ndef test(app_factory):\n    app_factory.create_websocket_mock()\n"
    project = write_project(
        tmp_path / "p",
        {
            "tests/unit/__init__.py": "",
            "tests/unit/test_near.py": test,
            "tests/other/test_far.py": test,
            # Overrides the fixture with one that hands out no factory.
            "tests/unit/conftest.py": "import pytest\n\n@pytest.fixture\ndef app_factory():\n    return object()\n",
        },
    )
    assert scan_in(project, "tests/unit/test_near.py") == []
    assert scan_in(project, "tests/other/test_far.py") == [(4, "app_factory.create_websocket_mock")]


def test_a_fixture_of_the_test_module_itself(tmp_path: Path) -> None:
    test = """\
import pytest
from unittest.mock import MagicMock
from .support.factory import AppMockFactory as Factory


@pytest.fixture
def local_factory():
    return Factory()


def test(local_factory):
    local_factory.create_websocket_mock()
"""
    project = write_project(tmp_path / "p", {"tests/test_app.py": test})
    assert scan_in(project) == [(12, "local_factory.create_websocket_mock")]


def test_a_factory_defined_in_the_conftest_and_a_class_attribute(tmp_path: Path) -> None:
    conftest = """\
import pytest


class LocalMockFactory:
    def create_agent_mock(self):
        pass


@pytest.fixture
def local():
    return LocalMockFactory()
"""
    test = """\
from unittest.mock import MagicMock
from tests.support.factory import AppMockFactory


class TestX:
    factory = AppMockFactory()

    def test(self, local):
        local.create_agent_mock()
        self.factory.create_websocket_mock()
"""
    project = write_project(
        tmp_path / "p", {"tests/conftest.py": conftest, "tests/test_app.py": test}
    )
    assert scan_in(project) == [
        (9, "local.create_agent_mock"),
        (10, "self.factory.create_websocket_mock"),
    ]


def test_a_factory_in_a_src_layout(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p",
        {
            "src/app/testing.py": "class AppMockFactory:\n    def create_tool_mock(self):\n        pass\n",
            "tests/test_app.py": (
                "from unittest.mock import MagicMock\nfrom app.testing import AppMockFactory\n\n"
                "def test():\n    AppMockFactory().create_tool_mock()\n"
            ),
        },
    )
    assert scan_in(project) == [(5, "AppMockFactory().create_tool_mock")]


def test_a_mock_factory_outside_the_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ext.py").write_text(
        "class ExtMockFactory:\n    def create_x(self):\n        pass\n"
    )
    project = write_project(
        tmp_path / "p",
        {
            "tests/test_app.py": (
                "from unittest.mock import MagicMock\nfrom tests.ext import ExtMockFactory\n\n"
                "def test():\n    ExtMockFactory.create_x()\n"
            )
        },
    )
    (project / "tests" / "ext.py").symlink_to(outside / "ext.py")
    assert scan_in(project) == []


def test_defines_factory_tells_the_factory_definition(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p")
    settings = Settings(root=project)
    registry = FactoryRegistry(settings)
    import ast

    path = str(project / "tests/support/factory.py")
    module = ModuleFactories(registry, path, ast.parse(FACTORY))
    assert module.defines_factory("AppMockFactory")
    assert module.defines_factory("InheritedMockFactory")
    assert not module.defines_factory("FooMockFactory")
    assert not module.defines_factory("BaseMockFactoryX")


def test_columns_are_characters_on_non_ascii_lines(tmp_path: Path) -> None:
    source = (
        "from mockguard import SSotMockFactory\n"
        "def test():\n"
        "    é = 'ü'; ws = SSotMockFactory.create_websocket_mock()\n"
    ).encode()
    (call,) = scan_source(source, str(tmp_path / "x.py"), Settings(root=tmp_path)).compliant_calls
    assert call == CompliantCall(
        str(tmp_path / "x.py"), 3, 18, "websocket", "SSotMockFactory.create_websocket_mock", "test"
    )


def test_the_kind_argument_is_part_of_the_call() -> None:
    source = b"""\
def test(mock_factory):
    mock_factory.create("database_session")
    mock_factory.create(kind)
"""
    result = scan_source(source, "x.py", Settings())
    assert [(c.call, c.category) for c in result.compliant_calls] == [
        ('mock_factory.create("database_session")', "database"),
        ("mock_factory.create", "generic"),
    ]


# The byte pre-filter must let through a file in which no mock word appears as a word:
# `AppMockFactory` is not the word `Mock`, and a fixture's name is known only from the
# conftest.py files.
PREFILTERED = {
    "fixture only": "def test(app_factory):\n    app_factory.create_websocket_mock()\n",
    "class from a module not named factory": (
        "from tests.support import AppMockFactory\n\n"
        "def test():\n    AppMockFactory.create_websocket_mock()\n"
    ),
}


@pytest.mark.parametrize("name", list(PREFILTERED))
def test_a_file_with_no_mock_word_is_still_scanned(tmp_path: Path, name: str) -> None:
    project = write_project(
        tmp_path / "p",
        {
            "tests/support/__init__.py": "from tests.support.factory import AppMockFactory\n",
            "tests/test_app.py": PREFILTERED[name],
        },
    )
    assert scan_in(project) != []


def test_a_fixture_handing_on_a_parent_conftests_factory_is_seen(tmp_path: Path) -> None:
    # The inner conftest.py names no factory class: only the outer fixture's name says it
    # hands one out, so its bytes must not be skipped.
    project = write_project(
        tmp_path / "p",
        {
            "tests/conftest.py": (
                "import pytest\nfrom tests.support.factory import AppMockFactory\n\n"
                "@pytest.fixture\ndef doubles_root():\n    return AppMockFactory()\n"
            ),
            "tests/unit/__init__.py": "",
            "tests/unit/conftest.py": (
                "import pytest\n\n@pytest.fixture\ndef doubles(doubles_root):\n"
                "    return doubles_root\n"
            ),
            "tests/unit/test_app.py": "def test(doubles):\n    doubles.create_websocket_mock()\n",
        },
    )
    assert scan_in(project, "tests/unit/test_app.py") == [(2, "doubles.create_websocket_mock")]


def test_a_conftest_that_gains_a_factory_fixture_rescans_the_tests_it_serves(
    tmp_path: Path,
) -> None:
    project = write_project(
        tmp_path / "p",
        {"tests/conftest.py": "", "tests/test_app.py": PREFILTERED["fixture only"]},
    )
    assert sites(scan_json(project)) == set()  # cached: the file holds no mock word
    (project / "tests/conftest.py").write_text(textwrap.dedent(CONFTEST))
    assert sites(scan_json(project)) == {(2, "app_factory.create_websocket_mock", "websocket")}


def test_the_factory_class_itself_is_no_hand_written_double(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p")
    document = scan_json(project, "--no-cache")
    doubles = {
        f["message"]
        for f in document["findings"]
        if f["code"] == "MG301" and f["path"] == "tests/support/factory.py"
    }
    # FooMockFactory has no create* method: not a factory, so a hand-written double
    assert doubles == {"class `FooMockFactory` is a hand-written test double"}
