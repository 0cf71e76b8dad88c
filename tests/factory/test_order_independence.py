"""Nothing the facade records crosses tests: two tests pass and fail the same in either order.

Test A sends all five lifecycle events for "test-user"; test B sends only `agent_started`.
B's contract check must fail whether it runs alone, after A or before A, and A must pass in
every order. The runs are real pytest sessions (pytester), in the order given on the
command line, with `-p no:randomly`.
"""

from __future__ import annotations

import pytest

TWO_TESTS = """
import pytest
from mockguard import SSotMockFactory, default_factory

EVENTS = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]


@pytest.mark.asyncio
async def test_a_sends_all_five():
    ws = SSotMockFactory.create_websocket_mock()
    for name in EVENTS:
        await ws.send_json({"type": name, "user_id": "test-user"})
    default_factory.assert_events(user_id="test-user")


@pytest.mark.asyncio
async def test_b_sends_only_started():
    ws = SSotMockFactory.create_websocket_mock()
    await ws.send_json({"type": "agent_started", "user_id": "test-user"})
    default_factory.assert_events(user_id="test-user")
"""

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makepyfile(test_two=TWO_TESTS)
    return pytester


def outcomes(pytester: pytest.Pytester, *ids: str) -> dict[str, str]:
    """Run the tests `ids` in that order; the outcome of each."""
    args = [f"test_two.py::{name}" for name in ids]
    result = pytester.runpytest("-p", "no:randomly", "-v", *args)
    found: dict[str, str] = {}
    for line in result.outlines:
        for name in ids:
            if line.startswith(f"test_two.py::{name} ") and name not in found:
                found[name] = line.split()[1]
    assert list(found) == list(ids), result.outlines  # run in the order given
    return found


@pytest.mark.parametrize(
    "order",
    [
        ("test_b_sends_only_started",),
        ("test_a_sends_all_five", "test_b_sends_only_started"),
        ("test_b_sends_only_started", "test_a_sends_all_five"),
    ],
    ids=["b-alone", "a-then-b", "b-then-a"],
)
def test_outcomes_do_not_depend_on_the_order(project: pytest.Pytester, order: tuple[str]) -> None:
    found = outcomes(project, *order)
    assert found["test_b_sends_only_started"] == "FAILED"
    if "test_a_sends_all_five" in found:
        assert found["test_a_sends_all_five"] == "PASSED"


def test_registrations_and_users_do_not_cross_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_state="""
        from typing import Protocol

        from mockguard import SSotMockFactory, default_factory

        class Clock(Protocol):
            def now(self) -> float: ...

        SEEN = []

        def test_first_registers_and_records(mock_factory):
            default_factory.register("clock", Clock)  # in a test: this test's factory
            assert SSotMockFactory.create_mock("clock").now.__class__.__name__ == "SyncMember"
            SEEN.append(mock_factory.test_user.user_id)
            assert mock_factory is SSotMockFactory.factory()

        def test_second_sees_none_of_it(mock_factory):
            assert "clock" not in default_factory
            assert len(default_factory.events) == 0
            assert mock_factory.test_user.user_id not in SEEN
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
