"""A rule's declaration: its code, name, message template, documentation and check."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockguard.findings import RuleCode, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: a code, a kebab-case name, a message template, its documentation, and the
    check that says what a site of the rule is (called by the visitor, or after the walk
    for rules that span files)."""

    code: RuleCode
    name: str
    summary: str
    message: str
    severity: Severity
    enabled_by_default: bool
    doc: str
    check: Callable[..., Any]

    def render(self, **args: str) -> str:
        """Fill the message template with the finding's arguments."""
        return self.message.format(**args)

    def sections(self) -> dict[str, str]:
        """The documentation split into its headed sections (What it does, Why is this bad?...)."""
        sections: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in inspect.cleandoc(self.doc).splitlines():
            if line.startswith("## "):
                if current is not None:
                    sections[current] = "\n".join(lines).strip()
                current, lines = line[3:].strip(), []
            else:
                lines.append(line)
        if current is not None:
            sections[current] = "\n".join(lines).strip()
        return sections
