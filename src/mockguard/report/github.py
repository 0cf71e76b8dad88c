"""GitHub Actions workflow commands: a summary line, then one annotation per new finding.

Every value that comes from the scanned code (paths, messages) is escaped the way the
runner unescapes it, so no file name or message can end a command early or start another;
control characters and bidirectional controls are shown as visible escapes first (see
:mod:`mockguard.report.safe`), so that nothing in the log can steer a terminal.

GitHub shows at most 10 annotations of each level (error, warning, notice) per step, and
drops the rest without a word. So only the first :data:`ANNOTATION_LIMIT` of each level
are annotations; the summary says how many were left out, and those are listed after the
annotations as plain log lines (each begins with `mockguard:`, never with `::`).
"""

from __future__ import annotations

import os

from mockguard.findings import Finding
from mockguard.report.base import Formatter
from mockguard.report.model import ScanReport, plural
from mockguard.report.safe import printable
from mockguard.scan.rules import RULES, message

# GitHub shows at most this many annotations of each level per step (errors, warnings and
# notices apart); the summary is one of the notices.
ANNOTATION_LIMIT = 10
LEVELS = {"error": "error", "warning": "warning", "note": "notice"}
# Escaped without loss in a command, so an annotation still names a file with line breaks.
CRLF = "\r\n"


def escape_data(value: str) -> str:
    """A command's message, escaped: `%`, carriage return and line feed."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command property's value, escaped: as data, plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str], message: str) -> str:
    """One workflow command line, `::name key=value,...::message`, escaped: carriage returns
    and line feeds the runner's way (it restores them), other control characters visibly."""
    props = ",".join(
        f"{key}={escape_property(printable(value, keep=CRLF))}" for key, value in properties.items()
    )
    head = f"{name} {props}" if props else name
    return f"::{head}::{escape_data(printable(message, keep=CRLF))}"


class GithubFormatter(Formatter):
    """Annotations on the changed lines of a pull request, for the new findings only."""

    def format(self, report: ScanReport) -> str:
        annotated, left_out = self.annotated(report)
        lines = [command("notice", {"title": "mockguard"}, self.summary(report))]
        lines += [self._annotation(finding, report) for finding in annotated]
        lines += [f"mockguard: not annotated: {_plain(f, report)}" for f in left_out]
        return "\n".join(lines) + "\n"

    @staticmethod
    def annotated(report: ScanReport) -> tuple[list[Finding], list[Finding]]:
        """The new findings GitHub will show as annotations (the first
        :data:`ANNOTATION_LIMIT` of each level, one notice less for the summary), and the
        rest, in report order."""
        room = {"error": ANNOTATION_LIMIT, "warning": ANNOTATION_LIMIT}
        room["notice"] = ANNOTATION_LIMIT - 1
        shown: list[Finding] = []
        rest: list[Finding] = []
        for finding in report.findings:
            level = _level(finding)
            if room[level] > 0:
                room[level] -= 1
                shown.append(finding)
            else:
                rest.append(finding)
        return shown, rest

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
        shown, rest = GithubFormatter.annotated(report)
        if rest:
            text += (
                f"; {len(shown)} annotated, {len(rest)} more listed in the log "
                f"(GitHub shows {ANNOTATION_LIMIT} annotations of each level per step)"
            )
        return text

    @staticmethod
    def _annotation(finding: Finding, report: ScanReport) -> str:
        rule = RULES[finding.code]
        properties = {
            "file": _project_path(finding, report),
            "line": str(finding.line),
            "endLine": str(max(finding.end_line, finding.line)),
            "col": str(finding.col + 1),
            "endColumn": str(finding.end_col + 1),
            "title": f"{rule.code} {rule.name}",
        }
        # A line break in a message is shown as `\n`, as in every other format.
        text = printable(f"{message(finding)}. Use instead: {report.hint(finding.category)}.")
        return command(_level(finding), properties, text)


def _project_path(finding: Finding, report: ScanReport) -> str:
    """The finding's file, relative to the project root (as the repository names it)."""
    return report.project_paths.get(finding.path, finding.path).replace(os.sep, "/")


def _plain(finding: Finding, report: ScanReport) -> str:
    """A finding as a log line: `path:line:col: CODE message [category]`, printable."""
    return printable(
        f"{_project_path(finding, report)}:{finding.line}:{finding.col + 1}: "
        f"{finding.code} {message(finding)} [{finding.category}]"
    )


def _level(finding: Finding) -> str:
    """The annotation level: from the finding's severity, else its rule's."""
    return LEVELS[finding.severity or RULES[finding.code].severity]
