"""What `mockguard fix` may rewrite in a module, and why it leaves the rest alone.

The plan is computed from the scanner's findings and the `ast` of the module. A rewrite
replaces `ws = MagicMock(...)` and the statements right after it that wire members onto it
(`ws.send_json = AsyncMock()`) by one factory call. It is planned only when a factory kind
covers the whole setup: every member the test configures or uses exists in the kind's
interface, each wired `AsyncMock` stands for an `async def` member (and a plain mock for a
sync one), and the mock is not called itself, rebound, or given attributes by dynamic
names. Anything else is a skip with its reason.

Statements are named by :data:`Anchor`, never by line alone: a line may hold several
statements (`ws = MagicMock(); ws.send_json = AsyncMock(); assert ok`), and the codemod
must touch only the ones that belong to the mock's setup.
"""

from __future__ import annotations

import ast
import inspect
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial

from mockguard.catalog import CatalogKind, KindCatalog, kind_catalog
from mockguard.config import Settings
from mockguard.factory.interface import Interface, InterfaceError
from mockguard.factory.kinds import Kind, builtin_kinds
from mockguard.findings import Finding
from mockguard.fix.interfaces import StaticInterfaces
from mockguard.fix.members import (
    LIKE_CALL,
    NOT_WHOLE_VALUE,
    ModuleMocks,
    Wired,
    decide_member,
    module_mocks,
    not_real,
)
from mockguard.fix.patches import (
    FACTORY_IMPORT,
    NOT_PLAIN_PATCH,
    ModuleConstants,
    Refusal,
    decide_patch,
    imported_names,
)
from mockguard.scan.bindings import dotted
from mockguard.scan.classify import plain_words
from mockguard.scan.project_index import ProjectIndex

# The rules whose sites `fix` rewrites: constructions (and their wiring), mocks wired onto
# real objects, and patches.
FIXED_CODES = ("MG101", "MG102", "MG201")
WIRING_CONSTRUCTORS = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock"}
)
# What a factory double has besides its interface.
DOUBLE_API = frozenset({"mock_calls", "reset_mock"})
# The configured values a wiring may carry; each is kept as its own statement.
KEPT_KEYWORDS = ("return_value", "side_effect")
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
# Python's own line breaks (str.splitlines also breaks at form feeds and other separators).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# An assignment statement, named the same way from `ast` and from LibCST: its first line,
# and its rank among the assignments that start on that line. Columns are not used because
# the two count them differently (UTF-8 bytes against characters; LibCST drops a form feed
# that opens a line).
Anchor = tuple[int, int]


@dataclass(frozen=True)
class Rewrite:
    """One setup to replace: the construction statement and the wiring statements after it."""

    line: int  # the construction statement's first line (for messages)
    target: str  # `ws` or `self.ws`
    kind: str
    category: str
    call: str  # the factory call that replaces the construction's value
    # what the call needs imported: (module, name), or (module, None) for `import module`
    needs: tuple[str, str | None]
    construction: Anchor
    removed: tuple[Anchor, ...]  # wiring statements dropped (the double has the member)
    # wiring statements that become `target.member.<keyword> = <value>`, one per keyword kept
    rewritten: tuple[tuple[Anchor, tuple[str, ...]], ...] = ()
    # A construction inside an expression (`check(Mock(spec=Request))`): `construction` is
    # then a call's :data:`Anchor` (see `ModuleNodes.call_anchors`) and `target` the constructor as
    # written (`mock.Mock`), which the codemod checks before it replaces the call.
    inline: bool = False
    # A patch handed to the factory (see :mod:`mockguard.fix.patches`): `construction` is
    # the patch call's :data:`Anchor`, `target` its callee as written (`mock.patch`) and
    # `call` the factory's (`mockguard.factory.patch`); only the callee changes.
    patch: bool = False
    # A mock wired onto a real object handed to the factory (see :mod:`mockguard.fix.members`):
    # `construction` is the mock call's :data:`Anchor`, `target` its constructor as written,
    # and `member` the object (as written) and the attribute, which go in front of its
    # arguments.
    member: tuple[str, str] | None = None


@dataclass(frozen=True)
class Skip:
    """A site left as it is, and why: `reason` says it for this site, `group` in the words
    shared by every site skipped for the same reason (for summaries)."""

    line: int
    category: str
    reason: str
    group: str = ""

    @property
    def summary(self) -> str:
        return self.group or self.reason


# The groups of skip reasons.
NOT_PLAIN = "the constructor is not a plain mock"
CONFIGURES_ITSELF = "the constructor configures the mock itself"
NO_KIND = "no factory kind for its category"
SELF_OUTSIDE = "`self` outside a class"
REBOUND = "the name is assigned again"
CALLED = "the mock itself is called"
DYNAMIC = "attributes set by dynamic names"
NO_SHAPE = "nothing is configured or used on it"
ESCAPES = "it escapes its test"
NOT_COVERED = "no kind's interface covers its shape"
NOT_BOUND = "not bound to a name"
NOT_BOUND_REASON = "not bound to a name in a function (an argument, a value in an expression)"
WEAK = "its category rests on where it goes, not on what it is"
# Clues about what a mock is (not where it goes or what is done with it).
OWN_EVIDENCE = frozenset(
    {"spec", "patch-target", "class-name", "base", "name", "library", "real-object"}
)


