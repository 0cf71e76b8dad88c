"""Exclude and .gitignore patterns, and which paths they leave out of a scan.

Patterns are matched by the wildcard matcher here, not by regular expressions: a pattern
such as `a*a*a*a*a*a*a*a*a*a*a*a*b` takes a backtracking regex engine exponential time,
while matching each `*`-free piece at its leftmost place (the greedy algorithm) takes time
proportional to the name times the pattern at worst.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mockguard.findings import Diagnostic
from mockguard.scan.reading import read_ignore_file

if TYPE_CHECKING:
    from mockguard.config import Settings


def shown_path(path: str) -> str:
    """`path` as the other paths of a scan are shown: relative to the working directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path


# ------------------------------------------------------------------ wildcard matching


@dataclass(frozen=True, slots=True)
class _Piece:
    """Part of a one-segment pattern between two `*`: characters, `?` and classes, each
    matching exactly one character. `literal` is set when it is plain characters."""

    width: int
    literal: str | None
    regex: re.Pattern[str]

    def at(self, text: str, pos: int) -> bool:
        """Whether the piece matches text[pos : pos + width]."""
        if self.literal is not None:
            return text.startswith(self.literal, pos)
        return self.regex.match(text, pos) is not None

    def find(self, text: str, start: int, end: int) -> int:
        """The leftmost place in text[start:end] where the piece matches, or -1."""
        if self.literal is not None:
            return text.find(self.literal, start, end)
        found = self.regex.search(text, start, end)
        return -1 if found is None else found.start()


_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "".join("\\" + c for c in string.punctuation),
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


def _char_class(pattern: str, start: int) -> tuple[str, int] | None:
    """The regex of the `[...]` class at `start` and the index after it (git's syntax:
    `!` or `^` negates, `]` first is literal, ranges, `\\` escapes, `[:alpha:]`); None
    when it is not closed, and then the `[` is an ordinary character."""
    i = start + 1
    negated = i < len(pattern) and pattern[i] in "!^"
    i += negated
    parts: list[str] = []
    first = True
    while i < len(pattern) and (pattern[i] != "]" or first):
        first = False
        if pattern.startswith("[:", i) and (close := pattern.find(":]", i + 2)) > 0:
            parts.append(_CLASSES.get(pattern[i + 2 : close], ""))
            i = close + 2
            continue
        low, i = _class_char(pattern, i)
        if i + 1 < len(pattern) and pattern[i] == "-" and pattern[i + 1] != "]":
            high, i = _class_char(pattern, i + 1)
            # A reversed range matches its first character only, as in git.
            high = max(low, high)
            parts.append(f"{re.escape(low)}-{re.escape(high)}")
        else:
            parts.append(re.escape(low))
    if i >= len(pattern):
        return None
    body = "".join(parts)
    if not body:
        return ("." if negated else "(?!)"), i + 1
    return f"[{'^' if negated else ''}{body}]", i + 1


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    """The character at `i` in a class (`\\x` is x) and the index after it."""
    if pattern[i] == "\\" and i + 1 < len(pattern):
        return pattern[i + 1], i + 2
    return pattern[i], i + 1


_Token = tuple[str, str | None]  # a regex matching one character, and that character if literal
_SLASH: _Token = ("/", "/")


def _pattern_tokens(pattern: str) -> list[_Token | None]:
    """One token per character of `pattern` (a class is one), None for each `*`. A `/`
    inside a class is part of it, so the pattern is split into segments only after."""
    tokens: list[_Token | None] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            tokens.append(None)
        elif char == "?":
            tokens.append((".", None))
        elif char == "[" and (parsed := _char_class(pattern, i)) is not None:
            tokens.append((parsed[0], None))
            i = parsed[1]
            continue
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            tokens.append((re.escape(pattern[i]), pattern[i]))
        else:
            tokens.append((re.escape(char), char))
        i += 1
    return tokens


def _split_segments(tokens: list[_Token | None]) -> list[list[_Token | None]]:
    """The tokens between the `/` of the pattern."""
    segments: list[list[_Token | None]] = [[]]
    for token in tokens:
        if token == _SLASH:
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


