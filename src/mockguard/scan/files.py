"""Discovery: which files a scan reads (paths, exclude patterns, .gitignore), and the byte
pre-filter that spares the parse of files that cannot hold a finding. Patterns are matched
in :mod:`mockguard.scan.ignore`; files are read by :mod:`mockguard.scan.reading`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from mockguard.findings import Diagnostic
from mockguard.scan.ignore import GitIgnores, Ignores
from mockguard.scan.vocabulary import (
    CONSTRUCTORS,
    MOCKER_CONSTRUCTORS,
    MOCKER_PARAMETERS,
    UNRESOLVED_MOCK_NAMES,
)

if TYPE_CHECKING:
    from mockguard.config import Settings

PYTHON_SUFFIXES = (".py", ".pyi")


class MissingPathError(Exception):
    """A path given on the command line does not exist."""


@dataclass
class Discovery:
    """The files to scan, and what discovery had to say about the others."""

    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


# ----------------------------------------------------------------------- discovery


def discover(paths: list[str], settings: Settings, *, force_exclude: bool = False) -> Discovery:
    """The Python files under `paths`, sorted. Files named explicitly are always included,
    unless `force_exclude` applies the exclude patterns to them too."""
    found = Discovery()
    ignores = Ignores(settings)
    for given in paths:
        if not os.path.lexists(given):
            raise MissingPathError(given)
        if os.path.islink(given) and not os.path.exists(given):
            found.diagnostics.append(Diagnostic(given, "broken-symlink", "broken symbolic link"))
        elif os.path.isdir(given):
            found.files.extend(_walk(given, ignores, found.diagnostics))
        elif os.path.isfile(given):
            if not (force_exclude and _force_excluded(given, ignores)):
                found.files.append(given)
        else:
            found.diagnostics.append(Diagnostic(given, "not-a-file", "not a regular file"))
    found.diagnostics.extend(ignores.diagnostics)
    found.files = sorted({os.path.normpath(f) for f in found.files})
    found.diagnostics = [replace(d, path=os.path.normpath(d.path)) for d in found.diagnostics]
    return found


def _force_excluded(path: str, ignores: Ignores) -> bool:
    """Whether the exclude patterns leave out a file named on the command line."""
    rel = ignores.rootshown_path(path)
    if rel is None:
        return ignores.excluded(None, os.path.basename(path), False)
    return ignores.excluded_path(rel)


@dataclass(frozen=True)
class _Folder:
    """A folder still to list, with its path from the project root (None outside it;
    else "" or ending in `/`) and the .gitignore files that apply in it."""

    path: str
    rel: str | None
    gitignores: GitIgnores


def _walk(top: str, ignores: Ignores, diagnostics: list[Diagnostic]) -> Iterator[str]:
    """The Python files below `top`. Each folder carries its path relative to the root
    and to every .gitignore above it, so that no path is resolved per file."""
    real_top = os.path.realpath(top)
    stack = [_top_folder(top, ignores)]
    while stack:
        folder = _with_own_gitignore(stack.pop(), ignores)
        for entry in _entries(folder.path, diagnostics):
            try:
                if entry.is_dir(follow_symlinks=False):
                    below = _subfolder(folder, entry, ignores)
                    if below is not None:
                        stack.append(below)
                elif _wanted(entry, folder, ignores, real_top, diagnostics):
                    yield entry.path
            except OSError as exc:
                diagnostics.append(Diagnostic(entry.path, "unreadable", exc.strerror or str(exc)))


def _top_folder(top: str, ignores: Ignores) -> _Folder:
    """Where a walk starts: a folder named on the command line."""
    rel = ignores.rootshown_path(top)
    if rel is not None:
        rel = "" if rel == "." else rel + "/"
    return _Folder(top, rel, ignores.above(top))


def _with_own_gitignore(folder: _Folder, ignores: Ignores) -> _Folder:
    """`folder`, with its own .gitignore (if any) applying inside it."""
    own = ignores.gitignore(folder.path) if ignores.respect_gitignore else None
    if own is None:
        return folder
    return replace(folder, gitignores=(*folder.gitignores, (own, "")))


def _entries(folder: str, diagnostics: list[Diagnostic]) -> list[os.DirEntry[str]]:
    """The entries of `folder` (none, with a diagnostic, when it cannot be listed)."""
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        diagnostics.append(Diagnostic(folder, "unreadable", f"cannot list folder: {exc.strerror}"))
        return []


def _subfolder(folder: _Folder, entry: os.DirEntry[str], ignores: Ignores) -> _Folder | None:
    """The subfolder `entry` of `folder` to walk, or None when it is left out."""
    name = entry.name
    rel = None if folder.rel is None else folder.rel + name
    if ignores.excluded(rel, name, True) or ignores.git_ignored(folder.gitignores, name, True):
        return None
    below = tuple((rules, prefix + name + "/") for rules, prefix in folder.gitignores)
    return _Folder(entry.path, None if rel is None else rel + "/", below)


def _wanted(
    entry: os.DirEntry[str],
    folder: _Folder,
    ignores: Ignores,
    real_top: str,
    diagnostics: list[Diagnostic],
) -> bool:
    """Whether the file `entry` of `folder` is to be scanned."""
    name = entry.name
    if not name.endswith(PYTHON_SUFFIXES):
        return False
    if entry.is_symlink() and not _link_followed(entry, real_top, diagnostics):
        return False
    rel = None if folder.rel is None else folder.rel + name
    if ignores.excluded(rel, name, False) or ignores.git_ignored(folder.gitignores, name, False):
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


@lru_cache(maxsize=8)
def prefilter(
    factories: tuple[str, ...], factory_fixtures: tuple[str, ...], mock_modules: tuple[str, ...]
) -> re.Pattern[bytes]:
    """A byte pattern that every file holding a finding or a factory call matches.

    Words (not substrings: "dispatch" is not "patch") from the mock API, the factory names,
    and a `class` statement whose name carries a double marker.
    """
    names = set(CONSTRUCTORS) | MOCKER_CONSTRUCTORS | MOCKER_PARAMETERS | UNRESOLVED_MOCK_NAMES
    names |= {"MockerFixture", "asynctest"}
    names |= {f.rsplit(".", 1)[-1] for f in factories}
    names |= set(factory_fixtures)
    names |= {m.rsplit(".", 1)[-1] for m in mock_modules}
    words = b"|".join(re.escape(n.encode()) for n in sorted(names, key=len, reverse=True))
    return re.compile(rb"\b(?:" + words + rb")\b|\bclass\s+\w*(?i:mock|fake|stub|dummy)")