@dataclass
class Plan:
    """Everything `fix` would do to one module."""

    rewrites: list[Rewrite] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    # What the plan read, for edits made on the text (see :mod:`mockguard.fix.splice`).
    nodes: ModuleNodes | None = field(default=None, repr=False, compare=False)


@dataclass
class ModuleNodes:
    """A module's tree and the nodes the plan looks up: every assignment and import
    statement, and the calls that start on the lines of the sites planned (all of them, so
    that their :data:`Anchor` ranks are right). Nothing else of the tree is walked."""

    tree: ast.Module
    calls: list[ast.Call]
    assignments: list[ast.Assign]
    imports: list[ast.Import | ast.ImportFrom]

    @classmethod
    def of(cls, tree: ast.Module, lines: Iterable[int]) -> ModuleNodes:
        assignments: list[ast.Assign] = []
        imports: list[ast.Import | ast.ImportFrom] = []
        for statement in _statements(tree):
            if isinstance(statement, ast.Assign):
                assignments.append(statement)
            elif isinstance(statement, (ast.Import, ast.ImportFrom)):
                imports.append(statement)
        return cls(tree, _calls_on(tree, lines), assignments, imports)

    @cached_property
    def mocks(self) -> ModuleMocks:
        """What the module itself shows to be a mock: its mock classes and mock fixtures."""
        return module_mocks(self.tree)

    @cached_property
    def assignment_anchors(self) -> dict[int, Anchor]:
        """Every assignment statement (by `id`) -> its :data:`Anchor`."""
        return _ranked(self.assignments)

    @cached_property
    def call_anchors(self) -> dict[int, Anchor]:
        """Every call of a dotted name (`Mock(...)`, `mock.Mock(...)`) among those gathered
        (by `id`) -> its first line and its rank among such calls starting on that line. No
        two of them start at the same place, so `ast` and LibCST, which count columns
        differently, rank them alike."""
        return _ranked(n for n in self.calls if dotted(n.func) is not None)

    @cached_property
    def reads(self) -> Counter[str]:
        """How many times each name is read (a walk of the whole tree)."""
        return Counter(node.id for node in ast.walk(self.tree) if isinstance(node, ast.Name))


def _statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every statement of the module, nested ones too, without walking expressions."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop()
        yield statement
        for name in ("body", "orelse", "finalbody"):
            nested = getattr(statement, name, None)
            if isinstance(nested, list) and nested and isinstance(nested[0], ast.stmt):
                pending.extend(nested)
        for part in getattr(statement, "handlers", ()) or getattr(statement, "cases", ()):
            pending.extend(part.body)


def _calls_on(tree: ast.Module, lines: Iterable[int]) -> list[ast.Call]:
    """The calls that start on the given lines: only the nodes whose lines hold one of them
    are walked (a definition's lines start at its first decorator)."""
    wanted = sorted(set(lines))
    chosen = set(wanted)
    found: list[ast.Call] = []
    if not wanted:
        return found
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        start = getattr(node, "lineno", None)
        if start is not None:
            decorators = getattr(node, "decorator_list", None)
            if decorators:
                start = min(start, *(d.lineno for d in decorators))
            end = getattr(node, "end_lineno", None) or start
            at = bisect_left(wanted, start)
            if at == len(wanted) or wanted[at] > end:
                continue
            if isinstance(node, ast.Call) and node.lineno in chosen:
                found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _builtin_kinds() -> dict[str, Kind]:
    return {k.name: k for k in builtin_kinds()}


class KindInterfaces:
    """The interface each catalog kind's doubles follow, as far as the codemod can know it
    without importing the project: a built-in kind's own (compiled from the tool's
    reference classes), and the project's class read from its source for a kind whose
    config names one (see :mod:`mockguard.fix.interfaces`). None: unknown, never rewritten
    into."""

    def __init__(self, static: StaticInterfaces | None = None) -> None:
        self.static = static
        self._builtins = _builtin_kinds()

    def __call__(self, entry: CatalogKind) -> Interface | None:
        if entry.interface is not None:
            return self.static.interface(entry.interface) if self.static is not None else None
        kind = self._builtins.get(entry.name) if entry.builtin else None
        if kind is None:
            return None
        try:
            return kind.compiled()
        except InterfaceError:
            return None


