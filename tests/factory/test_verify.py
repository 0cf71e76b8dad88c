"""Drift between a kind's interface and its production class: `mockguard verify`."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from mockguard.factory.kinds import Kind
from mockguard.factory.verify import verify_kinds

CONTRACT = """\
from typing import Any, Protocol


class Notifier(Protocol):
    name: str

    async def send(self, user_id: str, data: dict[str, Any]) -> int: ...

    def close(self) -> None: ...

    async def flush(self, timeout: float = 1.0) -> None: ...
"""

MATCHING = """\
from typing import Any


class Notifier:
    name = "real"

    async def send(self, user_id: str, data: dict[str, Any]) -> int:
        return 1

    def close(self) -> None:
        pass

    async def flush(self, timeout: float = 1.0) -> None:
        pass
"""

# The production class after three changes: `send` renamed, `close` made async, and a new
# required parameter on `flush`.
CHANGED = """\
from typing import Any


class Notifier:
    name = "real"

    async def send_message(self, user_id: str, data: dict[str, Any]) -> int:
        return 1

    async def close(self) -> None:
        pass

    async def flush(self, timeout: float, channel: str) -> None:
        pass
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary project whose modules are importable, removed afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith(("contract_", "impl_"))]:
        del sys.modules[name]


def write_module(root: Path, name: str, text: str) -> None:
    (root / f"{name}.py").write_text(text)


def test_matching_production_has_no_drift(project: Path) -> None:
    write_module(project, "contract_a", CONTRACT)
    write_module(project, "impl_a", MATCHING)
    drifts, checked = verify_kinds(
        [Kind("notifier", "contract_a:Notifier", production="impl_a:Notifier")]
    )
    assert checked == ["notifier"]
    assert drifts == []


def test_changed_production_is_reported(project: Path) -> None:
    write_module(project, "contract_b", CONTRACT)
    write_module(project, "impl_b", CHANGED)
    drifts, _ = verify_kinds(
        [Kind("notifier", "contract_b:Notifier", production="impl_b:Notifier")]
    )
    found = {(d.member, d.problem) for d in drifts}
    assert ("send", "missing-in-production") in found
    assert ("close", "sync-async") in found
    assert ("flush", "signature") in found
    renamed = next(d for d in drifts if d.member == "send")
    assert "renamed to `send_message`?" in renamed.detail
    flush = next(d for d in drifts if d.member == "flush")
    assert "production requires `channel`" in flush.detail
    extra = next(d for d in drifts if d.member == "send_message")
    assert extra.problem == "missing-in-interface" and not extra.breaking


def test_kinds_without_production_are_not_checked() -> None:
    drifts, checked = verify_kinds([Kind("thing", "collections:OrderedDict")])
    assert (drifts, checked) == ([], [])


def test_verify_command(project: Path, run_cli) -> None:
    write_module(project, "contract_c", CONTRACT)
    write_module(project, "impl_c", CHANGED)
    (project / "mockguard.toml").write_text(
        textwrap.dedent(
            """\
            [kinds.notifier]
            interface = "contract_c:Notifier"
            production = "impl_c:Notifier"
            """
        )
    )
    result = run_cli("verify", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "notifier.close: sync-async:" in result.stdout
    assert "Checked 1 kind(s) against production: notifier; 3 drift(s), 1 note(s)." in result.stdout
    as_json = run_cli("verify", "--format", "json", cwd=project)
    document = json.loads(as_json.stdout)
    assert document["checked"] == ["notifier"]
    assert {d["problem"] for d in document["drift"]} == {
        "missing-in-production",
        "missing-in-interface",
        "sync-async",
        "signature",
    }
    write_module(project, "impl_c", MATCHING)
    clean = run_cli("verify", cwd=project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no drift" in clean.stdout


def test_verify_with_an_unimportable_class_is_a_one_line_error(project: Path, run_cli) -> None:
    (project / "mockguard.toml").write_text('[kinds.thing]\ninterface = "no_such_module:Thing"\n')
    result = run_cli("verify", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "mockguard: error: kind `thing`: cannot import `no_such_module`"
    )
    assert len(result.stderr.strip().splitlines()) == 1
