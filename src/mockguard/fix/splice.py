"""Patch rewrites made on the file's text, where `ast` places them.

A patch rewrite changes a callee (`mock.patch` -> `mockguard.factory.patch`), drops an
`autospec=True`, and adds `import mockguard.factory`. Reading a module with LibCST and its
position metadata costs about fifty times `ast.parse`, which on a suite whose patches are
most of its doubles makes `fix` many times slower than the scan. So a file whose only
rewrites are patches is edited here, at the exact places `ast` gives, and each edit is
checked before it is made: the text at the callee's place must be the callee the plan
names, and a dropped argument may take with it only its own text, one comma and white
space (a comment, a parenthesis or a continuation line sends the file to the codemod).
The import goes where the codemod puts it: after the imports that open the module. When
a rewrite leaves a mock import unread, the file goes to the codemod, whose import remover
decides what can go. `None` means "use the codemod"; the codemod then rewrites the file
the same way (the tests compare both).
"""

from __future__ import annotations

import ast
import re
from typing import Literal

from mockguard.fix.command import unread_names
from mockguard.fix.patches import FACTORY_IMPORT
from mockguard.fix.plan import Plan, call_anchors, parse_tree
from mockguard.scan.bindings import dotted

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_GAP = re.compile(r"[ \t\f\r\n]*,[ \t\f\r\n]*\Z")
_HEADER = re.compile(r"[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n)\Z")

# An edit: the start and end offsets in the text, and what replaces them.
_Edit = tuple[int, int, str]


def splice_patches(text: str, plan: Plan) -> str | None:
    """The text with the plan's patch rewrites made, or None when the codemod must make
    them (a rewrite that is not a patch, or an edit this module does not make)."""
    if not plan.rewrites or not all(r.patch for r in plan.rewrites):
        return None
    tree = parse_tree(text)
    lines = _LINE.findall(text)
    if "".join(lines) != text:
        return None
    places = _Places(lines)
    anchors = call_anchors(tree)
    calls = {
        anchors[id(node)]: node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and id(node) in anchors
    }
    edits: list[_Edit] = []
    for rewrite in plan.rewrites:
        call = calls.get(rewrite.construction)
        if call is None or dotted(call.func) != rewrite.target:
            return None
        start, end = places.span(call.func)
        if text[start:end] != rewrite.target:
            return None
        edits.append((start, end, rewrite.call))
        dropped = _dropped_autospec(call, places, text)
        if dropped is False:
            return None
        if dropped is not None:
            edits.append(dropped)
    added = _import_edit(tree, lines, places, FACTORY_IMPORT[0])
    if added is not None:
        edits.append(added)
    result = text
    for start, end, new in sorted(edits, reverse=True):
        result = result[:start] + new + result[end:]
    if unread_names(result) - unread_names(text):
        return None  # a mock import may have to go: the codemod's import remover decides
    return result


class _Places:
    """Offsets in the text of `ast` positions (lines from 1, columns in UTF-8 bytes)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.starts = [0]
        for line in lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, byte_column: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        prefix = text.encode("utf-8", "surrogatepass")[:byte_column]
        return self.starts[line - 1] + len(prefix.decode("utf-8", "surrogatepass"))

    def span(self, node: ast.expr | ast.keyword) -> tuple[int, int]:
        end_line = node.end_lineno or node.lineno
        end_column = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return self.offset(node.lineno, node.col_offset), self.offset(end_line, end_column)


def _dropped_autospec(call: ast.Call, places: _Places, text: str) -> _Edit | Literal[False] | None:
    """The edit that drops the call's `autospec=True` with one comma; None when it has none,
    False when the text around it is more than a comma and white space."""
    keyword = next((k for k in call.keywords if k.arg == "autospec"), None)
    if keyword is None:
        return None
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    arguments.sort(key=lambda n: (n.lineno, n.col_offset))
    index = arguments.index(keyword)
    start, end = places.span(keyword)
    if index + 1 < len(arguments):
        following, _ = places.span(arguments[index + 1])
        gap, edit = text[end:following], (start, following, "")
    elif index > 0:
        _, preceding = places.span(arguments[index - 1])
        gap, edit = text[preceding:start], (preceding, end, "")
    else:
        return False
    return edit if _GAP.match(gap) else False


def _import_edit(tree: ast.Module, lines: list[str], places: _Places, name: str) -> _Edit | None:
    """The edit that adds `import name` after the imports opening the module (after its
    docstring when none does, after its opening comments when it has neither); None when
    the module imports it at its top level already."""
    for node in tree.body:
        if isinstance(node, ast.Import) and any(
            a.name == name and a.asname is None for a in node.names
        ):
            return None
    after = 0  # the last line of the opening run
    body = tree.body
    for index, node in enumerate(body):
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        is_docstring = (
            index == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        if not (is_import or is_docstring):
            break
        end = node.end_lineno or node.lineno
        if index + 1 < len(body) and body[index + 1].lineno == end:
            break  # `import os; x = 1`: the line holds more than the run
        after = end
    if after == 0:
        while after < len(lines) and _HEADER.match(lines[after]):
            after += 1
    endings = (line[len(line.rstrip("\r\n")) :] for line in lines)
    newline = next((ending for ending in endings if ending), "\n")
    statement = f"import {name}"
    if after == 0:
        return 0, 0, statement + newline
    last = lines[after - 1]
    offset = places.starts[after]
    if last == last.rstrip("\r\n"):  # the file's last line, with no line ending
        return offset, offset, newline + statement
    return offset, offset, statement + newline
