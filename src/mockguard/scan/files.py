"""Discovery: which files a scan reads (paths, exclude globs, .gitignore), reading them
safely, and the byte pre-filter that spares the parse of files that cannot hold a finding."""

from __future__ import annotations

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
    """Exclude globs (relative to the project root) and the .gitignore files met on the way."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.root
        patterns = [*settings.exclude, *settings.extend_exclude]
        self.exclude = _spec(patterns) if patterns else None
        self.respect_gitignore = settings.respect_gitignore
        self._gitignores: dict[str, PathSpec[Any] | None] = {}

    def gitignore(self, folder: str) -> PathSpec[Any] | None:
        if folder not in self._gitignores:
            spec = None
            candidate = os.path.join(folder, ".gitignore")
            try:
                with open(candidate, encoding="utf-8", errors="replace") as handle:
                    spec = _spec(handle.read().splitlines())
            except OSError:
                pass
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def ancestors(self, folder: str) -> list[str]:
        """The folders above `folder` whose .gitignore applies, up to the repository root."""
        found: list[str] = []
        current = Path(folder).resolve()
        for parent in current.parents:
            found.append(str(parent))
            if (parent / ".git").exists():
                return found
        return []

    def ignored(self, path: str, is_dir: bool, gitignore_folders: list[str]) -> bool:
        if self.exclude is not None:
            rel = _relative(path, self.root)
            if self.exclude.match_file(rel + "/" if is_dir else rel):
                return True
            name = os.path.basename(path)
            if self.exclude.match_file(name + "/" if is_dir else name):
                return True
        if self.respect_gitignore:
            for folder in gitignore_folders:
                spec = self.gitignore(folder)
                if spec is None:
                    continue
                rel = _relative(path, Path(folder))
                if spec.match_file(rel + "/" if is_dir else rel):
                    return True
        return False


def _relative(path: str, base: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        return Path(absolute).relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


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
            above = ignores.ancestors(given) if settings.respect_gitignore else []
            found.files.extend(_walk(given, ignores, above, found.diagnostics))
        elif os.path.isfile(given):
            if not (force_exclude and ignores.ignored(given, False, [])):
                found.files.append(given)
        else:
            found.diagnostics.append(Diagnostic(given, "not-a-file", "not a regular file"))
    found.files = sorted({os.path.normpath(f) for f in found.files})
    found.diagnostics = [replace(d, path=os.path.normpath(d.path)) for d in found.diagnostics]
    return found


def _walk(
    top: str, ignores: _Ignores, above: list[str], diagnostics: list[Diagnostic]
) -> Iterator[str]:
    stack: list[tuple[str, list[str]]] = [(top, [top, *above])]
    while stack:
        folder, gitignore_folders = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            diagnostics.append(
                Diagnostic(folder, "unreadable", f"cannot list folder: {exc.strerror}")
            )
            continue
        for entry in entries:
            path = entry.path
            try:
                if entry.is_symlink():
                    if not os.path.exists(path):
                        if entry.name.endswith(PYTHON_SUFFIXES):
                            diagnostics.append(
                                Diagnostic(path, "broken-symlink", "broken symbolic link")
                            )
                        continue
                    if entry.is_dir():
                        continue  # symlinked folders are not followed (loops, trees outside)
                if entry.is_dir(follow_symlinks=False):
                    if not ignores.ignored(path, True, gitignore_folders):
                        stack.append((path, [path, *gitignore_folders]))
                    continue
                if not entry.name.endswith(PYTHON_SUFFIXES):
                    continue
                if ignores.ignored(path, False, gitignore_folders):
                    continue
                if not stat.S_ISREG(os.stat(path).st_mode):
                    diagnostics.append(Diagnostic(path, "not-a-file", "not a regular file"))
                    continue
                yield path
            except OSError as exc:
                diagnostics.append(Diagnostic(path, "unreadable", exc.strerror or str(exc)))


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
