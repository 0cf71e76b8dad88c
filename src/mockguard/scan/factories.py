"""In-house mock factories: a project's own factory classes, found without importing.

A suite that has its own factory (`AppMockFactory.create_websocket_mock()`) makes its test
doubles through it, so those calls are compliant, like calls through mockguard's. A class
is such a factory when

- its name ends in `MockFactory`, or the configuration names it in `factories`;
- for a `MockFactory` name: the project defines it (its module is found under the project
  root by :class:`~mockguard.scan.project_index.ProjectIndex`, which reads and never
  imports), and it has a method whose name starts with `create`, its own or a project base
  class's. A `*MockFactory` imported from a library, or one without `create*` methods, is
  not a factory.

Calls through the class, through an instance bound to a name (`f = AppMockFactory()`), kept
on a test case (`self.factory = AppMockFactory()` in `setUp`), or handed out by a pytest
fixture (a fixture of the test module, or of a `conftest.py` in its folder or one above it
up to the project root, that returns or yields the class or an instance) are factory calls.

A configured entry that starts with `!` leaves classes out of the automatic recognition: a
qualified name, or a glob (`!tests.legacy.*`; `!*` turns the recognition off).

Everything is lazy and kept for the process: a factory module is read once, a conftest.py
once (and only those on the path from a test file to the root), a fixture's value is
worked out only when a test takes it. Each file's result records the files it was decided
from (:attr:`ModuleFactories.dependencies`), so that the scan cache scans it again when
one of them changes.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mockguard.scan.bindings import dotted
from mockguard.scan.cache import content_digest
from mockguard.scan.project_index import ClassSummary, ModuleSummary, ProjectIndex
from mockguard.scan.reading import read_source

if TYPE_CHECKING:
    from mockguard.config import Settings
    from mockguard.scan.resolve import Resolver, Scope

FACTORY_SUFFIX = "MockFactory"
CREATE_PREFIX = "create"
CONFTEST = "conftest.py"
# Decorators that make a function a pytest fixture (`@pytest.fixture`, `@fixture(...)`,
# `@pytest_asyncio.fixture`), by their last name.
FIXTURE_DECORATORS = frozenset({"fixture", "yield_fixture"})
SELF_NAMES = ("self", "cls")
MAX_BASE_DEPTH = 4  # project base classes followed at most this far for `create*` methods
_UNSET = object()
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def configured_factories(factories: tuple[str, ...]) -> tuple[str, ...]:
    """The configured factory paths (the `!` exclusions left out)."""
    return tuple(f for f in factories if not f.startswith("!"))


def excluded_factories(factories: tuple[str, ...]) -> tuple[str, ...]:
    """The configured exclusions: the patterns after a `!`."""
    return tuple(f[1:].strip() for f in factories if f.startswith("!") and f[1:].strip())


@dataclass(frozen=True, slots=True)
class FoundFactory:
    """An in-house factory class found in the project (for `mockguard init`)."""

    qualname: str
    path: str  # relative to the project root, with `/`
    creators: tuple[str, ...]  # its own `create*` methods


class FactoryRegistry:
    """The project's in-house factories and conftest fixtures, for one scan's settings,
    kept for the process."""

    def __init__(self, settings: Settings, index: ProjectIndex | None = None) -> None:
        self.root = settings.root.resolve()
        self.index = index or ProjectIndex(settings.root, max_file_size=settings.max_file_size)
        self.configured = configured_factories(settings.factories)
        self.excluded = excluded_factories(settings.factories)
        self.factory_fixtures = settings.factory_fixtures
        self.mock_modules = settings.mock_modules
        self.max_file_size = settings.max_file_size
        self._bases = (self.root / "src", self.root)
        self._root_prefix = os.path.join(str(self.root), "")
        # class qualname -> (is a factory, the files that said so)
        self._classes: dict[str, tuple[bool, frozenset[str]]] = {}
        self._conftests: dict[str, ModuleFactories | None] = {}
        self._chains: dict[str, tuple[str, ...]] = {}
        self._digests: dict[str, str] = {}
        self._data: dict[str, bytes | None] = {}  # conftest.py bytes, as read
        self._fixture_words: dict[str, tuple[re.Pattern[bytes] | None, tuple[str, ...]]] = {}
        self._fixture_words_by_folder = self._fixture_words.copy()  # by the path as given
        words = {FACTORY_SUFFIX, *self.factory_fixtures}
        words |= {f.rsplit(".", 1)[-1] for f in self.configured}
        alternatives = b"|".join(re.escape(w.encode()) for w in sorted(words) if w)
        self.factory_words = re.compile(alternatives)

    # ------------------------------------------------------------------ factory classes

    def is_factory_class(self, qualname: str, depends: set[str] | None = None) -> bool:
        """Whether a qualified name is an in-house factory class; the files read to decide
        are added to `depends`."""
        known = self._classes.get(qualname)
        if known is None:
            known = self._classes[qualname] = self._check_class(qualname)
        if depends is not None:
            depends.update(known[1])
        return known[0]

    def _check_class(self, qualname: str) -> tuple[bool, frozenset[str]]:
        if self._is_excluded(qualname):
            return False, frozenset()
        located = self.index.locate(qualname)
        if located is None or located.cls is None or located.member:
            return False, frozenset()
        read = {self._absolute_path(located.summary)}
        defined = f"{located.summary.module}.{located.cls.name}"
        if self._is_excluded(defined):
            return False, frozenset(read)
        found = self._has_creators(located.summary, located.cls, read, 0)
        return found, frozenset(read)

    def _is_excluded(self, qualname: str) -> bool:
        return any(fnmatchcase(qualname, pattern) for pattern in self.excluded)

    def _has_creators(
        self, summary: ModuleSummary, cls: ClassSummary, read: set[str], depth: int
    ) -> bool:
        """Whether a class has a `create*` method, its own or a project base class's."""
        if any(name.startswith(CREATE_PREFIX) for name in cls.methods):
            return True
        if depth >= MAX_BASE_DEPTH:
            return False
        for base in cls.bases:
            if base in summary.classes and summary.classes[base] is not cls:
                if self._has_creators(summary, summary.classes[base], read, depth + 1):
                    return True
                continue
            head, _, rest = base.partition(".")
            origin = summary.names.get(head)
            target = f"{origin}.{rest}" if origin and rest else origin or base
            located = self.index.locate(target)
            if located is None or located.cls is None or located.member:
                continue
            read.add(self._absolute_path(located.summary))
            if self._has_creators(located.summary, located.cls, read, depth + 1):
                return True
        return False

    def _absolute_path(self, summary: ModuleSummary) -> str:
        return str(self.root / summary.path)

    # ------------------------------------------------------------------- module names

    def locate_file(self, path: str) -> Path | None:
        """A file's absolute path: as it is when it lies under the root, else resolved."""
        plain = os.path.abspath(path)
        if plain.startswith(self._root_prefix):
            return Path(plain)
        try:
            return Path(path).resolve()
        except (OSError, RuntimeError):
            return None

    def module_name(self, path: Path) -> str | None:
        """The dotted module name of a resolved file under the root (`src/` layouts too)."""
        for base in self._bases:
            try:
                relative = path.relative_to(base)
            except ValueError:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if parts and all(part.isidentifier() for part in parts):
                return ".".join(parts)
        return None

    # ------------------------------------------------------------------------ conftests

    def conftest_chain(self, directory: Path) -> tuple[str, ...]:
        """The conftest.py paths that apply in a resolved folder, nearest first, up to the
        project root (whether they exist or not)."""
        key = str(directory)
        known = self._chains.get(key)
        if known is not None:
            return known
        chain: list[str] = []
        if directory == self.root or directory.is_relative_to(self.root):
            current = directory
            while True:
                chain.append(str(current / CONFTEST))
                if current == self.root or current.parent == current:
                    break
                current = current.parent
        self._chains[key] = tuple(chain)
        return self._chains[key]

    def fixture_words(self, path: str) -> tuple[re.Pattern[bytes] | None, tuple[str, ...]]:
        """For a module the byte pre-filter skipped: a pattern of the names of the factory
        fixtures its conftest.py files define (None when there are none), and those files."""
        raw = os.path.dirname(path)
        known = self._fixture_words_by_folder.get(raw)
        if known is not None:
            return known
        try:
            directory = Path(path).resolve().parent
        except (OSError, RuntimeError):
            return None, ()
        key = str(directory)
        known = self._fixture_words.get(key)
        if known is None:
            chain = self.conftest_chain(directory)
            names: set[str] = set()
            for candidate in reversed(chain):  # the root's first: a fixture may use its parents'
                if not self._may_hand_out(candidate, names):
                    continue
                conftest = self.conftest(candidate)
                if conftest is None or conftest.resolver is None:
                    continue
                names.update(n for n in conftest.fixtures if conftest.fixture(n, conftest.resolver))
            pattern = None
            if names:
                words = b"|".join(re.escape(n.encode()) for n in sorted(names))
                pattern = re.compile(rb"\b(?:" + words + rb")\b")
            known = self._fixture_words[key] = (pattern, chain)
        self._fixture_words_by_folder[raw] = known
        return known

    def _may_hand_out(self, path: str, outer: set[str]) -> bool:
        """Whether a conftest.py's bytes name a factory, or a factory fixture of the
        conftest.py files above it: only then can one of its fixtures hand out a factory,
        and only then is it parsed for that."""
        data = self._conftest_bytes(path)
        if data is None:
            return False
        if self.factory_words.search(data) is not None:
            return True
        return any(name.encode() in data for name in outer)

    def _conftest_bytes(self, path: str) -> bytes | None:
        """A conftest.py's bytes, read once per process."""
        return self._data[path] if path in self._data else self._read(path)

    def conftest(self, path: str) -> ModuleFactories | None:
        """A conftest.py's fixtures (None when there is no such file, or it cannot be read
        or parsed, or it lies outside the root)."""
        if path in self._conftests:
            return self._conftests[path]
        self._conftests[path] = None  # while it is read: a cycle sees nothing
        data = self._conftest_bytes(path)
        if data is None:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(data, filename=path)
        except (SyntaxError, ValueError, MemoryError, RecursionError, UnicodeDecodeError):
            return None
        from mockguard.scan.resolve import Resolver  # resolve imports this module

        module = ModuleFactories(self, path, tree)
        module.resolver = Resolver(
            path,
            factories=self.configured,
            factory_fixtures=self.factory_fixtures,
            mock_modules=self.mock_modules,
            in_house=module,
        )
        self._conftests[path] = module
        return module

    def _read(self, path: str) -> bytes | None:
        """A file's bytes, when it is a regular file under the root; its hash is kept."""
        data: bytes | None = None
        try:
            inside = Path(path).resolve().is_relative_to(self.root)
        except (OSError, RuntimeError):
            inside = False
        if inside and os.path.isfile(path):
            read = read_source(path, self.max_file_size)
            data = read if isinstance(read, bytes) else None
        self._digests[path] = content_digest(data) if data is not None else ""
        if os.path.basename(path) == CONFTEST:
            self._data[path] = data
        return data

    def digest(self, path: str) -> str:
        """The content hash of a file as this process read it ("" for no file)."""
        known = self._digests.get(path)
        if known is None:
            self._read(path)
            known = self._digests[path]
        return known

    # --------------------------------------------------------------------- mockguard init

    def find_factories(self, files: list[str]) -> list[FoundFactory]:
        """The in-house factory classes defined in `files` (only files that mention
        `MockFactory` are read past their bytes)."""
        found: dict[str, FoundFactory] = {}
        for file in files:
            if not file.endswith(".py"):
                continue
            read = read_source(file, self.max_file_size)
            if not isinstance(read, bytes) or FACTORY_SUFFIX.encode() not in read:
                continue
            try:
                resolved = Path(file).resolve()
            except (OSError, RuntimeError):
                continue
            module = self.module_name(resolved)
            summary = self.index.summary(module) if module else None
            if summary is None:
                continue
            defined = _defined_classes(read, file)  # the index reads lines, not code
            for name, cls in summary.classes.items():
                qualname = f"{summary.module}.{name}"
                if (
                    name.endswith(FACTORY_SUFFIX)
                    and name in defined
                    and self.is_factory_class(qualname)
                ):
                    creators = tuple(sorted(m for m in cls.methods if m.startswith("create")))
                    found[qualname] = FoundFactory(qualname, summary.path, creators)
        return sorted(found.values(), key=lambda f: f.qualname)

    def find_fixtures(self, files: list[str]) -> dict[str, str]:
        """fixture name -> the factory it hands out, for the fixtures of the conftest.py
        files among `files`."""
        found: dict[str, str] = {}
        for file in sorted(files):
            if os.path.basename(file) != CONFTEST:
                continue
            conftest = self.conftest(str(Path(file).resolve()))
            if conftest is None or conftest.resolver is None:
                continue
            for name in sorted(conftest.fixtures):
                value = conftest.fixture(name, conftest.resolver)
                if value:
                    found.setdefault(name, value)
        return found


