"""Patch and wired-mock rewrites made on the file's text, where `ast` places them.

A patch rewrite changes a callee (`mock.patch` -> `mockguard.factory.patch`), drops an
`autospec=True`, and adds `import mockguard.factory`; a wired-mock rewrite changes a callee
(`Mock` -> `mockguard.factory.create_like`) and puts the object and attribute in front of
its arguments. Reading a module with LibCST and its position metadata costs about fifty
times `ast.parse`, which on a suite whose patches are most of its doubles makes `fix` many
times slower than the scan. So a file whose only rewrites are these is edited here, at the
exact places `ast` gives, and each edit is checked before it is made: the text at the
callee's place must be the callee the plan names (followed by its parenthesis), and a
dropped argument may take with it only its own text, one comma and white space (a comment,
a parenthesis or a continuation line sends the file to the codemod). The import goes where
the codemod puts it: after the imports that open the module. A mock import that the
rewrites leave unread goes when it is a statement of its own on lines of its own (`from
unittest import mock`); any other is left to the codemod's import remover.
`None` means "use the codemod"; the codemod then rewrites the file the same way (the tests
compare both).
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from typing import Literal

from mockguard.fix.command import MOCK_IMPORTS
from mockguard.fix.patches import FACTORY_IMPORT
from mockguard.fix.plan import ModuleNodes, Plan
from mockguard.scan.bindings import dotted

# A line with its ending (Python's line breaks only; the last line may have none).
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_GAP = re.compile(r"[ \t\f\r\n]*,[ \t\f\r\n]*\Z")
_HEADER = re.compile(r"[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n)\Z")

# The imports a rewrite may leave unread, as (module, name): the codemod's list.
_MOCK_IMPORTS = frozenset(
    {(module, name) for module, names in MOCK_IMPORTS for name in names}
    | {("unittest", "mock"), ("mock", "mock")}
)
# An edit: the start and end offsets in the text, and what replaces them.
_Edit = tuple[int, int, str]


def splice_patches(text: str, plan: Plan) -> str | None:
    """The text with the plan's patch rewrites made, or None when the codemod must make
    them (a rewrite that is not a patch, or an edit this module does not make)."""
    nodes = plan.nodes
    if nodes is None or not plan.rewrites:
        return None
    if not all(r.patch or r.member is not None for r in plan.rewrites):
        return None
    lines = LINE.findall(text)
    if "".join(lines) != text:
        return None
    places = _Places(lines)
    anchors = nodes.call_anchors
    calls = {anchors[id(node)]: node for node in nodes.calls if id(node) in anchors}
    edits: list[_Edit] = []
    unread = Counter[str]()  # the reads of each name the rewrites take away
    for rewrite in plan.rewrites:
        call = calls.get(rewrite.construction)
        if call is None or dotted(call.func) != rewrite.target:
            return None
        start, end = places.span(call.func)
        if text[start:end] != rewrite.target:
            return None
        edits.append((start, end, rewrite.call))
        unread[rewrite.target.split(".", 1)[0]] += 1
        if rewrite.member is not None:
            if text[end : end + 1] != "(":
                return None
            receiver, attribute = rewrite.member
            more = ", " if call.args or call.keywords else ""
            edits.append((end + 1, end + 1, f"{receiver}, {json.dumps(attribute)}{more}"))
            continue
        dropped = _dropped_autospec(call, places)
        if dropped is False:
            return None
        if dropped is not None:
            edits.append(dropped)
    for name, count in unread.items():
        if _read_elsewhere(name, count, nodes, places) or nodes.reads[name] > count:
            continue
        removed = _removed_import(nodes, places, name)
        if removed is None:
            return None  # the import remover of the codemod decides
        edits.append(removed)
    added = _import_edit(nodes.tree, lines, places, FACTORY_IMPORT[0])
    if added is not None:
        edits.append(added)
    result = text
    for start, end, new in sorted(edits, reverse=True):
        result = result[:start] + new + result[end:]
    return result


# A name written in more other places than this is read, surely: the tree is not walked to
# count its reads (were every one of them in a comment or a string, its import would stay).
_SURELY_READ = 10


def _read_elsewhere(name: str, taken: int, nodes: ModuleNodes, places: _Places) -> bool:
    """Whether the text has the word `name` in many more places than its imports and the
    `taken` callees (see _SURELY_READ)."""
    word = re.compile(rf"(?<![.\w]){re.escape(name)}\b")  # not an attribute: `mock.patch`
    in_imports = 0
    for node in nodes.imports:
        start, end = places.span(node)
        in_imports += len(word.findall(places.text, start, end))
    return len(word.findall(places.text)) - taken - in_imports > _SURELY_READ


def _removed_import(nodes: ModuleNodes, places: _Places, name: str) -> _Edit | None:
    """The edit that removes the top-level import of a mock name no longer read, when it is
    a statement of its own that imports nothing else, on lines of its own; else None."""
    found = [
        node
        for node in nodes.tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and any((a.asname or a.name.split(".", 1)[0]) == name for a in node.names)
    ]
    if len(found) != 1 or len(found[0].names) != 1:
        return None
    statement = found[0]
    alias = statement.names[0]
    module = statement.module if isinstance(statement, ast.ImportFrom) else alias.name
    if alias.asname is not None or (module, alias.name) not in _MOCK_IMPORTS:
        return None
    end_line = statement.end_lineno or statement.lineno
    start, end = places.span(statement)
    line_start = places.starts[statement.lineno - 1]
    line_end = places.starts[end_line]
    whole = places.text[line_start:line_end]
    if whole.strip() != places.text[start:end].strip() or "#" in whole or ";" in whole:
        return None
    return line_start, line_end, ""


class _Places:
    """Offsets in the text of `ast` positions (lines from 1, columns in UTF-8 bytes)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.text = "".join(lines)
        self.starts = [0]
        for line in lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, byte_column: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        prefix = text.encode("utf-8", "surrogatepass")[:byte_column]
        return self.starts[line - 1] + len(prefix.decode("utf-8", "surrogatepass"))

    def span(self, node: ast.expr | ast.keyword | ast.stmt) -> tuple[int, int]:
        end_line = node.end_lineno or node.lineno
        end_column = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return self.offset(node.lineno, node.col_offset), self.offset(end_line, end_column)


def _dropped_autospec(call: ast.Call, places: _Places) -> _Edit | Literal[False] | None:
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
        gap, edit = places.text[end:following], (start, following, "")
    elif index > 0:
        _, preceding = places.span(arguments[index - 1])
        gap, edit = places.text[preceding:start], (preceding, end, "")
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
