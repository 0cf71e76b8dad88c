"""Scanning code written for a newer Python than the one running mockguard.

When `ast` rejects a file, LibCST's native parser (which knows the grammar of newer Pythons:
PEP 701 f-strings, PEP 695 type parameters and `type` aliases) reads it, the constructs the
running `ast` cannot parse are rewritten into ones it can, keeping every line where it was,
and the result is parsed again. Mock sites keep their line numbers; a site inside a rewritten
f-string's replacement fields is not seen.

LibCST is costly: about 40 microseconds and 2 KB per token on this kind of code, and a chain
of operators (`a + b + ...`, `a.b.c...`, `f()()...`) costs about the square of its length
(a 200-term chain about 0.1 s, a 2,000-term one 11 s). So a module is given to it only when
its estimated work is within :data:`MAX_WORK`; past that it is refused, and the caller
reports the file as not scanned.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from typing import Any

from mockguard.findings import DiagnosticKind

# The work LibCST is given at most, in tokens plus a sixteenth of each token's chain depth
# (measured on a 2-core x86_64: 21 to 48 microseconds per unit, so at most about 5 s and
# 250 MB; about 450 KB of ordinary test code).
MAX_WORK = 100_000

# Tokens that make a chain one level deeper (the others are flat in LibCST's tree).
_CHAIN_OPERATORS = frozenset(
    {"+", "-", "*", "/", "//", "%", "@", "**", "<<", ">>", "&", "|", "^", "~", "."}
)
_CHAIN_WORDS = frozenset({"not", "if", "else", "lambda", "await"})
_OPENING = frozenset({"(", "[", "{"})
_CLOSING = frozenset({")", "]", "}"})


@dataclass(frozen=True, slots=True)
class Refused:
    """The newer-grammar parser was not tried: the module is more work than it may take."""

    kind: DiagnosticKind  # too-large (many tokens) or too-deep (long chains)
    reason: str


def downgrade(data: bytes) -> str | None:
    """The module rewritten for the running parser, or None when LibCST cannot read it
    either (then it is a real syntax error). Lets RecursionError and MemoryError through:
    they say the module is too deep or too big, not that it is wrong."""
    try:
        import libcst as cst
    except ImportError:  # pragma: no cover - libcst is a dependency
        return None
    try:
        module = cst.parse_module(data)
        return str(module.visit(_transformer(cst)).code)
    except (KeyboardInterrupt, SystemExit, RecursionError, MemoryError):
        raise
    except BaseException:  # a parse error, or a panic of the native parser
        return None


def parse_newer(data: bytes) -> ast.Module | Refused | None:
    """Parse through :func:`downgrade`: the tree; :class:`Refused` when the module is more
    work than :data:`MAX_WORK`; None when it is not valid code. RecursionError goes to the
    caller, who may try again with more room.

    A module that Python's tokenizer cannot read (a string or bracket left open at the end,
    a dedent to no level) is taken for the syntax error it almost always is: its work cannot
    be estimated, so LibCST is not given it.
    """
    counted = work(data, MAX_WORK)
    if counted is None:
        return None
    tokens, chains = counted
    if tokens + chains > MAX_WORK:
        if chains > tokens:
            return Refused("too-deep", "its expressions are nested too deeply")
        return Refused("too-large", "it is too large")
    try:
        source = downgrade(data)
    except MemoryError:
        return Refused("too-large", "it is too large")
    if source is None:
        return None
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def work(data: bytes, limit: int) -> tuple[int, int] | None:
    """LibCST's work on `data` (see :data:`MAX_WORK`), counted until it passes `limit`: the
    tokens, and the chain units (a sixteenth of the summed chain depth of every token). A
    chain is counted per bracket level and restarts at a comma, a semicolon and the end of
    a statement. None when Python's tokenizer cannot read `data`."""
    levels = [0]
    depth = tokens = chains = 0
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            kind, text = token.type, token.string
            tokens += 1
            if kind == tokenize.OP:
                if text in _OPENING:
                    levels[-1] += 1
                    depth += 1
                    levels.append(0)
                elif text in _CLOSING:
                    if len(levels) > 1:
                        depth -= levels.pop()
                elif text in (",", ";"):
                    depth -= levels[-1]
                    levels[-1] = 0
                elif text in _CHAIN_OPERATORS:
                    levels[-1] += 1
                    depth += 1
            elif kind == tokenize.NAME and text in _CHAIN_WORDS:
                levels[-1] += 1
                depth += 1
            elif kind == tokenize.NEWLINE:
                levels = [0]
                depth = 0
            chains += depth
            if tokens + chains // 16 > limit:
                break
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        return None
    return tokens, chains // 16


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
