"""Kinds from the suite itself: the clusters of copied setups turned into kind definitions.

A cluster whose setups name a class of the project (`MagicMock(spec=Transport)`,
`create_autospec(Transport)`) becomes a kind with that class as its interface; clusters
naming the same class become one kind. The class is read from the project's source (see
:mod:`mockguard.fix.interfaces`), so a suggestion says how many setups the kind covers:
those whose configured members the class has. A cluster whose setups name no class takes
the class its doubles' names name (`conn`, `mock_message` -> the project's `Connection`,
`Message`) when that class has every member the cluster configures; when several project
classes bear the name, the one most of the others derive from is taken, then the one
nearest the top of the package. A cluster left without a class is listed with the members it
configures, for a person to name its class.

`--write` adds the kinds to the project's config file with tomlkit, keeping its comments and
layout, in one atomic write.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mockguard.catalog import KindCatalog
from mockguard.config import CONFIG_FILE, MAX_CONFIG_SIZE, PYPROJECT, Settings
from mockguard.factory.interface import Interface
from mockguard.fix.interfaces import StaticInterfaces, import_path
from mockguard.fix.plan import DOUBLE_API
from mockguard.io import read_regular, write_text
from mockguard.scan.classify import plain_words
from mockguard.scan.engine import project_index
from mockguard.scan.reading import read_source
from mockguard.scan.shapes import Cluster


@dataclass
class Suggestion:
    """One kind to add: its name, the project class it follows, and what it would serve."""

    name: str
    interface: str  # `package.module:Class`
    category: str
    setups: int = 0  # setups in the clusters naming the class
    covered: int = 0  # of those, the ones whose configured members the class has
    missing: Counter[str] = field(default_factory=Counter)  # members the class lacks
    clusters: int = 0
    by_name: bool = False  # the class is the one the doubles' names name, not their spec


@dataclass
class Unnamed:
    """A cluster whose setups name no class of the project."""

    category: str
    setups: int
    members: tuple[str, ...]
    spec: str  # the class named, when it is not the project's ("" for none)


@dataclass
class Suggestions:
    kinds: list[Suggestion]
    unnamed: list[Unnamed]
    configured: dict[str, str]  # interface -> the configured kind that already follows it


def suggest_kinds(
    clusters: Iterable[Cluster], settings: Settings, catalog: KindCatalog
) -> Suggestions:
    """The kinds the clusters ask for, largest first."""
    interfaces = StaticInterfaces(project_index(settings))
    configured = {
        import_path(k.interface): k.name for k in catalog.kinds if k.interface is not None
    }
    by_class: dict[str, Suggestion] = {}
    categories: dict[str, Counter[str]] = {}
    unnamed: list[Unnamed] = []
    taken = {k.name for k in catalog.kinds}
    already: dict[str, str] = {}
    classes = ProjectClasses(settings, interfaces)
    for group in clusters:
        spec = _named_class(group)
        interface = interfaces.interface(spec) if spec else None
        members = sorted({m.split(".", 1)[0] for m, _ in group.shape.members})
        by_name = False
        if spec is None:
            spec = classes.named_by(group, members)
            interface = interfaces.interface(spec) if spec else None
            by_name = interface is not None
        if spec is None or interface is None:
            unnamed.append(Unnamed(group.category, group.size, tuple(members), spec or ""))
            continue
        if spec in configured:
            already[spec] = configured[spec]
            continue
        entry = by_class.get(spec)
        if entry is None:
            entry = by_class[spec] = Suggestion(
                _kind_name(spec, taken), _colon(spec), "", by_name=by_name
            )
            taken.add(entry.name)
        entry.clusters += 1
        entry.setups += group.size
        categories.setdefault(spec, Counter())[group.category] += group.size
        lacking = _lacking(members, interface)
        if lacking:
            entry.missing.update({m: group.size for m in lacking})
        else:
            entry.covered += group.size
    for spec, entry in by_class.items():
        entry.category = categories[spec].most_common(1)[0][0]
    kinds = sorted(by_class.values(), key=lambda s: (-s.covered, -s.setups, s.name))
    unnamed.sort(key=lambda u: (-u.setups, u.members))
    return Suggestions(kinds, unnamed, already)


def _named_class(group: Cluster) -> str | None:
    """The class most of a cluster's setups name as their spec, as a dotted path."""
    named = Counter(p.spec_path for p in group.places if p.spec_path)
    return named.most_common(1)[0][0] if named else None