def _wiring(stmt: ast.stmt, target: str) -> tuple[str, ast.Call] | None:
    """(`member`, the mock call) for `target.member = AsyncMock(...)`."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return None
    name = dotted(stmt.targets[0])
    if name is None or not name.startswith(target + ".") or not isinstance(stmt.value, ast.Call):
        return None
    member = name[len(target) + 1 :]
    constructor = (dotted(stmt.value.func) or "").rsplit(".", 1)[-1]
    if "." in member or constructor not in WIRING_CONSTRUCTORS:
        return None
    return member, stmt.value


def _uses(nodes: Iterable[ast.AST], target: str) -> Iterator[tuple[str, ast.AST]]:
    """(first attribute, node) for every `target.attr...` in the nodes, and ("()", node)
    for a call of `target` itself."""
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Attribute) and dotted(node.value) == target:
                yield node.attr, node
            elif isinstance(node, ast.Call) and dotted(node.func) == target:
                yield "()", node
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("setattr", "getattr")
                and node.args
                and dotted(node.args[0]) == target
                and not (len(node.args) > 1 and isinstance(node.args[1], ast.Constant))
            ):
                yield "<dynamic>", node


def _is_fixture(function: ast.AST) -> bool:
    decorators = getattr(function, "decorator_list", [])
    for decorator in decorators:
        node = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (dotted(node) or "").rsplit(".", 1)[-1] == "fixture":
            return True
    return False


def _escape(region: list[ast.AST], target: str, owner: ast.AST) -> str | None:
    """Where the mock goes beyond its test: stored onto another object
    (`session.execute.return_value = it`), or returned by a helper that is not a fixture."""
    for root in region:
        for node in ast.walk(root):
            if (
                isinstance(node, (ast.Return, ast.Yield))
                and node.value is not None
                and dotted(node.value) == target
                and not _is_fixture(owner)
                and not target.startswith("self.")
            ):
                name = getattr(owner, "name", "the function")
                return f"the return value of {name}()"
            if isinstance(node, ast.Assign) and dotted(node.value) == target:
                for destination in node.targets:
                    text = dotted(destination)
                    if isinstance(destination, ast.Attribute) and text != target:
                        return text or "an attribute"
    return None


def _ranked(nodes: Iterable[ast.expr | ast.stmt]) -> dict[int, Anchor]:
    """Each node (by `id`) -> its first line and its rank among the nodes on that line."""
    by_line: dict[int, list[ast.expr | ast.stmt]] = {}
    for node in nodes:
        by_line.setdefault(node.lineno, []).append(node)
    anchors: dict[int, Anchor] = {}
    for line, found in by_line.items():
        for rank, node in enumerate(sorted(found, key=lambda n: n.col_offset)):
            anchors[id(node)] = (line, rank)
    return anchors


def _character_column(lines: list[str], line: int, byte_offset: int) -> int:
    """The character column of an `ast` column (UTF-8 bytes), as findings count them."""
    if not 0 < line <= len(lines):
        return byte_offset
    prefix = lines[line - 1].encode("utf-8", "surrogatepass")[:byte_offset]
    return len(prefix.decode("utf-8", "replace"))


def plan_module(
    source: str,
    findings: Iterable[Finding],
    catalog: KindCatalog | None = None,
    interfaces: KindInterfaces | None = None,
) -> Plan:
    """The rewrites and skips for one module's MG101 findings, into the catalog's kinds,
    and for its MG201 patches (see :mod:`mockguard.fix.patches`)."""
    catalog = catalog or KindCatalog()
    interfaces = interfaces or KindInterfaces()
    tree = parse_tree(source)
    lines = _LINE_BREAK.split(source)
    findings = [f for f in findings if not f.suppressed]
    nodes = ModuleNodes.of(tree, (f.line for f in findings if f.code in FIXED_CODES))
    # A finding names its construction call by where the call starts.
    by_call = {(f.line, f.col): f for f in findings if f.code == "MG101"}
    functions, classes = _functions(tree)
    context = _Context(classes, interfaces, catalog, nodes.assignment_anchors)
    plan = Plan(nodes=nodes)
    seen: set[int] = set()
    for owner in functions:
        for block in _blocks(owner):
            for index, stmt in enumerate(block):
                if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
                    continue
                call, target = stmt.value, dotted(stmt.targets[0])
                if target is None or not isinstance(call, ast.Call):
                    continue
                finding = by_call.get(
                    (call.lineno, _character_column(lines, call.lineno, call.col_offset))
                )
                if finding is None:
                    continue
                seen.add(id(finding))
                decision = _decide(_Site(finding, target, call, block, index, owner), context)
                if isinstance(decision, Skip):
                    plan.skips.append(decision)
                else:
                    plan.rewrites.append(decision)
    unbound = [f for f in by_call.values() if id(f) not in seen]
    if unbound:
        inline = _inline_calls(functions, lines, {f.line for f in unbound})
        anchors = nodes.call_anchors
        for finding in unbound:
            found = inline.get((finding.line, finding.col))
            decision = (
                _decide_inline(finding, *found, context, anchors)
                if found is not None
                else Skip(finding.line, finding.category, NOT_BOUND_REASON, NOT_BOUND)
            )
            if isinstance(decision, Skip):
                plan.skips.append(decision)
            else:
                plan.rewrites.append(decision)
    wired = [f for f in findings if f.code == "MG102"]
    if wired:
        _plan_members(plan, nodes, lines, wired, functions, classes)
    patches = [f for f in findings if f.code == "MG201"]
    if patches:
        static = interfaces.static
        project = static.index if static is not None else None
        _plan_patches(plan, nodes, lines, patches, project, functions, classes)
    plan.skips.sort(key=lambda skip: skip.line)
    plan.rewrites.sort(key=lambda rewrite: rewrite.construction)
    return plan


def _plan_patches(
    plan: Plan,
    nodes: ModuleNodes,
    lines: list[str],
    findings: list[Finding],
    index: ProjectIndex | None,
    functions: list[FunctionNode],
    classes: dict[int, ast.ClassDef],
) -> None:
    """The module's MG201 patches handed to the factory, or skipped with the reason."""
    calls = {
        (node.lineno, _character_column(lines, node.lineno, node.col_offset)): node
        for node in nodes.calls
    }
    names = imported_names(nodes.imports)
    anchors = nodes.call_anchors
    known_classes = _class_names(nodes, names)
    constants = ModuleConstants(nodes.tree)
    bodies = _Bodies(functions)
    for finding in findings:
        call = calls.get((finding.line, finding.col))
        if call is None or id(call) not in anchors:
            plan.skips.append(
                Skip(finding.line, finding.category, NOT_PLAIN_PATCH, NOT_PLAIN_PATCH)
            )
            continue
        holder = bodies.holder(call)
        check = None
        if holder is not None:
            region: list[ast.AST] = [holder]
            klass = classes.get(id(holder))
            if klass is not None:
                region.append(klass)
            check = partial(
                not_real, region=region, owner=holder, classes=known_classes, mocks=nodes.mocks
            )
        decided = decide_patch(call, names, index, check, constants)
        if isinstance(decided, Refusal):
            plan.skips.append(Skip(finding.line, finding.category, decided.reason, decided.group))
            continue
        written, callee = decided
        plan.rewrites.append(
            Rewrite(
                line=finding.line,
                target=written,
                kind="patch",
                category=finding.category,
                call=callee,
                needs=FACTORY_IMPORT,
                construction=anchors[id(call)],
                removed=(),
                patch=True,
            )
        )