def _piece(tokens: list[_Token]) -> _Piece:
    """The piece that matches `tokens`, one character each."""
    chars = [literal for _, literal in tokens]
    literal = "".join(c for c in chars if c is not None) if None not in chars else None
    regex = re.compile("".join(regex for regex, _ in tokens), re.DOTALL)
    return _Piece(len(tokens), literal, regex)


class _SegmentGlob:
    """A pattern for one path segment: pieces separated by `*` (a run of `*` is one)."""

    __slots__ = ("literal", "pieces")

    def __init__(self, tokens: list[_Token | None]) -> None:
        self.pieces: list[_Piece] = []
        current: list[_Token] = []
        for index, token in enumerate(tokens):
            if token is not None:
                current.append(token)
            elif index == 0 or tokens[index - 1] is not None:
                self.pieces.append(_piece(current))
                current = []
        self.pieces.append(_piece(current))
        self.literal = self.pieces[0].literal if len(self.pieces) == 1 else None

    def match(self, text: str) -> bool:
        """Greedy: the first piece at the start, the last at the end, each one between at
        its leftmost place after the one before; never a step back."""
        pieces = self.pieces
        if len(pieces) == 1:
            return len(text) == pieces[0].width and pieces[0].at(text, 0)
        first, last = pieces[0], pieces[-1]
        end = len(text) - last.width
        if end < first.width or not first.at(text, 0) or not last.at(text, end):
            return False
        pos = first.width
        for piece in pieces[1:-1]:
            found = piece.find(text, pos, end)
            if found < 0:
                return False
            pos = found + piece.width
        return True


_ANY_SEGMENT = _SegmentGlob([None])


class Glob:
    """A gitignore wildcard pattern, matched against a `/`-separated path.

    `*`, `?` and `[...]` never match `/`; a `**` segment matches any number of folders
    (`**/x`, `a/**/b`), and at least one thing at the end (`a/**`). Matching is the greedy
    algorithm on two levels, segments then characters: no backtracking, so no pattern
    can make it take more than about (path length x pattern length) steps.
    """

    __slots__ = ("chunks", "literal", "needle", "single", "suffix")

    def __init__(self, pattern: str) -> None:
        items: list[_SegmentGlob | None] = []  # None: a `**` segment
        for segment in _split_segments(_pattern_tokens(pattern)):
            if len(segment) > 1 and all(token is None for token in segment):
                if not items or items[-1] is not None:
                    items.append(None)
            else:
                items.append(_SegmentGlob(segment))
        if items[-1] is None:
            items[-1:] = [_ANY_SEGMENT, None]
        self.chunks: list[list[_SegmentGlob]] = [[]]
        for item in items:
            if item is None:
                self.chunks.append([])
            else:
                self.chunks[-1].append(item)
        self.single = self.chunks[0][0] if len(items) == 1 and items[0] is not None else None
        literals = [item.literal if item is not None else None for item in items]
        self.literal = None if None in literals else "/".join(map(str, literals))
        self.suffix = _suffix(self.single)
        # The longest plain run of the pattern: a path without it cannot match (cheap test).
        runs = [p.literal for g in items if g is not None for p in g.pieces if p.literal]
        self.needle = max(runs, key=len, default="")

    def match(self, path: str) -> bool:
        """Whether the pattern matches all of `path`."""
        if self.literal is not None:
            return path == self.literal
        if self.needle not in path:
            return False
        if self.single is not None:
            return "/" not in path and self.single.match(path)
        segments = path.split("/")
        chunks = self.chunks
        if len(chunks) == 1:
            return len(segments) == len(chunks[0]) and _chunk_at(chunks[0], segments, 0)
        first, last = chunks[0], chunks[-1]
        end = len(segments) - len(last)
        if end < len(first) or not _chunk_at(first, segments, 0):
            return False
        if not _chunk_at(last, segments, end):
            return False
        pos = len(first)
        for chunk in chunks[1:-1]:
            found = next(
                (i for i in range(pos, end - len(chunk) + 1) if _chunk_at(chunk, segments, i)),
                -1,
            )
            if found < 0:
                return False
            pos = found + len(chunk)
        return True


