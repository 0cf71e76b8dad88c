"""Running the codemod over files: diffs, safe writes, and the test-command safety check."""

from __future__ import annotations

import difflib
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from libcst.codemod import (
    CodemodContext,
    TransformFailure,
    TransformSkip,
    TransformSuccess,
    transform_module,
)

from mockguard.config import Settings
from mockguard.fix.command import ReplaceAdHocMocksCommand
from mockguard.fix.plan import Rewrite, Skip


class FileChangedError(Exception):
    """A file changed on disk between reading and writing it."""


@dataclass
class FileOutcome:
    """What the codemod made of one file."""

    path: str
    original: str
    updated: str | None = None
    rewrites: list[Rewrite] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.updated is not None and self.updated != self.original

    def diff(self) -> str:
        """A unified diff of the rewrite."""
        if not self.changed or self.updated is None:
            return ""
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.updated.splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )


def rewrite_file(path: str, settings: Settings, categories: Iterable[str] | None) -> FileOutcome:
    """Run the codemod on one file (nothing is written)."""
    try:
        original = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileOutcome(path, "", error=f"cannot read: {exc}")
    command = ReplaceAdHocMocksCommand(CodemodContext(filename=path), settings, categories)
    result = transform_module(command, original)
    outcome = FileOutcome(
        path, original, rewrites=list(command.plan.rewrites), skips=list(command.plan.skips)
    )
    if isinstance(result, TransformSuccess):
        outcome.updated = result.code
        _check_parses(outcome)
    elif isinstance(result, TransformFailure):
        outcome.error = f"not rewritten: {type(result.error).__name__}: {result.error}"
        outcome.rewrites = []
    elif isinstance(result, TransformSkip):
        outcome.rewrites = []
    return outcome


def _check_parses(outcome: FileOutcome) -> None:
    import ast

    try:
        ast.parse(outcome.updated or "")
    except SyntaxError as exc:  # never write a file that does not parse
        outcome.error = f"not rewritten: the result would not parse ({exc.msg})"
        outcome.updated = None
        outcome.rewrites = []


def write(outcomes: Iterable[FileOutcome]) -> list[FileOutcome]:
    """Write every changed file atomically; refuse a file that changed since it was read."""
    from mockguard.io import write_text

    written: list[FileOutcome] = []
    for outcome in outcomes:
        if not outcome.changed or outcome.updated is None:
            continue
        if Path(outcome.path).is_symlink():
            raise FileChangedError(
                f"{outcome.path} is a symbolic link; fix writes only regular files"
            )
        current = Path(outcome.path).read_text(encoding="utf-8")
        if current != outcome.original:
            raise FileChangedError(f"{outcome.path} changed since it was read; run fix again")
        write_text(Path(outcome.path), outcome.updated)
        written.append(outcome)
    return written


def revert(outcomes: Iterable[FileOutcome]) -> None:
    """Put the original text back."""
    from mockguard.io import write_text

    for outcome in outcomes:
        write_text(Path(outcome.path), outcome.original)


def run_tests(command: str) -> int:
    """The exit status of the user's test command."""
    return subprocess.run(command, shell=True, check=False).returncode