class _Bodies:
    """Where each function's body lies, to find the function whose body makes a call (the
    innermost) by position alone: a body is the last part of its definition, so whatever
    lies between its first statement's start and its last one's end is in it."""

    def __init__(self, functions: list[FunctionNode]) -> None:
        self._functions = functions  # in source order: a nested function after its outer one
        self._starts = [statement_start(f.body[0]) for f in functions]
        self._ends = [_end(f.body[-1]) for f in functions]
        # The function whose body holds each one's (an index, or -1): bodies nest or part.
        self._outer: list[int] = []
        open_: list[int] = []
        for at, start in enumerate(self._starts):
            while open_ and self._ends[open_[-1]] < start:
                open_.pop()
            self._outer.append(open_[-1] if open_ else -1)
            open_.append(at)

    def holder(self, node: ast.expr) -> FunctionNode | None:
        # The last body to start before the node, else one it lies in: only those hold it.
        at = bisect_right(self._starts, (node.lineno, node.col_offset)) - 1
        end = _end(node)
        while at >= 0:
            if end <= self._ends[at]:
                return self._functions[at]
            at = self._outer[at]
        return None


def statement_start(statement: ast.stmt) -> tuple[int, int]:
    """Where a statement's text starts: at its first decorator, if it has one."""
    first = next(iter(getattr(statement, "decorator_list", ())), statement)
    return first.lineno, first.col_offset


def _end(node: ast.stmt | ast.expr) -> tuple[int, int]:
    return node.end_lineno or node.lineno, node.end_col_offset or 0


def _class_names(nodes: ModuleNodes, names: dict[str, str]) -> frozenset[str]:
    """The module's own classes and the CapWords names it imports."""
    capitalized = {name for name in names if name[:1].isupper()}
    defined = {n.name for n in nodes.tree.body if isinstance(n, ast.ClassDef)}
    return frozenset(capitalized | defined)


