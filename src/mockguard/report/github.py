"""GitHub Actions workflow commands: a summary line, then one annotation per new finding.

Every value that comes from the scanned code (paths, messages) is escaped the way the
runner unescapes it, so no file name or message can end a command early or start another.
"""

from __future__ import annotations

import os

from mockguard.findings import Finding
from mockguard.report.base import Formatter
from mockguard.report.model import ScanReport, plural
from mockguard.scan.rules import RULES, message

# GitHub shows at most this many annotations of one kind per step.
ANNOTATION_LIMIT = 10
LEVELS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(value: str) -> str:
    """A command's message, escaped: `%`, carriage return and line feed."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command property's value, escaped: as data, plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str], message: str) -> str:
    """One workflow command line, `::name key=value,...::message`, escaped."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    head = f"{name} {props}" if props else name
    return f"::{head}::{escape_data(message)}"


class GithubFormatter(Formatter):
    """Annotations on the changed lines of a pull request, for the new findings only."""

    def format(self, report: ScanReport) -> str:
        lines = [command("notice", {"title": "mockguard"}, self.summary(report))]
        lines += [self._annotation(finding, report) for finding in report.findings]
        return "\n".join(lines) + "\n"

    @staticmethod
    def summary(report: ScanReport) -> str:
        """One line: how many new findings, and what the scan set aside."""
        found = len(report.findings)
        new = "new " if report.baseline is not None else ""
        head = (
            plural(found, f"{new}ad-hoc test double") if found else f"no {new}ad-hoc test doubles"
        )
        aside: list[str] = []
        if report.baseline is not None:
            aside.append(f"{len(report.baseline.baselined)} baselined")
            aside.append(f"{len(report.baseline.gone)} gone")
        if report.suppressed:
            aside.append(f"{len(report.suppressed)} suppressed")
        if report.diagnostics:
            aside.append(plural(len(report.diagnostics), "diagnostic"))
        text = head + (f" ({', '.join(aside)})" if aside else "")
        if found > ANNOTATION_LIMIT:
            text += f"; first {ANNOTATION_LIMIT} below"
        return text

    @staticmethod
    def _annotation(finding: Finding, report: ScanReport) -> str:
        rule = RULES[finding.code]
        path = report.project_paths.get(finding.path, finding.path).replace(os.sep, "/")
        properties = {
            "file": path,
            "line": str(finding.line),
            "endLine": str(max(finding.end_line, finding.line)),
            "col": str(finding.col + 1),
            "endColumn": str(finding.end_col + 1),
            "title": f"{rule.code} {rule.name}",
        }
        text = f"{message(finding)}. Use instead: {report.hint(finding.category)}."
        return command(LEVELS[finding.severity or rule.severity], properties, text)
