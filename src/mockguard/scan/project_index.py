"""The project index: what the project's own modules define, read without importing them.

A spec class or a patch target names a real object (`app.repos.ThreadRepository`,
`nova.compute.manager.ComputeManager._sync`). When that object is defined in the scanned
project, its module says what it is: the libraries it imports, its bases, the parameters its
methods take. The index finds the module's file under the project root and reads a
line-level summary of it: import statements, `class` headers with their bases, and `def`
lines with their parameter names. Nothing is imported or executed, files outside the root
(through symlinks too) are never read, and each module is read at most once per process.

The summary is a reading of lines, not a parse: a `class` or `def` line inside a string
would count. It is used for evidence only, never to decide whether something is a site.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mockguard.scan.reading import read_source

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*\Z")
_STATEMENT = re.compile(
    rb"^(?P<indent>[ \t]*)(?:"
    rb"(?:async[ \t]+)?def[ \t]+(?P<def>\w+)[ \t]*\((?P<params>[^)]*)"
    rb"|class[ \t]+(?P<class>\w+)[ \t]*(?:\((?P<bases>[^)]*)\))?[ \t]*:"
    rb"|import[ \t]+(?P<import>[\w. \t,]+)"
    rb"|from[ \t]+(?P<from>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n#;]+)"
    rb")",
    re.MULTILINE,
)
_PARAMETER = re.compile(r"^\s*\**([A-Za-z_]\w*)")
MAX_DEPTH = 4  # re-exports followed at most this far (`from .repo import Repo`)
MAX_PACKAGE_MODULES = 200  # submodules searched for a name a package does not import


@dataclass(frozen=True, slots=True)
class ClassSummary:
    """A class defined in a project module."""

    name: str
    bases: tuple[str, ...]
    methods: dict[str, tuple[str, ...]] = field(hash=False)


@dataclass(frozen=True, slots=True)
class ModuleSummary:
    """What one project module imports and defines."""

    module: str
    path: str  # relative to the project root, with `/`
    imports: frozenset[str]
    names: dict[str, str] = field(hash=False)  # name -> what it is imported as
    classes: dict[str, ClassSummary] = field(hash=False)
    functions: dict[str, tuple[str, ...]] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Located:
    """A qualified name found in the project: its module, and the class and member named."""

    summary: ModuleSummary
    cls: ClassSummary | None
    member: str  # the function or method named, "" for a module or a class

    @property
    def parameters(self) -> tuple[str, ...]:
        if self.cls is not None:
            return self.cls.methods.get(self.member, ())
        return self.summary.functions.get(self.member, ())


class ProjectIndex:
    """Finds and summarises the project's own modules, lazily."""

    def __init__(self, root: Path, *, max_file_size: int = 2 * 1024 * 1024) -> None:
        self.root = root.resolve()
        self.max_file_size = max_file_size
        self._real_root = str(self.root)
        self._bases = [str(self.root / "src"), str(self.root)]
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._defined_in: dict[tuple[str, str], str | None] = {}
        self._listings: dict[str, frozenset[str]] = {}

    def module_file(self, module: str) -> Path | None:
        """The file of a dotted module name under the root (`src/` layouts too)."""
        parts = module.split(".")
        if not all(_IDENTIFIER.match(p) for p in parts):
            return None
        last = parts[-1]
        for base in self._bases:
            folder = os.path.join(base, *parts[:-1])
            names = self._listing(folder)
            if f"{last}.py" in names:
                candidate = os.path.join(folder, f"{last}.py")
            elif last in names and "__init__.py" in self._listing(os.path.join(folder, last)):
                candidate = os.path.join(folder, last, "__init__.py")
            else:
                continue
            try:
                real = os.path.realpath(candidate)
                if os.path.isfile(real) and os.path.commonpath([real, self._real_root]) == (
                    self._real_root
                ):
                    return Path(candidate)
            except (OSError, ValueError):
                continue
        return None

    def _listing(self, folder: str) -> frozenset[str]:
        """The names in a folder, read once (empty for a missing or unreadable one)."""
        known = self._listings.get(folder)
        if known is None:
            try:
                known = frozenset(os.listdir(folder))
            except OSError:
                known = frozenset()
            self._listings[folder] = known
        return known

    def summary(self, module: str) -> ModuleSummary | None:
        """The summary of a project module, or None when the project does not define it."""
        if module in self._summaries:
            return self._summaries[module]
        found: ModuleSummary | None = None
        path = self.module_file(module)
        if path is not None:
            data = read_source(str(path), self.max_file_size)
            if isinstance(data, bytes):
                is_package = path.name == "__init__.py"
                relative = path.relative_to(self.root).as_posix()
                found = summarise(data, module, relative, is_package=is_package)
        self._summaries[module] = found
        return found

    def locate(self, qualname: str, depth: int = 0) -> Located | None:
        """Where a dotted name is defined in the project, following re-exports."""
        summary, rest = self._innermost_module(qualname.split("."))
        if summary is None:
            return None
        if not rest:
            return Located(summary, None, "")
        head = rest[0]
        if head in summary.classes:
            member = rest[1] if len(rest) > 1 else ""
            return Located(summary, summary.classes[head], member)
        if head in summary.functions:
            return Located(summary, None, head)
        origin = summary.names.get(head)
        if origin is not None and depth < MAX_DEPTH:
            return self.locate(".".join([origin, *rest[1:]]), depth + 1)
        defined_in = self._submodule_defining(summary, head)
        if defined_in is not None and depth < MAX_DEPTH:
            return self.locate(".".join([defined_in, *rest]), depth + 1)
        return Located(summary, None, "")

    def origin(self, qualname: str) -> str | None:
        """Where a dotted name that passes through project modules leads outside them:
        `app.backends.gcs.storage.Client`, in a module that imports `storage` from
        `google.cloud`, is `google.cloud.storage.Client`. None when it stays in the project
        or names no project module."""
        parts = qualname.split(".")
        moved = False
        for _ in range(MAX_DEPTH + 1):
            summary, rest = self._innermost_module(parts)
            if summary is None:
                return ".".join(parts) if moved else None
            if not rest or rest[0] in summary.classes or rest[0] in summary.functions:
                return None
            imported = summary.names.get(rest[0])
            if imported is None:
                return None
            parts, moved = [*imported.split("."), *rest[1:]], True
        return None

    def _innermost_module(self, parts: list[str]) -> tuple[ModuleSummary | None, list[str]]:
        """The longest leading run of `parts` that is a project module, and what follows."""
        for cut in range(len(parts), 0, -1):
            summary = self.summary(".".join(parts[:cut]))
            if summary is not None:
                return summary, parts[cut:]
        return None, parts

    def _submodule_defining(self, package: ModuleSummary, name: str) -> str | None:
        """The submodule of a package that defines `name` at its top level, for packages
        that load their submodules at run time (`objects.register_all()`)."""
        if not package.path.endswith("__init__.py"):
            return None
        key = (package.module, name)
        if key not in self._defined_in:
            found = None
            folder = self.root / package.path.rpartition("/")[0]
            try:
                modules = sorted(folder.glob("*.py"))[:MAX_PACKAGE_MODULES]
            except OSError:
                modules = []
            for path in modules:
                if path.name == "__init__.py" or not _IDENTIFIER.match(path.stem):
                    continue
                summary = self.summary(f"{package.module}.{path.stem}")
                if summary is not None and (name in summary.classes or name in summary.functions):
                    found = summary.module
                    break
            self._defined_in[key] = found
        return self._defined_in[key]


