"""The rule catalog: every rule declared once, in one registry.

`mockguard rules`, the text and JSON reports and (later) SARIF rule help are all generated
from :data:`RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: a code, a kebab-case name, a message template and its documentation."""

    code: str
    name: str
    summary: str
    message: str
    severity: Severity
    enabled_by_default: bool
    doc: str

    def render(self, **args: str) -> str:
        """Fill the message template with the finding's arguments."""
        return self.message.format(**args)

    def sections(self) -> dict[str, str]:
        """The documentation split into its headed sections (What it does, Why is this bad?...)."""
        import inspect

        sections: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in inspect.cleandoc(self.doc).splitlines():
            if line.startswith("## "):
                if current is not None:
                    sections[current] = "\n".join(lines).strip()
                current, lines = line[3:].strip(), []
            else:
                lines.append(line)
        if current is not None:
            sections[current] = "\n".join(lines).strip()
        return sections


MG101 = Rule(
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
    A mock kept on the test case itself (`self.client = MagicMock()`) is this rule too.

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
)

MG102 = Rule(
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
)

MG201 = Rule(
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
)

MG301 = Rule(
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
    subclasses of `unittest.TestCase`) are not doubles.

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
)

MG401 = Rule(
    code="MG401",
    name="duplicated-mock-setup",
    summary="The same mock setup is built in several places",
    message="the same {constructor}() setup is built in {count} places",
    severity="warning",
    enabled_by_default=False,
    doc="""
    ## What it does
    Flags each copy of a mock setup that is built, identically, in at least three places:
    the same constructor and spec, configuring the same members with the same kinds of
    value, whatever the variable names, literal values and statement order. Off by default;
    add `MG401` to `select` to turn it on. `mockguard dupes` lists the clusters.

    ## Why is this bad?
    A setup copied across files drifts: each copy is fixed (or not) on its own when the
    real interface changes. One factory kind serves them all.

    ## Example
    ```python
    # in five test files:
    ws = MagicMock()
    ws.send_json = AsyncMock()
    ws.accept = AsyncMock()
    ```

    ## Use instead
    ```python
    ws = SSotMockFactory.create_websocket_mock()
    ```
    """,
)

RULES: dict[str, Rule] = {rule.code: rule for rule in (MG101, MG102, MG201, MG301, MG401)}
"""The registry: rule code -> rule."""

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


def lookup(code_or_name: str) -> Rule | None:
    """Find a rule by its code (`MG101`, any case) or its name (`direct-mock-construction`)."""
    return RULES.get(code_or_name.upper()) or RULES_BY_NAME.get(code_or_name.lower())