def _chunk_at(chunk: list[_SegmentGlob], segments: list[str], pos: int) -> bool:
    """Whether the segment patterns of `chunk` match the segments from `pos` on."""
    return all(glob.match(segments[pos + i]) for i, glob in enumerate(chunk))


def _suffix(glob: _SegmentGlob | None) -> str | None:
    """The literal tail of a `*tail` pattern, the shape of most name patterns."""
    if glob is None or len(glob.pieces) != 2 or glob.pieces[0].width:
        return None
    return glob.pieces[1].literal


# ------------------------------------------------------------------ gitignore rules


@dataclass(frozen=True, slots=True)
class IgnorePattern:
    """One line of a .gitignore (or one exclude pattern), parsed as git does."""

    glob: Glob
    negated: bool  # `!pattern`: what it matches is included again
    folders_only: bool  # `pattern/`
    by_name: bool  # no `/` inside: matched against the name, at any depth
    contents_of: Glob | None = None  # `folder/**`: the folder whose contents it matches

    @classmethod
    def parse(cls, line: str) -> IgnorePattern | None:
        """The pattern on a line, or None for a blank line or a comment."""
        line = _strip_trailing_spaces(line)
        if not line or line.startswith("#"):
            return None
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        folders_only = line.endswith("/")
        line = line.removesuffix("/")
        by_name = "/" not in line
        line = line.removeprefix("/")
        if not line:
            return None
        inside = line.removesuffix("/**") if line.endswith("/**") else ""
        contents_of = Glob(inside) if inside and not (negated or folders_only) else None
        return cls(Glob(line), negated, folders_only, by_name, contents_of)

    def matches(self, path: str, name: str, is_dir: bool) -> bool:
        """Whether it matches `path` (relative to the pattern's folder), named `name`."""
        if self.folders_only and not is_dir:
            return False
        return self.glob.match(name if self.by_name else path)


def _strip_trailing_spaces(line: str) -> str:
    """Trailing spaces go, unless the first of them is escaped with a backslash."""
    kept = line.rstrip(" ")
    if len(kept) < len(line) and (len(kept) - len(kept.rstrip("\\"))) % 2:
        kept += " "
    return kept


class _Index:
    """Patterns for "does any match": plain names and paths, and `*tail` name patterns
    (nearly all of them in practice), are looked up, not tried one by one."""

    __slots__ = ("containers", "empty", "name_globs", "names", "path_globs", "paths", "suffixes")

    def __init__(self, patterns: Iterable[IgnorePattern], prune: bool = False) -> None:
        names: set[str] = set()
        paths: set[str] = set()
        suffixes: list[str] = []
        name_globs: list[Glob] = []
        path_globs: list[Glob] = []
        containers: list[Glob] = []
        for pattern in patterns:
            glob = pattern.glob
            if prune and pattern.contents_of is not None:
                containers.append(pattern.contents_of)
            if glob.literal is not None:
                (names if pattern.by_name else paths).add(glob.literal)
            elif pattern.by_name and glob.suffix:
                suffixes.append(glob.suffix)
            else:
                (name_globs if pattern.by_name else path_globs).append(glob)
        self.names, self.paths = frozenset(names), frozenset(paths)
        self.suffixes = tuple(suffixes)
        self.name_globs, self.path_globs = tuple(name_globs), tuple(path_globs)
        self.containers = tuple(containers)
        self.empty = not (names or paths or suffixes or name_globs or path_globs or containers)

    def matches(self, path: str, name: str) -> bool:
        """Whether any of the patterns matches the entry `name` at `path`."""
        if name in self.names or path in self.paths or name.endswith(self.suffixes):
            return True
        for glob in self.name_globs:
            if glob.match(name):
                return True
        for glob in self.path_globs:
            if glob.match(path):
                return True
        for glob in self.containers:
            if glob.match(path):
                return True
        return False


