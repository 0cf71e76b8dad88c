"""Discovery: which files a scan reads (paths, exclude globs, .gitignore), reading them
safely, and the byte pre-filter that spares the parse of files that cannot hold a finding."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockguard.findings import Diagnostic
from mockguard.scan.names import (
    CONSTRUCTORS,
    MOCKER_CONSTRUCTORS,
    MOCKER_PARAMETERS,
    UNRESOLVED_MOCK_NAMES,
)

if TYPE_CHECKING:
    from pathspec import PathSpec

    from mockguard.config import Settings

PYTHON_SUFFIXES = (".py", ".pyi")


class MissingPathError(Exception):
    """A path given on the command line does not exist."""


@dataclass
class Discovery:
    """The files to scan, and what discovery had to say about the others."""

    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _spec(patterns: list[str] | tuple[str, ...]) -> PathSpec[Any]:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(patterns)


class _Ignores:
    """Exclude patterns (gitignore-style, relative to the project root) and the .gitignore
    files met on the way. Plain name patterns (`.venv`, `*.egg-info`), the common case,
    are matched against the entry's name without building any path."""

    def __init__(self, settings: Settings) -> None:
        self.root = str(settings.root)
        patterns = [*settings.exclude, *settings.extend_exclude]
        plain = [p for p in patterns if _is_plain(p)]
        rest = [p for p in patterns if not _is_plain(p)]
        if any(p.startswith("!") for p in patterns):
            plain, rest = [], patterns  # negations need the full matcher, in order
        self.names = re.compile("|".join(fnmatch.translate(p) for p in plain)) if plain else None
        self.paths = _spec(rest) if rest else None
        self.respect_gitignore = settings.respect_gitignore
        self._gitignores: dict[str, PathSpec[Any] | None] = {}

    def gitignore(self, folder: str) -> PathSpec[Any] | None:
        if folder not in self._gitignores:
            spec = None
            try:
                with open(
                    os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace"
                ) as f:
                    spec = _spec(f.read().splitlines())
            except OSError:
                pass
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def above(self, folder: str) -> list[tuple[PathSpec[Any], str]]:
        """The .gitignore files of the folders above `folder`, up to the repository root,
        each with the path from its folder down to `folder`."""
        if not self.respect_gitignore:
            return []
        found: list[tuple[PathSpec[Any], str]] = []
        current = Path(folder).resolve()
        for parent in current.parents:
            spec = self.gitignore(str(parent))
            if spec is not None:
                prefix = current.relative_to(parent).as_posix() + "/"
                # A folder named on the command line is scanned even when ignored itself
                # (as ripgrep does): its own ignore rules then no longer apply below it.
                if not spec.match_file(prefix):
                    found.append((spec, prefix))
            if (parent / ".git").exists():
                return found
        return []

    def root_relative(self, path: str) -> str | None:
        """`path` relative to the project root, or None when it lies outside it."""
        rel = os.path.relpath(os.path.abspath(path), self.root)
        return None if rel.startswith("..") else rel.replace(os.sep, "/")

    def excluded(self, rel: str | None, name: str, is_dir: bool) -> bool:
        if self.names is not None and self.names.match(name):
            return True
        if self.paths is not None:
            candidate = rel if rel is not None else name
            if self.paths.match_file(candidate + "/" if is_dir else candidate):
                return True
        return False

    @staticmethod
    def git_ignored(gitignores: list[tuple[PathSpec[Any], str]], name: str, is_dir: bool) -> bool:
        suffix = name + "/" if is_dir else name
        return any(spec.match_file(prefix + suffix) for spec, prefix in gitignores)


def _is_plain(pattern: str) -> bool:
    return "/" not in pattern and not pattern.startswith(("!", "#")) and "**" not in pattern


