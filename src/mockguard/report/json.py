"""JSON: stable, sorted, with a schema version; the merge format for org-wide scans.

Values are the scan's own (a file name with a line feed keeps it, as a JSON escape); the
document is written so that it is valid UTF-8 and safe to print (see
:func:`mockguard.report.safe.json_text`).
"""

from __future__ import annotations

from typing import Any

from mockguard import __version__
from mockguard.findings import CompliantCall, Diagnostic, Finding
from mockguard.report.base import Formatter
from mockguard.report.model import ScanReport
from mockguard.report.safe import json_text
from mockguard.scan.rules import RULES, message

SCHEMA_VERSION = 1


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class JsonFormatter(Formatter):
    """The whole report as one JSON document."""

    def format(self, report: ScanReport) -> str:
        return json_text(self.document(report), indent=2, sort_keys=True) + "\n"

    def document(self, report: ScanReport) -> dict[str, Any]:
        by_category: dict[str, Any] = {
            row.category: {
                "rules": row.by_rule,
                "total": row.total,
                "compliant": row.compliant,
                "adoption": _rate(row.adoption),
            }
            for row in report.audit_rows()
            if not row.is_total
        }
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "mockguard", "version": __version__},
            "summary": {
                "files": {
                    "scanned": report.files_scanned,
                    "parsed": report.files_parsed,
                    "with_findings": report.files_with_findings,
                },
                "findings": len(report.census),
                "suppressed": len(report.suppressed),
                "compliant": report.total_compliant,
                "adoption": _rate(report.adoption),
                "by_rule": report.by_rule(),
                "by_category": by_category,
                "diagnostics": len(report.diagnostics),
                "incomplete": len({d.path for d in report.incomplete}),
            },
            "findings": [self._finding(f, report) for f in report.findings],
            "suppressed": [self._finding(f, report) for f in report.suppressed],
            "diagnostics": [self._diagnostic(d) for d in report.diagnostics],
            "compliant": [self._compliant(c) for c in report.compliant_calls],
            **self._baseline(report),
        }

    def _baseline(self, report: ScanReport) -> dict[str, Any]:
        status = report.baseline
        if status is None:
            return {}
        ratchet = report.ratchet()
        return {
            "baseline": {
                "path": status.path,
                "new": len(report.findings),
                "baselined": len(status.baselined),
                "gone": len(status.gone),
                "by_category": ratchet,
            },
            "baselined": [self._finding(f, report) for f in status.baselined],
            "gone": [entry.as_json() for entry in status.gone],
        }

    def _finding(self, finding: Finding, report: ScanReport) -> dict[str, Any]:
        item: dict[str, Any] = {
            "path": finding.path,
            "line": finding.line,
            "column": finding.col + 1,
            "end_line": finding.end_line,
            "end_column": finding.end_col + 1,
            "code": finding.code,
            "rule": RULES[finding.code].name,
            "category": finding.category,
            "message": message(finding),
            "scope": finding.scope,
            "fingerprint": finding.fingerprint,
            "use_instead": report.hint(finding.category),
        }
        if self.options.explain:
            item["evidence"] = [
                {"kind": e.kind, "value": e.value, "category": e.category, "weight": e.weight}
                for e in finding.evidence
            ]
        return item

    @staticmethod
    def _compliant(call: CompliantCall) -> dict[str, Any]:
        return {
            "path": call.path,
            "line": call.line,
            "column": call.col + 1,
            "category": call.category,
            "call": call.call,
            "scope": call.scope,
        }

    @staticmethod
    def _diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
        return {
            "path": diagnostic.path,
            "line": diagnostic.line,
            "kind": diagnostic.kind,
            "message": diagnostic.message,
        }