def _plan_members(
    plan: Plan,
    nodes: ModuleNodes,
    lines: list[str],
    findings: list[Finding],
    functions: list[FunctionNode],
    classes: dict[int, ast.ClassDef],
) -> None:
    """The module's MG102 mocks wired onto real objects handed to the factory, or skipped
    with the reason."""
    wanted = {(f.line, f.col): f for f in findings}
    # The wiring an MG101 rewrite takes into its factory call is rewritten with it.
    absorbed = {
        anchor
        for rewrite in plan.rewrites
        for anchor in (*rewrite.removed, *(kept for kept, _ in rewrite.rewritten))
    }
    known_classes = _class_names(nodes, imported_names(nodes.imports))
    anchors = nodes.call_anchors
    for owner in functions:
        for block in _blocks(owner):
            for stmt in block:
                if not isinstance(stmt, ast.Assign):
                    continue
                key = (stmt.lineno, _character_column(lines, stmt.lineno, stmt.col_offset))
                finding = wanted.pop(key, None)
                if finding is None or nodes.assignment_anchors[id(stmt)] in absorbed:
                    continue
                region: list[ast.AST] = [owner]
                klass = classes.get(id(owner))
                if klass is not None:
                    region.append(klass)
                call = stmt.value
                decided = (
                    decide_member(stmt, call, region, owner, known_classes, nodes.mocks)
                    if isinstance(call, ast.Call)
                    else (NOT_WHOLE_VALUE, NOT_WHOLE_VALUE)
                )
                written = dotted(call.func) if isinstance(call, ast.Call) else None
                constructor = dict(finding.args).get("constructor", "")
                if isinstance(decided, Wired) and constructor not in WIRING_CONSTRUCTORS:
                    decided = (NOT_PLAIN, f"`{constructor}()` is not a plain mock")
                if isinstance(decided, Wired) and (written is None or id(call) not in anchors):
                    decided = (NOT_WHOLE_VALUE, NOT_WHOLE_VALUE)
                if not isinstance(decided, Wired):
                    group, reason = decided
                    plan.skips.append(Skip(finding.line, finding.category, reason, group))
                    continue
                assert isinstance(call, ast.Call) and written is not None
                plan.rewrites.append(
                    Rewrite(
                        line=finding.line,
                        target=written,
                        kind="member",
                        category=finding.category,
                        call=LIKE_CALL,
                        needs=FACTORY_IMPORT,
                        construction=anchors[id(call)],
                        removed=(),
                        member=(decided.receiver, decided.attribute),
                    )
                )
    for finding in wanted.values():
        plan.skips.append(Skip(finding.line, finding.category, NOT_WHOLE_VALUE, NOT_WHOLE_VALUE))


_NOT_RUN_WITH_THE_TEST = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _inline_calls(
    functions: list[FunctionNode], lines: list[str], wanted: set[int]
) -> dict[tuple[int, int], tuple[ast.Call, FunctionNode]]:
    """The calls starting on the `wanted` lines that run when a function runs (in its body,
    not in its decorators or defaults, nor in a lambda or class inside it), by where they
    start, with the function. Calls in an f-string are left out: the factory call's quotes
    could end the string."""
    found: dict[tuple[int, int], tuple[ast.Call, FunctionNode]] = {}
    ordered = sorted(wanted)
    for function in functions:
        pending: list[ast.AST] = list(function.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (*_NOT_RUN_WITH_THE_TEST, ast.JoinedStr)):
                continue
            start = getattr(node, "lineno", None)
            if start is not None:
                at = bisect_left(ordered, start)
                if at == len(ordered) or ordered[at] > (getattr(node, "end_lineno", None) or start):
                    continue
            if isinstance(node, ast.Call):
                column = _character_column(lines, node.lineno, node.col_offset)
                found[(node.lineno, column)] = (node, function)
            pending.extend(ast.iter_child_nodes(node))
    return found


def _decide_inline(
    finding: Finding,
    call: ast.Call,
    owner: FunctionNode,
    context: _Context,
    anchors: dict[int, Anchor],
) -> Rewrite | Skip:
    """A construction inside an expression (`check(Mock(spec=Request))`): nothing can be
    configured on it, so it is rewritten only into a kind that follows its spec class."""
    written = dotted(call.func)
    site = _Site(finding, written or "", call, [], 0, owner)
    spec = _spec_of(site)
    if not spec or written is None or id(call) not in anchors:
        return site.skip(NOT_BOUND, NOT_BOUND_REASON)
    refused = _refusal(site)
    if refused is not None:
        return site.skip(*refused)
    for entry in context.catalog.rewrite_candidates(finding.category):
        if (
            context.interfaces(entry) is not None
            and _not_named(site, entry, context.interfaces) is None
        ):
            return Rewrite(
                line=finding.line,
                target=written,
                kind=entry.name,
                category=finding.category,
                call=entry.fix_call,
                needs=entry.fix_import,
                construction=anchors[id(call)],
                removed=(),
                inline=True,
            )
    return site.skip(
        NOT_BOUND, f"not bound to a name, and no `{finding.category}` kind follows `{spec}`"
    )


def _blocks(function: FunctionNode) -> Iterator[list[ast.stmt]]:
    """The function's statement lists: its body and those of the `with`, `if`, `for`,
    `while`, `try` and `match` statements in it, not those of functions or classes defined
    in it (they are owners of their own)."""
    pending: list[list[ast.stmt]] = [function.body]
    while pending:
        block = pending.pop()
        yield block
        for stmt in block:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, (ast.ExceptHandler, ast.match_case)):
                    pending.append(child.body)
            for name in ("body", "orelse", "finalbody"):
                nested = getattr(stmt, name, None)
                if isinstance(nested, list) and nested and isinstance(nested[0], ast.stmt):
                    pending.append(nested)


