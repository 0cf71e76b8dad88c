"""Discovery: which files a scan reads (paths, exclude patterns, .gitignore, test code
only unless all-files), and the byte pre-filter that spares the parse of files that cannot
hold a finding. Patterns are matched in :mod:`mockguard.scan.ignore`; files are read by
:mod:`mockguard.scan.reading`.

A folder walk takes test code only, unless `all_files` is set: files named after pytest's
`python_files` patterns, every `conftest.py`, every module named `tests.py` or `test.py`,
and every file below a folder named `tests` or `test` (see
:class:`mockguard.scan.ignore.TestFiles`). A file named on the command line
is always taken, unless `force_exclude` applies the walk's rules to it too (pre-commit
passes the staged files by name)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING

from mockguard.findings import Diagnostic
from mockguard.scan.ignore import GitIgnores, Ignores
from mockguard.scan.vocabulary import (
    CONSTRUCTORS,
    MOCKER_CONSTRUCTORS,
    MOCKER_PARAMETERS,
    PATCH_WORDS,
    UNRESOLVED_MOCK_NAMES,
)

if TYPE_CHECKING:
    from mockguard.config import Settings

PYTHON_SUFFIXES = (".py", ".pyi")
_NAME = attrgetter("name")


class MissingPathError(Exception):
    """A path given on the command line does not exist."""


@dataclass
class Discovery:
    """The files to scan, and what discovery had to say about the others."""

    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Python files left out because they are not test code (without all-files): found by
    # the walks, or named with `force_exclude`.
    not_tests: int = 0
    # What the outcome was decided from, besides the files themselves: the folders listed,
    # the .gitignore files looked for, and how many symbolic links were met.
    folders: list[str] = field(default_factory=list)
    gitignores: list[str] = field(default_factory=list)
    links: int = 0


# ----------------------------------------------------------------------- discovery


def discover(paths: list[str], settings: Settings, *, force_exclude: bool = False) -> Discovery:
    """The Python files under `paths` (test code only, unless all-files), sorted. Files
    named explicitly are always included, unless `force_exclude` applies the exclude
    patterns and the test-code rule to them too."""
    found = Discovery()
    ignores = Ignores(settings)
    for given in paths:
        if not os.path.lexists(given):
            raise MissingPathError(given)
        found.links += os.path.islink(given)
        if os.path.islink(given) and not os.path.exists(given):
            found.diagnostics.append(Diagnostic(given, "broken-symlink", "broken symbolic link"))
        elif os.path.isdir(given):
            found.files.extend(_walk(given, ignores, found))
        elif os.path.isfile(given):
            if not force_exclude or not _force_excluded(given, ignores):
                found.files.append(given)
            elif not _force_excluded(given, ignores, tests=False):
                found.not_tests += 1
        else:
            found.diagnostics.append(Diagnostic(given, "not-a-file", "not a regular file"))
    found.diagnostics.extend(ignores.diagnostics)
    found.gitignores = ignores.looked_for()
    found.files = sorted({os.path.normpath(f) for f in found.files})
    found.diagnostics = [replace(d, path=os.path.normpath(d.path)) for d in found.diagnostics]
    return found


def _force_excluded(path: str, ignores: Ignores, *, tests: bool = True) -> bool:
    """Whether a walk would leave out a file named on the command line: the exclude
    patterns, and with `tests` the test-code rule."""
    if tests and ignores.not_test(path):
        return True
    rel = ignores.rootshown_path(path)
    if rel is None:
        return ignores.excluded(None, os.path.basename(path), False)
    folder, _, name = rel.rpartition("/")
    if folder and ignores.exclude.ignores_folder(folder):
        return True
    return ignores.excluded(rel, name, False)


@dataclass(frozen=True)
class _Folder:
    """A folder still to list, with its path from the project root (None outside it;
    else "" or ending in `/`) and the .gitignore files that apply in it."""

    path: str
    rel: str | None
    gitignores: GitIgnores
    # Its path from the test-code base ("" or ending in `/`), and whether it is or lies
    # below a folder named `tests` or `test` (see TestFiles; unused with all-files).
    test_rel: str = ""
    in_tests: bool = False


def _walk(top: str, ignores: Ignores, found: Discovery) -> Iterator[str]:
    """The Python files below `top`. Each folder carries its path relative to the root
    and to every .gitignore above it, so that no path is resolved per file."""
    diagnostics = found.diagnostics
    real_top = os.path.realpath(top)
    stack = [_top_folder(top, ignores)]
    while stack:
        folder = stack.pop()
        found.folders.append(folder.path)
        entries = _entries(folder.path, diagnostics)
        # A folder's listing says whether it holds a .gitignore (one that cannot be
        # listed is asked, for the diagnostic of an unreadable one).
        if entries is None or any(entry.name == ".gitignore" for entry in entries):
            folder = _with_own_gitignore(folder, ignores)
        for entry in entries or ():
            try:
                if entry.is_dir(follow_symlinks=False):
                    below = _subfolder(folder, entry, ignores)
                    if below is not None:
                        stack.append(below)
                elif _wanted(entry, folder, ignores, real_top, found):
                    yield entry.path
            except OSError as exc:
                diagnostics.append(Diagnostic(entry.path, "unreadable", exc.strerror or str(exc)))


def _top_folder(top: str, ignores: Ignores) -> _Folder:
    """Where a walk starts: a folder named on the command line."""
    rel = ignores.rootshown_path(top)
    if rel is not None:
        rel = "" if rel == "." else rel + "/"
    test_rel, in_tests = ignores.tests.folder(top) if ignores.tests else ("", False)
    return _Folder(top, rel, ignores.above(top), test_rel, in_tests)


def _with_own_gitignore(folder: _Folder, ignores: Ignores) -> _Folder:
    """`folder`, with its own .gitignore (if any) applying inside it."""
    own = ignores.gitignore(folder.path) if ignores.respect_gitignore else None
    if own is None:
        return folder
    return replace(folder, gitignores=(*folder.gitignores, (own, "")))


def _entries(folder: str, diagnostics: list[Diagnostic]) -> list[os.DirEntry[str]] | None:
    """The entries of `folder` (None, with a diagnostic, when it cannot be listed)."""
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=_NAME)
    except OSError as exc:
        diagnostics.append(Diagnostic(folder, "unreadable", f"cannot list folder: {exc.strerror}"))
        return None


def _subfolder(folder: _Folder, entry: os.DirEntry[str], ignores: Ignores) -> _Folder | None:
    """The subfolder `entry` of `folder` to walk, or None when it is left out."""
    name = entry.name
    rel = None if folder.rel is None else folder.rel + name
    if ignores.excluded(rel, name, True) or ignores.git_ignored(folder.gitignores, name, True):
        return None
    below = tuple((rules, prefix + name + "/") for rules, prefix in folder.gitignores)
    test_rel, in_tests = folder.test_rel, folder.in_tests
    if ignores.tests is not None:
        test_rel, in_tests = ignores.tests.below(test_rel, in_tests, name)
    return _Folder(entry.path, None if rel is None else rel + "/", below, test_rel, in_tests)


def _wanted(
    entry: os.DirEntry[str],
    folder: _Folder,
    ignores: Ignores,
    real_top: str,
    found: Discovery,
) -> bool:
    """Whether the file `entry` of `folder` is to be scanned (a Python file not
    left out by the patterns, and test code unless all-files)."""
    diagnostics = found.diagnostics
    name = entry.name
    if not name.endswith(PYTHON_SUFFIXES):
        return False
    if entry.is_symlink():
        found.links += 1
        if not _link_followed(entry, real_top, diagnostics):
            return False
    rel = None if folder.rel is None else folder.rel + name
    if ignores.excluded(rel, name, False) or ignores.git_ignored(folder.gitignores, name, False):
        return False
    tests = ignores.tests
    if tests is not None and not tests.matches(folder.test_rel, folder.in_tests, name):
        found.not_tests += 1
        return False
    if not entry.is_file():
        diagnostics.append(Diagnostic(entry.path, "not-a-file", "not a regular file"))
        return False
    return True


def _link_followed(entry: os.DirEntry[str], real_top: str, diagnostics: list[Diagnostic]) -> bool:
    """Whether a symbolic link is followed: only to a file inside the scanned folder
    (symlinked folders never are: loops, trees outside)."""
    if not os.path.exists(entry.path):
        diagnostics.append(Diagnostic(entry.path, "broken-symlink", "broken symbolic link"))
        return False
    if entry.is_dir():
        return False
    target = os.path.realpath(entry.path)
    if not target.startswith(os.path.join(real_top, "")):
        diagnostics.append(
            Diagnostic(
                entry.path,
                "symlink-outside",
                f"not followed: links outside the scanned folder, to {target}",
            )
        )
        return False
    return True


class ByteFilter:
    """Whether a file's bytes may hold a finding or a factory call: a word (not a
    substring: "dispatch" is not "patch") from the mock API or the factory names, an
    in-house `...MockFactory`, or a `class` statement whose name carries a double marker.

    Each pattern runs only on files that hold its literal core (a substring test is many
    times faster than a pattern with a leading word boundary, which the regular expression
    engine cannot skip ahead for), so most files are looked at a few times at memory speed.
    """

    def __init__(self, names: set[str]) -> None:
        encoded = {n.encode() for n in names}
        # No word holds a needle but contains it: every word of the pattern holds one.
        self.needles = tuple(
            sorted(w for w in encoded if not any(o != w and o in w for o in encoded))
        )
        alternatives = b"|".join(re.escape(n) for n in sorted(encoded, key=len, reverse=True))
        self.words = re.compile(rb"\b(?:" + alternatives + rb")\b")
        self.factory_class = re.compile(rb"\b\w+MockFactory\b")
        self.double_class = re.compile(rb"class\s+\w*(?i:mock|fake|stub|dummy)")
        self.double_class_word = re.compile(rb"\bclass\s+\w*(?i:mock|fake|stub|dummy)")

    def __call__(self, data: bytes) -> bool:
        if any(n in data for n in self.needles) and self.words.search(data) is not None:
            return True
        if b"MockFactory" in data and self.factory_class.search(data) is not None:
            return True
        return (
            self.double_class.search(data) is not None
            and self.double_class_word.search(data) is not None
        )


@lru_cache(maxsize=8)
def prefilter(
    factories: tuple[str, ...], factory_fixtures: tuple[str, ...], mock_modules: tuple[str, ...]
) -> ByteFilter:
    """The byte filter that every file holding a finding or a factory call passes."""
    names = set(CONSTRUCTORS) | MOCKER_CONSTRUCTORS | MOCKER_PARAMETERS | UNRESOLVED_MOCK_NAMES
    names |= {"MockerFixture", "asynctest"} | PATCH_WORDS
    names |= {f.rsplit(".", 1)[-1] for f in factories if not f.startswith("!")}
    names |= set(factory_fixtures)
    names |= {m.rsplit(".", 1)[-1] for m in mock_modules}
    return ByteFilter({n for n in names if n.isidentifier()})  # a pattern adds no word
