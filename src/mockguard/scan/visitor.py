"""The single pass over a module's tree: resolve names, find sites, gather evidence.

One :class:`MockVisitor` walks a parsed module once. Each call or class it meets is resolved
through the scopes around it (:mod:`mockguard.scan.names`); a site becomes a *pending*
finding, and once the whole module has been walked (so every attribute configured on a mock
is known) the pending findings are classified and turned into :class:`Finding` objects.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mockguard.findings import Diagnostic, Evidence, Finding
from mockguard.scan.classify import WEIGHTS, Classifier, words
from mockguard.scan.names import (
    CONSTRUCTORS,
    FACTORY_FIXTURE,
    MOCK_CLASSES,
    MOCK_VALUE,
    MOCKER,
    MOCKER_CONSTRUCTORS,
    MOCKER_PARAMETERS,
    MOCKER_PATCHERS,
    MONKEYPATCH,
    PATCHERS,
    UNRESOLVED_MOCK_NAMES,
    Source,
    collect_sources,
    dotted,
    is_mock_module,
    mock_member,
    parameter_sources,
)

DOUBLE_MARKERS = frozenset({"mock", "fake", "stub", "dummy"})
TEST_CASE_BASES = frozenset({"TestCase", "IsolatedAsyncioTestCase", "AsyncTestCase"})
# The mock's own API: configuring or asserting on these says nothing about the domain.
MOCK_API_ATTRIBUTES = frozenset(
    {
        "return_value",
        "side_effect",
        "called",
        "call_count",
        "call_args",
        "call_args_list",
        "mock_calls",
        "method_calls",
        "await_count",
        "await_args",
        "await_args_list",
        "configure_mock",
        "reset_mock",
        "attach_mock",
        "mock_add_spec",
        "start",
        "stop",
        "spec",
        "spec_set",
        "name",
        "wraps",
        "object",
        "dict",
        "multiple",
    }
)
# Keyword arguments of a mock's constructor that are not attributes of the double.
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


@dataclass
class Scope:
    """A module, class or function body: its bindings (computed lazily, on the first look-up
    of a name that matters) and the attributes used on names within it."""

    kind: str  # module, class, function
    name: str  # qualified name of the scope, "" for the module
    body: list[ast.stmt]
    args: ast.arguments | None = None
    parent: Scope | None = None
    _sources: dict[str, list[Source]] | None = None
    attribute_uses: dict[str, set[str]] = field(default_factory=dict)
    # name -> where its value goes: calls it is passed to, attributes it is assigned onto.
    flows: dict[str, set[str]] = field(default_factory=dict)

    @property
    def sources(self) -> dict[str, list[Source]]:
        if self._sources is None:
            found = collect_sources(self.body)
            if self.args is not None:
                for name, source in parameter_sources(self.args):
                    found.setdefault(name, []).insert(0, source)
            self._sources = found
        return self._sources


@dataclass
class Pending:
    """A site found during the walk, classified once the walk is over."""

    code: str
    node: ast.AST
    args: dict[str, str]
    scope: Scope
    evidence: list[Evidence]
    # Names whose configured attributes are evidence: (scope holding the uses, name).
    watch: list[tuple[Scope, str]] = field(default_factory=list)
    extra_lines: tuple[int, ...] = ()
    parent: Pending | None = None


@dataclass
class Claim:
    """What a parent node decided about a mock construction below it."""

    code: str | None  # MG101 / MG102; None: MG101 unless `absorbed`
    target: str = ""
    statement: ast.AST | None = None
    watch: tuple[tuple[Scope, str], ...] = ()
    names: tuple[str, ...] = ()
    # The call it is passed to (`ConnectionManager(AsyncMock())`).
    flow: tuple[str, ...] = ()
    # The attribute of a parent mock it configures (`MagicMock(execute=AsyncMock())`).
    attribute: str = ""
    # The site it is built inside; its evidence is the fallback for this one's.
    parent: Pending | None = None
    # Built as an argument of a patch: part of that patch's single finding.
    absorbed: bool = False


class MockVisitor(ast.NodeVisitor):
    """Finds every ad-hoc mock site in one module and counts the factory calls."""

    def __init__(
        self,
        path: str,
        classifier: Classifier,
        *,
        enabled: frozenset[str],
        factories: tuple[str, ...],
        factory_fixtures: tuple[str, ...],
        mock_modules: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.classifier = classifier
        self.enabled = enabled
        self.factories = factories
        self.factory_fixtures = frozenset(factory_fixtures)
        self.mock_modules = mock_modules
        self.pending: list[Pending] = []
        self.compliant: dict[str, int] = {}
        self.diagnostics: list[Diagnostic] = []
        self.scope: Scope = Scope("module", "", [])
        self._claims: dict[int, Claim] = {}
        self._unresolved_reported: set[str] = set()
        self._star_imports: list[str] | None = None
        self._resolving: set[tuple[int, str]] = set()

    # ----------------------------------------------------------------- name resolution

    def lookup(self, name: str, scope: Scope | None = None) -> str | None:
        """The qualified name (or marker) a bare name is bound to, seen from `scope`."""
        scope = scope or self.scope
        start = scope
        while scope is not None:
            # Names bound in a class body are not visible from the methods inside it.
            if scope.kind != "class" or scope is start:
                sources = scope.sources.get(name)
                if sources:
                    if any(s.kind == "global" for s in sources) and scope.kind != "module":
                        scope = self._module_scope(scope)
                        continue
                    return self._evaluate(name, sources, scope)
            scope = scope.parent
        return None

    def _module_scope(self, scope: Scope) -> Scope:
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def _evaluate(self, name: str, sources: list[Source], scope: Scope) -> str | None:
        key = (id(scope), name)
        if key in self._resolving:
            return None
        self._resolving.add(key)
        try:
            values = [self._source_value(s, scope) for s in sources]
        finally:
            self._resolving.discard(key)
        for value in values:
            if value:
                return value
        return ""  # bound, but to something that is not a mock: it shadows

    def _source_value(self, source: Source, scope: Scope) -> str | None:
        if source.kind == "import":
            return source.value
        if source.kind == "param":
            if source.value in MOCKER_PARAMETERS:
                return MOCKER
            if source.value == "monkeypatch":
                return MONKEYPATCH
            if source.value in self.factory_fixtures:
                return FACTORY_FIXTURE
            annotation = dotted(source.node) if source.node is not None else None
            if annotation:
                last = annotation.rsplit(".", 1)[-1]
                if last == "MockerFixture":
                    return MOCKER
                if last == "MonkeyPatch":
                    return MONKEYPATCH
            return None
        if source.kind in ("assign", "with") and source.node is not None:
            return self._value_of(source.node, scope, bound_by_with=source.kind == "with")
        return None

    def _value_of(self, node: ast.AST, scope: Scope, *, bound_by_with: bool) -> str | None:
        """What assigning `node` to a name binds it to: an alias of a mock API name, a
        factory instance, a mock value, or None."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.qualname(node, scope) if not bound_by_with else None
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Call):
            callee = self.qualname(node.func, scope)
            if callee is None:
                return None
            if self._factory_target(callee) == "":
                return callee  # an instance of a factory class
            action = self._action(callee)
            if action is not None and action[0] in ("construct", "patch"):
                return MOCK_VALUE
        return None

    def qualname(self, node: ast.AST, scope: Scope | None = None) -> str | None:
        """The qualified name of a name or attribute chain, through the bindings in scope."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.lookup(node.id, scope)
        if base is None:
            base = self._unbound(node)
        if not base:
            return None
        return ".".join([base, *reversed(parts)])

    def _unbound(self, node: ast.Name) -> str | None:
        """A name bound nowhere: a mock name still means the mock (star import, lost import)."""
        if node.id not in UNRESOLVED_MOCK_NAMES:
            return None
        if node.id not in self._unresolved_reported:
            stars = self._stars()
            if any(is_mock_module(s, self.mock_modules) for s in stars):
                return "unittest.mock" if node.id == "mock" else f"unittest.mock.{node.id}"
            self._unresolved_reported.add(node.id)
            origin = f"a star import from {', '.join(stars)}" if stars else "no import"
            self.diagnostics.append(
                Diagnostic(
                    self.path,
                    "unresolved-mock-name",
                    f"`{node.id}` is used with {origin}; assumed to be unittest.mock.{node.id}",
                    node.lineno,
                )
            )
        return "unittest.mock" if node.id == "mock" else f"unittest.mock.{node.id}"

    def _stars(self) -> list[str]:
        if self._star_imports is None:
            module = self._module_scope(self.scope)
            self._star_imports = [s.value for s in module.sources.get("*", [])]
        return self._star_imports

    def _factory_target(self, qualname: str) -> str | None:
        """For a qualified name under a configured factory: the member after the factory
        (`create_websocket_mock`), "" for the factory itself, None when not a factory."""
        for factory in (*self.factories, FACTORY_FIXTURE):
            if qualname == factory:
                return ""
            if qualname.startswith(factory) and qualname[len(factory)] == ".":
                return qualname[len(factory) + 1 :]
        return None

    def _action(self, qualname: str) -> tuple[str, str] | None:
        """What calling a qualified name does: ("construct", member), ("patch", member),
        ("monkeypatch", "setattr"), ("factory", member) or None."""
        factory_member = self._factory_target(qualname)
        if factory_member:
            # Only the factory's creation methods make test doubles (`create`,
            # `create_websocket_mock`); `register(...)` or a mock's `assert_called()` do not.
            if factory_member.rsplit(".", 1)[-1].startswith("create"):
                return ("factory", factory_member)
            return None
        if qualname.startswith(MOCKER + "."):
            member = qualname[len(MOCKER) + 1 :]
            if member in MOCKER_CONSTRUCTORS:
                return ("construct", member)
            if member in MOCKER_PATCHERS:
                return ("patch", f"mocker.{member}")
            return None
        if qualname == MONKEYPATCH + ".setattr":
            return ("monkeypatch", "monkeypatch.setattr")
        found = mock_member(qualname, self.mock_modules)
        if found is None:
            return None
        member = found
        if member in CONSTRUCTORS:
            return ("construct", member)
        if member in PATCHERS:
            return ("patch", member)
        return None

    def call_action(self, node: ast.Call) -> tuple[str, str] | None:
        """What a call does (see :meth:`_action`), resolved from the current scope."""
        qualname = self.qualname(node.func)
        return self._action(qualname) if qualname else None

    # ----------------------------------------------------------------------- the walk

    def run(self, tree: ast.Module) -> list[Pending]:
        """Walk a module; return the pending findings (see :meth:`findings`)."""
        self.scope = Scope("module", "", tree.body)
        self.generic_visit(tree)
        return self.pending

    def _push(
        self, kind: str, name: str, body: list[ast.stmt], args: ast.arguments | None
    ) -> Scope:
        prefix = self.scope.name
        qualified = f"{prefix}.{name}" if prefix else name
        self.scope = Scope(kind, qualified, body, args, parent=self.scope)
        return self.scope

    def _pop(self, scope: Scope) -> None:
        assert scope.parent is not None
        self.scope = scope.parent

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._claim_defaults(node.args)
        for child in (*node.decorator_list, node.args, node.returns):
            if child is not None:
                self.visit(child)
        scope = self._push("function", node.name, node.body, node.args)
        for stmt in node.body:
            self.visit(stmt)
        self._pop(scope)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._claim_defaults(node.args)
        claim = self._claims.get(id(node))
        if claim is not None and isinstance(node.body, ast.Call):
            self._claim(
                node.body, Claim(None, names=claim.names, flow=claim.flow, parent=claim.parent)
            )
        self.visit(node.args)
        scope = self._push("function", "<lambda>", [], node.args)
        self.visit(node.body)
        self._pop(scope)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for child in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(child)
        if "MG301" in self.enabled:
            self._check_double_class(node)
        scope = self._push("class", node.name, node.body, None)
        for stmt in node.body:
            self.visit(stmt)
        self._pop(scope)

    def visit(self, node: ast.AST) -> None:
        """Dispatch on the node's class through a table; leaves are not entered at all."""
        handler = _HANDLERS.get(node.__class__)
        if handler is not None:
            handler(self, node)
        elif node.__class__ not in _LEAVES:
            self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if item.__class__ not in _LEAVES and isinstance(item, ast.AST):
                        self.visit(item)
            elif value.__class__ not in _LEAVES and isinstance(value, ast.AST):
                self.visit(value)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # The whole chain at once: its inner attributes hold nothing more to visit.
        base: ast.AST = node
        while base.__class__ is ast.Attribute:
            base = base.value
        self._record_attribute_use(node)
        if base.__class__ is not ast.Name:
            self.visit(base)

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple | ast.List):
            target = node.targets[0]
            if isinstance(node.value, ast.Tuple | ast.List) and len(node.value.elts) == len(
                target.elts
            ):
                for sub_target, sub_value in zip(target.elts, node.value.elts, strict=True):
                    self._claim_assignment([sub_target], sub_value, node)
        else:
            self._claim_assignment(node.targets, node.value, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._claim_assignment([node.target], node.value, node)
        self.generic_visit(node)

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call) and isinstance(item.optional_vars, ast.Name):
                name = item.optional_vars.id
                claim = self._claims.get(id(expr))
                if claim is None:
                    self._claims[id(expr)] = Claim(None, watch=((self.scope, name),), names=(name,))
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Call(self, node: ast.Call) -> None:
        action = self.call_action(node)
        if action is not None:
            kind, member = action
            if kind == "construct" and ("MG101" in self.enabled or "MG102" in self.enabled):
                self._construction(node, member)
            elif kind == "patch":
                self._patch(node, member)
            elif kind == "monkeypatch":
                self._monkeypatch(node)
            elif kind == "factory":
                self._compliant(node, member)
        elif isinstance(node.func, ast.Name) and node.func.id == "setattr":
            self._builtin_setattr(node)
        if action is None or action[0] == "factory":
            self._claim_call_arguments(node)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "configure_mock":
            key = self._watch_key(node.func.value)
            if key is not None:
                scope, name = key
                uses = scope.attribute_uses.setdefault(name, set())
                uses.update(k.arg for k in node.keywords if k.arg)
        self.generic_visit(node)

    # ------------------------------------------------------------------ the claims

    def _claim(self, node: ast.AST, claim: Claim) -> None:
        """Record what a parent decided about `node`, unless a closer parent already did."""
        if id(node) not in self._claims:
            self._claims[id(node)] = claim

    def _claim_contents(self, value: ast.AST, make: Callable[[str], Claim]) -> None:
        """Claim the constructions inside a literal or comprehension (or a lambda's body);
        `make` receives the dict key that holds each one, or ""."""
        if isinstance(value, (ast.Call, ast.Lambda)):
            self._claim(value, make(""))
        elif isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                label = (
                    key.value
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    else ""
                )
                self._claim_contents(item, lambda _, label=label: make(label))  # type: ignore[misc]
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for item in value.elts:
                self._claim_contents(item, make)
        elif isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            self._claim_contents(value.elt, make)
        elif isinstance(value, ast.DictComp):
            self._claim_contents(value.value, make)
        elif isinstance(value, ast.Starred):
            self._claim_contents(value.value, make)

    def _claim_defaults(self, args: ast.arguments) -> None:
        positional = [*args.posonlyargs, *args.args]
        pairs = list(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        )
        pairs += [
            (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        ]
        for arg, default in pairs:
            self._claim_contents(default, lambda key, name=arg.arg: Claim(None, names=(name, key)))  # type: ignore[misc]

    def _claim_call_arguments(self, node: ast.Call) -> None:
        """Constructions passed to an ordinary call: the callee and keyword say what they are."""
        callee: str | None = None
        for arg in node.args:
            kind = arg.__class__
            if kind in _CONTAINERS:
                callee = callee if callee is not None else _callee_text(node.func)
                self._claim_contents(
                    arg,
                    lambda key, callee=callee: Claim(None, names=(key,), flow=(callee,)),  # type: ignore[misc]
                )
            elif kind is ast.Name or kind is ast.Attribute:
                callee = callee if callee is not None else _callee_text(node.func)
                self._record_flow(arg, callee)
        for keyword in node.keywords:
            kind = keyword.value.__class__
            name = keyword.arg or ""
            if kind in _CONTAINERS:
                callee = callee if callee is not None else _callee_text(node.func)
                self._claim_contents(
                    keyword.value,
                    lambda key, name=name, callee=callee: Claim(  # type: ignore[misc]
                        None, names=(name, key), flow=(callee,)
                    ),
                )
            elif kind is ast.Name or kind is ast.Attribute:
                callee = callee if callee is not None else _callee_text(node.func)
                self._record_flow(keyword.value, f"{callee}({name})" if name else callee)

    def _claim_children(
        self, node: ast.Call, parent: Pending | None, *, absorb: bool, constructor: bool
    ) -> None:
        """The constructions inside a mock constructor's or a patch's arguments. With `absorb`,
        those passed directly belong to the parent's finding."""
        for arg in node.args:
            if absorb and isinstance(arg, ast.Call):
                self._claim(arg, Claim(None, parent=parent, absorbed=True))
            else:
                self._claim_contents(arg, lambda key: Claim(None, names=(key,), parent=parent))
        for keyword in node.keywords:
            name = keyword.arg or ""
            if absorb and isinstance(keyword.value, ast.Call):
                self._claim(keyword.value, Claim(None, parent=parent, absorbed=True))
                continue
            attribute = name if constructor and name not in CONSTRUCTOR_KEYWORDS else ""
            self._claim_contents(
                keyword.value,
                lambda key, attribute=attribute: Claim(
                    None, names=(key,), attribute=attribute, parent=parent
                ),  # type: ignore[misc]
            )

    def _record_flow(self, value: ast.AST, destination: str) -> None:
        key = self._watch_key(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if key is not None:
            scope, name = key
            scope.flows.setdefault(name, set()).add(destination)

    # ------------------------------------------------------------------ the sites

    def _claim_assignment(
        self, targets: list[ast.expr], value: ast.expr, statement: ast.stmt
    ) -> None:
        if isinstance(value, (ast.Name, ast.Attribute)):
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    self._record_flow(value, self._expr_text(target))
            return
        if not isinstance(value, ast.Call):
            text = self._expr_text(targets[0]) if targets else ""
            self._claim_contents(value, lambda key: Claim(None, names=(text, key)))
            return
        on_other_object = [t for t in targets if self._is_wiring_target(t)]
        if on_other_object:
            target = on_other_object[0]
            text = self._expr_text(target)
            owner = self._object_of(target)
            watch = self._watch_key(owner)
            self._claims[id(value)] = Claim(
                "MG102",
                text,
                statement,
                watch=(watch,) if watch else (),
                names=(self._expr_text(owner),),
            )
            return
        names: list[str] = []
        watches: list[tuple[Scope, str]] = []
        for target in targets:
            text = self._expr_text(target)
            names.append(text)
            key = self._watch_key(target)
            if key is not None:
                watches.append(key)
        self._claims[id(value)] = Claim(
            "MG101", names[0] if names else "", None, tuple(watches), tuple(names)
        )

    def _is_wiring_target(self, target: ast.expr) -> bool:
        """True for `obj.attr` / `obj[k].attr` targets other than `self.x` / `cls.x`."""
        if not isinstance(target, ast.Attribute):
            return False
        base = target.value
        return not (isinstance(base, ast.Name) and base.id in ("self", "cls"))

    @staticmethod
    def _object_of(target: ast.expr) -> ast.expr:
        return target.value if isinstance(target, ast.Attribute) else target

    def _watch_key(self, node: ast.AST) -> tuple[Scope, str] | None:
        """Where the attributes used on `node` are recorded: a local name in this scope, or
        `self.x` in the enclosing class."""
        if isinstance(node, ast.Name):
            return (self.scope, node.id)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            holder = self._class_scope() or self.scope
            return (holder, f"self.{node.attr}")
        return None

    def _class_scope(self) -> Scope | None:
        scope: Scope | None = self.scope
        while scope is not None and scope.kind != "class":
            scope = scope.parent
        return scope

    def _record_attribute_use(self, node: ast.Attribute) -> None:
        chain: list[str] = []
        base: ast.AST = node
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        if not isinstance(base, ast.Name):
            return
        chain.reverse()
        if base.id in ("self", "cls"):
            if len(chain) < 2:
                return
            key = self._watch_key(ast.Attribute(value=base, attr=chain[0]))
            members = chain[1:]
        else:
            key = (self.scope, base.id)
            members = chain
        if key is None:
            return
        scope, name = key
        uses = scope.attribute_uses.setdefault(name, set())
        uses.update(
            m for m in members if m not in MOCK_API_ATTRIBUTES and not m.startswith("assert_")
        )

    def _construction(self, node: ast.Call, member: str) -> None:
        claim = self._claims.get(id(node)) or Claim(None)
        if claim.absorbed:
            self._claim_children(node, claim.parent, absorb=False, constructor=True)
            return
        code = claim.code or "MG101"
        evidence = self._constructor_evidence(node, member)
        for name in claim.names:
            if name:
                evidence += self.classifier.name_votes("name", name)
        for callee in claim.flow:
            evidence += self.classifier.name_votes("flow", callee)
        if claim.attribute:
            evidence += self.classifier.attribute_votes("attribute", claim.attribute)
        if code == "MG102":
            # The object names the domain; the attribute it is wired onto is a lesser clue.
            attribute = claim.target.rsplit(".", 1)[-1]
            evidence += self.classifier.attribute_votes("attribute", attribute)
            evidence += self.classifier.name_votes("member", attribute)
        site: ast.AST = claim.statement if code == "MG102" and claim.statement else node
        args = {"constructor": member}
        if code == "MG102":
            args["target"] = claim.target
        pending = Pending(
            code, site, args, self.scope, evidence, list(claim.watch), parent=claim.parent
        )
        if code in self.enabled:
            self.pending.append(pending)
        self._claim_children(node, pending, absorb=False, constructor=True)

    def _constructor_evidence(self, node: ast.Call, member: str) -> list[Evidence]:
        evidence: list[Evidence] = []
        spec: ast.expr | None = None
        if member in ("create_autospec",) and node.args:
            spec = node.args[0]
        elif member in MOCK_CLASSES and node.args:
            spec = node.args[0]
        for keyword in node.keywords:
            if keyword.arg in ("spec", "spec_set", "wraps") and spec is None:
                spec = keyword.value
            elif keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                if isinstance(keyword.value.value, str):
                    evidence += self.classifier.name_votes("name", keyword.value.value)
            elif keyword.arg and keyword.arg not in CONSTRUCTOR_KEYWORDS:
                for part in keyword.arg.split("."):
                    evidence += self.classifier.attribute_votes("attribute", part)
        if spec is not None:
            text = self._spec_text(spec)
            if text:
                evidence += self.classifier.dotted_votes("spec", text)
        return evidence

    def _spec_text(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.List):
            return None
        name = dotted(node)
        if name is None:
            return None
        resolved = self.qualname(node)
        return resolved or name

    def _patch(self, node: ast.Call, member: str) -> None:
        claim = self._claims.get(id(node))
        evidence: list[Evidence] = []
        target = self._patch_target(node, member)
        if target:
            evidence += self.classifier.dotted_votes("patch-target", target)
            if node.args and not isinstance(node.args[0], ast.Constant):
                # patch.object(obj, "send_json"): the patched member is a clue of its own.
                evidence += self.classifier.attribute_votes("attribute", target.rsplit(".", 1)[-1])
        for keyword in node.keywords:
            if keyword.arg in ("spec", "spec_set") and not isinstance(keyword.value, ast.Constant):
                text = self._spec_text(keyword.value)
                if text:
                    evidence += self.classifier.dotted_votes("spec", text)
            elif keyword.arg in ("new", "return_value") and isinstance(keyword.value, ast.Call):
                inner = self.call_action(keyword.value)
                if inner is not None and inner[0] == "construct":
                    evidence += self._constructor_evidence(keyword.value, inner[1])
            elif member.endswith("multiple") and keyword.arg:
                evidence += self.classifier.attribute_votes("attribute", keyword.arg)
        for name in claim.names if claim else ():
            evidence += self.classifier.name_votes("name", name)
        watch = list(claim.watch) if claim else []
        pending = Pending("MG201", node, {"patcher": member}, self.scope, evidence, watch)
        if "MG201" in self.enabled:
            self.pending.append(pending)
        self._claim_children(node, pending, absorb=True, constructor=False)

    def _patch_target(self, node: ast.Call, member: str) -> str | None:
        """The dotted thing a patch replaces: `app.db.get_session` or `manager.send_to_user`."""
        args = node.args
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        first = args[0] if args else keywords.get("target")
        if first is None:
            return None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
        base = self._expr_text(first)
        if member.endswith(("object", "spy")) or member == "monkeypatch.setattr":
            attribute = (
                args[1] if len(args) > 1 else keywords.get("attribute") or keywords.get("name")
            )
            if isinstance(attribute, ast.Constant) and isinstance(attribute.value, str):
                return f"{base}.{attribute.value}"
        return base

    def _is_mock_value(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call):
            action = self.call_action(node)
            return action is not None and action[0] == "construct"
        if isinstance(node, ast.Name):
            bound = self.lookup(node.id)
            if bound == MOCK_VALUE:
                return True
        if isinstance(node, (ast.Name, ast.Attribute)):
            qualname = self.qualname(node)
            if qualname:
                action = self._action(qualname)
                return action is not None and action[0] == "construct"
        return False

    def _monkeypatch(self, node: ast.Call) -> None:
        args = node.args
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if len(args) >= 3:
            value: ast.expr | None = args[2]
        elif (
            len(args) == 2 and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)
        ):
            value = args[1]
        else:
            value = keywords.get("value")
        if value is None:
            return
        if not self._is_mock_value(value):
            target = self._patch_target(node, "monkeypatch.setattr") or ""
            self._claim_contents(value, lambda key: Claim(None, names=(target, key)))
            return
        self._patch(node, "monkeypatch.setattr")

    def _builtin_setattr(self, node: ast.Call) -> None:
        if self.lookup("setattr") or len(node.args) != 3:
            return
        obj, attribute, value = node.args
        if not isinstance(value, ast.Call):
            return
        attr = (
            attribute.value
            if isinstance(attribute, ast.Constant) and isinstance(attribute.value, str)
            else "?"
        )
        text = f"{self._expr_text(obj)}.{attr}"
        if isinstance(obj, ast.Name) and obj.id in ("self", "cls"):
            key = self._watch_key(ast.Attribute(value=obj, attr=str(attr)))
            self._claim(value, Claim("MG101", text, watch=(key,) if key else (), names=(text,)))
        else:
            watch = self._watch_key(obj)
            owner = self._expr_text(obj)
            self._claim(
                value, Claim("MG102", text, node, watch=(watch,) if watch else (), names=(owner,))
            )

    def _compliant(self, node: ast.Call, member: str) -> None:
        clues = [member]
        if (
            node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            clues.append(node.args[0].value)
        evidence: list[Evidence] = []
        for clue in clues:
            evidence += self.classifier.name_votes("name", clue)
        category, _ = self.classifier.decide(evidence)
        self.compliant[category] = self.compliant.get(category, 0) + 1

    def _check_double_class(self, node: ast.ClassDef) -> None:
        bases = [(base, self.qualname(base)) for base in node.bases]
        mock_base = any(
            q is not None and (self._action(q) or ("", ""))[1] in MOCK_CLASSES for _, q in bases
        )
        bare = node.name.lstrip("_")
        marked = bool(DOUBLE_MARKERS & set(words(bare)[: _word_count(bare)]))
        is_test_case = node.name.startswith("Test") or any(
            (dotted(b) or "").rsplit(".", 1)[-1] in TEST_CASE_BASES for b, _ in bases
        )
        if not (mock_base or (marked and not is_test_case)):
            return
        evidence = self.classifier.name_votes("class-name", node.name)
        for base, qualname in bases:
            text = qualname or dotted(base)
            if text and (self._action(text) or ("", ""))[1] not in MOCK_CLASSES:
                evidence += self.classifier.dotted_votes("base", text)
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                evidence += self.classifier.attribute_votes("method", stmt.name)
        decorators = tuple(d.lineno for d in node.decorator_list)
        self.pending.append(
            Pending(
                "MG301", node, {"name": node.name}, self.scope, evidence, extra_lines=decorators
            )
        )

    # ------------------------------------------------------------------ helpers

    def _expr_text(self, node: ast.AST) -> str:
        name = dotted(node)
        if name is not None:
            return name
        try:
            return ast.unparse(node)
        except Exception:  # pragma: no cover - unparse of exotic nodes
            return "<expr>"

    def findings(self, path: str) -> Iterator[tuple[Pending, str, tuple[Evidence, ...]]]:
        """Classify every pending site, now that all attribute uses are known."""
        decided: dict[int, list[Evidence]] = {}
        for site in self.pending:
            evidence = list(site.evidence)
            for scope, name in site.watch:
                for attribute in sorted(scope.attribute_uses.get(name, ())):
                    evidence += self.classifier.attribute_votes("attribute", attribute)
                for destination in sorted(scope.flows.get(name, ())):
                    evidence += self.classifier.name_votes("flow", destination)
                    last = destination.rsplit(".", 1)[-1]
                    evidence += self.classifier.attribute_votes("attribute", last)
            if not evidence and site.parent is not None:
                evidence = decided.get(id(site.parent), [])
            if not evidence:
                evidence = self._scope_evidence(site.scope)
            decided[id(site)] = evidence
            category, votes = self.classifier.decide(dict.fromkeys(evidence))
            yield site, category, votes

    def _scope_evidence(self, scope: Scope | None) -> list[Evidence]:
        """The last resort: the names of the enclosing test and test case."""
        votes: list[Evidence] = []
        while scope is not None and scope.kind != "module":
            name = scope.name.rsplit(".", 1)[-1]
            votes += [
                Evidence("scope", name, e.category, WEIGHTS["attribute"])
                for e in self.classifier.name_votes("name", name)
            ]
            scope = scope.parent
        return votes


def _callee_text(func: ast.AST) -> str:
    """A cheap name for a callee: `a.b.f`, or the last attribute of anything else."""
    text = dotted(func)
    if text is not None:
        return text
    return func.attr if isinstance(func, ast.Attribute) else ""


def _subclasses(*bases: type) -> set[type]:
    found: set[type] = set()
    for base in bases:
        found |= set(base.__subclasses__())
    return found


# Nodes with nothing inside worth visiting: contexts, operators, names, constants, imports.
_LEAVES: frozenset[type] = frozenset(
    {ast.Name, ast.Constant, ast.Import, ast.ImportFrom, ast.Pass, ast.Break, ast.Continue}
    | {ast.Global, ast.Nonlocal, ast.alias, type(None)}
    | _subclasses(ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)
)
# Expressions that can hold a mock construction to claim.
_CONTAINERS: frozenset[type] = frozenset(
    {ast.Call, ast.Lambda, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.ListComp}
    | {ast.SetComp, ast.GeneratorExp, ast.DictComp, ast.Starred}
)
_HANDLERS: dict[type, Callable[[MockVisitor, Any], None]] = {
    cls: getattr(MockVisitor, f"visit_{cls.__name__}")
    for cls in _subclasses(ast.mod, ast.stmt, ast.expr, ast.excepthandler)
    if f"visit_{cls.__name__}" in vars(MockVisitor)
}


def _word_count(identifier: str) -> int:
    """How many plain words `words()` returns before the joined pairs."""
    n = len(words(identifier))
    return (n + 1) // 2


def to_finding(
    path: str,
    site: Pending,
    category: str,
    votes: tuple[Evidence, ...],
    column: int,
    end_column: int,
) -> Finding:
    """The finding for a classified site."""
    node = site.node
    line: int = getattr(node, "lineno", 1)
    end_line: int = getattr(node, "end_lineno", None) or line
    return Finding(
        path=path,
        line=line,
        col=column,
        end_line=end_line,
        end_col=end_column,
        code=site.code,
        category=category,
        args=tuple(sorted(site.args.items())),
        scope=site.scope.name,
        evidence=votes,
    )


__all__ = ["MockVisitor", "Pending", "is_mock_module", "to_finding"]
