"""The codemod: replace ad-hoc mocks whose setup a factory kind covers by factory calls.

Edits are made on the assignment statements the plan names (by :data:`Anchor`), never on
whole lines: on `ws = MagicMock(); ws.send_json = AsyncMock(); assert ok` only the first two
statements are the mock's, and `assert ok` stays, with the line's formatting.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Sequence
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import PositionProvider

from mockguard.catalog import kind_catalog
from mockguard.config import Settings
from mockguard.findings import Finding
from mockguard.fix.plan import (
    WIRING_CONSTRUCTORS,
    Anchor,
    Plan,
    kind_interfaces,
    parse_tree,
    plan_module,
)

MOCK_IMPORTS = (
    ("unittest.mock", WIRING_CONSTRUCTORS | {"patch"}),
    ("mock", WIRING_CONSTRUCTORS | {"patch"}),
)


class ReplaceAdHocMocksCommand(VisitorBasedCodemodCommand):
    """Rewrites `ws = MagicMock()` plus its wiring into one factory call."""

    DESCRIPTION = "Replace ad-hoc mocks whose setup a factory kind covers by factory calls."
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        context: CodemodContext,
        settings: Settings | None = None,
        categories: Iterable[str] | None = None,
        plan: Plan | None = None,
    ) -> None:
        super().__init__(context)
        self.settings = settings or Settings()
        self.categories = frozenset(categories) if categories else None
        self.plan = Plan()
        self._given = plan  # planned already from the same text (see `plan_source`)
        self._constructions: dict[Anchor, str] = {}
        self._removed: set[Anchor] = set()
        self._rewritten: dict[Anchor, tuple[str, ...]] = {}
        self._anchors: dict[cst.Assign, Anchor] = {}
        self._ranks: dict[int, int] = {}
        self._inline: dict[Anchor, tuple[str, str]] = {}  # call anchor -> (as written, call)
        self._patches: dict[Anchor, tuple[str, str]] = {}  # (callee as written, the factory's)
        # call anchor -> (constructor as written, the factory's call, object, attribute)
        self._members: dict[Anchor, tuple[str, str, str, str]] = {}
        self._call_anchors: dict[cst.Call, Anchor] = {}
        self._call_ranks: dict[int, int] = {}

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        path = self.context.filename or "<module>"
        plan = self._given or plan_source(
            tree.code, tree.encoding, path, self.settings, self.categories
        )
        self.plan = plan
        for skip in plan.skips:
            self.warn(f"line {skip.line} [{skip.category}]: left as it is: {skip.reason}")
        if not plan.rewrites:
            raise SkipFile("no ad-hoc mock here is covered by a factory kind")
        for rewrite in plan.rewrites:
            if rewrite.patch:
                self._patches[rewrite.construction] = (rewrite.target, rewrite.call)
                continue
            if rewrite.inline:
                self._inline[rewrite.construction] = (rewrite.target, rewrite.call)
                continue
            if rewrite.member is not None:
                self._members[rewrite.construction] = (
                    rewrite.target,
                    rewrite.call,
                    *rewrite.member,
                )
                continue
            self._constructions[rewrite.construction] = rewrite.call
            self._removed.update(rewrite.removed)
            self._rewritten.update(dict(rewrite.rewritten))
        result = tree.visit(self)
        for module, name in sorted({r.needs for r in plan.rewrites}, key=str):
            if name is None:
                result = _with_import(result, module)
            else:
                AddImportsVisitor.add_needed_import(self.context, module, name)
        # LibCST's import remover runs a scope analysis of the whole module: it is asked only
        # about names no longer read anywhere (it decides about strings and `__all__`).
        unread = unread_names(result.code)
        for module, names in (*MOCK_IMPORTS, ("unittest", frozenset({"mock"}))):
            for name in sorted(names & unread):
                RemoveImportsVisitor.remove_unused_import(self.context, module, name)
        if "mock" in unread:  # `import mock`, the backport
            RemoveImportsVisitor.remove_unused_import(self.context, "mock")
        return result

    def visit_Assign(self, node: cst.Assign) -> bool:
        # Assignments never nest, so they are visited in source order: the rank on the line
        # is the count of those already seen there (as `ModuleNodes.assignment_anchors` ranks them).
        line = self.get_metadata(PositionProvider, node).start.line
        rank = self._ranks.get(line, 0)
        self._ranks[line] = rank + 1
        self._anchors[node] = (line, rank)
        return True

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> Any:
        anchor = self._anchors[original_node]
        if anchor in self._removed:
            return cst.RemovalSentinel.REMOVE
        kept = self._rewritten.get(anchor)
        if kept is not None:
            return cst.FlattenSentinel(_kept_values(updated_node, kept))
        call = self._constructions.get(anchor)
        if call is not None:
            value = updated_node.value
            factory = cst.ensure_type(cst.parse_expression(call), cst.Call)
            return updated_node.with_changes(
                value=factory.with_changes(lpar=value.lpar, rpar=value.rpar)
            )
        return updated_node

    def visit_Call(self, node: cst.Call) -> bool:
        # Calls are visited outer first, and among calls of a dotted name (the only ones
        # ranked) none starts where another does: the rank is `ModuleNodes.call_anchors`'s.
        if _dotted(node.func) is not None:
            line = self.get_metadata(PositionProvider, node.func).start.line
            rank = self._call_ranks.get(line, 0)
            self._call_ranks[line] = rank + 1
            self._call_anchors[node] = (line, rank)
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        anchor = self._call_anchors.get(original_node)
        if anchor is None:
            return updated_node
        patch = self._patches.get(anchor)
        if patch is not None:
            return _factory_patch(anchor, original_node, updated_node, *patch)
        member = self._members.get(anchor)
        if member is not None:
            return _factory_member(anchor, original_node, updated_node, *member)
        inline = self._inline.get(anchor)
        if inline is None:
            return updated_node
        written, call = inline
        if _dotted(original_node.func) != written:
            raise ValueError(f"line {anchor[0]}: expected a call of `{written}` here")
        factory = cst.ensure_type(cst.parse_expression(call), cst.Call)
        return factory.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        return updated_node.with_changes(
            body=self._ending_kept(original_node.body, updated_node.body)
        )

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        return updated_node.with_changes(
            body=self._ending_kept(original_node.body, updated_node.body)
        )

    def _ending_kept(
        self, original: Sequence[cst.BaseSmallStatement], updated: Sequence[cst.BaseSmallStatement]
    ) -> Sequence[cst.BaseSmallStatement]:
        """When the line's last statement was removed, the new last one takes its ending
        (`x = 1; ws.send_json = AsyncMock()` becomes `x = 1`, not `x = 1;`)."""
        last = original[-1]
        if (
            not updated
            or not isinstance(last, cst.Assign)
            or self._anchors.get(last) not in self._removed
        ):
            return updated
        return [*updated[:-1], updated[-1].with_changes(semicolon=last.semicolon)]

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        """A line whose statements were all removed takes nothing else with it: its
        comments and blank lines go to the next statement (or the end of the block)."""
        emptied = [self._emptied(s) for s in original_node.body]
        if not any(emptied) or emptied.count(False) != len(updated_node.body):
            return updated_node
        carried: list[cst.EmptyLine] = []
        body: list[cst.BaseStatement] = []
        remaining = iter(updated_node.body)
        for statement, gone in zip(original_node.body, emptied, strict=True):
            if gone:
                carried.extend(_comments_of(cst.ensure_type(statement, cst.SimpleStatementLine)))
                continue
            kept = next(remaining)
            if carried and isinstance(kept, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                kept = kept.with_changes(leading_lines=[*carried, *kept.leading_lines])
                carried = []
            body.append(kept)
        return updated_node.with_changes(body=body, footer=[*carried, *updated_node.footer])

    def _emptied(self, statement: cst.BaseStatement) -> bool:
        return isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Assign) and self._anchors.get(s) in self._removed
            for s in statement.body
        )


def plan_source(
    text: str,
    encoding: str,
    path: str,
    settings: Settings,
    categories: Iterable[str] | None = None,
    findings: list[Finding] | None = None,
    keep: frozenset[int] | None = None,
) -> Plan:
    """The plan for a module's text: scanned from its bytes in its encoding (findings count
    columns in that text) unless the `findings` of those bytes are given, the rewrites and
    skips kept to the chosen categories (and the rewrites to the lines in `keep`)."""
    from mockguard.scan.engine import scan_source

    if findings is None:
        data = text.encode(encoding, "surrogatepass")
        findings = scan_source(data, path, settings).findings
    plan = plan_module(text, findings, kind_catalog(settings), kind_interfaces(settings))
    if categories is not None:
        chosen = frozenset(categories)
        plan.rewrites = [r for r in plan.rewrites if r.category in chosen]
        plan.skips = [s for s in plan.skips if s.category in chosen]
    if keep is not None:
        plan.rewrites = [r for r in plan.rewrites if r.line in keep]
    return plan


def _kept_values(wiring: cst.Assign, keywords: tuple[str, ...]) -> list[cst.Assign]:
    """`ws.send_json = AsyncMock(return_value=x)` as `ws.send_json.return_value = x`: one
    statement per kept keyword, each value the wiring's own node; the last one keeps the
    wiring's ending."""
    target = wiring.targets[0].target
    call = cst.ensure_type(wiring.value, cst.Call)
    values = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    statements = [
        cst.Assign(
            targets=[cst.AssignTarget(cst.Attribute(target.deep_clone(), cst.Name(keyword)))],
            value=values[keyword],
        )
        for keyword in keywords
    ]
    statements[-1] = statements[-1].with_changes(semicolon=wiring.semicolon)
    return statements


