"""Name resolution: what a name or an attribute chain means where it is used.

A :class:`Resolver` follows a name through the scopes that enclose it (imports, parameters,
assignments, with-targets), as Python itself would, and says what calling it does: build a
mock, patch, call the mock factory, or nothing the scanner cares about.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol

from mockguard.findings import Diagnostic
from mockguard.scan.bindings import Source, collect_sources, dotted, parameter_sources
from mockguard.scan.vocabulary import (
    CONSTRUCTORS,
    FACTORY_FIXTURE,
    MOCK_VALUE,
    MOCKER,
    MOCKER_CONSTRUCTORS,
    MOCKER_PARAMETERS,
    MOCKER_PATCHERS,
    MONKEYPATCH,
    PATCHERS,
    UNRESOLVED_MOCK_NAMES,
    fixture_patcher,
    is_mock_module,
    mock_member,
)


@dataclass
class Scope:
    """A module, class or function body.

    Its bindings are computed lazily, on the first look-up of a name that matters. The
    visitor also records here what the code in the scope does with its names: the
    attributes used on each, and where each one's value goes.
    """

    kind: str  # module, class, function
    name: str  # qualified name of the scope, "" for the module
    body: list[ast.stmt]
    args: ast.arguments | None = None
    parent: Scope | None = None
    _sources: dict[str, list[Source]] | None = None
    # name -> the attribute chains used on it (`ws.send_json.assert_called`), as the walk met
    # them; `self.ws` is kept on the class. Read once the walk is over.
    chains: dict[str, list[ast.Attribute]] = field(default_factory=dict)
    # name -> the attributes `name.configure_mock(...)` sets.
    configured: dict[str, set[str]] = field(default_factory=dict)
    # name -> the attributes used on it (from the two above), once asked for.
    attribute_uses: dict[str, set[str]] = field(default_factory=dict)
    # name -> where its value goes: calls it is passed to, attributes it is assigned onto.
    flows: dict[str, set[str]] = field(default_factory=dict)
    # name -> what it was resolved to here (bindings do not change during a walk).
    resolved: dict[str, str] = field(default_factory=dict)
    # name -> what `Resolver.lookup` found for it from here, through the enclosing scopes.
    seen: dict[str, str | None] = field(default_factory=dict)

    @property
    def sources(self) -> dict[str, list[Source]]:
        if self._sources is None:
            found = collect_sources(self.body)
            if self.args is not None:
                for name, source in parameter_sources(self.args):
                    found.setdefault(name, []).insert(0, source)
            self._sources = found
        return self._sources

    def child(
        self, kind: str, name: str, body: list[ast.stmt], args: ast.arguments | None
    ) -> Scope:
        """A scope nested in this one."""
        qualified = f"{self.name}.{name}" if self.name else name
        return Scope(kind, qualified, body, args, parent=self)

    @property
    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    @property
    def enclosing_class(self) -> Scope | None:
        scope: Scope | None = self
        while scope is not None and scope.kind != "class":
            scope = scope.parent
        return scope


ActionKind = Literal["construct", "patch", "monkeypatch", "factory"]


class Action(NamedTuple):
    """What calling something does, and the API member it goes through (`MagicMock`,
    `patch.object`, `create_websocket_mock`)."""

    kind: ActionKind
    member: str


class InHouseFactories(Protocol):
    """The project's own factories as one module sees them (implemented by
    :class:`mockguard.scan.factories.ModuleFactories`)."""

    def member(self, qualname: str) -> str | None:
        """The member after an in-house factory class, "" for the class, else None."""

    def fixture(self, name: str, resolver: Resolver) -> str | None:
        """The factory a fixture parameter of that name hands out, or None."""

    def callee(self, func: ast.expr, scope: Scope, resolver: Resolver) -> str | None:
        """A callee through a factory that names do not reach (`F().x`, `self.f.x`)."""

    def defines_factory(self, class_name: str) -> bool:
        """Whether a class the module defines at its top level is an in-house factory."""


class Resolver:
    """Resolves names for one module, reporting mock names it has to assume."""

    def __init__(
        self,
        path: str,
        *,
        factories: tuple[str, ...],
        factory_fixtures: tuple[str, ...],
        mock_modules: tuple[str, ...] = (),
        in_house: InHouseFactories | None = None,
    ) -> None:
        self.path = path
        self.factories = (*factories, FACTORY_FIXTURE)
        # The project's own factories, as this module sees them (scan.factories).
        self.in_house = in_house
        self.factory_fixtures = frozenset(factory_fixtures)
        self.mock_modules = mock_modules
        self.diagnostics: list[Diagnostic] = []
        self._unresolved_reported: set[str] = set()
        self._resolving: set[tuple[int, str]] = set()
        self._actions: dict[str, Action | None] = {}

    def lookup(self, name: str, scope: Scope) -> str | None:
        """What a bare name is bound to, seen from `scope`: a qualified name or a marker;
        "" when it is bound to something else (it shadows); None when it is not bound."""
        try:
            return scope.seen[name]
        except KeyError:
            pass
        found = self._lookup(name, scope)
        if not self._resolving:  # a value found mid-cycle may be partial: not kept
            scope.seen[name] = found
        return found

    def _lookup(self, name: str, scope: Scope) -> str | None:
        start: Scope | None = scope
        current: Scope | None = scope
        while current is not None:
            # Names bound in a class body are not visible from the methods inside it.
            if current.kind != "class" or current is start:
                sources = current.sources.get(name)
                if sources:
                    if current.kind != "module" and any(s.kind == "global" for s in sources):
                        current = current.module
                        continue
                    return self._evaluate(name, sources, current)
            current = current.parent
        return None

    def _evaluate(self, name: str, sources: list[Source], scope: Scope) -> str:
        known = scope.resolved.get(name)
        if known is not None:
            return known
        key = (id(scope), name)
        if key in self._resolving:
            return ""
        self._resolving.add(key)
        try:
            values = [self._source_value(s, scope) for s in sources]
        finally:
            self._resolving.discard(key)
        value = next((value for value in values if value), "")
        if not self._resolving:  # a value found mid-cycle may be partial: not kept
            scope.resolved[name] = value
        return value

    def _source_value(self, source: Source, scope: Scope) -> str | None:
        if source.kind == "import":
            return source.value
        if source.kind == "param":
            return self._parameter_value(source)
        if source.kind in ("assign", "with") and source.node is not None:
            return self._value_of(source.node, scope, bound_by_with=source.kind == "with")
        return None

    def _parameter_value(self, source: Source) -> str | None:
        if source.value in MOCKER_PARAMETERS:
            return MOCKER
        if source.value == "monkeypatch":
            return MONKEYPATCH
        if source.value in self.factory_fixtures:
            return FACTORY_FIXTURE
        if self.in_house is not None and source.value not in ("self", "cls"):
            handed_out = self.in_house.fixture(source.value, self)  # a fixture of the project's
            if handed_out:
                return handed_out
        annotation = dotted(source.node) if source.node is not None else None
        last = annotation.rsplit(".", 1)[-1] if annotation else ""
        return {"MockerFixture": MOCKER, "MonkeyPatch": MONKEYPATCH}.get(last)

    def _value_of(self, node: ast.AST, scope: Scope, *, bound_by_with: bool) -> str | None:
        """What assigning `node` to a name binds it to: an alias of a mock API name, a
        factory instance, a mock value, or None."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            return None if bound_by_with else self.qualname(node, scope)
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Call):
            callee = self.qualname(node.func, scope)
            if callee is None:
                return None
            if bound_by_with and _is_monkeypatch_context(callee):
                return MONKEYPATCH  # with monkeypatch.context() as m: m.setattr(...)
            action = self.action(callee)
            if action is not None and action.kind in ("construct", "patch"):
                return MOCK_VALUE
            if action is None and self.factory_member(callee) is not None:
                return callee  # a factory made from a configured factory path: MockFactory()
        return None

    def qualname(self, node: ast.AST, scope: Scope) -> str | None:
        """The qualified name of a name or attribute chain, through the bindings in scope."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.lookup(node.id, scope)
        if base is None:
            base = self._unbound(node, scope)
        if not base:
            return None
        return ".".join([base, *reversed(parts)])

    def _unbound(self, node: ast.Name, scope: Scope) -> str | None:
        """A name bound nowhere: a mock name still means the mock (star import, lost import)."""
        if node.id not in UNRESOLVED_MOCK_NAMES:
            return None
        assumed = "unittest.mock" if node.id == "mock" else f"unittest.mock.{node.id}"
        if node.id in self._unresolved_reported:
            return assumed
        self._unresolved_reported.add(node.id)
        stars = [s.value for s in scope.module.sources.get("*", [])]
        if any(is_mock_module(s, self.mock_modules) for s in stars):
            return assumed
        origin = f"a star import from {', '.join(stars)}" if stars else "no import"
        self.diagnostics.append(
            Diagnostic(
                self.path,
                "unresolved-mock-name",
                f"`{node.id}` is used with {origin}; assumed to be {assumed}",
                node.lineno,
            )
        )
        return assumed

    def factory_member(self, qualname: str) -> str | None:
        """For a qualified name under a configured or in-house factory: the member after
        the factory (`create_websocket_mock`), "" for the factory itself, None when not a
        factory."""
        for factory in self.factories:
            if qualname == factory:
                return ""
            if qualname.startswith(factory) and qualname[len(factory)] == ".":
                return qualname[len(factory) + 1 :]
        if self.in_house is not None:
            return self.in_house.member(qualname)
        return None

    def action(self, qualname: str) -> Action | None:
        """What calling a qualified name does, or None when it is nothing to the scanner."""
        try:
            return self._actions[qualname]
        except KeyError:
            found = self._actions[qualname] = self._action(qualname)
            return found

    def _action(self, qualname: str) -> Action | None:
        factory_member = self.factory_member(qualname)
        if factory_member:
            # Only the factory's creation methods make test doubles (`create`,
            # `create_websocket_mock`) and its patches (`patch`, `patch.object`) install
            # them; `register(...)` or a mock's `assert_called()` do not.
            if factory_member.rsplit(".", 1)[-1].startswith("create") or factory_member in (
                "patch",
                "patch.object",
            ):
                return Action("factory", factory_member)
            return None
        if qualname.startswith(MOCKER + "."):
            member = qualname[len(MOCKER) + 1 :]
            if member in MOCKER_CONSTRUCTORS:
                return Action("construct", member)
            if member in MOCKER_PATCHERS:
                return Action("patch", f"mocker.{member}")
            return None
        if qualname == MONKEYPATCH + ".setattr":
            return Action("monkeypatch", "monkeypatch.setattr")
        fixture = fixture_patcher(qualname)
        if fixture is not None:
            return Action("patch", f"fixtures.{fixture}")
        found = mock_member(qualname, self.mock_modules)
        if found in CONSTRUCTORS:
            return Action("construct", found)
        if found in PATCHERS:
            return Action("patch", found)
        return None

    def call_action(self, node: ast.Call, scope: Scope) -> Action | None:
        """What a call does, resolved from `scope`."""
        qualname = self.qualname(node.func, scope)
        if qualname is None and self.in_house is not None:
            qualname = self.in_house.callee(node.func, scope, self)  # Factory().x(), self.f.x()
        return self.action(qualname) if qualname else None

    def spec_text(self, node: ast.expr, scope: Scope) -> str | None:
        """The dotted name of a spec class (`starlette.websockets.WebSocket`), resolved
        through imports where it can be; None for anything that is not a name."""
        if isinstance(node, ast.Call):
            node = node.func
        name = dotted(node)
        if name is None:
            return None
        return self.qualname(node, scope) or name


def _is_monkeypatch_context(callee: str) -> bool:
    """`monkeypatch.context()` or `pytest.MonkeyPatch.context()`: a with-block's own
    MonkeyPatch."""
    return callee in (MONKEYPATCH + ".context", "pytest.MonkeyPatch.context")