def summarise(data: bytes, module: str, path: str, *, is_package: bool = False) -> ModuleSummary:
    """The line-level summary of a module's source."""
    package = module if is_package else module.rpartition(".")[0]
    imports: set[str] = set()
    names: dict[str, str] = {}
    classes: dict[str, ClassSummary] = {}
    functions: dict[str, tuple[str, ...]] = {}
    open_classes: list[tuple[int, ClassSummary]] = []  # (indent, class), innermost last
    for match in _STATEMENT.finditer(data):
        indent = len(match.group("indent").expandtabs(8))
        if match.group("def") or match.group("class"):
            while open_classes and open_classes[-1][0] >= indent:
                open_classes.pop()
        if match.group("def"):
            params = _parameters(match.group("params"))
            if open_classes and open_classes[-1][0] < indent:
                owner = open_classes[-1][1]
                owner.methods.setdefault(_text(match.group("def")), params)
            elif indent == 0:
                functions.setdefault(_text(match.group("def")), params)
        elif match.group("class"):
            bases = tuple(
                b.strip()
                for b in _text(match.group("bases") or b"").split(",")
                if b.strip() and "=" not in b
            )
            summary = ClassSummary(_text(match.group("class")), bases, {})
            if not open_classes:
                classes.setdefault(summary.name, summary)
            open_classes.append((indent, summary))
        elif match.group("import"):
            for item in _text(match.group("import")).split(","):
                target, _, alias = item.partition(" as ")
                target, alias = target.strip(), alias.strip()
                if target:
                    imports.add(target)
                if _IDENTIFIER.match(alias):
                    names[alias] = target
        elif match.group("from") is not None:
            origin = _absolute(_text(match.group("from")), package)
            if not origin:
                continue
            imports.add(origin)
            for item in _text(match.group("names")).strip("() \t\n").split(","):
                name, _, alias = item.strip().partition(" as ")
                name = name.strip()
                if _IDENTIFIER.match(name):
                    names[(alias.strip() or name)] = f"{origin}.{name}"
    return ModuleSummary(module, path, frozenset(imports), names, classes, functions)


def _parameters(raw: bytes) -> tuple[str, ...]:
    found = []
    for item in _text(raw).split(","):
        match = _PARAMETER.match(item)
        if match and match.group(1) not in ("self", "cls"):
            found.append(match.group(1))
    return tuple(found)


def _absolute(origin: str, package: str) -> str:
    """`..models` seen from package `app.api` -> `app.models`."""
    dots = len(origin) - len(origin.lstrip("."))
    if not dots:
        return origin
    parts = package.split(".") if package else []
    if dots - 1 > len(parts):
        return ""
    base = parts[: len(parts) - (dots - 1)]
    rest = origin[dots:]
    return ".".join([*base, rest] if rest else base)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
