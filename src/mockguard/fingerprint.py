"""Fingerprints: a finding's identity that survives edits elsewhere in its file.

A fingerprint hashes the file's path in the project, the rule, the qualified name of the
enclosing scope and the site's source with whitespace and comments removed, plus an index
among identical sites (two identical lines in one test are two findings). There is no line
number in it: inserting lines above a finding, reformatting it or moving its test within
the file keeps the fingerprint; renaming the test or changing the mock call makes a new
one. Nor is there the category: it is the classifier's verdict, not the site's identity,
so a better classifier changes no fingerprint.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

_COMMENT = re.compile(rb"#[^\n]*")
_SPACE = re.compile(rb"\s+")
SNIPPET_LIMIT = 160


def normalise(source: bytes) -> str:
    """Source text with comments and all whitespace removed."""
    text = _SPACE.sub(b"", _COMMENT.sub(b"", source)).decode("utf-8", errors="replace")
    return text[:SNIPPET_LIMIT]


def segment(lines: list[bytes], line: int, col: int, end_line: int, end_col: int) -> bytes:
    """The bytes of a node, from 1-based lines and UTF-8 byte columns (as `ast` gives them)."""
    if not 0 < line <= len(lines):
        return b""
    if line == end_line:
        return lines[line - 1][col:end_col]
    parts = [lines[line - 1][col:], *lines[line : end_line - 1]]
    if end_line <= len(lines):
        parts.append(lines[end_line - 1][:end_col])
    return b"\n".join(parts)


def fingerprints(keys: Iterable[tuple[str, str, str, str]]) -> list[str]:
    """One fingerprint per (path, code, scope, snippet), in order; identical keys are told
    apart by their index among themselves."""
    seen: dict[str, int] = {}
    found: list[str] = []
    for key in keys:
        digest = hashlib.sha256("\0".join(key).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        found.append(f"{digest}:{index}")
    return found


def digest_of(fingerprints: Iterable[str]) -> str:
    """One hash of a set of fingerprints, whatever their order: a file's findings and the
    baseline's entries for that file are the same set when their digests are equal."""
    return hashlib.blake2b("\n".join(sorted(fingerprints)).encode(), digest_size=16).hexdigest()


def site_contexts(lines: list[bytes]) -> Callable[[int], str]:
    """Where each site of one file stands, by its line: 16 hex digits, a hash of its first
    line, then a hash of that line with the nearest non-blank line above and below it (all
    normalised; each line of the file is normalised once). Not part of the fingerprint: the
    baseline uses it to tell identical sites apart when some are added (the untouched ones
    keep their lines and neighbours)."""
    normalised: dict[int, str] = {}

    def text(index: int) -> str:
        found = normalised.get(index)
        if found is None:
            found = normalised[index] = normalise(lines[index])
        return found

    def nearest(order: range) -> str:
        for index in order:
            found = text(index)
            if found:
                return found
        return ""

    def context(line: int) -> str:
        if not 0 < line <= len(lines):
            return ""
        own = text(line - 1)
        above = nearest(range(line - 2, -1, -1))
        below = nearest(range(line, len(lines)))
        return _short(own) + _short("\0".join((above, own, below)))

    return context


def _short(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def project_path(path: str, root: Path) -> str:
    """A file's path relative to the project root, with forward slashes (as fingerprints and
    baselines hold it)."""
    return project_paths(root)(path)


def project_paths(root: Path) -> Callable[[str], str]:
    """:func:`project_path` for many files under one root (and one working folder)."""
    cwd = os.getcwd()
    base = os.path.normpath(os.path.join(cwd, root))
    inside = base + os.sep if not base.endswith(os.sep) else base

    def where(path: str) -> str:
        absolute = os.path.normpath(os.path.join(cwd, path))
        if absolute.startswith(inside) and len(absolute) > len(inside):
            return absolute[len(inside) :].replace(os.sep, "/")  # what relpath says, sooner
        try:
            return os.path.relpath(absolute, root).replace(os.sep, "/")
        except ValueError:  # pragma: no cover - another drive on Windows
            return absolute.replace(os.sep, "/")

    return where
