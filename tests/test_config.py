"""Config validation, in-process: every error names the file and the full key."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from mockguard.categories import BUILTIN_CATEGORIES
from mockguard.config import ConfigError, Settings, load_settings, parse_table, with_test_files

SOURCE = Path("pyproject.toml")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"exlude": []}, "unknown key `tool.mockguard.exlude` (did you mean 'exclude'?)"),
        ({"paths": 3}, "`tool.mockguard.paths` must be a list of strings"),
        ({"respect-gitignore": "yes"}, "`tool.mockguard.respect-gitignore` must be true or false"),
        ({"max-file-size": 0}, "`tool.mockguard.max-file-size` must be an integer >= 1"),
        ({"jobs": True}, "`tool.mockguard.jobs` must be an integer >= 0"),
        ({"select": ["MG11"]}, "names an unknown rule 'MG11' (did you mean 'MG101'?)"),
        ({"severity": {"MG101": "fatal"}}, "`tool.mockguard.severity.MG101` must be one of"),
        ({"severity": {"MG999": "error"}}, "`tool.mockguard.severity.MG999` is not a rule"),
        (
            {"categories": {"http": {"name": ["x"]}}},
            "unknown key `tool.mockguard.categories.http.name` (did you mean 'names'?)",
        ),
        ({"categories": {"http": []}}, "`tool.mockguard.categories.http` must be a table"),
        ({"categories": {"generic": {}}}, "`tool.mockguard.categories.generic` is the fallback"),
        (
            {"format": "xml"},
            "`tool.mockguard.format` must be one of text, json, sarif, github, html, not 'xml'",
        ),
    ],
)
def test_bad_values_are_one_line_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_table(table, SOURCE, "tool.mockguard.")
    text = str(caught.value)
    assert text.startswith("pyproject.toml: ")
    assert message in text
    assert "\n" not in text


def test_custom_categories_come_first_and_builtins_extend() -> None:
    values = parse_table(
        {
            "categories": {
                "http": {"names": ["http"], "severity": "warning"},
                "websocket": {"attributes": ["push_event"]},
            }
        },
        SOURCE,
    )
    names = [c.name for c in values["categories"]]
    assert names == ["http", *(c.name for c in BUILTIN_CATEGORIES)]
    websocket = next(c for c in values["categories"] if c.name == "websocket")
    assert "push_event" in websocket.attributes and "send_json" in websocket.attributes


def test_ignore_removes_from_select() -> None:
    assert parse_table({"ignore": ["MG301"]}, SOURCE)["select"] == ("MG101", "MG102", "MG201")


def test_mockguard_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mockguard]\nformat = 'json'\n")
    (tmp_path / "mockguard.toml").write_text("format = 'text'\njobs = 3\n")
    settings = load_settings(start=tmp_path)
    assert settings.config_path is not None and settings.config_path.name == "mockguard.toml"
    assert (settings.format, settings.jobs) == ("text", 3)


def test_config_is_found_in_a_parent_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mockguard]\nextend-exclude = ['gen']\n")
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    settings = load_settings(start=tmp_path / "tests" / "unit")
    assert settings.extend_exclude == ("gen",)
    assert settings.root == tmp_path.resolve()


def test_pyproject_without_a_section_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_settings(start=tmp_path).config_path is None


def test_kinds_and_events_tables() -> None:
    values = parse_table(
        {
            "kinds": {
                "agent": {"interface": "app.agents:Agent", "defaults": {"run": "ok"}},
                "clock": {"interface": "app.clock:Clock", "category": "generic"},
            },
            "events": {
                "style": "nested",
                "names": ["started", "done"],
                "required-keys": {"done": ["run_id"]},
            },
        },
        SOURCE,
        "tool.mockguard.",
    )
    agent, clock = values["kinds"]
    assert (agent.name, agent.interface, agent.defaults) == (
        "agent",
        "app.agents:Agent",
        {"run": "ok"},
    )
    assert (clock.category, clock.production) == ("generic", None)
    events = values["events"]
    assert (events.style, events.names, events.required_keys) == (
        "nested",
        ("started", "done"),
        (("done", ("run_id",)),),
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"kinds": {"agent": {"interfase": "a:B"}}},
            "unknown key `tool.mockguard.kinds.agent.interfase` (did you mean 'interface'?)",
        ),
        (
            {"kinds": {"agent": {"interface": "Agent"}}},
            "`tool.mockguard.kinds.agent.interface` must be an import path",
        ),
        (
            {"kinds": {"agent": {"defaults": 3}}},
            "`tool.mockguard.kinds.agent.defaults` must be a table",
        ),
        (
            {"events": {"style": "deep"}},
            "`tool.mockguard.events.style` must be one of flat, nested",
        ),
        ({"events": {"required-keys": {"done": "run_id"}}}, None),
    ],
)
def test_bad_kinds_and_events(table: dict[str, object], message: str | None) -> None:
    if message is None:
        # A single string is accepted as a one-item list, like every list setting.
        assert parse_table(table, SOURCE, "tool.mockguard.")["events"].required_keys == (
            ("done", ("run_id",)),
        )
        return
    with pytest.raises(ConfigError) as caught:
        parse_table(table, SOURCE, "tool.mockguard.")
    assert message in str(caught.value)


def test_configured_kinds_build_a_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockguard.factory import KindError, MockFactory

    (tmp_path / "clockmod.py").write_text(
        "class Clock:\n    def now(self) -> float:\n        return 0.0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "mockguard.toml").write_text(
        '[kinds.clock]\ninterface = "clockmod:Clock"\ndefaults = { now = 5.0 }\n'
        '[kinds.agent]\ndefaults = { name = "planner" }\n'
        '[events]\nstyle = "nested"\n'
    )
    factory = MockFactory.from_settings(load_settings(start=tmp_path))
    assert factory.create("clock").now() == 5.0
    assert factory.create("agent").name == "planner"  # a built-in kind, its defaults extended
    assert factory.contract.style == "nested"
    (tmp_path / "mockguard.toml").write_text(
        '[kinds.clock]\ninterface = "clockmod:Clock"\ndefaults = { tick = 1 }\n'
    )
    with pytest.raises(KindError, match=r"default `tick`: clockmod\.Clock has no attribute `tick`"):
        MockFactory.from_settings(load_settings(start=tmp_path))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (".", "leads to the project root itself"),
        ("..", "outside the project"),
        ("../sibling/cache", "outside the project"),
        ("sub/../../x", "outside the project"),
        ("/tmp", "outside the project"),
        ("out/cache", "outside the project"),  # out is a link to a folder outside
        ("in", "must not be a symbolic link"),  # in is a link to a folder inside
    ],
)
@pytest.mark.parametrize("key", ["cache-dir", "baseline"])
def test_written_paths_stay_inside_the_project(
    tmp_path: Path, key: str, value: str, problem: str
) -> None:
    project = tmp_path / "project"
    (project / "real").mkdir(parents=True)
    (tmp_path / "sibling").mkdir()
    (project / "out").symlink_to(tmp_path / "sibling")
    (project / "in").symlink_to(project / "real")
    (project / "pyproject.toml").write_text(f'[tool.mockguard]\n{key} = "{value}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(start=project)
    assert f"`tool.mockguard.{key}` must" in str(caught.value)
    assert problem in str(caught.value)
    (project / "pyproject.toml").write_text(f'[tool.mockguard]\n{key} = "real/x"\n')
    assert load_settings(start=project).root == project.resolve()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = " + "[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
        ("x = " + "{a = " * 5_000 + "1" + "}" * 5_000, "nested deeper than 64 levels"),
        ("a" + ".a" * 100_000 + " = 1", "nested deeper than 64 levels"),
        ("[a" + ".a" * 100_000 + "]", "nested deeper than 64 levels"),
        ("# " + "x" * (3 * 1024 * 1024), "larger than 2097152 bytes"),
    ],
    ids=["arrays", "inline-tables", "dotted-key", "table-header", "huge"],
)
def test_pathological_config_files_are_one_line_errors(
    run_cli, tmp_path: Path, text: str, message: str
) -> None:
    """The parser is never handed a file that would take it minutes, gigabytes or the
    whole stack."""
    (tmp_path / "mockguard.toml").write_text(text + "\n")
    result = run_cli("scan", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("mockguard: error: mockguard.toml: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_ordinary_dots_and_strings_are_not_nesting(tmp_path: Path) -> None:
    dotted = ", ".join(f'"pkg{i}.sub.mod.Factory"' for i in range(40))
    (tmp_path / "mockguard.toml").write_text(
        f"factories = [{dotted}]\nmax-file-size = 1_000\n"
        "[categories.http]\nnames = ['a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z']\n"
    )
    assert len(load_settings(start=tmp_path).factories) == 40


def test_a_config_that_is_no_regular_file_is_refused(run_cli, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.toml")
    result = run_cli("scan", "--config", "fifo.toml", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "fifo.toml: is not a regular file" in result.stderr


# ------------------------------------------------------------------ categories: off, replace


def test_a_builtin_category_is_switched_off() -> None:
    values = parse_table({"categories": {"agent": False, "websocket": True}}, SOURCE)
    names = [c.name for c in values["categories"]]
    assert "agent" not in names and "websocket" in names and "database" in names
    assert values["disabled_categories"] == ("agent",)


def test_replace_drops_the_builtin_clues() -> None:
    values = parse_table(
        {"categories": {"database": {"replace": True, "names": ["ledger"], "specs": ["*Ledger"]}}},
        SOURCE,
    )
    database = next(c for c in values["categories"] if c.name == "database")
    assert (database.names, database.specs, database.attributes) == (("ledger",), ("*Ledger",), ())
    assert database.patch_targets == () and database.modules == ()
    # Without replace, the same table extends the built-in.
    values = parse_table({"categories": {"database": {"names": ["ledger"]}}}, SOURCE)
    database = next(c for c in values["categories"] if c.name == "database")
    assert "ledger" in database.names and "db" in database.names and database.specs


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ({"agent": "no"}, "`tool.mockguard.categories.agent` must be a table of clues, or true or"),
        ({"agent": 0}, "`tool.mockguard.categories.agent` must be a table of clues"),
        (
            {"database": {"replace": 1, "names": ["x"]}},
            "`tool.mockguard.categories.database.replace` must be true or false",
        ),
        (
            {"database": {"replace": "yes", "names": ["x"]}},
            "`tool.mockguard.categories.database.replace` must be true or false",
        ),
        (
            {"database": {"replace": True}},
            "`tool.mockguard.categories.database.replace` leaves the category without clues",
        ),
        (
            {"database": {"replace": True, "names": []}},
            "switch it off with `database = false`",
        ),
        ({"generic": False}, "`tool.mockguard.categories.generic` is the fallback category"),
        ({"generic": True}, "it cannot be switched off"),
        ({"generic": {"names": ["x"]}}, "`tool.mockguard.categories.generic` is the fallback"),
        (
            {"agnet": False},
            "only a built-in category can be switched on or off (websocket, database, agent)"
            " (did you mean 'agent'?)",
        ),
        (
            {"http": {"replace": True, "names": ["http"]}},
            "`tool.mockguard.categories.http.replace` applies to built-in categories only",
        ),
        (
            {"database": {"repalce": True}},
            "unknown key `tool.mockguard.categories.database.repalce` (did you mean 'replace'?)",
        ),
        ({"all-files": "yes"}, None),
    ],
)
def test_bad_category_switches_are_one_line_errors(
    categories: dict[str, object], message: str | None
) -> None:
    table: dict[str, object] = {"categories": categories}
    if message is None:
        table, message = categories, "`tool.mockguard.all-files` must be true or false"
    with pytest.raises(ConfigError) as caught:
        parse_table(table, SOURCE, "tool.mockguard.")
    text = str(caught.value)
    assert text.startswith("pyproject.toml: ") and message in text and "\n" not in text


def test_no_finding_lands_in_a_switched_off_category() -> None:
    """Every subset of the built-ins switched off, over the example's tests and the accuracy
    cases: findings and factory calls only ever land in a category still in use."""
    from itertools import combinations

    from mockguard import api
    from mockguard.categories import GENERIC

    root = Path(__file__).resolve().parent.parent
    paths = [str(root / "examples/chat_service/tests"), str(root / "tests/accuracy/cases")]
    names = [c.name for c in BUILTIN_CATEGORIES]
    seen: set[str] = set()
    for size in range(len(names) + 1):
        for off in combinations(names, size):
            values = parse_table({"categories": dict.fromkeys(off, False)}, SOURCE)
            settings = replace(Settings(root=root), **values)
            report = api.scan(api.ScanRequest(paths, use_cache=False), settings)
            used = {f.category for f in report.findings} | set(report.compliant)
            assert not used & set(off), off
            assert used <= {*settings.category_names}
            assert set(off) == set(settings.disabled_categories)
            seen |= used
    assert seen >= {*names, GENERIC}  # the cases do reach every category when it is on


# ------------------------------------------------------------------ pytest's test files


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "patterns", "source"),
    [
        ({}, ("test_*.py", "*_test.py"), None),
        (
            {"pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['check_*.py']\n"},
            ("check_*.py",),
            "pyproject.toml",
        ),
        (
            {"pyproject.toml": '[tool.pytest.ini_options]\npython_files = "a_*.py  b_*.py"\n'},
            ("a_*.py", "b_*.py"),
            "pyproject.toml",
        ),
        (
            {"pyproject.toml": "[tool.pytest]\npython_files = ['native_*.py']\n"},
            ("native_*.py",),
            "pyproject.toml",
        ),
        ({"pytest.toml": "[pytest]\npython_files = ['t_*.py']\n"}, ("t_*.py",), "pytest.toml"),
        (
            {"pytest.ini": "[pytest]\npython_files =\n    check_*.py\n    *_spec.py\n"},
            ("check_*.py", "*_spec.py"),
            "pytest.ini",
        ),
        (
            {"tox.ini": "[tox]\nenvlist = py\n[pytest]\npython_files = x_*.py\n"},
            ("x_*.py",),
            "tox.ini",
        ),
        (
            {"setup.cfg": "[metadata]\nname = x\n[tool:pytest]\npython_files = y_*.py\n"},
            ("y_*.py",),
            "setup.cfg",
        ),
        # pytest.ini is pytest's config even without a section: the defaults.
        (
            {"pytest.ini": "", "pyproject.toml": "[tool.pytest.ini_options]\npython_files = 'z'\n"},
            ("test_*.py", "*_test.py"),
            "pytest.ini",
        ),
        # A tox.ini without [pytest] is not pytest's config: pyproject.toml in the same
        # folder comes before it anyway, and setup.cfg after.
        (
            {"tox.ini": "[tox]\n", "setup.cfg": "[tool:pytest]\npython_files = s_*.py\n"},
            ("s_*.py",),
            "setup.cfg",
        ),
        # A [DEFAULT] section and %-signs are plain INI text, as pytest reads them.
        (
            {"setup.cfg": "[DEFAULT]\npython_files = d\n[tool:pytest]\npython_files = 100%_*.py\n"},
            ("100%_*.py",),
            "setup.cfg",
        ),
    ],
)
def test_python_files_come_from_the_pytest_config(
    tmp_path: Path, files: dict[str, str], patterns: tuple[str, ...], source: str | None
) -> None:
    _tree(tmp_path / "project", {**files, "tests/unit/x.py": ""})
    settings = with_test_files(Settings(root=tmp_path), tmp_path / "project" / "tests" / "unit")
    assert settings.python_files == patterns
    shown = settings.python_files_source
    assert (Path(shown).name if shown else None) == source


def test_the_nearest_pytest_config_wins(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "pytest.ini": "[pytest]\npython_files = outer_*.py\n",
            "sub/tox.ini": "[pytest]\npython_files = inner_*.py\n",
        },
    )
    assert with_test_files(Settings(root=tmp_path), tmp_path / "sub").python_files == (
        "inner_*.py",
    )
    assert with_test_files(Settings(root=tmp_path), tmp_path).python_files == ("outer_*.py",)


def test_all_files_reads_no_pytest_config(tmp_path: Path) -> None:
    _tree(tmp_path, {"pytest.ini": "[pytest]\npython_files = [\n"})
    settings = Settings(root=tmp_path, all_files=True)
    assert with_test_files(settings, tmp_path) is settings


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\npython_files = 3\n",
            "pyproject.toml: `tool.pytest.ini_options.python_files` must be a list of strings",
        ),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\npython_files = ['a', 1]\n",
            "must be a list of strings or a string of patterns",
        ),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\npython_files = {a = 1}\n",
            "must be a list of strings or a string of patterns",
        ),
        ("pyproject.toml", "[tool]\npytest = 3\n", "pyproject.toml: `tool.pytest` must be a table"),
        (
            "pyproject.toml",
            "[tool.pytest]\nini_options = 'x'\n",
            "`tool.pytest.ini_options` must be a table",
        ),
        ("pyproject.toml", "[tool.pytest\n", "pyproject.toml: not valid TOML"),
        ("pytest.toml", "pytest = 1\n", "pytest.toml: `pytest` must be a table"),
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\npython_files = "\'unclosed"\n',
            "`tool.pytest.ini_options.python_files` cannot be split into patterns",
        ),
        (
            "pytest.ini",
            "[pytest]\npython_files = " + " ".join(f"p{i}" for i in range(300)) + "\n",
            "pytest.ini: [pytest] `python_files` has more than 256 patterns",
        ),
        ("pytest.ini", "python_files = x\n[pytest]\n", "pytest.ini: not a valid INI file (line 1)"),
        ("setup.cfg", "[tool:pytest\npython_files = x\n", "setup.cfg: not a valid INI file"),
        ("tox.ini", "[pytest]\n  indented = x\n= y\n", "tox.ini: not a valid INI file"),
        ("tox.ini", b"[pytest]\npython_files = \xff\n", "tox.ini: not valid UTF-8"),
        (
            "pyproject.toml",
            "x = " + "[" * 10_000 + "]" * 10_000 + "\n# pytest\n",
            "pyproject.toml: nested deeper than 64 levels",
        ),
        ("pytest.ini", "# " + "x" * (3 * 1024 * 1024), "pytest.ini: cannot read: larger than"),
    ],
)
def test_a_bad_pytest_config_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str | bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        with_test_files(Settings(root=tmp_path), tmp_path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_pytest_config_files_that_are_not_regular_files_are_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").mkdir()
    os.mkfifo(tmp_path / "tox.ini")
    (tmp_path / "setup.cfg").symlink_to("/dev/zero")
    (tmp_path / "pytest.toml").symlink_to(tmp_path / "missing")
    assert with_test_files(Settings(root=tmp_path), tmp_path).python_files == (
        "test_*.py",
        "*_test.py",
    )
