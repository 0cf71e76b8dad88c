"""The rule registry: each code maps to its rule, and a rule owns its documentation,
message template and check (one module per rule, next to this one).

`mockguard rules`, SARIF rule help and every report's messages are generated from
:data:`RULES`.
"""

from __future__ import annotations

from mockguard.config import Settings
from mockguard.findings import Finding, RuleCode, Severity
from mockguard.scan.rules import (
    attribute_wiring,
    direct_construction,
    duplicated_setup,
    hand_written_double,
    patching,
)
from mockguard.scan.rules.base import Rule

__all__ = ["RULES", "Rule", "lookup", "message", "severity_of"]

RULES: dict[RuleCode, Rule] = {
    rule.code: rule
    for rule in (
        direct_construction.RULE,
        attribute_wiring.RULE,
        patching.RULE,
        hand_written_double.RULE,
        duplicated_setup.RULE,
    )
}
"""The registry: rule code -> rule."""

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


def lookup(code_or_name: str) -> Rule | None:
    """Find a rule by its code (`MG101`, any case) or its name (`direct-mock-construction`)."""
    code = code_or_name.upper()
    by_code = next((rule for known, rule in RULES.items() if known == code), None)
    return by_code or RULES_BY_NAME.get(code_or_name.lower())


class _Arguments(dict[str, str]):
    """A finding's message arguments. One it lacks (a finding recorded before its rule had
    that argument, as in an older cache) is shown as `?`, never an error."""

    def __missing__(self, key: str) -> str:
        return "?"


def message(finding: Finding) -> str:
    """A finding's message, rendered from its rule's template."""
    return RULES[finding.code].message.format_map(_Arguments(finding.args))


def severity_of(settings: Settings, code: RuleCode, category: str) -> Severity:
    """A finding's severity: the category's if it sets one, then the rule's configured
    one, then the rule's default."""
    return settings.configured_severity(code, category) or RULES[code].severity