def discover(paths: list[str], settings: Settings, *, force_exclude: bool = False) -> Discovery:
    """The Python files under `paths`, sorted. Files named explicitly are always included,
    unless `force_exclude` applies the exclude patterns to them too."""
    found = Discovery()
    ignores = _Ignores(settings)
    for given in paths:
        if not os.path.lexists(given):
            raise MissingPathError(given)
        if os.path.islink(given) and not os.path.exists(given):
            found.diagnostics.append(Diagnostic(given, "broken-symlink", "broken symbolic link"))
        elif os.path.isdir(given):
            found.files.extend(_walk(given, ignores, found.diagnostics))
        elif os.path.isfile(given):
            rel = ignores.root_relative(given)
            if not (force_exclude and ignores.excluded(rel, os.path.basename(given), False)):
                found.files.append(given)
        else:
            found.diagnostics.append(Diagnostic(given, "not-a-file", "not a regular file"))
    found.files = sorted({os.path.normpath(f) for f in found.files})
    found.diagnostics = [replace(d, path=os.path.normpath(d.path)) for d in found.diagnostics]
    return found


def _walk(top: str, ignores: _Ignores, diagnostics: list[Diagnostic]) -> Iterator[str]:
    """The Python files below `top`, carrying each folder's path relative to the root and
    to every .gitignore above it, so that no path is resolved per file."""
    top_rel = ignores.root_relative(top)
    start: tuple[str, str | None, list[tuple[PathSpec[Any], str]]] = (
        top,
        None if top_rel is None else ("" if top_rel == "." else top_rel + "/"),
        ignores.above(top),
    )
    real_top = os.path.realpath(top)
    stack = [start]
    while stack:
        folder, rel, gitignores = stack.pop()
        if ignores.respect_gitignore:
            own = ignores.gitignore(folder)
            if own is not None:
                gitignores = [*gitignores, (own, "")]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            diagnostics.append(
                Diagnostic(folder, "unreadable", f"cannot list folder: {exc.strerror}")
            )
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    child_rel = None if rel is None else rel + name
                    if ignores.excluded(child_rel, name, True) or (
                        gitignores and ignores.git_ignored(gitignores, name, True)
                    ):
                        continue
                    below = [(spec, prefix + name + "/") for spec, prefix in gitignores]
                    stack.append(
                        (entry.path, None if child_rel is None else child_rel + "/", below)
                    )
                    continue
                if not name.endswith(PYTHON_SUFFIXES):
                    continue
                if entry.is_symlink():
                    if not os.path.exists(entry.path):
                        diagnostics.append(
                            Diagnostic(entry.path, "broken-symlink", "broken symbolic link")
                        )
                        continue
                    if entry.is_dir():
                        continue  # symlinked folders are not followed (loops, trees outside)
                    target = os.path.realpath(entry.path)
                    if not target.startswith(real_top + os.sep):
                        diagnostics.append(
                            Diagnostic(
                                entry.path,
                                "symlink-outside",
                                f"not followed: links outside the scanned folder, to {target}",
                            )
                        )
                        continue
                if ignores.excluded(None if rel is None else rel + name, name, False) or (
                    gitignores and ignores.git_ignored(gitignores, name, False)
                ):
                    continue
                if not entry.is_file():
                    diagnostics.append(Diagnostic(entry.path, "not-a-file", "not a regular file"))
                    continue
                yield entry.path
            except OSError as exc:
                diagnostics.append(Diagnostic(entry.path, "unreadable", exc.strerror or str(exc)))


def read_source(path: str, max_size: int) -> bytes | Diagnostic:
    """The bytes of a file, or a diagnostic saying why they cannot be had."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return Diagnostic(path, "not-a-file", "not a regular file")
        if info.st_size > max_size:
            return Diagnostic(
                path,
                "too-large",
                f"skipped: {info.st_size} bytes is over max-file-size ({max_size})",
            )
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        if os.path.islink(path):
            return Diagnostic(path, "broken-symlink", "broken symbolic link")
        return Diagnostic(path, "unreadable", "file disappeared during the scan")
    except OSError as exc:
        return Diagnostic(path, "unreadable", f"cannot read: {exc.strerror or exc}")


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
