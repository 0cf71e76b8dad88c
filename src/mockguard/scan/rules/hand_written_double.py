"""MG301 hand-written-double: a class whose name or bases mark it as a test double."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mockguard.scan.bindings import dotted
from mockguard.scan.rules.base import Rule
from mockguard.scan.vocabulary import MOCK_CLASSES

if TYPE_CHECKING:
    from mockguard.findings import Evidence
    from mockguard.scan.classify import Classifier
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
    from mockguard.scan.classify import plain_words  # the scanner's, not the registry's

    marked = bool(DOUBLE_MARKERS & set(plain_words(node.name)))
    is_test_case = node.name.startswith("Test") or any(
        (dotted(base) or "").rsplit(".", 1)[-1] in TEST_CASE_BASES for base, _ in bases
    )
    if not (mock_base or (marked and not is_test_case)):
        return None
    in_house = resolver.in_house
    if scope.kind == "module" and in_house is not None and in_house.defines_factory(node.name):
        return None  # the project's own factory is the single source, not a copy of one
    evidence = classifier.name_votes("class-name", node.name)
    for base, qualname in bases:
        text = qualname or dotted(base)
        if text and not _is_mock_class(text, resolver):
            evidence += classifier.dotted_votes("base", text)
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            evidence += classifier.attribute_votes("method", stmt.name)
    return evidence


RULE = Rule(
    code="MG301",
    name="hand-written-double",
    summary="A hand-written test double class",
    message="class `{name}` is a hand-written test double",
    severity="error",
    enabled_by_default=True,
    doc="""
    ## What it does
    Flags a class whose name marks it as a test double (a word of the name is `Mock`,
    `Fake`, `Stub` or `Dummy`: `MockWebSocket`, `FakeSession`, `_FakeLoader`) or whose base
    class is a mock class (`class Recorder(MagicMock)`). Test classes (`TestFakeSession`,
    subclasses of `unittest.TestCase`) are not doubles, and neither is the project's own
    factory class (`class AppMockFactory` with `create*` methods: see in-house factories).

    ## Why is this bad?
    Hand-written doubles are copied into every folder that needs one. Each copy implements
    a different subset of the real interface, and none of them is checked against it.

    ## Example
    ```python
    class FakeSession:
        def __init__(self):
            self.added = []

        async def commit(self):
            pass
    ```

    ## Use instead
    ```python
    session = SSotMockFactory.create_database_session_mock()
    ```
    """,
    check=check_double_class,
)