def _factory_patch(
    anchor: Anchor, original: cst.Call, updated: cst.Call, written: str, callee: str
) -> cst.Call:
    """The patch with the factory's callee, and without the `autospec=True` that the
    factory's patch always has; every other argument as written."""
    if _dotted(original.func) != written:
        raise ValueError(f"line {anchor[0]}: expected a call of `{written}` here")
    args = list(updated.args)
    for position, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == "autospec":
            del args[position]
            if position == len(args) and args:  # it was the last: its comma ends the call
                args[-1] = args[-1].with_changes(
                    comma=arg.comma, whitespace_after_arg=arg.whitespace_after_arg
                )
            break
    return updated.with_changes(func=cst.parse_expression(callee), args=args)


def _factory_member(
    anchor: Anchor,
    original: cst.Call,
    updated: cst.Call,
    written: str,
    callee: str,
    receiver: str,
    attribute: str,
) -> cst.Call:
    """`Mock(return_value=1)` as `<callee>(receiver, "attribute", return_value=1)`: the
    object and attribute put in front, every argument it had kept as written."""
    if _dotted(original.func) != written:
        raise ValueError(f"line {anchor[0]}: expected a call of `{written}` here")
    front = [
        cst.Arg(cst.parse_expression(receiver)),
        cst.Arg(cst.SimpleString(json.dumps(attribute))),
    ]
    return updated.with_changes(func=cst.parse_expression(callee), args=[*front, *updated.args])