def parse_tree(source: str) -> ast.Module:
    """The module's tree; code written for a newer Python than this one is read the way the
    scanner reads it (rewritten for this parser, every line kept where it was)."""
    try:
        return ast.parse(source)
    except SyntaxError:
        from mockguard.scan.grammar import downgrade

        newer = downgrade(source.encode("utf-8", "surrogatepass"))
        if newer is None:
            raise
        return ast.parse(newer)


def _functions(tree: ast.Module) -> tuple[list[FunctionNode], dict[int, ast.ClassDef]]:
    """Every function of the module, in source order, and for each one (by `id`) the
    outermost class it is in (a `self.x` double is used across the whole test case)."""
    functions: list[FunctionNode] = []
    classes: dict[int, ast.ClassDef] = {}
    stack: list[tuple[ast.AST, ast.ClassDef | None]] = [(tree, None)]
    while stack:
        node, klass = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(node)
            if klass is not None:
                classes[id(node)] = klass
        elif isinstance(node, ast.ClassDef) and klass is None:
            klass = node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                stack.append((child, klass))
    functions.sort(key=lambda f: (f.lineno, f.col_offset))
    return functions, classes


@dataclass(frozen=True)
class _Context:
    """What every decision in one module looks up."""

    classes: dict[int, ast.ClassDef]  # a function's outermost class, by the function's id
    interfaces: KindInterfaces
    catalog: KindCatalog
    anchors: dict[int, Anchor]


@dataclass(frozen=True)
class _Site:
    """An MG101 construction bound to a name: `target = call` at `block[index]`, in `owner`."""

    finding: Finding
    target: str
    call: ast.Call
    block: list[ast.stmt]
    index: int
    owner: ast.AST

    def skip(self, group: str, reason: str = "") -> Skip:
        return Skip(self.finding.line, self.finding.category, reason or group, group)


_Wiring = tuple[ast.stmt, str, ast.Call]


def _decide(site: _Site, context: _Context) -> Rewrite | Skip:
    """Rewrite the site into the first kind of its category that covers its setup, or skip
    it with the reason."""
    refused = _refusal(site)
    if refused is not None:
        return site.skip(*refused)
    candidates = context.catalog.rewrite_candidates(site.finding.category)
    if not candidates:
        return site.skip(NO_KIND, f"no factory kind for the `{site.finding.category}` category")
    region = _region(site, context.classes)
    if region is None:
        return site.skip(SELF_OUTSIDE)
    wirings = _wirings(site)
    found = _used_members(site, region, wirings)
    if isinstance(found, tuple):
        return site.skip(*found)
    weak = _weak_category(site)
    if weak is not None:
        return site.skip(WEAK, weak)
    reasons: list[str] = []
    for entry in candidates:
        problem = _not_named(site, entry, context.interfaces) or _not_covered(
            entry, context.interfaces, found, wirings, region, site.target
        )
        if problem is None:
            return _rewrite(site, entry, wirings, context.anchors)
        if problem:
            reasons.append(problem)
    return site.skip(NOT_COVERED, "the shape is not covered: " + "; ".join(reasons))


def _not_named(site: _Site, entry: CatalogKind, interfaces: KindInterfaces) -> str | None:
    """Why the site does not stand for the kind's class whatever its shape: its spec names
    another class; or, for a generic kind of the project's, neither its spec nor its name
    says it is one (a `close()`-only mock is not every class that has `close`)."""
    interface = interfaces(entry)
    if interface is None:
        return None  # decided by the coverage check
    real = interface.name.replace(":", ".").rsplit(".", 1)[-1]
    spec = _spec_of(site)
    if spec:
        return None if spec == real else f"`{entry.name}` follows `{real}`, the spec is `{spec}`"
    if entry.builtin or entry.category != "generic":
        return None
    if _says(_words(site.target), _words(real) | _words(entry.name)):
        return None
    return f"`{entry.name}`: neither the spec nor the name `{site.target}` says it is a `{real}`"


def _says(words: set[str], of_class: set[str]) -> bool:
    """Whether a name's words name the class: a word of it, or its start (`resp` for
    `response`, `creds` does not say `credentials`)."""
    return any(w == c or (len(w) >= 4 and c.startswith(w)) for w in words for c in of_class)


def _words(name: str) -> set[str]:
    """The lower-case words of a name: `mock_httpTransport` -> {mock, http, transport}."""
    return set(plain_words(name)) - {"self", "mock"}


