"""MG201: what a patch says about the double it puts in place."""

from __future__ import annotations

import ast

from mockguard.findings import Evidence
from mockguard.scan.checks.construction import constructor_evidence
from mockguard.scan.classify import Classifier
from mockguard.scan.names import source_text
from mockguard.scan.resolve import Resolver, Scope


def patch_target(node: ast.Call, member: str) -> str | None:
    """The dotted thing a patch replaces: `app.db.get_session` (a target string) or
    `manager.send_to_user` (`patch.object(manager, "send_to_user")`)."""
    args = node.args
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    first = args[0] if args else keywords.get("target")
    if first is None:
        return None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    base = source_text(first)
    if member.endswith(("object", "spy")) or member == "monkeypatch.setattr":
        attribute = args[1] if len(args) > 1 else keywords.get("attribute") or keywords.get("name")
        if isinstance(attribute, ast.Constant) and isinstance(attribute.value, str):
            return f"{base}.{attribute.value}"
    return base


def monkeypatch_value(node: ast.Call) -> ast.expr | None:
    """The value `monkeypatch.setattr` sets: `setattr(obj, "name", value)` or
    `setattr("pkg.mod.name", value)`."""
    args = node.args
    if len(args) >= 3:
        return args[2]
    if len(args) == 2 and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        return args[1]
    return next((k.value for k in node.keywords if k.arg == "value"), None)


def patch_evidence(
    node: ast.Call, member: str, resolver: Resolver, classifier: Classifier, scope: Scope
) -> list[Evidence]:
    """Clues in the patch call: its target, the patched member, `spec=`, the mock given as
    `new=`/`return_value=`, and the names `patch.multiple` replaces."""
    evidence: list[Evidence] = []
    target = patch_target(node, member)
    if target:
        evidence += classifier.dotted_votes("patch-target", target)
        if node.args and not isinstance(node.args[0], ast.Constant):
            # patch.object(obj, "send_json"): the patched member is a clue of its own.
            evidence += classifier.attribute_votes("attribute", target.rsplit(".", 1)[-1])
    for keyword in node.keywords:
        value = keyword.value
        if keyword.arg in ("spec", "spec_set") and not isinstance(value, ast.Constant):
            text = resolver.spec_text(value, scope)
            if text:
                evidence += classifier.dotted_votes("spec", text)
        elif keyword.arg in ("new", "return_value") and isinstance(value, ast.Call):
            inner = resolver.call_action(value, scope)
            if inner is not None and inner.kind == "construct":
                evidence += constructor_evidence(value, inner.member, resolver, classifier, scope)
        elif member.endswith("multiple") and keyword.arg:
            evidence += classifier.attribute_votes("attribute", keyword.arg)
    return evidence
