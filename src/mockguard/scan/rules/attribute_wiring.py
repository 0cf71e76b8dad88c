"""MG102 mock-attribute-wiring: a mock assigned onto an attribute of another object.

The construction's own evidence comes from MG101's check; :func:`wiring_evidence` adds the
attribute it is wired onto.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockguard.scan.rules.base import Rule

if TYPE_CHECKING:
    from mockguard.findings import Evidence
    from mockguard.scan.classify import Classifier


def wiring_evidence(target: str, classifier: Classifier) -> list[Evidence]:
    """MG102's extra clue: the attribute a mock is wired onto (`ws.send_json`). The object
    names the domain (the caller adds its votes); the attribute is a lesser clue."""
    attribute = target.rsplit(".", 1)[-1]
    return classifier.attribute_votes("attribute", attribute) + classifier.name_votes(
        "member", attribute
    )


RULE = Rule(
    code="MG102",
    name="mock-attribute-wiring",
    summary="A mock is wired onto an attribute of another object",
    message="{constructor}() wired onto `{target}`",
    severity="error",
    enabled_by_default=True,
    doc="""
    ## What it does
    Flags a mock assigned onto an attribute of another object: `ws.send_json = AsyncMock()`,
    `a.b.c = Mock()`, `mocks["x"].return_value = Mock()`, `setattr(obj, "x", Mock())`.
    A mock stored on the test case itself (`self.ws = MagicMock()`) is MG101 instead.

    ## Why is this bad?
    This is how most domain mocks are hand-built, one attribute at a time. Each test wires
    its own partial copy of the interface, the copies drift apart, and a method that is
    synchronous in production can be wired as a coroutine (or the reverse) without any test
    noticing.

    ## Example
    ```python
    ws = MagicMock()
    ws.send_json = AsyncMock()
    ws.close = AsyncMock()
    ```

    ## Use instead
    ```python
    ws = SSotMockFactory.create_websocket_mock()
    ```
    """,
    check=wiring_evidence,
)