def _refusal(site: _Site) -> tuple[str, str] | None:
    """Why the construction itself cannot become a factory call, if it cannot: the
    reason's group and its text."""
    constructor = dict(site.finding.args).get("constructor", "")
    call = site.call
    if constructor == "create_autospec":
        # An instance of the class: what a kind's double is (the class itself is not).
        instance = next((k.value for k in call.keywords if k.arg == "instance"), None)
        if not (isinstance(instance, ast.Constant) and instance.value is True):
            return NOT_PLAIN, "`create_autospec()` of a class, not of an instance"
        if len(call.args) != 1 or any(k.arg not in ("instance", "spec_set") for k in call.keywords):
            return CONFIGURES_ITSELF, CONFIGURES_ITSELF
        return None
    if constructor not in WIRING_CONSTRUCTORS:
        return NOT_PLAIN, f"`{constructor}()` is not a plain mock"
    if call.args or any(k.arg not in ("spec", "spec_set", "name") for k in call.keywords):
        return CONFIGURES_ITSELF, CONFIGURES_ITSELF
    return None


def _weak_category(site: _Site) -> str | None:
    """Why the site's category says too little to rewrite it: it rests only on where the
    mock goes or what is done with it (`channel._add_queue_to_cache(sender)` makes a
    "database" sender), not on what it is (its name, spec, patch target or real class)."""
    category = site.finding.category
    if category == "generic" or _spec_of(site):
        return None  # a generic kind, or a spec, is checked kind by kind (`_not_named`)
    votes = [e for e in site.finding.evidence if e.category == category]
    if any(e.kind in OWN_EVIDENCE for e in votes):
        return None
    kinds = ", ".join(sorted({e.kind for e in votes})) or "no clue"
    return f"its category `{category}` rests on {kinds} only, not on what the mock is"


def _spec_of(site: _Site) -> str:
    """The last name of the class the construction is modelled on ("" for none)."""
    call = site.call
    node = next((k.value for k in call.keywords if k.arg in ("spec", "spec_set")), None)
    if node is None and dict(site.finding.args).get("constructor") == "create_autospec":
        node = call.args[0] if call.args else None
    return (dotted(node) or "").rsplit(".", 1)[-1] if node is not None else ""


def _region(site: _Site, classes: dict[int, ast.ClassDef]) -> list[ast.AST] | None:
    """Where the double is used: its function, or for `self.x` the whole test case."""
    if not site.target.startswith("self."):
        return [site.owner]
    klass = classes.get(id(site.owner))
    return None if klass is None else [klass]


def _wirings(site: _Site) -> list[_Wiring]:
    """The statements right after the construction that wire mocks onto its members."""
    wirings: list[_Wiring] = []
    for stmt in site.block[site.index + 1 :]:
        wired = _wiring(stmt, site.target)
        if wired is None:
            break
        wirings.append((stmt, *wired))
    return wirings


def _used_members(
    site: _Site, region: list[ast.AST], wirings: list[_Wiring]
) -> set[str] | tuple[str, str]:
    """The members the test configures or uses on the double, or why it cannot be matched
    against a kind at all (rebound, called itself, dynamic names, escapes its test): the
    reason's group and its text."""
    target = site.target
    wiring_ids = {id(s) for s, _, _ in wirings}
    rebound = [
        s
        for r in region
        for s in ast.walk(r)
        if isinstance(s, ast.Assign)
        and s is not site.block[site.index]
        and id(s) not in wiring_ids
        and any(dotted(t) == target for t in s.targets)
    ]
    if rebound:
        return REBOUND, f"`{target}` is assigned again (line {rebound[0].lineno})"
    used: set[str] = set()
    for name, node in _uses(region, target):
        line = getattr(node, "lineno", 0)
        if name == "()":
            return CALLED, f"the mock itself is called (line {line})"
        if name == "<dynamic>":
            return DYNAMIC, f"attributes set by dynamic names (line {line})"
        used.add(name)
    escape = _escape(region, target, site.owner)
    if escape is not None:
        return ESCAPES, f"it escapes into `{escape}`: what it stands for is decided there"
    if not used and not _spec_of(site):  # with a spec, the spec says what it stands for
        return NO_SHAPE, "nothing is configured or used on it: no shape to match a kind against"
    return used


def _not_covered(
    entry: CatalogKind,
    interfaces: KindInterfaces,
    used: set[str],
    wirings: list[_Wiring],
    region: list[ast.AST],
    target: str,
) -> str | None:
    """None when the kind covers the setup; else why not ("" when the kind has no
    interface to check here)."""
    interface = interfaces(entry)
    if interface is None:
        if entry.interface:
            return f"`{entry.name}`: its interface `{entry.interface}` is not a project class"
        return ""
    missing = sorted(n for n in used if n not in interface.members and n not in DOUBLE_API)
    if missing:
        return f"`{entry.name}` has no {', '.join(f'`{m}`' for m in missing)}"
    mismatch = (
        _async_mismatch(wirings, interface)
        or _value_over_method(region, target, interface)
        or _call_mismatch(region, target, interface)
    )
    if mismatch:
        return f"`{entry.name}`: {mismatch}"
    return None


