"""Text: the audit table of categories by rule, then the findings grouped by file."""

from __future__ import annotations

import io
from itertools import groupby
from typing import TYPE_CHECKING

from rich.text import Text

from mockguard.findings import CompliantCall, Finding
from mockguard.report.base import Formatter
from mockguard.report.model import ScanReport, percent, plural
from mockguard.report.safe import printable
from mockguard.scan.rules import message

if TYPE_CHECKING:
    from rich.console import Console


class TextFormatter(Formatter):
    """Human-readable output; colour only when asked for (on a terminal).

    Nothing from the scan is ever read as Rich markup or emoji codes: every path, message
    and name goes in as a :class:`rich.text.Text`, made :func:`printable` first, so that
    `test_:100:.py` prints as it is named and `path:line:col` stays parseable.
    """

    def format(self, report: ScanReport) -> str:
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=self.options.color,
            no_color=not self.options.color,
            color_system="auto" if self.options.color else None,
            width=self.options.width,
            highlight=False,
            markup=False,
            emoji=False,
            soft_wrap=True,
        )
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
        console.print(self._table(report))
        if report.baseline is not None:
            console.print(self._ratchet_table(report))
        if not self.options.summary_only and report.findings:
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

    def _table(self, report: ScanReport) -> object:
        from rich.table import Table

        table = Table(title=Text("Ad-hoc test doubles by category and rule"), title_justify="left")
        table.add_column("Category", style="bold")
        for code in report.rules:
            table.add_column(code, justify="right")
        for name in ("Total", "Compliant", "Adoption"):
            table.add_column(name, justify="right")
        for row in report.audit_rows():
            if row.is_total:
                table.add_section()
            table.add_row(
                Text("Total" if row.is_total else printable(row.category)),
                *(str(row.by_rule.get(code, 0)) for code in report.rules),
                str(row.total),
                str(row.compliant),
                percent(row.adoption),
                style="bold" if row.is_total else None,
            )
        return table

    @staticmethod
    def _ratchet_table(report: ScanReport) -> object:
        from rich.table import Table

        status = report.baseline
        assert status is not None
        title = Text(f"Against the baseline {printable(status.path)}")
        table = Table(title=title, title_justify="left")
        table.add_column("Category", style="bold")
        for name in ("New", "Baselined", "Gone"):
            table.add_column(name, justify="right")
        totals = {"new": 0, "baselined": 0, "gone": 0}
        for category, row in report.ratchet().items():
            table.add_row(
                Text(printable(category)), str(row["new"]), str(row["baselined"]), str(row["gone"])
            )
            for key in totals:
                totals[key] += row[key]
        table.add_section()
        table.add_row(
            "Total", *(str(totals[k]) for k in ("new", "baselined", "gone")), style="bold"
        )
        return table

    @staticmethod
    def _line(finding: Finding) -> str:
        """`path:line:col: CODE message [category]`, printable."""
        return printable(
            f"{finding.path}:{finding.line}:{finding.col + 1}: "
            f"{finding.code} {message(finding)} [{finding.category}]"
        )

    @staticmethod
    def _styled_line(finding: Finding) -> Text:
        return Text.assemble(
            printable(f"{finding.path}:{finding.line}:{finding.col + 1}: "),
            (finding.code, "bold red"),
            f" {printable(message(finding))} ",
            (printable(f"[{finding.category}]"), "cyan"),
        )

    @staticmethod
    def _compliant_line(call: CompliantCall) -> str:
        """`path:line:col: compliant CALL [category]`, printable."""
        return printable(
            f"{call.path}:{call.line}:{call.col + 1}: compliant {call.call} [{call.category}]"
        )

    @staticmethod
    def _print_compliant(console: Console, report: ScanReport) -> None:
        """The factory calls, one line each, after the findings: marked and dimmed."""
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
        found = len(report.findings)
        new = " new" if report.baseline is not None else ""
        files = plural(report.files_with_findings, "file")
        parts = [f"Found {found}{new} ad-hoc test double{'s' if found != 1 else ''} in {files}"]
        if report.baseline is not None:
            parts.append(
                f"{len(report.baseline.baselined)} baselined, {len(report.baseline.gone)} gone"
            )
        if report.suppressed:
            parts.append(f"{len(report.suppressed)} suppressed")
        parts.append(plural(report.total_compliant, "factory call"))
        parts.append(f"adoption {percent(report.adoption)}")
        scanned = f"Scanned {plural(report.files_scanned, 'file')}"
        return "; ".join(parts) + f". {scanned} in {report.elapsed:.2f}s."
