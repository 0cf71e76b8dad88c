"""Compliant calls: a test double made through the mock factory."""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from dataclasses import replace

from mockguard.findings import CompliantCall, Evidence
from mockguard.scan.bindings import source_text
from mockguard.scan.classify import Classifier

# A callee is shown as written; past this many characters it is cut (`a[...]...create`).
MAX_CALL_TEXT = 160
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def compliant_category(node: ast.Call, member: str, classifier: Classifier) -> str:
    """The category of a factory call, from the method (`create_websocket_mock`) and the
    kind it names (`create("database_session")`). Only the creating method counts: in
    `MockFactory.from_config().create(...)` the member is `from_config.create`, and how the
    factory was obtained says nothing about what it makes."""
    clues = [member.rsplit(".", 1)[-1]]
    kind = _kind_argument(node)
    if kind is not None:
        clues.append(kind)
    elif clues[0] == "create_like" and len(node.args) == 2:
        # `create_like(channel.client, "get")`: what it doubles is the object's member
        clues = [source_text(node.args[0]), _text_of(node.args[1])]
    evidence: list[Evidence] = []
    for clue in clues:
        evidence += classifier.name_votes("name", clue)
    category, _ = classifier.decide(evidence)
    return category


def compliant_call(
    node: ast.Call, member: str, classifier: Classifier, path: str, scope: str
) -> CompliantCall:
    """The compliant site of a factory call (its column still a byte offset: see
    :func:`in_characters`)."""
    return CompliantCall(
        path=path,
        line=node.lineno,
        col=node.col_offset,
        category=compliant_category(node, member, classifier),
        call=call_text(node),
        scope=scope,
    )


def call_text(node: ast.Call) -> str:
    """What a factory call calls, as written: `AppMockFactory.create_websocket_mock`, or
    with a string first argument `mock_factory.create("database_session")`."""
    callee = source_text(node.func)
    if len(callee) > MAX_CALL_TEXT:
        callee = callee[: MAX_CALL_TEXT - 3] + "..."
    kind = _kind_argument(node)
    if kind is None:
        return callee
    if len(kind) > MAX_CALL_TEXT:
        kind = kind[: MAX_CALL_TEXT - 3] + "..."
    return f"{callee}({json.dumps(kind, ensure_ascii=False)})"


def _text_of(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _kind_argument(node: ast.Call) -> str | None:
    first = node.args[0] if node.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def in_characters(calls: list[CompliantCall], data: bytes) -> list[CompliantCall]:
    """The calls with their columns as character offsets (`ast` gives UTF-8 byte offsets,
    which differ only on a line with non-ASCII text)."""
    if not calls or data.isascii():
        return calls
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        lines = _LINE_BREAK.split(data.decode(encoding, errors="replace"))
    except (SyntaxError, LookupError):
        return calls
    fixed = []
    for call in calls:
        if 0 < call.line <= len(lines):
            prefix = lines[call.line - 1].encode("utf-8")[: call.col]
            call = replace(call, col=len(prefix.decode("utf-8", errors="replace")))
        fixed.append(call)
    return fixed
