"""MG201 mock-patching: `patch(...)`, `mocker.patch*`, `monkeypatch.setattr(...)`, the
`fixtures` library's `MockPatch*`/`MonkeyPatch`: one finding per patch, whatever it installs."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mockguard.scan.bindings import source_text
from mockguard.scan.rules.base import Rule
from mockguard.scan.rules.direct_construction import constructor_evidence

if TYPE_CHECKING:
    from mockguard.findings import Evidence
    from mockguard.scan.classify import Classifier
    from mockguard.scan.resolve import Resolver, Scope

# The longest patch target a message shows; a longer one is cut, with an ellipsis.
TARGET_LIMIT = 80


def is_multiple(member: str) -> bool:
    """True for a patcher that replaces several attributes, named by its keywords."""
    return member.endswith(("multiple", "MockPatchMultiple"))


def patch_target(node: ast.Call, member: str) -> str | None:
    """The dotted thing a patch replaces: `app.db.get_session` (a target string) or
    `manager.send_to_user` (`patch.object(manager, "send_to_user")`)."""
    args = node.args
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    first = args[0] if args else keywords.get("target") or keywords.get("name")
    if first is None or isinstance(first, ast.Starred):
        return None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    base = source_text(first)
    if member.endswith(("object", "spy", "MockPatchObject")) or member == "monkeypatch.setattr":
        attribute = args[1] if len(args) > 1 else keywords.get("attribute") or keywords.get("name")
        if isinstance(attribute, ast.Constant) and isinstance(attribute.value, str):
            return f"{base}.{attribute.value}"
    return base


def target_text(target: str | None) -> str:
    """The patch target as a message shows it: on one line, every character that does not
    print shown as its escape (`\\n`), cut at TARGET_LIMIT characters; `?` when unknown."""
    if not target:
        return "?"
    if len(target) <= TARGET_LIMIT and target.isprintable():
        return target
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in target)
    if len(shown) > TARGET_LIMIT:
        shown = shown[: TARGET_LIMIT - 3] + "..."
    return shown


def _resolved(target: str, node: ast.Call, resolver: Resolver, scope: Scope) -> str:
    """`patch.object(quota, "is_ready")` as the project names it (`nova.quota.is_ready`)
    when the object is an imported name, so that the real object's module can vote."""
    first = node.args[0] if node.args else None
    if not isinstance(first, (ast.Name, ast.Attribute)):
        return target
    qualname = resolver.qualname(first, scope)
    base = source_text(first)
    if not qualname or qualname == base or not target.startswith(base):
        return target
    return qualname + target[len(base) :]


def patch_evidence(
    node: ast.Call, member: str, resolver: Resolver, classifier: Classifier, scope: Scope
) -> list[Evidence]:
    """Clues in the patch call: its target, the patched member, `spec=`, the mock given as
    `new=`/`return_value=`, and the names `patch.multiple` replaces."""
    evidence: list[Evidence] = []
    target = patch_target(node, member)
    resolved = _resolved(target, node, resolver, scope) if target else ""
    if member.endswith("dict") and resolved and classifier.library(resolved) is None:
        # patch.dict(module.CONFIG, ...) sets a dict's entries: the module that holds the
        # dict says nothing about them; the dict's own name (or its library) may.
        evidence += classifier.name_votes("patch-target", resolved.rsplit(".", 1)[-1])
        for key in _installed_keys(node, scope):
            # {"mysql.query": ...}, {"cassandra_cql_session": ...}: what is installed
            for part in key.split("."):
                evidence += classifier.name_votes("name", part)
    elif resolved:
        evidence += classifier.dotted_votes("patch-target", resolved)
        if node.args and not isinstance(node.args[0], ast.Constant):
            # patch.object(obj, "send_json"): the patched member is a clue of its own.
            evidence += classifier.attribute_votes("attribute", resolved.rsplit(".", 1)[-1])
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
        elif is_multiple(member) and keyword.arg:
            evidence += classifier.attribute_votes("attribute", keyword.arg)
    return evidence


def _installed_keys(node: ast.Call, scope: Scope) -> list[str]:
    """The string keys of the entries a `patch.dict` installs, when they are written as a
    dict literal in the call or bound once to one in the same scope."""
    values: ast.expr | None = node.args[1] if len(node.args) > 1 else None
    if isinstance(values, ast.Name):
        sources = scope.sources.get(values.id, [])
        values = None
        if len(sources) == 1 and isinstance(sources[0].node, ast.Dict):
            values = sources[0].node
    if not isinstance(values, ast.Dict):
        return []
    return [
        key.value
        for key in values.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    ]


RULE = Rule(
    code="MG201",
    name="mock-patching",
    summary="A name is patched for the test",
    message="{patcher}(...) patches `{target}`",
    severity="error",
    enabled_by_default=True,
    doc="""
    ## What it does
    Flags patching: `@patch(...)`, `patch.object`, `patch.dict`, `patch.multiple` as a
    decorator, a context manager or a bound patcher; pytest-mock's `mocker.patch*` and
    `mocker.spy`; `monkeypatch.setattr(...)`; and the `fixtures` library's
    `MockPatch`, `MockPatchObject`, `MockPatchMultiple` and `MonkeyPatch`
    (`self.useFixture(fixtures.MockPatch("app.db.get_session"))`). A patch is one finding
    whatever it installs: a mock, a mock class, a lambda, a function or a plain value
    (`monkeypatch.setattr(config, "DEBUG", True)` is a patch too; `monkeypatch.setenv`,
    `setitem` and `chdir` are not). A mock built inside the patch call is a site of its
    own: `patch("app.db.engine", MagicMock())` is this finding and an MG101.

    ## Why is this bad?
    A patch replaces production code with a stand-in the test builds on the spot: a mock,
    usually without a spec, or a lambda or value that nothing checks against the real
    interface. Patch targets are strings that break silently when code moves, and stacks of
    patch decorators make a test's real dependencies hard to see.

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
    For a function, the factory's patch, whose double follows the real function's
    signature (`mockguard fix` rewrites such patches):
    ```python
    @mockguard.factory.patch("app.clock.now", return_value=NOW)
    def test_expiry(now): ...
    ```
    """,
    check=patch_evidence,
)