# Words a double's name adds to its class's name: `mock_conn`, `fake_message`, `queue_mock`.
_DOUBLE_WORDS = frozenset({"mock", "mocked", "fake", "stub", "dummy", "self"})
# Words of a module path that make it the tests' helpers, not the project's code.
_HELPER_WORDS = frozenset(
    {"mock", "mocks", "fake", "fakes", "stub", "stubs", "fixture", "fixtures", "test", "tests"}
    | {"testing", "conftest"}
)
_CLASS_LINE = re.compile(rb"^[ \t]*class[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
_MODULE_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class ProjectClasses:
    """The classes of the project's own modules (not its tests), by name: found by their
    `class` lines when first asked for, read in full only for the names asked for."""

    def __init__(self, settings: Settings, interfaces: StaticInterfaces) -> None:
        self.settings = settings
        self.interfaces = interfaces
        self._by_name: dict[str, list[str]] | None = None

    def named_by(self, group: Cluster, members: list[str]) -> str | None:
        """The project class a cluster's doubles are named for (`conn` for `Connection`)
        that has every member the cluster configures; None when no such class exists."""
        words = {_double_words(place.name) for place in group.places} - {()}
        found: set[str] = set()
        for name, paths in self._classes().items():
            if any(_names(said, _class_words(name)) for said in words):
                found.update(p for p in paths if self._covers(p, members))
        if not found:
            return None
        # The class most of the others derive from, then the one nearest the package's top.
        heirs = Counter(a for o in found for a in self.interfaces.ancestors(o) if a in found)
        return min(found, key=lambda p: (-heirs[p], p.count("."), p))

    def _covers(self, path: str, members: list[str]) -> bool:
        interface = self.interfaces.interface(path)
        return interface is not None and not _lacking(members, interface)

    def _classes(self) -> dict[str, list[str]]:
        if self._by_name is None:
            self._by_name = {}
            for path, module in _project_modules(self.settings):
                data = read_source(path, self.settings.max_file_size)
                if not isinstance(data, bytes):
                    continue
                for match in _CLASS_LINE.finditer(data):
                    name = match.group(1).decode("ascii")
                    self._by_name.setdefault(name, []).append(f"{module}.{name}")
        return self._by_name


def _project_modules(settings: Settings) -> list[tuple[str, str]]:
    """(file, dotted module) for every Python file of the project that is not test code."""
    from mockguard.scan.files import discover
    from mockguard.scan.ignore import Ignores

    root = settings.root
    every = replace(settings, all_files=True)
    tests = Ignores(settings)
    modules: list[tuple[str, str]] = []
    for path in discover([str(root)], every).files:
        if not tests.not_test(path):
            continue
        relative = Path(path).resolve().relative_to(root.resolve()).with_suffix("")
        parts = list(relative.parts)
        if parts and parts[0] == "src":
            parts = parts[1:]
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or not all(_MODULE_PART.match(part) for part in parts):
            continue
        if any(_HELPER_WORDS.intersection(plain_words(part)) for part in parts):
            continue  # the suite's own fakes (`t/mocks.py`, `tests/fakes/`) are no interface
        modules.append((path, ".".join(parts)))
    return modules


def _double_words(name: str) -> tuple[str, ...]:
    """The words of a double's name that may name its class: `self.mock_conn` -> (conn,)."""
    last = name.rsplit(".", 1)[-1]
    return tuple(w for w in plain_words(last) if w not in _DOUBLE_WORDS and not w.isdigit())


def _class_words(name: str) -> tuple[str, ...]:
    return tuple(plain_words(name))


def _names(said: tuple[str, ...], of_class: tuple[str, ...]) -> bool:
    """Whether a double's words name the class, word for word: each the class's word or
    its start of four letters or more (`conn` for `connection`, `msg` names nothing)."""
    return len(said) == len(of_class) and all(
        w == c or (len(w) >= 4 and c.startswith(w)) for w, c in zip(said, of_class, strict=True)
    )


def _lacking(members: list[str], interface: Interface) -> list[str]:
    return [m for m in members if m not in interface.members and m not in DOUBLE_API]


def _colon(qualname: str) -> str:
    module, _, name = qualname.rpartition(".")
    return f"{module}:{name}" if module else name


def _kind_name(qualname: str, taken: set[str]) -> str:
    """`app.transport.HTTPTransport` -> `http_transport` (with a number when taken)."""
    last = qualname.rsplit(".", 1)[-1]
    name = "_".join(plain_words(last)) or "double"
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    return candidate


def config_target(settings: Settings) -> tuple[Path, tuple[str, ...]]:
    """Where `--write` adds kinds: the config file in use (its kinds table's path), else the
    project's pyproject.toml, else a new mockguard.toml."""
    path = settings.config_path
    if path is None:
        pyproject = settings.root / PYPROJECT
        path = pyproject if pyproject.is_file() else settings.root / CONFIG_FILE
    prefix = ("tool", "mockguard") if path.name == PYPROJECT else ()
    return path, (*prefix, "kinds")


class ConfigWriteError(Exception):
    """The config file cannot take the kinds (one line: the file and why)."""


def write_kinds(kinds: list[Suggestion], settings: Settings) -> Path:
    """Add the kinds to the config file, keeping what it holds (comments, layout, order).
    A config that is a symbolic link, not a regular file, not UTF-8 or not TOML is left
    as it is: :class:`ConfigWriteError`."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    path, table_path = config_target(settings)
    try:
        data = b""
        if os.path.lexists(path):
            data = read_regular(path, MAX_CONFIG_SIZE, follow=False)
        document = tomlkit.parse(data.decode("utf-8"))
    except OSError as exc:
        raise ConfigWriteError(f"{path}: cannot add kinds: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigWriteError(f"{path}: cannot add kinds: not UTF-8") from None
    except TOMLKitError as exc:
        raise ConfigWriteError(f"{path}: cannot add kinds: not valid TOML ({exc})") from None
    table: tomlkit.items.Table | tomlkit.TOMLDocument = document
    for key in table_path:
        inner = table.get(key)
        if inner is None:
            inner = tomlkit.table(is_super_table=True)
            table.append(key, inner)
        table = inner
    for kind in kinds:
        entry = tomlkit.table()
        entry.add(tomlkit.comment(_coverage(kind)))
        entry.add("interface", kind.interface)
        entry.add("category", kind.category)
        table.append(kind.name, entry)
    write_text(path, tomlkit.dumps(document))
    return path


def _coverage(kind: Suggestion) -> str:
    text = f"suggested by mockguard: covers {kind.covered} of {kind.setups} copied setups"
    if kind.by_name:
        text += ", by the class their names name"
    if kind.missing:
        lacking = ", ".join(m for m, _ in kind.missing.most_common(3))
        text += f" (the class has no {lacking})"
    return text