class IgnoreRules:
    """The patterns of one .gitignore file, or the exclude settings: gitignore syntax,
    paths relative to one folder, the last pattern that matches decides.

    With `prune`, `x/**` also leaves out the folder x when no `!` pattern could take a
    file in it back: one check instead of one per file. Only for rules that nothing can
    override (the exclude settings); a .gitignore deeper down could.
    """

    def __init__(self, lines: Iterable[str], *, prune: bool = False) -> None:
        self.patterns = [p for p in map(IgnorePattern.parse, lines) if p is not None]
        ignoring = [p for p in self.patterns if not p.negated]
        taking_back = [p for p in self.patterns if p.negated]
        prune = prune and not taking_back
        self._files = (
            _Index(p for p in ignoring if not p.folders_only),
            _Index(p for p in taking_back if not p.folders_only),
        )
        self._folders = (_Index(ignoring, prune=prune), _Index(taking_back))

    def verdict(self, path: str, name: str, is_dir: bool) -> bool | None:
        """True: `path` is ignored; False: a `!` pattern takes it back; None: no pattern
        matches it."""
        ignoring, taking_back = self._folders if is_dir else self._files
        if taking_back.empty or not taking_back.matches(path, name):
            return True if ignoring.matches(path, name) else None  # the order does not matter
        for pattern in reversed(self.patterns):
            if pattern.matches(path, name, is_dir):
                return not pattern.negated
        return None  # pragma: no cover - a `!` pattern matched

    def ignores_folder(self, path: str) -> bool:
        """Whether the folder `path` (relative, no trailing `/`) or one above it is
        ignored: git never looks inside an ignored folder."""
        parts = path.split("/")
        return any(
            self.verdict("/".join(parts[: depth + 1]), name, True)
            for depth, name in enumerate(parts)
        )


# ------------------------------------------------------------------ test code

TEST_FOLDERS = frozenset({"tests", "test"})
CONFTEST = "conftest.py"


class TestFiles:
    """Which Python files are test code: those whose name matches one of pytest's
    `python_files` patterns (a pattern holding a `/` is matched against the end of the path
    from `base`), every `conftest.py`, every module named `tests` or `test` (`tests.py`, as
    Django lays them out), and every file below a folder named `tests` or `test` (fixtures,
    factories and helpers live there). Folder names count from below `base`, so
    that the folders a project lives in never make all of it test code. Patterns are
    matched with the linear-time wildcard matcher above, never with regular expressions."""

    __test__ = False  # not a test class, for pytest

    def __init__(self, patterns: Iterable[str], base: str) -> None:
        self.base = base
        names: list[Glob] = []
        paths: list[Glob] = []
        for pattern in patterns:
            if "/" in pattern:
                paths.append(Glob("**/" + pattern.lstrip("/")))
            else:
                names.append(Glob(pattern))
        self.name_globs = tuple(names)
        self.path_globs = tuple(paths)

    def folder(self, path: str) -> tuple[str, bool]:
        """For the folder `path`: its path from `base` ("" or ending in `/`), and whether it
        is, or lies below, a folder named `tests` or `test`. Of a folder outside `base`
        only its own name counts (never the folders it lies in)."""
        full = os.path.abspath(path)
        rel = os.path.relpath(full, self.base)
        parts = [p for p in rel.split(os.sep) if p not in ("", ".")]
        if parts and parts[0] == "..":
            parts = [os.path.basename(full)] if os.path.basename(full) else []
        return "".join(p + "/" for p in parts), any(p in TEST_FOLDERS for p in parts)

    def below(self, rel: str, in_tests: bool, name: str) -> tuple[str, bool]:
        """The same for the subfolder `name` of a folder."""
        return rel + name + "/", in_tests or name in TEST_FOLDERS

    def matches(self, rel: str, in_tests: bool, name: str) -> bool:
        """Whether the file `name`, in the folder at `rel` (see :meth:`folder`), is test code."""
        if in_tests or name == CONFTEST or name.rpartition(".")[0] in TEST_FOLDERS:
            return True
        for glob in self.name_globs:
            if glob.match(name):
                return True
        return any(glob.match(rel + name) for glob in self.path_globs)

    def file(self, path: str) -> bool:
        """Whether the file at `path` is test code."""
        folder, name = os.path.split(path)
        return self.matches(*self.folder(folder or "."), name)


