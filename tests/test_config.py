"""Config validation, in-process: every error names the file and the full key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockguard.config import ConfigError, load_settings, parse_table
from mockguard.scan.classify import BUILTIN_CATEGORIES

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
        ({"format": "xml"}, "`tool.mockguard.format` must be one of text, json, not 'xml'"),
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
