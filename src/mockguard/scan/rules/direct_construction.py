"""MG101 direct-mock-construction: a mock built by calling a mock class or `create_autospec`.

The visitor finds the call; :func:`constructor_evidence` reads what the call itself says
about the double it builds.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mockguard.scan.rules.base import Rule
from mockguard.scan.vocabulary import MOCK_CLASSES

if TYPE_CHECKING:
    from mockguard.findings import Evidence
    from mockguard.scan.classify import Classifier
    from mockguard.scan.resolve import Resolver, Scope

# Keyword arguments of a mock's constructor (or a patch) that are not attributes of the double.
CONSTRUCTOR_KEYWORDS = frozenset(
    {
        "spec",
        "spec_set",
        "side_effect",
        "return_value",
        "wraps",
        "name",
        "unsafe",
        "new",
        "new_callable",
        "autospec",
        "create",
        "instance",
        "_spec_class",
        "read_data",
        "parent",
    }
)


def constructor_evidence(
    node: ast.Call, member: str, resolver: Resolver, classifier: Classifier, scope: Scope
) -> list[Evidence]:
    """Clues in the call itself: the spec class (`spec=`, `spec_set=`, `wraps=`, or the
    first argument of `create_autospec` and the mock classes), `name="..."`, and the
    attributes configured by keyword (`MagicMock(send_json=AsyncMock())`)."""
    evidence: list[Evidence] = []
    spec: ast.expr | None = None
    if node.args and (member == "create_autospec" or member in MOCK_CLASSES):
        spec = node.args[0]
    for keyword in node.keywords:
        if keyword.arg in ("spec", "spec_set", "wraps"):
            spec = spec or keyword.value
        elif keyword.arg == "name":
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                evidence += classifier.name_votes("name", value.value)
        elif keyword.arg and keyword.arg not in CONSTRUCTOR_KEYWORDS:
            # configure_mock-style keywords may be dotted: **{"execute.return_value": ...}
            for part in keyword.arg.split("."):
                evidence += classifier.attribute_votes("attribute", part)
    if spec is not None:
        text = resolver.spec_text(spec, scope)
        if text:
            evidence += classifier.dotted_votes("spec", text)
    return evidence


RULE = Rule(
    code="MG101",
    name="direct-mock-construction",
    summary="A mock object is constructed directly instead of through the factory",
    message="{constructor}() builds an ad-hoc mock",
    severity="error",
    enabled_by_default=True,
    doc="""
    ## What it does
    Flags every direct construction of a test double: `Mock()`, `MagicMock()`,
    `AsyncMock()`, `NonCallableMock()`, `NonCallableMagicMock()`, `PropertyMock()`,
    `create_autospec(...)` and `mock_open()`, whether imported from `unittest.mock`, the
    `mock` backport or `asynctest`, or reached through pytest-mock's `mocker` fixture.
    Every construction call is one finding unless it is the whole value of an attribute
    assignment (`ws.send_json = AsyncMock()` is MG102). So a mock kept on the test case
    itself (`self.client = MagicMock()`) is this rule too, and so is a mock built in a
    patch's arguments: `patch("app.db.engine", MagicMock())` is an MG201 and an MG101,
    `patch.multiple(m, a=Mock(), b=Mock())` an MG201 and two MG101; such a mock is named
    by what the patch replaces. A name imported in a `try` whose `except ImportError`
    binds it to a mock is the real class: calling it builds no mock.

    ## Why is this bad?
    An ad-hoc mock accepts any attribute and any call, so it keeps passing after the real
    interface has changed. The same setup gets copied from test to test, and nobody can say
    how many there are or whether the number is going down.

    ## Example
    ```python
    from unittest.mock import AsyncMock

    def test_send():
        ws = AsyncMock()
        notify(ws, "hello")
        ws.send_json.assert_awaited_once()
    ```

    ## Use instead
    ```python
    from mockguard import SSotMockFactory

    def test_send():
        ws = SSotMockFactory.create_websocket_mock()
        notify(ws, "hello")
        ws.send_json.assert_awaited_once()
    ```
    """,
    check=constructor_evidence,
)
