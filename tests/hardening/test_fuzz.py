"""Fuzzing shapes and the codemod: no exception escapes; rewrites parse and are idempotent."""

from __future__ import annotations

import ast

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libcst import ParserSyntaxError
from libcst.codemod import CodemodContext, TransformFailure, TransformSuccess, transform_module

from mockguard.config import Settings
from mockguard.findings import DEFAULT_RULES
from mockguard.fix.command import ReplaceAdHocMocksCommand
from mockguard.scan.engine import scan_source

SETUPS = [
    "from unittest.mock import AsyncMock, MagicMock\n",
    "def test_ws():\n    ws = MagicMock()\n    ws.send_json = AsyncMock()\n    ws.accept = AsyncMock(return_value=None)\n",
    "async def test_db():\n    session = AsyncMock()\n    session.commit = AsyncMock(side_effect=RuntimeError)\n    await session.commit()\n",
    "class TestA:\n    def setUp(self):\n        self.agent = MagicMock()\n        self.agent.run = AsyncMock(return_value='x')\n",
    "def test_odd():\n    m = MagicMock(); m.send_json = AsyncMock()\n    setattr(m, name, 1)\n",
]
WITH_SHAPES = Settings(select=(*DEFAULT_RULES, "MG401"))
COMMON = {"deadline": None, "suppress_health_check": list(HealthCheck)}


def check(source: str) -> None:
    # With MG401 on, the engine also gathers every setup's shape in its pass.
    scanned = scan_source(source.encode("utf-8", "surrogatepass"), "fuzz.py", WITH_SHAPES)
    assert not [d for d in scanned.diagnostics if d.kind == "internal-error"], scanned.diagnostics
    result = transform_module(ReplaceAdHocMocksCommand(CodemodContext(filename="fuzz.py")), source)
    # LibCST's own parser rejects a few sources CPython accepts (a line continuation before a
    # final CRLF): `fix` reports those files as not rewritten; anything else is a bug.
    if isinstance(result, TransformFailure):
        assert isinstance(result.error, ParserSyntaxError), result.error
    if isinstance(result, TransformSuccess) and result.code != source:
        ast.parse(result.code)
        again = transform_module(
            ReplaceAdHocMocksCommand(CodemodContext(filename="fuzz.py")), result.code
        )
        assert not isinstance(again, TransformSuccess) or again.code == result.code


code_with_mocks = st.tuples(
    hypothesmith.from_grammar(), st.lists(st.sampled_from(SETUPS), min_size=1, max_size=4)
).map(lambda parts: SETUPS[0] + "\n".join(parts[1]) + "\n" + parts[0])


@settings(max_examples=150, **COMMON)
@given(code_with_mocks)
def test_shapes_and_codemod_on_generated_code(source: str) -> None:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return
    check(source)


@pytest.mark.slow
@settings(max_examples=2000, **COMMON)
@given(code_with_mocks)
def test_shapes_and_codemod_on_generated_code_long(source: str) -> None:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return
    check(source)
