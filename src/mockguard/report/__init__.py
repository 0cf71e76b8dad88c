"""Reports: one formatter per output format, found through :data:`FORMATTERS`.

Formatters are imported only when used (a scan that prints text never loads the HTML
page's code), so the registry names each one's module and class.
"""

from __future__ import annotations

import importlib

from mockguard.report.base import FormatOptions, Formatter, ProjectInfo, ReportExtras

__all__ = [
    "FORMATTERS",
    "FormatOptions",
    "Formatter",
    "ProjectInfo",
    "ReportExtras",
    "get_formatter",
]

FORMATTERS: dict[str, tuple[str, str]] = {
    "text": ("mockguard.report.text", "TextFormatter"),
    "json": ("mockguard.report.json", "JsonFormatter"),
    "sarif": ("mockguard.report.sarif", "SarifFormatter"),
    "github": ("mockguard.report.github", "GithubFormatter"),
    "html": ("mockguard.report.html", "HtmlFormatter"),
}
"""The registry: format name -> (module, formatter class)."""


def get_formatter(
    name: str, options: FormatOptions, extras: ReportExtras | None = None
) -> Formatter:
    """The formatter for a format name (one of :data:`FORMATTERS`)."""
    module, cls = FORMATTERS[name]
    formatter: type[Formatter] = getattr(importlib.import_module(module), cls)
    return formatter(options, extras)
