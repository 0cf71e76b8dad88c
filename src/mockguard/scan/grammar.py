"""Scanning code written for a newer Python than the one running mockguard.

When `ast` rejects a file, LibCST's native parser (which knows the grammar of newer Pythons:
PEP 701 f-strings, PEP 695 type parameters and `type` aliases) reads it, the constructs the
running `ast` cannot parse are rewritten into ones it can, keeping every line where it was,
and the result is parsed again. Mock sites keep their line numbers; a site inside a rewritten
f-string's replacement fields is not seen.
"""

from __future__ import annotations

import ast
from typing import Any


def downgrade(data: bytes) -> str | None:
    """The module rewritten for the running parser, or None when LibCST cannot read it
    either (then it is a real syntax error)."""
    try:
        import libcst as cst
    except ImportError:  # pragma: no cover - libcst is a dependency
        return None
    try:
        module = cst.parse_module(data)
        return str(module.visit(_transformer(cst)).code)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        return None


def parse_newer(data: bytes) -> ast.Module | None:
    """Parse through :func:`downgrade`; None when that does not give valid code."""
    source = downgrade(data)
    if source is None:
        return None
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _transformer(cst: Any) -> Any:
    empty = cst.Module(body=[])

    def placeholder(node: Any) -> Any:
        # A plain string of the same shape: same lines, same length on single lines.
        text = empty.code_for_node(node)
        lines = text.split("\n")
        if len(lines) == 1:
            return cst.SimpleString('"' + "x" * max(len(text) - 2, 0) + '"')
        return cst.SimpleString('"""' + "\n" * (len(lines) - 1) + '"""')

    class Downgrade(cst.CSTTransformer):  # type: ignore[misc]
        def leave_FormattedString(self, original: Any, updated: Any) -> Any:
            return placeholder(original)

        def leave_FunctionDef(self, original: Any, updated: Any) -> Any:
            return updated.with_changes(type_parameters=None)

        def leave_ClassDef(self, original: Any, updated: Any) -> Any:
            return updated.with_changes(type_parameters=None)

        def leave_TypeAlias(self, original: Any, updated: Any) -> Any:
            return cst.Assign(
                targets=[cst.AssignTarget(target=updated.name)],
                value=updated.value,
                semicolon=updated.semicolon,
            )

    return Downgrade()
