"""MG201 mock-patching: `patch(...)`, `mocker.patch*`, `monkeypatch.setattr(..., <mock>)`."""

from __future__ import annotations

import ast

from mockguard.findings import Evidence
from mockguard.scan.bindings import source_text
from mockguard.scan.classify import Classifier
from mockguard.scan.resolve import Resolver, Scope
from mockguard.scan.rules.base import Rule
from mockguard.scan.rules.direct_construction import constructor_evidence


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


RULE = Rule(
    code="MG201",
    name="mock-patching",
    summary="A name is patched with a mock",
    message="{patcher}(...) patches with an ad-hoc mock",
    severity="error",
    enabled_by_default=True,
    doc="""
    ## What it does
    Flags patching: `@patch(...)`, `patch.object`, `patch.dict`, `patch.multiple` as a
    decorator, a context manager or a bound patcher; pytest-mock's `mocker.patch*` and
    `mocker.spy`; and `monkeypatch.setattr(...)` when the value set is a mock. Each patch
    call is one finding; a mock built inside the patch call belongs to it.

    ## Why is this bad?
    A patch replaces production code with a mock the test builds on the spot, usually
    without a spec. Patch targets are strings that break silently when code moves, and stacks
    of patch decorators make a test's real dependencies hard to see.

    ## Example
    ```python
    @patch("app.agents.supervisor.LLMClient")
    def test_answer(llm_cls):
        llm_cls.return_value.complete.return_value = "42"
    ```

    ## Use instead
    ```python
    def test_answer(mock_factory):
        llm = mock_factory.create("llm_client")
        agent = SupervisorAgent(llm_client=llm)
    ```
    """,
    check=patch_evidence,
)
