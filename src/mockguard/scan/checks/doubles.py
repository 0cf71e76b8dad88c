"""MG301: a hand-written test double class."""

from __future__ import annotations

import ast

from mockguard.findings import Evidence
from mockguard.scan.classify import Classifier, plain_words
from mockguard.scan.names import MOCK_CLASSES, dotted
from mockguard.scan.resolve import Resolver, Scope

DOUBLE_MARKERS = frozenset({"mock", "fake", "stub", "dummy"})
TEST_CASE_BASES = frozenset({"TestCase", "IsolatedAsyncioTestCase", "AsyncTestCase"})


def _is_mock_class(qualname: str | None, resolver: Resolver) -> bool:
    action = resolver.action(qualname) if qualname else None
    return action is not None and action.member in MOCK_CLASSES


def check_double_class(
    node: ast.ClassDef, resolver: Resolver, classifier: Classifier, scope: Scope
) -> list[Evidence] | None:
    """The evidence for a double class, or None when the class is not a double.

    A class is a double when a word of its name is a marker (`MockWebSocket`, `_FakeLoader`)
    and it is not a test case, or when it inherits from a mock class.
    """
    bases = [(base, resolver.qualname(base, scope)) for base in node.bases]
    mock_base = any(_is_mock_class(qualname, resolver) for _, qualname in bases)
    marked = bool(DOUBLE_MARKERS & set(plain_words(node.name)))
    is_test_case = node.name.startswith("Test") or any(
        (dotted(base) or "").rsplit(".", 1)[-1] in TEST_CASE_BASES for base, _ in bases
    )
    if not (mock_base or (marked and not is_test_case)):
        return None
    evidence = classifier.name_votes("class-name", node.name)
    for base, qualname in bases:
        text = qualname or dotted(base)
        if text and not _is_mock_class(text, resolver):
            evidence += classifier.dotted_votes("base", text)
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            evidence += classifier.attribute_votes("method", stmt.name)
    return evidence
