"""Configuration: `[tool.mockguard]` in pyproject.toml, or a `mockguard.toml`, validated.

Every key is optional. An unknown key or a value of the wrong type is a :class:`ConfigError`
whose one-line message names the file and the key, with a "did you mean" where one fits.

What test code is (a scan reads only that unless `all-files`) comes from the pytest config
pytest itself would use: :func:`with_test_files` reads its `python_files`, as strictly.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockguard.categories import BUILTIN_CATEGORIES, GENERIC, CategorySpec
from mockguard.findings import DEFAULT_RULES, RULE_CODES, SEVERITIES, RuleCode, Severity
from mockguard.io import read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = "mockguard.toml"
PYPROJECT = "pyproject.toml"

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".mockguard_cache",
)

DEFAULT_FACTORIES: tuple[str, ...] = (
    "mockguard.SSotMockFactory",
    "mockguard.MockFactory",
    "mockguard.default_factory",
    "mockguard.factory",
)
DEFAULT_FACTORY_FIXTURES: tuple[str, ...] = ("mock_factory",)
DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024
# pytest's default `python_files`: what a scan takes for test modules unless the project's
# pytest config says otherwise.
DEFAULT_PYTHON_FILES: tuple[str, ...] = ("test_*.py", "*_test.py")
# More test-file patterns than any project writes is a mistake or an attack (each file
# discovered is matched against every pattern).
MAX_TEST_PATTERNS = 256
FORMATS = ("text", "json", "sarif", "github", "html")
DEFAULT_SELECT: tuple[RuleCode, ...] = DEFAULT_RULES
# A config file is small: a bigger one, or one nested deeper than any config needs, is a
# mistake or an attack (the TOML parser's time grows with the square of a dotted key).
MAX_CONFIG_SIZE = 2 * 1024 * 1024
MAX_CONFIG_DEPTH = 64


class ConfigError(Exception):
    """A configuration problem, with a one-line message fit to show the user."""


@dataclass(frozen=True)
class KindConfig:
    """A factory kind declared in `[tool.mockguard.kinds.NAME]`."""

    name: str
    interface: str | None = None
    category: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    production: str | None = None


@dataclass(frozen=True)
class EventsConfig:
    """`[tool.mockguard.events]`: the event contract factory websockets are checked against."""

    style: str = "flat"
    names: tuple[str, ...] = (
        "agent_started",
        "agent_thinking",
        "tool_executing",
        "tool_completed",
        "agent_completed",
    )
    required_keys: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated settings of one scan. Picklable: it travels to worker processes."""

    root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    factories: tuple[str, ...] = DEFAULT_FACTORIES
    factory_fixtures: tuple[str, ...] = DEFAULT_FACTORY_FIXTURES
    mock_modules: tuple[str, ...] = ()
    select: tuple[str, ...] = DEFAULT_SELECT
    severity: tuple[tuple[str, str], ...] = ()
    categories: tuple[CategorySpec, ...] = BUILTIN_CATEGORIES
    baseline: str = ".mockguard-baseline.json"
    format: str = "text"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    jobs: int = 0
    # A file not scanned through (too deep, too large, a scanner error) does not fail a scan.
    allow_incomplete: bool = False
    cache_dir: str = ""
    kinds: tuple[KindConfig, ...] = ()
    events: EventsConfig = field(default_factory=EventsConfig)
    # Built-in categories switched off (`[tool.mockguard.categories] agent = false`).
    disabled_categories: tuple[str, ...] = ()
    # Scan every Python file a walk meets, not only test code (see `mockguard.scan.files`).
    all_files: bool = False
    # What test code is, without all_files: pytest's `python_files`, conftest.py, and any
    # file below a folder named `tests` or `test`. The folder names count from below
    # `test_root` (the folder above pytest's rootdir, or the project root when no config
    # was found); None: from below the project root.
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    python_files_source: str | None = None
    test_root: Path | None = None

    def configured_severity(self, code: str, category: str) -> Severity | None:
        """The severity the config gives a finding: its category's, else its rule's, else
        None (the rule's default applies)."""
        for cat in self.categories:
            if cat.name == category and cat.severity:
                return cat.severity  # type: ignore[return-value]
        configured = dict(self.severity).get(code)
        return configured  # type: ignore[return-value]

    @property
    def category_names(self) -> tuple[str, ...]:
        return (*(c.name for c in self.categories), "generic")


