"""MG101 / MG102: what a mock constructor call says about the double it builds."""

from __future__ import annotations

import ast

from mockguard.findings import Evidence
from mockguard.scan.classify import Classifier
from mockguard.scan.names import MOCK_CLASSES
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


def wiring_evidence(target: str, classifier: Classifier) -> list[Evidence]:
    """MG102's extra clue: the attribute a mock is wired onto (`ws.send_json`). The object
    names the domain (the caller adds its votes); the attribute is a lesser clue."""
    attribute = target.rsplit(".", 1)[-1]
    return classifier.attribute_votes("attribute", attribute) + classifier.name_votes(
        "member", attribute
    )
