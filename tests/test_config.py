"""Config validation, in-process: every error names the file and the full key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockguard.categories import BUILTIN_CATEGORIES
from mockguard.config import ConfigError, load_settings, parse_table

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
