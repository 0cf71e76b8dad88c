"""`pytest --mockguard`: the collected test files are scanned, the baseline honoured."""

from __future__ import annotations

import json

import pytest

AD_HOC = """
from unittest.mock import MagicMock

def test_uses_a_socket():
    ws = MagicMock()
    ws.send_json({"type": "agent_started"})
    ws.send_json.assert_called_once()
"""

CLEAN = """
def test_plain():
    assert 1 + 1 == 2
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makefile(".toml", mockguard="")
    return pytester


def test_clean_suite_passes(project: pytest.Pytester) -> None:
    project.makepyfile(test_clean=CLEAN)
    result = project.runpytest("--mockguard")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        ["mockguard: no new ad-hoc test doubles in 1 test files (0 baselined)"]
    )


def test_new_ad_hoc_mock_fails_the_session(project: pytest.Pytester) -> None:
    project.makepyfile(test_clean=CLEAN, test_socket=AD_HOC)
    result = project.runpytest("--mockguard")
    result.assert_outcomes(passed=2)  # the tests themselves pass...
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # ...the session does not
    result.stdout.fnmatch_lines(
        [
            "*mockguard: new ad-hoc test doubles*",
            "test_socket.py:4:10: MG101 MagicMock() builds an ad-hoc mock [websocket]",
            "    use instead: SSotMockFactory.create_websocket_mock()*",
            "mockguard: 1 new ad-hoc test double(s) in the collected test files (0 baselined)*",
        ]
    )
    without = project.runpytest()
    assert without.ret == pytest.ExitCode.OK


def test_baseline_is_honoured_and_the_report_written(project: pytest.Pytester, run_cli) -> None:
    project.makepyfile(test_socket=AD_HOC)
    written = run_cli("baseline", cwd=project.path)
    assert written.returncode == 0, written.stderr
    report = project.path / "mockguard-report.json"
    result = project.runpytest("--mockguard", f"--mockguard-report={report}")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        ["mockguard: no new ad-hoc test doubles in 1 test files (1 baselined)"]
    )
    document = json.loads(report.read_text())
    assert document["baseline"]["baselined"] == 1 and document["findings"] == []


def test_a_corrupt_baseline_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makepyfile(test_socket=AD_HOC)
    (project.path / ".mockguard-baseline.json").write_text("{oops")
    result = project.runpytest("--mockguard")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mockguard:*corrupt baseline*"])
