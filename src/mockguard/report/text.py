"""Text: the audit table of categories by rule, then the findings grouped by file."""

from __future__ import annotations

import io
from itertools import groupby
from typing import TYPE_CHECKING

from mockguard.findings import CompliantCall, Finding
from mockguard.report.base import Formatter
from mockguard.report.model import ScanReport, percent, plural
from mockguard.report.safe import printable
from mockguard.report.table import Justify, TableSpec, plain_table, rich_table
from mockguard.scan.rules import message

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def text_console(buffer: io.StringIO, color: bool, width: int) -> Console:
    """The Rich console the text report is written through: nothing read as markup or
    emoji codes, no highlighting, lines never wrapped."""
    from rich.console import Console

    return Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        width=width,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )


class TextFormatter(Formatter):
    """Human-readable output; colour only when asked for (on a terminal).

    Nothing from the scan is ever read as Rich markup or emoji codes: every path, message
    and name goes in as a :class:`rich.text.Text`, made :func:`printable` first, so that
    `test_:100:.py` prints as it is named and `path:line:col` stays parseable. Without
    colour, plain lines and the tables that :func:`plain_table` can draw are written as
    they are, and Rich is not even imported (see :meth:`format`).
    """

    def format(self, report: ScanReport) -> str:
        if not self.options.color:
            plain = self._plain(report)
            if plain is not None:
                return plain
        return self._rich(report)

    def _plain(self, report: ScanReport) -> str | None:
        """The report without colour and without Rich, or None when a part of it needs
        Rich's layout (then :meth:`_rich` writes the same text)."""
        if self.options.show_compliant or report.baseline is not None:
            return None  # the ratchet table's title and the compliant list: Rich lays them out
        if self.options.quiet:
            return "".join(f"{self._line(finding)}\n" for finding in report.findings)
        table = plain_table(self._table(report), self.options.width)
        if table is None:
            return None
        out = [table]
        if not self.options.summary_only and report.finding_count:
            out.append("\n")
            for path, group in groupby(report.findings, key=lambda f: f.path):
                out.append(printable(path) + "\n")
                for finding in group:
                    out.append("".join(self._line_parts(finding)) + "\n")
                    if self.options.explain:
                        explained = self._explanation(finding)
                        out.extend(f"    {printable(line)}\n" for line in explained)
                out.append("\n")
        if report.diagnostics:
            out.append(f"{len(report.diagnostics)} diagnostic(s):\n")
            for d in report.diagnostics:
                where = f"{d.path}:{d.line}" if d.line else d.path
                out.append(printable(f"  {where}: {d.kind}: {d.message}") + "\n")
            out.append("\n")
        out.append(self._footer(report) + "\n")
        return "".join(out)

    def _rich(self, report: ScanReport) -> str:
        from rich.text import Text

        buffer = io.StringIO()
        console = text_console(buffer, self.options.color, self.options.width)
        plain = not self.options.color

        def emit(text: Text) -> None:
            # Without colour a line is its plain text: written as it is, not laid out by
            # rich (which costs about 0.15 ms a line: seconds on a large tree).
            if plain:
                buffer.write(text.plain + "\n")
            else:
                console.print(text)

        if self.options.quiet:
            for finding in report.findings:
                emit(Text(self._line(finding)))
            if self.options.show_compliant:
                for call in report.compliant_calls:
                    emit(Text(self._compliant_line(call)))
            return buffer.getvalue()
        console.print(rich_table(self._table(report)))
        if report.baseline is not None:
            console.print(rich_table(self._ratchet_table(report)))
        if not self.options.summary_only and report.finding_count:
            console.print()
            for path, group in groupby(report.findings, key=lambda f: f.path):
                emit(Text(printable(path), style="bold"))
                for finding in group:
                    emit(self._styled_line(finding))
                    if report.baseline is not None:
                        hint = printable(report.hint(finding.category))
                        emit(Text.assemble("    ", ("use instead:", "green"), f" {hint}"))
                    if self.options.explain:
                        for line in self._explanation(finding):
                            emit(Text(f"    {printable(line)}", style="dim"))
                console.print()
        if self.options.show_compliant and not self.options.summary_only:
            self._print_compliant(console, report)
        if report.diagnostics:
            console.print(Text(f"{len(report.diagnostics)} diagnostic(s):", style="yellow"))
            for d in report.diagnostics:
                where = f"{d.path}:{d.line}" if d.line else d.path
                console.print(Text(printable(f"  {where}: {d.kind}: {d.message}")))
            console.print()
        console.print(Text(self._footer(report)))
        return buffer.getvalue()

    @staticmethod
    def _table(report: ScanReport) -> TableSpec:
        """The audit table: categories by rule, with the factory calls and adoption."""
        headers = ("Category", *report.rules, "Total", "Compliant", "Adoption")
        right: Justify = "right"
        justify: tuple[Justify, ...] = ("left", *[right] * (len(headers) - 1))
        rows: list[tuple[str, ...]] = []
        sections: set[int] = set()
        bold: set[int] = set()
        for row in report.audit_rows():
            if row.is_total:
                sections.add(len(rows))
                bold.add(len(rows))
            rows.append(
                (
                    "Total" if row.is_total else printable(row.category),
                    *(str(row.by_rule.get(code, 0)) for code in report.rules),
                    str(row.total),
                    str(row.compliant),
                    percent(row.adoption),
                )
            )
        return TableSpec(
            "Ad-hoc test doubles by category and rule",
            headers,
            justify,
            tuple(rows),
            frozenset(sections),
            frozenset(bold),
        )

    @staticmethod
    def _ratchet_table(report: ScanReport) -> TableSpec:
        """New, baselined and gone findings by category."""
        status = report.baseline
        assert status is not None
        keys = ("new", "baselined", "gone")
        totals = dict.fromkeys(keys, 0)
        rows: list[tuple[str, ...]] = []
        for category, row in report.ratchet().items():
            rows.append((printable(category), *(str(row[k]) for k in keys)))
            for key in totals:
                totals[key] += row[key]
        rows.append(("Total", *(str(totals[k]) for k in keys)))
        return TableSpec(
            f"Against the baseline {printable(status.path)}",
            ("Category", "New", "Baselined", "Gone"),
            ("left", "right", "right", "right"),
            tuple(rows),
            frozenset({len(rows) - 1}),
            frozenset({len(rows) - 1}),
        )

    @staticmethod
    def _line(finding: Finding) -> str:
        """`path:line:col: CODE message [category]`, printable."""
        return printable(
            f"{finding.path}:{finding.line}:{finding.col + 1}: "
            f"{finding.code} {message(finding)} [{finding.category}]"
        )

    @staticmethod
    def _line_parts(finding: Finding) -> tuple[str, str, str, str]:
        """A finding's line under its file's name, in the parts that are styled apart."""
        return (
            printable(f"{finding.path}:{finding.line}:{finding.col + 1}: "),
            finding.code,
            f" {printable(message(finding))} ",
            printable(f"[{finding.category}]"),
        )

    def _styled_line(self, finding: Finding) -> Text:
        from rich.text import Text

        where, code, said, category = self._line_parts(finding)
        return Text.assemble(where, (code, "bold red"), said, (category, "cyan"))

    @staticmethod
    def _compliant_line(call: CompliantCall) -> str:
        """`path:line:col: compliant CALL [category]`, printable."""
        return printable(
            f"{call.path}:{call.line}:{call.col + 1}: compliant {call.call} [{call.category}]"
        )

    @staticmethod
    def _print_compliant(console: Console, report: ScanReport) -> None:
        """The factory calls, one line each, after the findings: marked and dimmed."""
        from rich.text import Text

        calls = report.compliant_calls
        if not calls:
            console.print(Text("No compliant factory calls.", style="dim"))
            console.print()
            return
        console.print(Text(f"{plural(len(calls), 'compliant factory call')}:", style="green"))
        for call in calls:
            console.print(
                Text.assemble(
                    (printable(f"{call.path}:{call.line}:{call.col + 1}: "), "dim"),
                    ("compliant", "green"),
                    (f" {printable(call.call)} ", "dim"),
                    (printable(f"[{call.category}]"), "dim cyan"),
                )
            )
        console.print()

    @staticmethod
    def _explanation(finding: Finding) -> list[str]:
        if not finding.evidence:
            return [f"evidence: none -> {finding.category} (the fallback)"]
        scores: dict[str, int] = {}
        for e in finding.evidence:
            scores[e.category] = scores.get(e.category, 0) + e.weight
        lines = [f"evidence: {e.describe()}" for e in finding.evidence]
        ranking = ", ".join(f"{c} {s}" for c, s in sorted(scores.items(), key=lambda i: -i[1]))
        lines.append(f"decided: {finding.category} (scores: {ranking})")
        return lines

    @staticmethod
    def _footer(report: ScanReport) -> str:
        found = report.finding_count
        new = " new" if report.baseline is not None else ""
        files = plural(report.files_with_findings, "file")
        parts = [f"Found {found}{new} ad-hoc test double{'s' if found != 1 else ''} in {files}"]
        if report.baseline is not None:
            parts.append(
                f"{report.baseline.baselined_count} baselined, {len(report.baseline.gone)} gone"
            )
        if report.suppressed_count:
            parts.append(f"{report.suppressed_count} suppressed")
        parts.append(plural(report.total_compliant, "factory call"))
        parts.append(f"adoption {percent(report.adoption)}")
        scanned = f"Scanned {plural(report.files_scanned, 'file')}"
        return "; ".join(parts) + f". {scanned} in {report.elapsed:.2f}s."