def unread_names(code: str) -> frozenset[str]:
    """The mock names a module's top-level imports bind that no expression reads."""
    tree = parse_tree(code)
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    bound = {
        alias.asname or alias.name.split(".", 1)[0]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    return frozenset(bound - read)


def _with_import(module: cst.Module, name: str) -> cst.Module:
    """The module with `import name` (a dotted module name), unless it has it at its top
    level: after the imports that open the module (after its docstring when none does)."""
    position = 0
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
            for s in small:
                if isinstance(s, cst.Import) and any(
                    a.asname is None and _dotted(a.name) == name for a in s.names
                ):
                    return module
            position = index + 1
        elif index == 0 and _is_docstring(statement):
            position = 1
        else:
            break
    added = cst.parse_statement(f"import {name}{module.default_newline}")
    return module.with_changes(body=[*module.body[:position], added, *module.body[position:]])


def _is_docstring(statement: cst.SimpleStatementLine) -> bool:
    first = statement.body[0]
    return isinstance(first, cst.Expr) and isinstance(
        first.value, (cst.SimpleString, cst.ConcatenatedString)
    )


def _dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of attributes on a name (as `scan.bindings.dotted` reads `ast`)."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _comments_of(line: cst.SimpleStatementLine) -> list[cst.EmptyLine]:
    """The lines above a removed line, and its own trailing comment as a line of its own."""
    lines = list(line.leading_lines)
    trailing = line.trailing_whitespace
    if trailing.comment is not None:
        lines.append(cst.EmptyLine(comment=trailing.comment, newline=trailing.newline))
    return lines
