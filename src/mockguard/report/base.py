"""The formatter interface: a pure function from a report to text, no I/O."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from mockguard.report.model import ScanReport


@dataclass(frozen=True)
class FormatOptions:
    """How a report is rendered."""

    color: bool = False
    explain: bool = False
    quiet: bool = False
    summary_only: bool = False
    width: int = 100


class Formatter(ABC):
    """Renders a :class:`ScanReport` in one format."""

    def __init__(self, options: FormatOptions) -> None:
        self.options = options

    @abstractmethod
    def format(self, report: ScanReport) -> str:
        """The whole report as text."""


def get_formatter(name: str, options: FormatOptions) -> Formatter:
    """The formatter for a format name (the CLI validates the name)."""
    if name == "json":
        from mockguard.report.json import JsonFormatter

        return JsonFormatter(options)
    if name == "sarif":
        from mockguard.report.sarif import SarifFormatter

        return SarifFormatter(options)
    if name == "github":
        from mockguard.report.github import GithubFormatter

        return GithubFormatter(options)
    if name == "html":
        from mockguard.report.html import HtmlFormatter

        return HtmlFormatter(options)
    from mockguard.report.text import TextFormatter

    return TextFormatter(options)
