"""Property tests: the scanner never raises and never fails inside, whatever it is given.

A failure inside the walk does not raise: it becomes an `internal-error` diagnostic (and
fails the scan). So every example is checked for that diagnostic too, not only for an
exception.
"""

from __future__ import annotations

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockguard.config import Settings
from mockguard.scan.engine import scan_source
from mockguard.scan.rules import message

SETTINGS = Settings()
MOCK_WORDS = [
    "MagicMock()",
    "patch(",
    "mocker.patch(",
    "class FakeX:",
    "import mock",
    "\x00",
    "(",
    "#",
]
COMMON = dict(deadline=None, suppress_health_check=list(HealthCheck))


def _scan(data: bytes) -> None:
    for use_prefilter in (True, False):
        result = scan_source(data, "fuzz.py", SETTINGS, use_prefilter=use_prefilter)
        errors = [d for d in result.diagnostics if d.kind == "internal-error"]
        assert not errors, errors
        for finding in result.findings:
            assert finding.line >= 1 and finding.col >= 0
            assert message(finding)


@settings(max_examples=300, **COMMON)
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    _scan(data)


@settings(max_examples=300, **COMMON)
@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(MOCK_WORDS)), max_size=20))
def test_arbitrary_text_with_mock_words(parts: list[str]) -> None:
    _scan("".join(parts).encode("utf-8", errors="surrogatepass"))


@settings(max_examples=100, **COMMON)
@given(hypothesmith.from_grammar())
def test_arbitrary_valid_python(source: str) -> None:
    _scan(source.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=100, **COMMON)
@given(hypothesmith.from_node())
def test_arbitrary_python_trees(source: str) -> None:
    _scan(source.encode("utf-8", errors="surrogatepass"))


@pytest.mark.slow
@settings(max_examples=3000, **COMMON)
@given(hypothesmith.from_grammar())
def test_arbitrary_valid_python_long(source: str) -> None:
    _scan(source.encode("utf-8", errors="surrogatepass"))
