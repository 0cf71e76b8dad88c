"""The pytest plugin, run as a user runs it (pytester)."""

from __future__ import annotations

import pytest


def test_fixtures_are_fresh_strict_and_per_test(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(
        """
        import pytest
        from starlette.websockets import WebSocket

        SEEN = []

        async def test_websocket(mock_websocket, mock_factory, mock_user_context):
            assert isinstance(mock_websocket, WebSocket)
            await mock_websocket.send_json({"type": "agent_started"})
            [event] = mock_factory.sent(mock_websocket)
            assert event.user_id == mock_user_context.user_id
            with pytest.raises(AttributeError, match="did you mean `send_json`"):
                mock_websocket.send_jsn
            SEEN.append(mock_user_context.user_id)

        def test_second_test_gets_a_fresh_factory(mock_factory, mock_user_context):
            assert len(mock_factory.events) == 0
            assert mock_user_context.user_id not in SEEN

        async def test_db_and_agent(mock_db_session, mock_agent):
            await mock_db_session.commit()
            mock_db_session.commit.assert_awaited_once()
            assert await mock_agent.run(None, "hi") == ""
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)


INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


def test_configured_kinds_reach_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        contract="""
        from typing import Protocol

        class Clock(Protocol):
            def now(self) -> float: ...
        """
    )
    pytester.makefile(
        ".toml",
        mockguard='[kinds.clock]\ninterface = "contract:Clock"\ndefaults = { now = 42.0 }\n',
    )
    pytester.makepyfile(
        test_clock="""
        def test_clock(mock_factory):
            clock = mock_factory.create("clock")
            assert clock.now() == 42.0
        """
    )
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_verify_option_stops_the_run_on_drift(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        contract="""
        from typing import Protocol

        class Store(Protocol):
            def save(self, key: str) -> None: ...
        """,
        production="""
        class Store:
            async def save(self, key: str) -> None:
                pass
        """,
        test_any="def test_nothing():\n    pass\n",
    )
    pytester.makefile(
        ".toml",
        mockguard='[kinds.store]\ninterface = "contract:Store"\nproduction = "production:Store"\n',
    )
    pytester.syspathinsert()
    result = pytester.runpytest("--mockguard-verify")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*1 drift(s) between factory kinds and production*", "*store.save: sync-async*"]
    )
    plain = pytester.runpytest()
    plain.assert_outcomes(passed=1)
