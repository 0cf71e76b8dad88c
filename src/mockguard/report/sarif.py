"""SARIF 2.1.0: the static-analysis interchange format that code-scanning services read.

Every finding becomes a result: new ones as they are, baselined and inline-suppressed ones
with a suppression that says why, so that a viewer can show or hide them but never loses
them. Rule metadata is generated from the rule catalog.
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from mockguard import __version__
from mockguard.findings import Diagnostic, Finding, RuleCode
from mockguard.report.base import Formatter
from mockguard.report.model import BASELINED, NEW, SUPPRESSED, ScanReport, Status
from mockguard.report.safe import json_text
from mockguard.scan.rules import RULES, Rule, message

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/mockguard/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "mockguardFingerprint/v2"
BASELINE_JUSTIFICATION = "in the mockguard baseline"
RULE_TAGS = ("maintainability", "testing", "test-doubles")


def _multiline_text(body: str) -> str:
    """A documentation section as plain text: the code fences dropped, the code kept."""
    return "\n".join(line for line in body.splitlines() if not line.startswith("```"))


def _paragraph(body: str) -> str:
    """A hard-wrapped documentation paragraph on one line."""
    return " ".join(body.split())


def rule_help(rule: Rule) -> dict[str, str]:
    """The help of a rule, as plain text and as Markdown, built from its documentation."""
    sections = rule.sections()
    text = "\n\n".join(f"{title}\n{_multiline_text(body)}" for title, body in sections.items())
    markdown = "\n\n".join(f"## {title}\n\n{body}" for title, body in sections.items())
    return {"text": text, "markdown": markdown}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """The SARIF `reportingDescriptor` of a rule."""
    what = rule.sections().get("What it does", rule.summary)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _paragraph(what)},
        "help": rule_help(rule),
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": list(RULE_TAGS)},
    }


class SarifFormatter(Formatter):
    """The whole report as one SARIF 2.1.0 log with a single run."""

    def format(self, report: ScanReport) -> str:
        return json_text(self.document(report), indent=2, sort_keys=True) + "\n"

    def document(self, report: ScanReport) -> dict[str, Any]:
        """The SARIF log as plain data."""
        rule_index = {code: index for index, code in enumerate(RULES)}
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "mockguard",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": INFORMATION_URI,
                    "rules": [rule_descriptor(rule) for rule in RULES.values()],
                }
            },
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": {
                        "text": "The project root (the folder of mockguard's configuration)."
                    }
                }
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [
                {
                    "executionSuccessful": True,
                    "toolExecutionNotifications": [
                        self._notification(d, report) for d in report.diagnostics
                    ],
                }
            ],
            "results": [
                self._result(finding, state, report, rule_index)
                for finding, state in report.by_status()
            ],
        }
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}

    def _result(
        self, finding: Finding, state: Status, report: ScanReport, rule_index: dict[RuleCode, int]
    ) -> dict[str, Any]:
        rule = RULES[finding.code]
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": rule_index[finding.code],
            "level": finding.severity or rule.severity,
            "message": {
                "text": f"{message(finding)}. Use instead: {report.hint(finding.category)}."
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(finding.path, report),
                        "region": self._region(finding),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
            "properties": {"category": finding.category, "scope": finding.scope},
        }
        if state == BASELINED:
            result["suppressions"] = [{"kind": "external", "justification": BASELINE_JUSTIFICATION}]
        elif state == SUPPRESSED:
            result["suppressions"] = [{"kind": "inSource"}]
        if report.baseline is not None and state != SUPPRESSED:
            result["baselineState"] = "new" if state == NEW else "unchanged"
        return result

    @staticmethod
    def _region(finding: Finding) -> dict[str, int]:
        region = {"startLine": finding.line, "startColumn": finding.col + 1}
        end_line = max(finding.end_line, finding.line)
        end_column = finding.end_col + 1
        if end_line > finding.line or end_column > finding.col + 1:
            region["endLine"] = end_line
            region["endColumn"] = end_column
        return region

    @staticmethod
    def _notification(diagnostic: Diagnostic, report: ScanReport) -> dict[str, Any]:
        physical: dict[str, Any] = {"artifactLocation": artifact_location(diagnostic.path, report)}
        if diagnostic.line > 0:
            physical["region"] = {"startLine": diagnostic.line}
        return {
            "level": diagnostic.severity,
            "message": {"text": diagnostic.message},
            "descriptor": {"id": diagnostic.kind},
            "locations": [{"physicalLocation": physical}],
        }


def artifact_location(path: str, report: ScanReport) -> dict[str, str]:
    """Where a file is: its path in the project (relative to %SRCROOT%, the project root),
    percent-encoded; a `file:` URI when the scan knows it only by an absolute path. A name
    that is not UTF-8 is encoded byte for byte (as the file system has it), so the URI
    still names the file."""
    where = report.project_paths.get(path, path).replace(os.sep, "/")
    if PurePath(where).is_absolute():
        return {"uri": PurePath(where).as_uri()}
    return {"uri": quote(os.fsencode(where), safe="/"), "uriBaseId": SRCROOT}