def _value_over_method(region: list[ast.AST], target: str, interface: Interface) -> str | None:
    """A plain value assigned where the interface has a method (`conf.connection = "x"`):
    the test stands for something else."""
    for root in region:
        for node in ast.walk(root):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            name = dotted(node.targets[0])
            if name is None or not name.startswith(target + "."):
                continue
            member = name[len(target) + 1 :]
            real = interface.members.get(member)
            constructor = (
                (dotted(node.value.func) or "") if isinstance(node.value, ast.Call) else ""
            )
            if real is not None and real.is_callable and "Mock" not in constructor:
                return f"`{member}` is a method, but the test sets it to a value"
    return None


def _call_mismatch(region: list[ast.AST], target: str, interface: Interface) -> str | None:
    """A call of a member that the real signature would refuse (`session.get(key)` where
    the interface has `get(entity, ident)`), or an awaited call of a sync method: the test
    stands for something else."""
    awaited = {
        id(node.value) for root in region for node in ast.walk(root) if isinstance(node, ast.Await)
    }
    for root in region:
        for node in ast.walk(root):
            if not isinstance(node, ast.Call):
                continue
            name = dotted(node.func)
            if name is None or not name.startswith(target + "."):
                continue
            real = interface.members.get(name[len(target) + 1 :])
            if real is None:
                continue
            if id(node) in awaited and real.kind != "async_method":
                return f"`{name}(...)` is awaited (line {node.lineno}), but is not `async def`"
            if real.signature is None:
                continue
            if any(isinstance(a, ast.Starred) for a in node.args) or any(
                k.arg is None for k in node.keywords
            ):
                continue  # `*args` / `**kwargs`: the arguments cannot be counted
            try:
                real.signature.bind(*node.args, **{k.arg: k.value for k in node.keywords if k.arg})
            except TypeError as exc:
                shape = _parameters(real.signature)
                return (
                    f"`{name}(...)` (line {node.lineno}) does not fit `{real.name}{shape}`: {exc}"
                )
    return None


def _parameters(signature: inspect.Signature) -> str:
    """`get(entity, ident, *, options=...)`-like text: the names without annotations."""
    parts: list[str] = []
    star = False
    for parameter in signature.parameters.values():
        kind = parameter.kind
        if kind is parameter.VAR_POSITIONAL:
            parts.append(f"*{parameter.name}")
            star = True
            continue
        if kind is parameter.VAR_KEYWORD:
            parts.append(f"**{parameter.name}")
            continue
        if kind is parameter.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        default = "" if parameter.default is parameter.empty else "=..."
        parts.append(parameter.name + default)
    return f"({', '.join(parts)})"


def _async_mismatch(
    wirings: list[tuple[ast.stmt, str, ast.Call]], interface: Interface
) -> str | None:
    for _, member, wired in wirings:
        constructor = (dotted(wired.func) or "").rsplit(".", 1)[-1]
        real = interface.members[member]
        is_async = real.kind == "async_method"
        if constructor == "AsyncMock" and not is_async:
            return f"`{member}` is wired as an AsyncMock but is not `async def`"
        if constructor != "AsyncMock" and is_async:
            return f"`{member}` is `async def` but is wired as a {constructor}"
        if wired.args or any(k.arg not in KEPT_KEYWORDS for k in wired.keywords):
            return f"`{member}` is wired with arguments the rewrite cannot keep"
    return None


def _rewrite(
    site: _Site, entry: CatalogKind, wirings: list[_Wiring], anchors: dict[int, Anchor]
) -> Rewrite:
    """The rewrite of a covered site: the factory call, the wirings it makes unnecessary,
    and the configured values it keeps."""
    removed: list[Anchor] = []
    rewritten: list[tuple[Anchor, tuple[str, ...]]] = []
    for stmt, _, wired in wirings:
        kept = tuple(k.arg for k in wired.keywords if k.arg in KEPT_KEYWORDS)
        if kept:
            rewritten.append((anchors[id(stmt)], kept))
        else:
            removed.append(anchors[id(stmt)])
    return Rewrite(
        line=site.finding.line,
        target=site.target,
        kind=entry.name,
        category=site.finding.category,
        call=entry.fix_call,
        needs=entry.fix_import,
        construction=anchors[id(site.block[site.index])],
        removed=tuple(removed),
        rewritten=tuple(rewritten),
    )


def plan_file(path: str, source: str, settings: Settings) -> Plan:
    """The plan for one file, from a fresh scan of its source."""
    from mockguard.scan.engine import scan_source

    result = scan_source(source.encode("utf-8", "surrogatepass"), path, settings)
    return plan_module(source, result.findings, kind_catalog(settings), kind_interfaces(settings))


@lru_cache(maxsize=4)
def kind_interfaces(settings: Settings) -> KindInterfaces:
    """The kinds' interfaces for a project: its classes read once per process, through the
    scanner's index of the project's modules."""
    from mockguard.scan.engine import project_index

    return KindInterfaces(StaticInterfaces(project_index(settings)))
