"""The codemod: replace ad-hoc mocks whose setup a factory kind covers by factory calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import PositionProvider

from mockguard.catalog import kind_catalog
from mockguard.config import Settings
from mockguard.fix.plan import WIRING_CONSTRUCTORS, Plan, plan_module

MOCK_IMPORTS = (("unittest.mock", WIRING_CONSTRUCTORS), ("mock", WIRING_CONSTRUCTORS))


class ReplaceAdHocMocksCommand(VisitorBasedCodemodCommand):
    """Rewrites `ws = MagicMock()` plus its wiring into one factory call."""

    DESCRIPTION = "Replace ad-hoc mocks whose setup a factory kind covers by factory calls."
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        context: CodemodContext,
        settings: Settings | None = None,
        categories: Iterable[str] | None = None,
    ) -> None:
        super().__init__(context)
        self.settings = settings or Settings()
        self.categories = frozenset(categories) if categories else None
        self.plan = Plan()
        self._constructions: dict[int, str] = {}
        self._removed: set[int] = set()
        self._rewritten: dict[int, str] = {}

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        from mockguard.scan.engine import scan_source

        path = self.context.filename or "<module>"
        findings = scan_source(tree.code.encode("utf-8"), path, self.settings).findings
        plan = plan_module(tree.code, findings, kind_catalog(self.settings))
        if self.categories is not None:
            plan.rewrites = [r for r in plan.rewrites if r.category in self.categories]
            plan.skips = [s for s in plan.skips if s.category in self.categories]
        self.plan = plan
        for skip in plan.skips:
            self.warn(f"line {skip.line} [{skip.category}]: left as it is: {skip.reason}")
        if not plan.rewrites:
            raise SkipFile("no ad-hoc mock here is covered by a factory kind")
        for rewrite in plan.rewrites:
            self._constructions[rewrite.line] = rewrite.call
            self._removed.update(rewrite.removed)
            self._rewritten.update(dict(rewrite.rewritten))
        result = tree.visit(self)
        AddImportsVisitor.add_needed_import(self.context, "mockguard", "SSotMockFactory")
        for module, names in MOCK_IMPORTS:
            for name in sorted(names):
                RemoveImportsVisitor.remove_unused_import(self.context, module, name)
        RemoveImportsVisitor.remove_unused_import(self.context, "unittest", "mock")
        return result

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Any:
        line = self.get_metadata(PositionProvider, original_node).start.line
        if line in self._removed:
            return cst.RemovalSentinel.REMOVE
        if line in self._rewritten:
            replacement = cst.parse_statement(self._rewritten[line])
            assert isinstance(replacement, cst.SimpleStatementLine)
            return updated_node.with_changes(body=replacement.body)
        call = self._constructions.get(line)
        if call is not None and len(updated_node.body) == 1:
            statement = updated_node.body[0]
            if isinstance(statement, cst.Assign):
                return updated_node.with_changes(
                    body=[statement.with_changes(value=cst.parse_expression(call))]
                )
        return updated_node