@lru_cache(maxsize=8)
def registry_for(settings: Settings, index: ProjectIndex | None = None) -> FactoryRegistry:
    """The registry of a scan's settings, one per process."""
    return FactoryRegistry(settings, index)


class ModuleFactories:
    """What one module (a scanned file, or a conftest.py) sees of the in-house factories:
    the factory a qualified name goes through, the factory a fixture parameter hands out,
    the factory kept on `self`. Made per file; everything is worked out on first use."""

    def __init__(self, registry: FactoryRegistry, path: str, tree: ast.Module) -> None:
        self.registry = registry
        self.path = path
        self.body = tree.body
        # The resolver of a conftest.py (a scanned file's resolver passes itself).
        self.resolver: Resolver | None = None
        self._depends: set[str] = set()
        self._resolved_path: Path | object | None = _UNSET
        self._module: str | object | None = _UNSET
        self._fixtures: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] | None = None
        self._classes: frozenset[str] | None = None
        self._scope: Scope | None = None
        self._members: dict[str, str | None] = {}
        self._params: dict[str, str | None] = {}
        # class scope id -> (the scope, `self.x` -> the factory kept there, or None)
        self._kept: dict[int, tuple[Scope, dict[str, str | None]]] = {}
        # class scope id -> (the scope, `self.x` -> the methods and values assigned to it)
        self._assigned: dict[int, tuple[Scope, dict[str, list[tuple[FunctionNode, ast.expr]]]]]
        self._assigned = {}
        # Whether the module names a factory at all; when not, no `self.x` keeps one.
        self._names_factory = True

    def read_source(self, data: bytes) -> None:
        """Look once at the module's bytes: a module that names no factory class, configured
        factory or factory fixture keeps none on `self` (and the walk of every test class's
        methods for `self.x = ...` is saved)."""
        if self.registry.factory_words.search(data) is not None:
            return
        fixtures, conftests = self.registry.fixture_words(self.path)
        self._depends.update(conftests)
        self._names_factory = fixtures is not None and fixtures.search(data) is not None

    # --------------------------------------------------------------- where the file is

    @property
    def resolved_path(self) -> Path | None:
        """This file's absolute path (symbolic links resolved unless it lies plainly under
        the root already)."""
        if self._resolved_path is _UNSET:
            self._resolved_path = self.registry.locate_file(self.path)
        return self._resolved_path  # type: ignore[return-value]

    @property
    def module(self) -> str | None:
        """This module's dotted name in the project, when it has one."""
        if self._module is _UNSET:
            path = self.resolved_path
            self._module = self.registry.module_name(path) if path is not None else None
        return self._module  # type: ignore[return-value]

    def absolute(self, qualname: str) -> str:
        """A relative import's name made absolute (`.support.AppMockFactory` ->
        `tests.support.AppMockFactory`), from this module's package."""
        if not qualname.startswith("."):
            return qualname
        module = self.module
        if module is None:
            return qualname
        dots = len(qualname) - len(qualname.lstrip("."))
        is_package = os.path.basename(self.path) == "__init__.py"
        parts = module.split(".") if is_package else module.split(".")[:-1]
        if dots - 1 > len(parts):
            return qualname
        base = parts[: len(parts) - (dots - 1)]
        rest = qualname[dots:]
        return ".".join([*base, rest] if rest else base)

    @property
    def dependencies(self) -> tuple[tuple[str, str], ...]:
        """The files this module's factory calls were decided from, with their hashes."""
        own = str(self.resolved_path) if self.resolved_path is not None else ""
        return tuple(
            (path, self.registry.digest(path)) for path in sorted(self._depends) if path != own
        )

    # ------------------------------------------------------------- calls through a class

    def member(self, qualname: str) -> str | None:
        """For a qualified name through an in-house factory class: the member after the
        class (`create_websocket_mock`), "" for the class itself; None otherwise."""
        if FACTORY_SUFFIX not in qualname:
            return None
        if qualname in self._members:
            return self._members[qualname]
        found: str | None = None
        parts = self.absolute(qualname).split(".")
        for i, part in enumerate(parts):
            if part.endswith(FACTORY_SUFFIX) and self.registry.is_factory_class(
                ".".join(parts[: i + 1]), self._depends
            ):
                found = ".".join(parts[i + 1 :])
                break
        self._members[qualname] = found
        return found

    # ------------------------------------------------------------------------ fixtures

    @property
    def fixtures(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        """The module's own fixtures, by the name tests request them with."""
        if self._fixtures is None:
            self._fixtures = dict(_fixture_functions(self.body))
        return self._fixtures

    def fixture(self, name: str, resolver: Resolver) -> str | None:
        """The factory (a qualified name) that a parameter called `name` receives as a
        pytest fixture: this module's fixture of that name, else the nearest conftest.py's.
        None when no fixture of that name hands out a factory."""
        known = self._params.get(name, _UNSET)
        if known is not _UNSET:
            return known  # type: ignore[return-value]
        self._params[name] = None  # a fixture that takes its own name sees nothing
        value = self._fixture_value(name, resolver)
        self._params[name] = value
        return value

    def _fixture_value(self, name: str, resolver: Resolver) -> str | None:
        own = self.fixtures.get(name)
        if own is not None:
            return self._handed_out(own, resolver)
        path = self.resolved_path
        if path is None:
            return None
        for candidate in self.registry.conftest_chain(path.parent):
            if candidate == str(path):
                continue  # a conftest.py's own fixtures are its module's
            self._depends.add(candidate)
            conftest = self.registry.conftest(candidate)
            if conftest is None or name not in conftest.fixtures:
                continue
            assert conftest.resolver is not None
            value = conftest.fixture(name, conftest.resolver)
            self._depends.update(conftest._depends)
            return value
        return None

    def _handed_out(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, resolver: Resolver
    ) -> str | None:
        """The factory a fixture function returns or yields (the class or an instance)."""
        scope = self.module_scope.child("function", function.name, function.body, function.args)
        for value in _returned(function.body):
            found = self.factory_of(value, scope, resolver)
            if found:
                return found
        return None

    @property
    def module_scope(self) -> Scope:
        if self._scope is None:
            from mockguard.scan.resolve import Scope  # resolve imports this module

            self._scope = Scope("module", "", self.body)
        return self._scope

    @property
    def local_classes(self) -> frozenset[str]:
        if self._classes is None:
            self._classes = frozenset(s.name for s in self.body if isinstance(s, ast.ClassDef))
        return self._classes

    def factory_of(self, value: ast.expr, scope: Scope, resolver: Resolver) -> str | None:
        """The factory an expression is, as a qualified name: the class (`AppMockFactory`),
        an instance of it (`AppMockFactory()`), or a name bound to either."""
        if isinstance(value, ast.Await):
            value = value.value
        target = value.func if isinstance(value, ast.Call) else value
        if not isinstance(target, (ast.Name, ast.Attribute)):
            return None
        qualname = resolver.qualname(target, scope)
        if qualname is None:
            qualname = self._local_class(target, scope, resolver)
        if qualname is None or resolver.factory_member(qualname) != "":
            return None
        return self.absolute(qualname)

    def _local_class(self, target: ast.expr, scope: Scope, resolver: Resolver) -> str | None:
        """A class defined at this module's top level (`AppMockFactory` in the conftest.py
        that defines it), by its name in the project."""
        name = dotted(target)
        head = name.split(".")[0] if name else ""
        if head not in self.local_classes or self.module is None:
            return None
        if resolver.lookup(head, scope) != "":  # bound to something else on the way
            return None
        return f"{self.module}.{name}"

    def defines_factory(self, class_name: str) -> bool:
        """Whether a class this module defines at its top level is an in-house factory
        (the factory's own definition is no hand-written double)."""
        module = self.module
        if module is None or not class_name.endswith(FACTORY_SUFFIX):
            return False
        return self.registry.is_factory_class(f"{module}.{class_name}", self._depends)

    # --------------------------------------------------------------- kept on a test case

    def callee(self, func: ast.expr, scope: Scope, resolver: Resolver) -> str | None:
        """The qualified name of a callee that goes through a factory in a way names do not
        say: an instance made in place (`AppMockFactory().create_x`), or a factory the test
        case keeps in `self.factory` (set in any of its methods, `setUp` or a fixture, or in
        its body). None otherwise."""
        parts: list[str] = []
        node = func
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not parts:
            return None
        parts.reverse()
        if isinstance(node, ast.Call):
            made = self.factory_of(node, scope, resolver)
            return ".".join([made, *parts]) if made else None
        if not isinstance(node, ast.Name) or node.id not in SELF_NAMES or len(parts) < 2:
            return None
        if not self._names_factory:
            return None
        holder = scope.enclosing_class
        if holder is None:
            return None
        known = self._kept.get(id(holder))
        if known is None or known[0] is not holder:  # the scope is kept: its id stays its own
            known = self._kept[id(holder)] = (holder, {})
        kept = known[1]
        if parts[0] not in kept:
            kept[parts[0]] = None  # a factory kept from itself is none
            kept[parts[0]] = self._kept_factory(holder, parts[0], resolver)
        factory = kept[parts[0]]
        return ".".join([factory, *parts[1:]]) if factory else None

    def _kept_factory(self, holder: Scope, attribute: str, resolver: Resolver) -> str | None:
        if attribute in holder.sources:  # a class attribute: `factory = AppMockFactory()`
            bound = resolver.lookup(attribute, holder)
            if bound and resolver.factory_member(bound) == "":
                return self.absolute(bound)
        for function, value in self._assignments(holder).get(attribute, ()):
            method = holder.child("function", function.name, function.body, function.args)
            found = self.factory_of(value, method, resolver)
            if found:
                return found
        return None

    def _assignments(self, holder: Scope) -> dict[str, list[tuple[FunctionNode, ast.expr]]]:
        """`self.x = value` in the methods of a class, by `x`: one walk per class."""
        known = self._assigned.get(id(holder))
        if known is not None and known[0] is holder:
            return known[1]
        found: dict[str, list[tuple[FunctionNode, ast.expr]]] = {}
        for statement in holder.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for attribute, value in _assigned_to_self(statement.body):
                    found.setdefault(attribute, []).append((statement, value))
        self._assigned[id(holder)] = (holder, found)
        return found


# --------------------------------------------------------------------------- helpers


def _defined_classes(data: bytes, path: str) -> frozenset[str]:
    """The classes a module defines at its top level, from its parse (a `class` line in a
    string is none); none when it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError, UnicodeDecodeError):
        return frozenset()
    return frozenset(s.name for s in tree.body if isinstance(s, ast.ClassDef))


def _fixture_functions(
    body: list[ast.stmt],
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The fixture functions of a module's top level, by the name they are requested with
    (`@pytest.fixture(name="x")` renames one)."""
    for statement in body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in statement.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            name = dotted(call.func if call is not None else decorator) or ""
            if name.rsplit(".", 1)[-1] not in FIXTURE_DECORATORS:
                continue
            requested = statement.name
            for keyword in call.keywords if call is not None else ():
                value = keyword.value
                if (
                    keyword.arg == "name"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    requested = value.value
            yield requested, statement
            break


def _returned(body: list[ast.stmt]) -> Iterator[ast.expr]:
    """The values a function returns or yields (`return f`, `yield f`, `x = yield f`; not
    those of functions nested in it). Only statements are walked: a fixture hands out
    what a statement returns or yields."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.Return):
            if node.value is not None:
                yield node.value
            continue
        value = getattr(node, "value", None) if isinstance(node, _YIELDERS) else None
        if isinstance(value, ast.Yield) and value.value is not None:
            yield value.value
        stack.extend(reversed([c for c in ast.iter_child_nodes(node) if isinstance(c, _BLOCKS)]))


# Statements whose value may be a `yield`: `yield f`, `x = yield f`.
_YIELDERS = (ast.Expr, ast.Assign, ast.AnnAssign)


def _assigned_to_self(body: list[ast.stmt]) -> Iterator[tuple[str, ast.expr]]:
    """The attributes of `self` a method assigns, with their values (not in functions
    nested in it)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id in SELF_NAMES
                and value is not None
            ):
                yield target.attr, value
        stack.extend(reversed([c for c in ast.iter_child_nodes(node) if isinstance(c, _BLOCKS)]))


# What holds statements: a statement's body, an except handler, a match case.
_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)