def _suggest(word: str, options: Any) -> str:
    import difflib  # only for a mistake (start-up)

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Reader:
    """Validates one table of raw TOML values, naming the file and key on any error."""

    def __init__(self, source: Path, prefix: str) -> None:
        self.source = source
        self.prefix = prefix

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: `{self.prefix}{key}` {problem}")

    def str_list(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        return tuple(value)

    def string(self, key: str, value: Any, choices: tuple[str, ...] = ()) -> str:
        if not isinstance(value, str):
            raise self.fail(key, "must be a string")
        if choices and value not in choices:
            raise self.fail(
                key,
                f"must be one of {', '.join(choices)}, not '{value}'" + _suggest(value, choices),
            )
        return value

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def integer(self, key: str, value: Any, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"must be an integer >= {minimum}")
        return value

    def rule_codes(self, key: str, value: Any) -> tuple[str, ...]:
        codes = self.str_list(key, value)
        for code in codes:
            if code.upper() not in RULE_CODES:
                raise self.fail(key, f"names an unknown rule '{code}'" + _suggest(code, RULE_CODES))
        return tuple(c.upper() for c in codes)

    def table(self, key: str, value: Any) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return value


def _check_keys(reader: _Reader, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{reader.source}: unknown key `{reader.prefix}{key}`" + _suggest(key, known)
            )


_CLUE_KEYS = ("names", "attributes", "specs", "patch-targets", "modules")
_CATEGORY_KEYS = (*_CLUE_KEYS, "vetoes", "severity", "replace")
_BUILTINS = {c.name: c for c in BUILTIN_CATEGORIES}
_BUILTIN_NAMES = tuple(_BUILTINS)


def _read_category(reader: _Reader, name: str, raw: Any) -> CategorySpec:
    table = reader.table(name, raw)
    sub = _Reader(reader.source, f"{reader.prefix}{name}.")
    _check_keys(sub, table, _CATEGORY_KEYS)
    return CategorySpec(
        name=name,
        names=sub.str_list("names", table.get("names", [])),
        attributes=sub.str_list("attributes", table.get("attributes", [])),
        specs=sub.str_list("specs", table.get("specs", [])),
        patch_targets=sub.str_list("patch-targets", table.get("patch-targets", [])),
        modules=sub.str_list("modules", table.get("modules", [])),
        vetoes=sub.str_list("vetoes", table.get("vetoes", [])),
        severity=(
            sub.string("severity", table["severity"], SEVERITIES) if "severity" in table else None
        ),
    )


def _categories(reader: _Reader, raw: Any) -> tuple[tuple[CategorySpec, ...], tuple[str, ...]]:
    """The categories in use and the built-in ones switched off. A table adds a category
    (or, named after a built-in, adds clues to it; with `replace = true`, replaces its
    clues); `NAME = false` switches a built-in off, `NAME = true` leaves it on."""
    builtins: dict[str, CategorySpec | None] = dict(_BUILTINS)
    custom: list[CategorySpec] = []
    sub = _Reader(reader.source, f"{reader.prefix}categories.")
    for name, value in reader.table("categories", raw).items():
        if name == GENERIC:
            raise sub.fail(
                name, "is the fallback category: it cannot be switched off and takes no clues"
            )
        if isinstance(value, bool):
            if name not in builtins:
                raise sub.fail(
                    name,
                    "must be a table: only a built-in category can be switched on or off "
                    f"({', '.join(_BUILTIN_NAMES)})" + _suggest(name, _BUILTIN_NAMES),
                )
            builtins[name] = _BUILTINS[name] if value else None
            continue
        if name in builtins and not isinstance(value, dict):
            raise sub.fail(
                name, "must be a table of clues, or true or false to switch the category on or off"
            )
        spec = _read_category(sub, name, value)
        table: Mapping[str, Any] = value
        inner = _Reader(reader.source, f"{sub.prefix}{name}.")
        replace = inner.boolean("replace", table["replace"]) if "replace" in table else False
        if name not in builtins:
            if replace:
                raise inner.fail("replace", "applies to built-in categories only")
            custom.append(spec)
            continue
        if replace:
            if not any(table.get(key) for key in _CLUE_KEYS):
                raise inner.fail(
                    "replace",
                    "leaves the category without clues: give names, attributes, specs, "
                    f"patch-targets or modules, or switch it off with `{name} = false`",
                )
            builtins[name] = spec
        else:
            builtins[name] = (builtins[name] or _BUILTINS[name]).extended(spec)
    # Custom categories come first: on a tie they win over the built-ins.
    kept = tuple(c for c in builtins.values() if c is not None)
    disabled = tuple(name for name, spec in builtins.items() if spec is None)
    return tuple(custom) + kept, disabled


def _severity(reader: _Reader, raw: Any) -> tuple[tuple[str, str], ...]:
    table = reader.table("severity", raw)
    sub = _Reader(reader.source, f"{reader.prefix}severity.")
    pairs = []
    for code, value in table.items():
        if code.upper() not in RULE_CODES:
            raise sub.fail(code, "is not a rule" + _suggest(code.upper(), RULE_CODES))
        pairs.append((code.upper(), sub.string(code, value, SEVERITIES)))
    return tuple(sorted(pairs))


_KIND_KEYS = ("interface", "category", "defaults", "production")


def _kinds(reader: _Reader, raw: Any) -> tuple[KindConfig, ...]:
    found = []
    for name, value in reader.table("kinds", raw).items():
        sub = _Reader(reader.source, f"{reader.prefix}kinds.{name}.")
        table = _Reader(reader.source, f"{reader.prefix}kinds.").table(name, value)
        _check_keys(sub, table, _KIND_KEYS)
        strings = {
            k: sub.string(k, table[k])
            for k in ("interface", "category", "production")
            if k in table
        }
        for key in ("interface", "production"):
            if key in strings and ":" not in strings[key] and "." not in strings[key]:
                raise sub.fail(
                    key, f"must be an import path like 'package.module:Class', not '{strings[key]}'"
                )
        defaults = dict(sub.table("defaults", table["defaults"])) if "defaults" in table else {}
        found.append(KindConfig(name=name, defaults=defaults, **strings))
    return tuple(found)


def _events(reader: _Reader, raw: Any) -> EventsConfig:
    table = reader.table("events", raw)
    sub = _Reader(reader.source, f"{reader.prefix}events.")
    _check_keys(sub, table, ("style", "names", "required-keys"))
    values: dict[str, Any] = {}
    if "style" in table:
        values["style"] = sub.string("style", table["style"], ("flat", "nested"))
    if "names" in table:
        values["names"] = sub.str_list("names", table["names"])
    if "required-keys" in table:
        keys = sub.table("required-keys", table["required-keys"])
        inner = _Reader(reader.source, f"{reader.prefix}events.required-keys.")
        values["required_keys"] = tuple(
            sorted((event, inner.str_list(event, needed)) for event, needed in keys.items())
        )
    return EventsConfig(**values)


_Parser = Callable[[_Reader, str, Any], tuple[str, Any]]

_KEYS: dict[str, _Parser] = {
    "paths": lambda r, k, v: ("paths", r.str_list(k, v)),
    "exclude": lambda r, k, v: ("exclude", r.str_list(k, v)),
    "extend-exclude": lambda r, k, v: ("extend_exclude", r.str_list(k, v)),
    "respect-gitignore": lambda r, k, v: ("respect_gitignore", r.boolean(k, v)),
    "factories": lambda r, k, v: ("factories", r.str_list(k, v)),
    "factory-fixtures": lambda r, k, v: ("factory_fixtures", r.str_list(k, v)),
    "mock-modules": lambda r, k, v: ("mock_modules", r.str_list(k, v)),
    "select": lambda r, k, v: ("select", r.rule_codes(k, v)),
    "ignore": lambda r, k, v: ("ignore", r.rule_codes(k, v)),
    "severity": lambda r, k, v: ("severity", _severity(r, v)),
    "categories": lambda r, k, v: ("categories", _categories(r, v)),
    "all-files": lambda r, k, v: ("all_files", r.boolean(k, v)),
    "baseline": lambda r, k, v: ("baseline", r.string(k, v)),
    "format": lambda r, k, v: ("format", r.string(k, v, FORMATS)),
    "max-file-size": lambda r, k, v: ("max_file_size", r.integer(k, v, 1)),
    "jobs": lambda r, k, v: ("jobs", r.integer(k, v, 0)),
    "allow-incomplete": lambda r, k, v: ("allow_incomplete", r.boolean(k, v)),
    "cache-dir": lambda r, k, v: ("cache_dir", r.string(k, v)),
    "kinds": lambda r, k, v: ("kinds", _kinds(r, v)),
    "events": lambda r, k, v: ("events", _events(r, v)),
}
KNOWN_KEYS: tuple[str, ...] = tuple(_KEYS)


def parse_table(table: Mapping[str, Any], source: Path, prefix: str = "") -> dict[str, Any]:
    """Validate a raw config table; return keyword arguments for :class:`Settings`."""
    reader = _Reader(source, prefix)
    _check_keys(reader, table, KNOWN_KEYS)
    values: dict[str, Any] = {}
    for key, raw in table.items():
        attr, value = _KEYS[key](reader, key, raw)
        values[attr] = value
    if "categories" in values:
        values["categories"], values["disabled_categories"] = values["categories"]
    ignore = values.pop("ignore", ())
    if ignore:
        select = values.get("select", DEFAULT_SELECT)
        values["select"] = tuple(c for c in select if c not in ignore)
    return values


def _load_toml(path: Path) -> dict[str, Any]:
    shown = _display(path)
    try:
        data = read_regular(path, MAX_CONFIG_SIZE)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not valid UTF-8") from None
    if _nesting(text) > MAX_CONFIG_DEPTH:
        raise ConfigError(f"{shown}: nested deeper than {MAX_CONFIG_DEPTH} levels")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{shown}: nested deeper than {MAX_CONFIG_DEPTH} levels") from None


# What nesting is made of, outside strings and comments: brackets, braces and the parts of
# dotted keys (a value's own dot, as in 1.5, comes alone).
_TOML_TOKEN = re.compile(r"#[^\n]*|\"\"\"|'''|\"|'|[.\[\]{}=,\n]")
_STRING_END = {
    '"""': re.compile(r'(?<!\\)"""'),
    "'''": re.compile(r"'''"),
    '"': re.compile(r'(?<!\\)"|\n'),
    "'": re.compile(r"'|\n"),
}


def _nesting(text: str) -> int:
    """The deepest nesting of brackets, braces and dotted keys in TOML text, roughly (an
    escaped backslash before a closing quote can fool it, which errs towards parsing)."""
    deepest = depth = dots = 0
    position = 0
    while (token := _TOML_TOKEN.search(text, position)) is not None:
        kind = token.group()
        position = token.end()
        if kind in _STRING_END:
            end = _STRING_END[kind].search(text, position)
            position = end.end() if end is not None else len(text)
        elif kind == ".":
            dots += 1
        elif kind in ("[", "{"):
            depth, dots = depth + 1, 0
        elif kind in ("]", "}"):
            depth, dots = max(depth - 1, 0), 0
        elif not kind.startswith("#"):
            dots = 0
        deepest = max(deepest, depth + dots)
    return deepest


def read_config_file(path: Path) -> tuple[Mapping[str, Any], str] | None:
    """The mockguard table of a config file and its key prefix, or None when a
    pyproject.toml has no `[tool.mockguard]` section."""
    data = _load_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "mockguard" not in tool:
            return None
        table = tool["mockguard"]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: `tool.mockguard` must be a table")
        return table, "tool.mockguard."
    return data, ""


def find_config(start: Path) -> Path | None:
    """The nearest `mockguard.toml`, or `pyproject.toml` with a `[tool.mockguard]` section,
    in `start` or a folder above it (`mockguard.toml` wins in the same folder)."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        candidate = folder / PYPROJECT
        if candidate.is_file() and _has_section(candidate):
            return candidate
    return None


def _has_section(pyproject: Path) -> bool:
    # Cheap look before a full parse: most pyproject files have no section of ours.
    try:
        text = read_regular(pyproject, MAX_CONFIG_SIZE)
    except OSError:
        return False
    return b"tool.mockguard" in text and read_config_file(pyproject) is not None


def load_settings(config: Path | None = None, start: Path | None = None) -> Settings:
    """Settings from an explicit config file, or from the one found above `start`
    (the working directory by default), or the defaults when there is none."""
    start = (start or Path.cwd()).resolve()
    if config is not None:
        if not config.is_file():
            problem = "is not a regular file" if config.exists() else "config file does not exist"
            raise ConfigError(f"{config}: {problem}")
        found = read_config_file(config)
        if found is None:
            raise ConfigError(f"{config}: has no [tool.mockguard] section")
        path: Path | None = config
    else:
        path = find_config(start)
        path = _display(path) if path is not None else None
        found = read_config_file(path) if path is not None else None
    if path is None or found is None:
        # No config: paths in baselines and reports are relative to where the command runs.
        return Settings(root=Path.cwd().resolve())
    table, prefix = found
    values = parse_table(table, path, prefix)
    root = path.resolve().parent
    reader = _Reader(path, prefix)
    for key, attr in (("cache-dir", "cache_dir"), ("baseline", "baseline")):
        if attr in values:
            _inside_project(reader, key, values[attr], root)
    return Settings(root=root, config_path=path, **values)


# ------------------------------------------------------------------ pytest's test files

# The files pytest reads its configuration from, in its order of precedence within a
# folder, and where each keeps it: a TOML table path, or an INI section.
_PYTEST_CONFIGS: tuple[tuple[str, str], ...] = (
    ("pytest.toml", "pytest"),
    (".pytest.toml", "pytest"),
    ("pytest.ini", "pytest"),
    (".pytest.ini", "pytest"),
    (PYPROJECT, "tool.pytest"),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)
# Files that count as pytest's config even without a section of pytest's.
_ALWAYS_PYTEST = frozenset({"pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini"})


def with_test_files(settings: Settings, start: Path | None = None) -> Settings:
    """The settings with what test code is, from the pytest config pytest itself would use
    for the tests under `start` (the nearest folder from `start` upwards holding one of
    pytest's config files with a pytest section): its `python_files`, and the folder whose
    subfolders named `tests` or `test` hold test code. Unchanged with `all_files`.

    A config pytest could not read either, or a `python_files` of the wrong type, is a
    :class:`ConfigError` naming the file and the key."""
    if settings.all_files:
        return settings
    start = (start or Path.cwd()).resolve()
    patterns, source, rootdir = _pytest_python_files(start)
    if rootdir is not None:
        # pytest's rootdir counts itself: a `tests/pytest.ini` makes `tests` a test folder.
        test_root = rootdir.parent
    elif settings.config_path is not None:
        test_root = settings.root.parent
    else:
        test_root = settings.root
    shown = str(_display(source)) if source is not None else None
    return _replace(settings, python_files=patterns, python_files_source=shown, test_root=test_root)


def _replace(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def _pytest_python_files(start: Path) -> tuple[tuple[str, ...], Path | None, Path | None]:
    """`python_files` of the pytest config found from `start` upwards (the defaults when it
    sets none), the config file, and pytest's rootdir (its folder; else the folder of the
    nearest pyproject.toml, as pytest picks; else None)."""
    nearest_pyproject: Path | None = None
    for folder in (start, *start.parents):
        for name, section in _PYTEST_CONFIGS:
            candidate = folder / name
            try:
                if not candidate.is_file():
                    continue
            except OSError:
                continue
            if name == PYPROJECT and nearest_pyproject is None:
                nearest_pyproject = folder
            found = _pytest_section(candidate, section, name in _ALWAYS_PYTEST)
            if found is None:
                continue
            table, prefix = found
            if "python_files" not in table:
                return DEFAULT_PYTHON_FILES, candidate, folder
            return _test_patterns(candidate, prefix, table["python_files"]), candidate, folder
    return DEFAULT_PYTHON_FILES, None, nearest_pyproject


def _pytest_section(path: Path, section: str, always: bool) -> tuple[Mapping[str, Any], str] | None:
    """pytest's settings in one of its config files and their key prefix, or None when
    the file holds none (then pytest looks further up)."""
    shown = _display(path)
    if path.suffix == ".toml":
        try:
            quick = read_regular(path, MAX_CONFIG_SIZE)
        except OSError as exc:
            raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
        if not always and b"pytest" not in quick:
            return None  # most pyproject files configure no pytest: no parse
        document: Any = _load_toml(path)
        if path.name == PYPROJECT:
            tool = document.get("tool")
            pytest_table = tool.get("pytest") if isinstance(tool, dict) else None
            if pytest_table is None:
                return None
            if not isinstance(pytest_table, dict):
                raise ConfigError(f"{shown}: `tool.pytest` must be a table")
            if "ini_options" in pytest_table:
                options = pytest_table["ini_options"]
                if not isinstance(options, dict):
                    raise ConfigError(f"{shown}: `tool.pytest.ini_options` must be a table")
                return options, "tool.pytest.ini_options."
            return pytest_table, "tool.pytest."
        table = document.get("pytest")
        if table is None:
            return {}, "pytest."
        if not isinstance(table, dict):
            raise ConfigError(f"{shown}: `pytest` must be a table")
        return table, "pytest."
    sections = _read_ini(path)
    if sections is None or section not in sections:
        return ({}, f"[{section}] ") if always else None
    return sections[section], f"[{section}] "


def _read_ini(path: Path) -> dict[str, dict[str, str]] | None:
    """The sections of an INI file (None when it cannot hold pytest's), read as pytest
    reads them: no interpolation, `#` and `;` comments, indented lines continue a value."""
    import configparser

    shown = _display(path)
    try:
        data = read_regular(path, MAX_CONFIG_SIZE)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if b"pytest" not in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not valid UTF-8") from None
    parser = configparser.RawConfigParser(strict=False, interpolation=None, default_section="\0")
    try:
        parser.read_string(text, str(shown))
    except configparser.Error as exc:
        where = getattr(exc, "lineno", None)
        if where is None and isinstance(exc, configparser.ParsingError) and exc.errors:
            where = exc.errors[0][0]
        line = f" (line {where})" if where else ""
        raise ConfigError(f"{shown}: not a valid INI file{line}: pytest cannot read it") from None
    return {name: dict(parser.items(name)) for name in parser.sections()}


def _test_patterns(path: Path, prefix: str, value: Any) -> tuple[str, ...]:
    """`python_files`: a list of glob patterns, or one string of them split as a shell
    splits words (as pytest splits it)."""
    import shlex

    key = f"`{prefix}python_files`" if not prefix.startswith("[") else f"{prefix}`python_files`"
    shown = _display(path)
    if isinstance(value, str):
        try:
            patterns = shlex.split(value)
        except ValueError as exc:
            raise ConfigError(f"{shown}: {key} cannot be split into patterns: {exc}") from None
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        patterns = list(value)
    else:
        raise ConfigError(f"{shown}: {key} must be a list of strings or a string of patterns")
    if len(patterns) > MAX_TEST_PATTERNS:
        raise ConfigError(f"{shown}: {key} has more than {MAX_TEST_PATTERNS} patterns")
    return tuple(patterns)


def _inside_project(reader: _Reader, key: str, value: str, root: Path) -> None:
    """A path mockguard writes to (its cache, the baseline) must lead, once `..` and
    symbolic links are resolved, to a place inside the project below its root, and must
    not be a symbolic link itself."""
    top = os.path.realpath(root)
    full = os.path.realpath(os.path.join(top, value))
    if full == top or os.path.commonpath([full, top]) != top:
        where = "the project root itself" if full == top else f"{full}, outside the project"
        raise reader.fail(key, f"must name a path inside the project: {value!r} leads to {where}")
    if os.path.islink(os.path.join(top, value)):
        raise reader.fail(key, f"must not be a symbolic link: {value!r} is one")


def _display(path: Path) -> Path:
    """A path as the user should see it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path
