"""Compliant calls: a test double made through the mock factory."""

from __future__ import annotations

import ast

from mockguard.findings import Evidence
from mockguard.scan.classify import Classifier


def compliant_category(node: ast.Call, member: str, classifier: Classifier) -> str:
    """The category of a factory call, from the method (`create_websocket_mock`) and the
    kind it names (`create("database_session")`)."""
    clues = [member]
    first = node.args[0] if node.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        clues.append(first.value)
    evidence: list[Evidence] = []
    for clue in clues:
        evidence += classifier.name_votes("name", clue)
    category, _ = classifier.decide(evidence)
    return category
