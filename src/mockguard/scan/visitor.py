"""The single pass over a module's tree: find the sites, gather their evidence.

One :class:`MockVisitor` walks a parsed module once. Each call or class it meets is resolved
through the scopes around it (:mod:`mockguard.scan.resolve`). Parents tell children what they
are before the children are visited, as *claims*: an assignment tells a construction what it
is bound to (`ws = ...` or `ws.send_json = ...`), a patch tells a construction passed to it
what it replaces, a call tells a construction passed to it where it goes. A site
becomes a *pending* finding; once the whole module has been walked (so every attribute used
on a mock is known) the pending findings are classified.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mockguard.findings import CompliantCall, Evidence, Finding, RuleCode
from mockguard.scan.bindings import callee_text, source_text
from mockguard.scan.classify import Classifier
from mockguard.scan.factory_calls import compliant_call
from mockguard.scan.resolve import Resolver, Scope
from mockguard.scan.rules.attribute_wiring import wiring_evidence
from mockguard.scan.rules.direct_construction import CONSTRUCTOR_KEYWORDS, constructor_evidence
from mockguard.scan.rules.hand_written_double import check_double_class
from mockguard.scan.rules.patching import is_multiple, patch_evidence, patch_target, target_text

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
SELF_NAMES = ("self", "cls")

# Where the attributes used on a name are recorded: (scope, "ws") or (class scope, "self.ws").
WatchKey = tuple[Scope, str]


@dataclass
class Pending:
    """A site found during the walk, classified once the walk is over."""

    code: RuleCode
    node: ast.AST
    args: dict[str, str]
    scope: Scope
    evidence: list[Evidence]
    # Names whose configured attributes and destinations are evidence too.
    watch: list[WatchKey] = field(default_factory=list)
    extra_lines: tuple[int, ...] = ()
    parent: Pending | None = None
    # The qualified name the finding reports, when not its scope's: a decorator's site
    # belongs to the function it decorates.
    label: str = ""


@dataclass
class Claim:
    """What a parent node decided about a mock construction below it."""

    code: RuleCode | None  # MG101 / MG102; None: MG101
    target: str = ""
    statement: ast.AST | None = None
    watch: tuple[WatchKey, ...] = ()
    names: tuple[str, ...] = ()
    # The call it is passed to (`ConnectionManager(AsyncMock())`).
    flow: tuple[str, ...] = ()
    # The attribute of a parent mock it configures (`MagicMock(execute=AsyncMock())`).
    attribute: str = ""
    # The site it is built inside; its evidence is the fallback for this one's.
    parent: Pending | None = None


class MockVisitor(ast.NodeVisitor):
    """Finds every ad-hoc mock site in one module and counts the factory calls."""

    def __init__(self, resolver: Resolver, classifier: Classifier, enabled: frozenset[str]) -> None:
        self.resolver = resolver
        self.classifier = classifier
        self.enabled = enabled
        self.pending: list[Pending] = []
        self._doubles: dict[int, Pending] = {}  # id of a double class's body -> its site
        # (id of a scope, a name) -> the sites that take that name in (see `_hold`)
        self._holders: dict[tuple[int, str], list[Pending]] = {}
        # The factory calls, in walk order (columns in bytes until the engine converts them).
        self.compliant: list[CompliantCall] = []
        self.scope = Scope("module", "", [])
        self._claims: dict[int, Claim] = {}

    def run(self, tree: ast.Module) -> list[Pending]:
        """Walk a module; return the pending findings (see :meth:`classified`)."""
        self.scope = Scope("module", "", tree.body)
        self.generic_visit(tree)
        return self.pending

    # ----------------------------------------------------------------------- the walk

    def visit(self, node: ast.AST) -> None:
        """Dispatch on the node's class through a table; leaves are not entered at all."""
        handler = _HANDLERS.get(node.__class__)
        if handler is not None:
            handler(self, node)
        elif node.__class__ not in _LEAVES:
            self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        fields = _CHILD_FIELDS.get(node.__class__)
        if fields is None:  # a node class this Python's `ast` did not list at import
            self._visit_any(node)
            return
        for name in fields:
            value = getattr(node, name)
            if value.__class__ is list:
                for item in value:
                    if item.__class__ not in _LEAVES:
                        self.visit(item)
            elif value.__class__ not in _LEAVES:
                self.visit(value)

    def _visit_any(self, node: ast.AST) -> None:
        if not isinstance(node, ast.AST):  # a value in a field this Python's `ast` added
            return
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if item.__class__ not in _LEAVES and isinstance(item, ast.AST):
                        self.visit(item)
            elif value.__class__ not in _LEAVES and isinstance(value, ast.AST):
                self.visit(value)

    def _enter(
        self,
        kind: str,
        name: str,
        body: list[ast.stmt],
        args: ast.arguments | None,
        inside: list[Any],
    ) -> None:
        outer = self.scope
        self.scope = outer.child(kind, name, body, args)
        for node in inside:
            self.visit(node)
        self.scope = outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._claim_defaults(node.args)
        before = len(self.pending)
        for decorator in node.decorator_list:
            self.visit(decorator)
        qualified = f"{self.scope.name}.{node.name}" if self.scope.name else node.name
        for site in self.pending[before:]:
            site.label = qualified
        for child in (node.args, node.returns):
            if child is not None:
                self.visit(child)
        self._enter("function", node.name, node.body, node.args, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._claim_defaults(node.args)
        claim = self._claims.get(id(node))
        if claim is not None and isinstance(node.body, ast.Call):
            self._claim(
                node.body, Claim(None, names=claim.names, flow=claim.flow, parent=claim.parent)
            )
        self.visit(node.args)
        self._enter("function", "<lambda>", [], node.args, [node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for child in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(child)
        if "MG301" in self.enabled:
            evidence = check_double_class(node, self.resolver, self.classifier, self.scope)
            if evidence is not None:
                lines = tuple(d.lineno for d in node.decorator_list)
                args = {"name": node.name}
                double = Pending("MG301", node, args, self.scope, evidence, extra_lines=lines)
                self.pending.append(double)
                self._doubles[id(node.body)] = double
        self._enter("class", node.name, node.body, None, node.body)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # The whole chain at once: its inner attributes hold nothing more to visit. A chain
        # on a name is kept as it is; what it uses is read only for the names sites watch.
        inner = node
        base = node.value
        while base.__class__ is ast.Attribute:
            inner = base
            base = base.value
        if base.__class__ is not ast.Name:
            self.visit(base)
            return
        name: str = base.id
        if name not in SELF_NAMES:
            self.scope.chains.setdefault(name, []).append(node)
        elif inner is not node:  # `self.ws.send_json`: a use on `self.ws`
            holder = self.scope.enclosing_class or self.scope
            holder.chains.setdefault(f"self.{inner.attr}", []).append(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        target = node.targets[0]
        if len(node.targets) == 1 and isinstance(target, ast.Tuple | ast.List):
            value = node.value
            if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
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
                self._claim(expr, Claim(None, watch=((self.scope, name),), names=(name,)))
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Call(self, node: ast.Call) -> None:
        action = self.resolver.call_action(node, self.scope)
        if action is None:
            if isinstance(node.func, ast.Name) and node.func.id == "setattr":
                self._builtin_setattr(node)
            self._claim_call_arguments(node)
        elif action.kind == "construct":
            self._construction(node, action.member)
        elif action.kind == "patch":
            self._patch(node, action.member)
        elif action.kind == "monkeypatch":
            self._monkeypatch(node)
        elif action.kind == "factory":
            self.compliant.append(
                compliant_call(
                    node, action.member, self.classifier, self.resolver.path, self.scope.name
                )
            )
            self._claim_call_arguments(node)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "configure_mock":
            key = self._watch_key(node.func.value)
            if key is not None:
                scope, name = key
                configured = scope.configured.setdefault(name, set())
                configured.update(k.arg for k in node.keywords if k.arg)
        self.generic_visit(node)

    # ----------------------------------------------------------------------- the sites

    def _construction(self, node: ast.Call, member: str) -> None:
        claim = self._claims.get(id(node)) or Claim(None)
        code = claim.code or "MG101"
        evidence = constructor_evidence(node, member, self.resolver, self.classifier, self.scope)
        for name in claim.names:
            if name:
                evidence += self.classifier.name_votes("name", name)
        for callee in claim.flow:
            evidence += self.classifier.name_votes("flow", callee)
        if claim.attribute:
            evidence += self.classifier.attribute_votes("attribute", claim.attribute)
        args = {"constructor": member}
        site: ast.AST = node
        if code == "MG102":
            evidence += wiring_evidence(claim.target, self.classifier)
            evidence += self._receiver_evidence(claim.target)
            args["target"] = claim.target
            site = claim.statement or node
        pending = Pending(
            code, site, args, self.scope, evidence, list(claim.watch), parent=claim.parent
        )
        if code in self.enabled:
            self.pending.append(pending)
        self._claim_children(node, pending)

    def _receiver_evidence(self, target: str) -> list[Evidence]:
        """What the object a mock is wired onto is, when the function bound it once to an
        instance of a project class: `backend = CouchbaseBackend(); backend._conn = Mock()`."""
        root = target.split(".", 1)[0]
        if root in SELF_NAMES or self.scope.kind != "function":
            return []
        sources = self.scope.sources.get(root, [])
        if len(sources) != 1 or sources[0].kind != "assign":
            return []
        value = sources[0].node
        if not isinstance(value, ast.Call):
            return []
        callee = self.resolver.qualname(value.func, self.scope)
        if not callee or self.resolver.action(callee) is not None:
            return []
        return self.classifier.receiver_votes(callee)

    def _patch(self, node: ast.Call, member: str) -> None:
        """One MG201 whatever the patch installs. The mocks built in its arguments are sites
        of their own, named by what the patch replaces, with the patch's evidence as their
        fallback."""
        claim = self._claims.get(id(node)) or Claim(None)
        evidence = patch_evidence(node, member, self.resolver, self.classifier, self.scope)
        for name in claim.names:
            evidence += self.classifier.name_votes("name", name)
        target = patch_target(node, member)
        args = {"patcher": member, "target": target_text(target)}
        pending = Pending("MG201", node, args, self.scope, evidence, list(claim.watch))
        if "MG201" in self.enabled:
            self.pending.append(pending)
        self._claim_children(node, pending, target=target or "", multiple=is_multiple(member))

    def _monkeypatch(self, node: ast.Call) -> None:
        # `monkeypatch.setattr` is a patch whatever it sets: a mock, a lambda, a function, 5.
        self._patch(node, "monkeypatch.setattr")

    def _builtin_setattr(self, node: ast.Call) -> None:
        if self.resolver.lookup("setattr", self.scope) is not None or len(node.args) != 3:
            return
        obj, attribute, value = node.args
        if not isinstance(value, ast.Call):
            return
        name = attribute.value if isinstance(attribute, ast.Constant) else None
        text = f"{source_text(obj)}.{name if isinstance(name, str) else '?'}"
        if isinstance(obj, ast.Name) and obj.id in SELF_NAMES:
            key = self._watch_key(ast.Attribute(value=obj, attr=str(name)))
            self._claim(value, Claim("MG101", text, watch=(key,) if key else (), names=(text,)))
        else:
            watch = self._watch_key(obj)
            owner = source_text(obj)
            claim = Claim("MG102", text, node, watch=(watch,) if watch else (), names=(owner,))
            self._claim(value, claim)

    # ---------------------------------------------------------------------- the claims

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
                label = key.value if isinstance(key, ast.Constant) else ""
                label = label if isinstance(label, str) else ""
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

    def _claim_assignment(
        self, targets: list[ast.expr], value: ast.expr, statement: ast.stmt
    ) -> None:
        if isinstance(value, (ast.Name, ast.Attribute)):
            # `ws.send_json = send`: where a mock held in a name ends up is a clue to it.
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    self._record_flow(value, source_text(target))
            return
        if not isinstance(value, ast.Call):
            text = source_text(targets[0]) if targets else ""
            self._claim_contents(value, lambda key: Claim(None, names=(text, key)))
            return
        wired = [t for t in targets if _is_wiring_target(t)]
        if wired:
            owner = wired[0].value  # type: ignore[attr-defined]
            watch = self._watch_key(owner)
            self._claims[id(value)] = Claim(
                "MG102",
                source_text(wired[0]),
                statement,
                watch=(watch,) if watch else (),
                names=(source_text(owner),),
            )
            return
        names = tuple(source_text(t) for t in targets)
        watches = tuple(key for key in map(self._watch_key, targets) if key is not None)
        self._claims[id(value)] = Claim("MG101", names[0] if names else "", None, watches, names)

    def _claim_defaults(self, args: ast.arguments) -> None:
        positional = [*args.posonlyargs, *args.args]
        defaults = zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        )
        keyword_defaults = zip(args.kwonlyargs, args.kw_defaults, strict=True)
        for arg, default in (*defaults, *keyword_defaults):
            if default is not None:
                self._claim_contents(
                    default,
                    lambda key, name=arg.arg: Claim(None, names=(name, key)),  # type: ignore[misc]
                )

    def _claim_call_arguments(self, node: ast.Call) -> None:
        """Constructions passed to an ordinary call: the callee and keyword say what they are."""
        callee: str | None = None
        for arg in node.args:
            kind = arg.__class__
            if kind in _CONTAINERS:
                callee = callee if callee is not None else callee_text(node.func)
                self._claim_contents(
                    arg,
                    lambda key, callee=callee: Claim(None, names=(key,), flow=(callee,)),  # type: ignore[misc]
                )
            elif kind is ast.Name or kind is ast.Attribute:
                callee = callee if callee is not None else callee_text(node.func)
                self._record_flow(arg, callee)
        for keyword in node.keywords:
            kind = keyword.value.__class__
            name = keyword.arg or ""
            if kind in _CONTAINERS:
                callee = callee if callee is not None else callee_text(node.func)
                self._claim_contents(
                    keyword.value,
                    lambda key, name=name, callee=callee: Claim(  # type: ignore[misc]
                        None, names=(name, key), flow=(callee,)
                    ),
                )
            elif kind is ast.Name or kind is ast.Attribute:
                callee = callee if callee is not None else callee_text(node.func)
                self._record_flow(keyword.value, f"{callee}({name})" if name else callee)

    def _claim_children(
        self,
        node: ast.Call,
        parent: Pending | None,
        *,
        target: str | None = None,
        multiple: bool = False,
    ) -> None:
        """The constructions inside a mock constructor's arguments or, given the `target` it
        replaces, a patch's: each one its own site, with the parent's evidence as fallback.
        A constructor's keywords are attributes of the mock it builds; a patch's target, and
        with `multiple` the keyword (`patch.multiple(m, send=AsyncMock())`: `m.send`), name
        what a mock passed to it stands in for."""
        lead = () if target is None else (target,)
        for i, arg in enumerate(node.args):
            self._claim_contents(arg, lambda key: Claim(None, names=(*lead, key), parent=parent))
            if parent is not None and (target is None or i > 0):
                self._hold(arg, parent)
        for keyword in node.keywords:
            name = keyword.arg or ""
            if parent is not None and name not in _NOT_HELD:
                self._hold(keyword.value, parent)
            names = lead
            attribute = ""
            if target is None:
                attribute = name if name not in CONSTRUCTOR_KEYWORDS else ""
            elif multiple and name and target:
                names = (f"{target}.{name}",)
            self._claim_contents(
                keyword.value,
                lambda key, names=names, attribute=attribute: Claim(  # type: ignore[misc]
                    None, names=(*names, key), attribute=attribute, parent=parent
                ),
            )

    def _hold(self, value: ast.expr, holder: Pending) -> None:
        """Note the names a mock or a patch takes in (`MagicMock(return_value=(session,
        client))`, `patch.object(m, "connect", connect)`): a named mock with no clue of its
        own stands for what its holder stands for."""
        items: list[ast.expr] = [value]
        while items:
            item = items.pop()
            if isinstance(item, ast.Name):
                self._holders.setdefault((id(self.scope), item.id), []).append(holder)
            elif isinstance(item, (ast.Tuple, ast.List, ast.Set)):
                items.extend(item.elts)
            elif isinstance(item, ast.Dict):
                items.extend(item.values)

    # ------------------------------------------------------------ uses of names in a scope

    def _watch_key(self, node: ast.AST) -> WatchKey | None:
        """Where the attributes used on `node` are recorded: a local name in this scope, or
        `self.x` in the enclosing class."""
        if isinstance(node, ast.Name):
            return (self.scope, node.id)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in SELF_NAMES
        ):
            return (self.scope.enclosing_class or self.scope, f"self.{node.attr}")
        return None

    def _record_flow(self, value: ast.AST, destination: str) -> None:
        key = self._watch_key(value)
        if key is not None:
            scope, name = key
            scope.flows.setdefault(name, set()).add(destination)

    # ------------------------------------------------------------------ classification

    def classified(self) -> Iterator[tuple[Pending, str, tuple[Evidence, ...]]]:
        """Each pending site with its category and the votes cast, now that all the
        attribute uses and destinations of names are known."""
        own: dict[int, list[Evidence]] = {}
        for site in self.pending:
            evidence = self._final_evidence(site, own, set())
            category, votes = self.classifier.decide(dict.fromkeys(evidence))
            yield site, category, votes

    def _own_evidence(self, site: Pending, own: dict[int, list[Evidence]]) -> list[Evidence]:
        """A site's clues, with what is done to the name it is bound to."""
        known = own.get(id(site))
        if known is not None:
            return known
        evidence = list(site.evidence)
        for scope, name in site.watch:
            for attribute in sorted(_attribute_uses(scope, name)):
                evidence += self.classifier.attribute_votes("attribute", attribute)
            for destination in sorted(scope.flows.get(name, ())):
                evidence += self.classifier.name_votes("flow", destination)
                last = destination.rsplit(".", 1)[-1]
                evidence += self.classifier.attribute_votes("attribute", last)
        own[id(site)] = evidence
        return evidence

    def _final_evidence(
        self, site: Pending, own: dict[int, list[Evidence]], seen: set[int]
    ) -> list[Evidence]:
        """A site's own clues or, with none, those of what holds it: the mock or patch it is
        built inside or whose arguments take its name, else the double class around it."""
        evidence = self._own_evidence(site, own)
        if evidence or id(site) in seen:
            return evidence
        seen.add(id(site))
        holders = [site.parent] if site.parent is not None else []
        for scope, name in site.watch:
            holders += self._holders.get((id(scope), name), [])
        for holder in holders:
            if holder is not None and holder is not site:
                evidence = self._final_evidence(holder, own, seen)
                if evidence:
                    return evidence
        return self._enclosing_double(site.scope, own)

    def _enclosing_double(
        self, scope: Scope | None, own: dict[int, list[Evidence]]
    ) -> list[Evidence]:
        """A mock built inside a hand-written double (`self.accept = AsyncMock()` in
        `class RecordingWebSocket`) stands for part of it: the class's own clues."""
        while scope is not None:
            if scope.kind == "class":
                double = self._doubles.get(id(scope.body))
                if double is not None:
                    return self._own_evidence(double, own)
            scope = scope.parent
        return []


def _attribute_uses(scope: Scope, name: str) -> set[str]:
    """The attributes the code in `scope` uses on `name` (`ws` or `self.ws`), other than
    the mock's own API, as the chains kept by the walk and `configure_mock` calls say."""
    uses = scope.attribute_uses.get(name)
    if uses is None:
        uses = set()
        skip = 2 if name.startswith("self.") else 1  # the base, and `self.ws`'s attribute
        for node in scope.chains.get(name, ()):
            chain: list[str] = []
            link: ast.expr = node
            while isinstance(link, ast.Attribute):
                chain.append(link.attr)
                link = link.value
            for member in chain[: len(chain) - skip + 1]:
                if member not in MOCK_API_ATTRIBUTES and not member.startswith("assert_"):
                    uses.add(member)
        uses |= scope.configured.get(name, set())
        scope.attribute_uses[name] = uses
    return uses


# Keywords whose value is not held by the mock or patch: what it is modelled on or replaces.
_NOT_HELD = frozenset({"spec", "spec_set", "wraps", "target", "autospec", "new_callable"})


def _is_wiring_target(target: ast.expr) -> bool:
    """True for `obj.attr` / `obj[k].attr` targets other than `self.x` / `cls.x`."""
    if not isinstance(target, ast.Attribute):
        return False
    base = target.value
    return not (isinstance(base, ast.Name) and base.id in SELF_NAMES)


def _subclasses(*bases: type) -> set[type]:
    found: set[type] = set()
    for base in bases:
        found |= set(base.__subclasses__())
    return found


def _every_subclass(base: type) -> set[type]:
    found: set[type] = set()
    stack = [base]
    while stack:
        sub: type
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return found


# Nodes with nothing inside worth visiting: contexts, operators, names, constants, imports.
_LEAVES: frozenset[type] = frozenset(
    {ast.Name, ast.Constant, ast.Import, ast.ImportFrom, ast.Pass, ast.Break, ast.Continue}
    | {ast.Global, ast.Nonlocal, ast.alias, type(None)}
    | _subclasses(ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)
)
# The fields that never hold a node to visit: names, flags, numbers, and leaves' fields.
_SCALAR_FIELDS = frozenset(
    {"arg", "asname", "attr", "conversion", "ctx", "id", "is_async", "kind", "kwd_attrs"}
    | {"level", "lineno", "module", "n", "s", "name", "names", "op", "ops", "rest", "simple"}
    | {"str", "tag", "type_comment", "type_ignores"}
)
# For each node class, the fields that may hold nodes (lists of nodes, a node, or None).
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(name for name in getattr(cls, "_fields", ()) if name not in _SCALAR_FIELDS)
    for cls in _every_subclass(ast.AST)
    if cls not in _LEAVES and cls is not ast.MatchSingleton  # its value is True, False or None
}
_CHILD_FIELDS[ast.MatchSingleton] = ()
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


def to_finding(
    path: str,
    site: Pending,
    category: str,
    votes: tuple[Evidence, ...],
    column: int,
    end_column: int,
    *,
    snippet: str = "",
    severity: str = "",
    fingerprint: str = "",
    context: str = "",
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
        scope=site.label or site.scope.name,
        evidence=votes,
        fingerprint=fingerprint,
        snippet=snippet,
        severity=severity,
        context=context,
    )
