"""The kind catalog that the hints, `fix` and `dupes --suggest` read, and the rule registry's
agreement with the data model's codes."""

from __future__ import annotations

import json
from pathlib import Path

from mockguard.catalog import BUILTIN_KINDS, kind_catalog
from mockguard.config import Settings
from mockguard.factory.kinds import builtin_kinds
from mockguard.findings import DEFAULT_RULES, RULE_CODES
from mockguard.scan.rules import RULES


def test_every_builtin_catalog_kind_is_a_factory_kind_of_the_same_category() -> None:
    factory = {k.name: k for k in builtin_kinds()}
    for entry in BUILTIN_KINDS:
        assert entry.name in factory
        assert factory[entry.name].category == entry.category


def test_the_registry_holds_one_rule_per_code_and_the_default_selection() -> None:
    assert tuple(RULES) == RULE_CODES
    assert DEFAULT_RULES == tuple(c for c, r in RULES.items() if r.enabled_by_default)


def test_a_configured_kind_joins_its_categorys_hint(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mockguard.kinds.payments]\ninterface = "app.pay:Gateway"\ncategory = "database"\n'
    )
    (tmp_path / "test_pay.py").write_text(
        "from unittest.mock import MagicMock\n\ndef test_pay():\n    session = MagicMock()\n"
        "    session.commit.return_value = None\n"
    )
    done = run_cli("scan", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["category"] == "database"
    assert finding["use_instead"].startswith("SSotMockFactory.create_database_session_mock()")
    assert 'mock_factory.create("payments")' in finding["use_instead"]


def test_a_configured_kind_of_a_builtin_name_keeps_the_builtin_call() -> None:
    from mockguard.config import KindConfig

    settings = Settings(kinds=(KindConfig("llm_client", interface="app.llm:Client"),))
    catalog = kind_catalog(settings)
    entry = catalog.get("llm_client")
    assert entry is not None and entry.builtin and entry.interface == "app.llm:Client"
    assert entry.call == "SSotMockFactory.create_llm_client_mock()"
    assert [k.name for k in catalog.rewrite_candidates("agent")] == [
        "agent",
        "llm_client",
        "tool",
        "llm_manager",
    ]