GitIgnores = tuple[tuple[IgnoreRules, str], ...]
"""The .gitignore files that apply in a folder, outermost first, each with the path from
its own folder down to that folder (empty, or ending in `/`)."""


class Ignores:
    """What discovery leaves out: the exclude patterns (gitignore syntax, relative to the
    project root) and, unless respect-gitignore is off, the .gitignore files met on the
    way. Each .gitignore is read once, and only when it is a small regular file; the
    ones that could not be applied are in `diagnostics`."""

    def __init__(self, settings: Settings) -> None:
        self.root = str(settings.root)
        self.exclude = IgnoreRules([*settings.exclude, *settings.extend_exclude], prune=True)
        self.respect_gitignore = settings.respect_gitignore
        self.diagnostics: list[Diagnostic] = []
        self._gitignores: dict[str, IgnoreRules | None] = {}
        # What test code is; None when every Python file is scanned (all-files).
        self.tests: TestFiles | None = None
        if not settings.all_files:
            base = settings.test_root if settings.test_root is not None else settings.root
            self.tests = TestFiles(settings.python_files, str(base))

    def gitignore(self, folder: str) -> IgnoreRules | None:
        """The rules of the .gitignore in `folder`, if it has one that can be read."""
        if folder not in self._gitignores:
            lines = read_ignore_file(os.path.join(folder, ".gitignore"))
            if isinstance(lines, Diagnostic):
                self.diagnostics.append(replace(lines, path=shown_path(lines.path)))
            self._gitignores[folder] = IgnoreRules(lines) if isinstance(lines, list) else None
        return self._gitignores[folder]

    def looked_for(self) -> list[str]:
        """The .gitignore files looked for so far (there or not)."""
        return [os.path.join(folder, ".gitignore") for folder in self._gitignores]

    def above(self, folder: str) -> GitIgnores:
        """The .gitignore files of the folders above `folder`, up to the repository root
        (none outside a repository)."""
        if not self.respect_gitignore:
            return ()
        found: list[tuple[IgnoreRules, str]] = []
        current = Path(folder).resolve()
        for parent in current.parents:
            rules = self.gitignore(str(parent))
            if rules is not None:
                path = current.relative_to(parent).as_posix()
                # A folder named on the command line is scanned even when ignored itself
                # (as ripgrep does): its own ignore rules then no longer apply below it.
                if not rules.ignores_folder(path):
                    found.append((rules, path + "/"))
            if (parent / ".git").exists():
                return tuple(reversed(found))
        return ()

    def rootshown_path(self, path: str) -> str | None:
        """`path` relative to the project root, or None when it lies outside it."""
        rel = os.path.relpath(os.path.abspath(path), self.root)
        return None if rel.startswith("..") else rel.replace(os.sep, "/")

    def excluded(self, rel: str | None, name: str, is_dir: bool) -> bool:
        """Whether the exclude patterns leave out the entry `name` (at `rel` from the
        project root; None outside it, where only its name is matched)."""
        return bool(self.exclude.verdict(name if rel is None else rel, name, is_dir))

    def excluded_path(self, rel: str) -> bool:
        """Whether a walk would leave out the file `rel` (from the project root): the
        exclude patterns leave it or a folder above it out, or it is not test code (unless
        every file is scanned)."""
        folder, _, name = rel.rpartition("/")
        if folder and self.exclude.ignores_folder(folder):
            return True
        if self.excluded(rel, name, False):
            return True
        return self.not_test(os.path.join(self.root, rel))

    def not_test(self, path: str) -> bool:
        """Whether the file at `path` is left out for not being test code."""
        return self.tests is not None and not self.tests.file(path)

    @staticmethod
    def git_ignored(gitignores: GitIgnores, name: str, is_dir: bool) -> bool:
        """Whether the .gitignore files ignore the entry `name`: the innermost one that
        has a say decides, as in git."""
        for rules, prefix in reversed(gitignores):
            verdict = rules.verdict(prefix + name, name, is_dir)
            if verdict is not None:
                return verdict
        return False
