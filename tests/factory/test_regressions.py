"""Guarantees the facade and the factory once broke, one group per guarantee:

state never crossing tests (and the facade checked at teardown); configured kinds and
project classes honoured by the facade; guards kept by `register`; assigned members still
checked; loud unconfigured results, honoured defaults, fresh dicts; interfaces resolved
once and recompiled when changed; contracts checked per run; contamination caught wherever
a user id travels; drift and forgotten awaits reported.
"""

from __future__ import annotations

import json
import sys
import types
import warnings
from typing import Any, Protocol
from unittest.mock import AsyncMock, MagicMock

import pytest

from mockguard.factory import (
    LIFECYCLE_EVENTS,
    ContaminationError,
    EventContractError,
    Kind,
    MockFactory,
    MockguardWarning,
    MockLeakError,
    SSotMockFactory,
    UnconfiguredValueError,
    UserExecutionContext,
    assert_events,
    compile_interface,
    default_factory,
    using,
)
from mockguard.factory.interface import Interface
from mockguard.factory.verify import compare

from .helpers import lifecycle_payloads

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


def user(user_id: str) -> UserExecutionContext:
    return UserExecutionContext(user_id=user_id)


# -------------------------------------------------- state crossing tests, teardown


def test_the_facade_fails_the_test_on_refusals_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pytest
        from mockguard import SSotMockFactory

        @pytest.mark.asyncio
        async def test_code_that_swallows_a_contamination():
            ws = SSotMockFactory.create_websocket_mock(user_id="alice")
            try:
                await ws.send_json({"type": "x", "user_id": "bob"})
            except Exception:
                pass  # the code under test hides the refusal
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*ContaminationError*'bob'*'alice'*"])


@pytest.mark.asyncio
async def test_reset_forgets_everything_outside_pytest() -> None:
    factory = MockFactory()
    factory.register("clock", Clock)
    ws = factory.create("websocket")
    await ws.send_json({"type": "agent_started"})
    factory.reset()
    assert len(factory.events) == 0 and "clock" not in factory
    assert factory.problems() == []


class Clock(Protocol):
    def now(self) -> float: ...


# -------------------------------------------- configured kinds, project classes


def test_the_facade_knows_the_configured_kinds(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        contract="""
        from typing import Protocol

        class Notifier(Protocol):
            async def notify(self, user_id: str, text: str) -> bool: ...
        """
    )
    pytester.makefile(".toml", mockguard='[kinds.notifier]\ninterface = "contract:Notifier"\n')
    pytester.makepyfile(
        test_notifier="""
        import pytest
        from mockguard import SSotMockFactory

        @pytest.mark.asyncio
        async def test_notifier():
            notifier = SSotMockFactory.create_mock("notifier", notify=True)
            assert await notifier.notify("u", "hi") is True
            notifier = SSotMockFactory.create_mock("Notifier")  # by the class name too
            assert await notifier.notify("u", "hi") is not None
        """
    )
    pytester.syspathinsert()
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


class SupervisorAgent:
    """A project agent: no `run`, no `name`; `execute` instead."""

    agent_type: str = "supervisor"

    async def execute(self, context: Any, message: str) -> dict[str, Any]:
        return {}


@pytest.mark.asyncio
async def test_facade_methods_work_for_a_kind_bound_to_a_project_class() -> None:
    default_factory.register("agent", SupervisorAgent)  # in a test: this test's factory
    agent = SSotMockFactory.create_agent_mock("triage", {"answer": 1})
    assert isinstance(agent, SupervisorAgent)
    assert agent.agent_type == "triage"
    assert await agent.execute(None, "q") == {"answer": 1}
    with pytest.raises(TypeError, match="missing a required argument"):
        await agent.execute(None)  # the project's signature


# ----------------------------------------------------------- register keeps guards


class MyWebSocket:
    async def send_json(self, data: Any) -> None: ...

    async def send_text(self, data: str) -> None: ...


@pytest.mark.asyncio
async def test_register_keeps_the_leak_contamination_and_event_guards() -> None:
    factory = MockFactory()
    factory.register("websocket", MyWebSocket)
    ws = factory.create("websocket", user("alice"))
    with pytest.raises(MockLeakError):
        await ws.send_json({"result": MagicMock()})
    with pytest.raises(ContaminationError):
        await ws.send_json({"user_id": "bob"})
    await ws.send_json({"type": "agent_started"})
    assert [e.payload for e in factory.sent(ws)] == [{"type": "agent_started"}]
    assert factory.get_kind("websocket").category == "websocket"


# -------------------------------------------------------------- assigned members


@pytest.mark.asyncio
async def test_an_assigned_member_keeps_every_check() -> None:
    factory = MockFactory()
    ws = factory.create("websocket", user("alice"))
    mine = AsyncMock(return_value="sent")
    ws.send_json = mine
    assert await ws.send_json({"type": "agent_started"}) == "sent"
    mine.assert_awaited_once_with({"type": "agent_started"})  # the assigned mock is called
    ws.send_json.assert_awaited_once()
    assert len(factory.sent(ws)) == 1  # still recorded
    with pytest.raises(ContaminationError):
        await ws.send_json({"user_id": "bob"})
    with pytest.raises(TypeError, match="missing a required argument"):
        await ws.send_json()
    ws.send_json.return_value = "configured later"
    assert await ws.send_json({}) == "configured later"


def test_a_value_that_cannot_stand_for_the_method_is_refused() -> None:
    factory = MockFactory()
    ws = factory.create("websocket")
    with pytest.raises(AttributeError, match=r"ws\.accept\.return_value|accept\.return_value"):
        ws.accept = 42
    with pytest.raises(AttributeError, match="awaits it; assign an AsyncMock"):
        ws.send_json = MagicMock()
    session = factory.create("database_session")
    with pytest.raises(AttributeError, match="does not await it"):
        session.add = AsyncMock()
    calls = []
    session.add = calls.append  # a plain function stands for a sync method
    session.add("row")
    assert calls == ["row"]
    session.add.assert_called_once_with("row")


# -------------------------------------------- Any results, defaults, shared dicts


@pytest.mark.asyncio
async def test_results_nobody_configured_are_loud_and_dicts_are_copies() -> None:
    config = SSotMockFactory.create_configuration_mock(environment="staging")
    assert config.get("environment") == "staging"
    assert config.get("missing", "dflt") == "dflt"
    ws = MockFactory().create("websocket")
    received = await ws.receive_json()  # `-> Any` in Starlette
    with pytest.raises(UnconfiguredValueError, match=r"receive_json\(\).*return_value"):
        if received:
            pass
    with pytest.raises(UnconfiguredValueError):
        received["type"]
    bridge = SSotMockFactory.create_mock_agent_websocket_bridge()
    first = bridge.get_user_context()
    first["user_id"] = "changed by the code"
    assert bridge.get_user_context()["user_id"] == "test-user"


class Preferences(Protocol):
    def snapshot(self) -> dict[str, Any]: ...


def test_a_dict_a_method_is_declared_to_return_is_fresh_per_call() -> None:
    factory = MockFactory()
    factory.register("preferences", Preferences)
    prefs = factory.create("preferences")
    prefs.snapshot()["theme"] = "dark"
    assert prefs.snapshot() == {}


# ------------------------------------------------ deterministic, fresh interfaces


class FallbackThing(Protocol):
    def fallback_only(self) -> None: ...


def test_a_fallback_is_chosen_once_and_said() -> None:
    kind = Kind("thing", "mg_fallback_module:Thing", fallback=FallbackThing)
    factory = MockFactory([kind])
    with pytest.warns(MockguardWarning, match="cannot import `mg_fallback_module`"):
        first = factory.create("thing")
    module = types.ModuleType("mg_fallback_module")

    class Thing:
        def real_only(self) -> None: ...

    module.Thing = Thing  # type: ignore[attr-defined]
    sys.modules["mg_fallback_module"] = module  # importable now, as after a partial import
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            second = factory.create("thing")
    finally:
        del sys.modules["mg_fallback_module"]
    assert hasattr(first, "fallback_only") and hasattr(second, "fallback_only")


def test_registering_a_changed_class_again_sees_its_members() -> None:
    class Service:
        def old(self) -> None: ...

    factory = MockFactory()
    factory.register("service", Service)
    assert hasattr(factory.create("service"), "old")
    Service.new = lambda self: None  # type: ignore[attr-defined]
    factory.register("service", Service)
    assert hasattr(factory.create("service"), "new")


# -------------------------------------------------------------------- contracts


def events_of(payloads: list[Any], method: str = "send_json") -> list[Any]:
    factory = MockFactory()
    log = factory.events
    for payload in payloads:
        log.record("c1", "u1", method, payload)
    return log.events()


def test_duplicates_and_late_events_fail() -> None:
    duplicate = lifecycle_payloads(run_id="r1")
    duplicate.insert(1, {"type": "agent_started", "run_id": "r1"})
    with pytest.raises(EventContractError, match=r"duplicate agent_started \(#2\)"):
        assert_events(events_of(duplicate))
    late = [*lifecycle_payloads(run_id="r1"), {"type": "agent_started", "run_id": "r1"}]
    with pytest.raises(EventContractError, match=r"agent_started .* after agent_completed"):
        assert_events(events_of(late))
    unnamed = [*lifecycle_payloads(), {"type": "agent_started"}]  # no run ids: a second run
    with pytest.raises(EventContractError, match="run #2"):
        assert_events(events_of(unnamed))


def test_an_incomplete_second_run_is_not_masked_by_a_complete_first() -> None:
    runs = lifecycle_payloads(run_id="r1") + lifecycle_payloads(
        run_id="r2", events=LIFECYCLE_EVENTS[:2]
    )
    with pytest.raises(EventContractError, match=r"run 'r2'.*missing: tool_executing"):
        assert_events(events_of(runs))


def test_text_messages_holding_json_are_events() -> None:
    texts = [json.dumps(p) for p in lifecycle_payloads(run_id="r1")]
    assert_events(events_of(texts, "send_text"))


def test_the_table_stays_aligned_after_a_missing_event() -> None:
    missing = [p for p in lifecycle_payloads() if p["type"] != "agent_thinking"]
    with pytest.raises(EventContractError) as info:
        assert_events(events_of(missing))
    rows = [line.split() for line in str(info.value).splitlines()[2:]]
    assert rows == [
        ["agent_started", "agent_started"],
        ["agent_thinking", "!="],
        ["tool_executing", "tool_executing"],
        ["tool_completed", "tool_completed"],
        ["agent_completed", "agent_completed"],
    ]


@pytest.mark.asyncio
async def test_the_bridge_records_its_events() -> None:
    factory = MockFactory()
    alice = user("alice")
    bridge = factory.create("agent_websocket_bridge", alice)
    await bridge.agent_started(alice, "supervisor")
    await bridge.agent_thinking(alice, "hmm")
    await bridge.tool_executing(alice, "search", {"q": "x"})
    await bridge.tool_completed(alice, "search", "found")
    await bridge.agent_completed(alice, "answer")
    factory.assert_events(user_id="alice", run_id=alice.run_id)
    legacy = SSotMockFactory.create_mock_agent_websocket_bridge("bob", "run-b")
    for name in LIFECYCLE_EVENTS:
        await getattr(legacy, f"notify_{name}")("run-b", "supervisor")
    SSotMockFactory.factory().assert_events(user_id="bob", run_id="run-b")


# ------------------------------------------------------------------ contamination


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "payload",
    [
        {"type": "x", "userId": "bob"},
        {"type": "x", "payload": {"user_id": "bob"}},
        {"type": "x", "context": {"user_id": "bob"}},
        {"type": "x", "data": {"userId": "bob"}},
    ],
    ids=["userId", "payload", "context", "data-userId"],
)
async def test_other_users_ids_anywhere_they_are_carried(payload: dict[str, Any]) -> None:
    ws = MockFactory().create("websocket", user("alice"))
    with pytest.raises(ContaminationError, match="'bob'"):
        await ws.send_json(payload)
    with pytest.raises(ContaminationError, match="'bob'"):
        await ws.send_text(json.dumps(payload))


@pytest.mark.asyncio
async def test_managers_bridges_and_doubles_without_a_user_are_guarded() -> None:
    factory = MockFactory()
    manager = factory.create("websocket_manager")
    await manager.send_to_user("alice", {"type": "x", "user_id": "alice"})
    with pytest.raises(ContaminationError, match="sent to user 'alice'"):
        await manager.send_to_user("alice", {"type": "x", "user_id": "bob"})
    bridge = factory.create("agent_websocket_bridge", user("alice"))
    with pytest.raises(ContaminationError, match="context of user 'bob'"):
        await bridge.agent_started(user("bob"), "supervisor")
    unnamed = factory.create("websocket")  # belongs to the factory's test user
    await unnamed.send_json({"type": "x", "user_id": factory.test_user.user_id})
    with pytest.raises(ContaminationError, match="the test's user"):
        await unnamed.send_json({"type": "x", "user_id": "bob"})
    legacy = SSotMockFactory.create_websocket_manager_mock()
    with pytest.raises(ContaminationError):
        await legacy.emit_critical_event("alice", "agent_started", {"user_id": "bob"})
    SSotMockFactory.factory().violations.clear()  # provoked on purpose


@pytest.mark.asyncio
async def test_the_user_id_paths_are_configurable() -> None:
    factory = MockFactory(user_id_paths=("owner", "meta."))
    ws = factory.create("websocket", user("alice"))
    await ws.send_json({"user_id": "bob"})  # not a user-id path here
    with pytest.raises(ContaminationError):
        await ws.send_json({"meta": {"owner": "bob"}})


# ----------------------------------------------------------- drift, forgotten awaits


def interface_of(source: str, name: str) -> Interface:
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return compile_interface(namespace[name])


def test_verify_reports_swapped_parameters_and_calling_conventions() -> None:
    ours = interface_of(
        "from typing import Iterator\n"
        "class Api:\n"
        "    async def send(self, user_id: str, data: dict) -> int: ...\n"
        "    def stream(self) -> Iterator[str]: ...\n"
        "    sent: int = 0\n",
        "Api",
    )
    real = interface_of(
        "class Api:\n"
        "    async def send_message(self, user_id: str, data: dict) -> int: ...\n"
        "    async def stream(self):\n"
        "        yield 'x'\n"
        "    sent: int = 0\n",
        "Api",
    )
    swapped = interface_of(
        "class Api:\n    async def send(self, data: dict, user_id: str) -> int: ...\n", "Api"
    )
    drifts = {d.member: d for d in compare("api", ours, real)}
    assert "renamed to `send_message`" in drifts["send"].detail  # a method, not `sent`
    assert drifts["stream"].problem == "sync-async"
    assert "async for" in drifts["stream"].detail
    [order] = [d for d in compare("api", ours, swapped) if d.member == "send"]
    assert order.problem == "signature" and "another order" in order.detail


def test_a_forgotten_await_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pytest
        from mockguard import SSotMockFactory

        @pytest.mark.asyncio
        async def test_forgets_await():
            ws = SSotMockFactory.create_websocket_mock()
            ws.send_json({"type": "agent_started"})  # no await: nothing is sent
            ws.send_json.assert_called_once()
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-W", "error::RuntimeWarning")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*send_json() was called but never awaited*"])


def test_the_strict_mode_switch_in_the_pytest_options(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "mockguard_legacy_members = fail\n")
    pytester.makepyfile(
        """
        import pytest
        from mockguard import SSotMockFactory

        def test_old_member():
            ws = SSotMockFactory.create_websocket_mock()
            with pytest.raises(AttributeError):
                ws.connection_id
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
    relaxed = pytester.runpytest("-p", "no:randomly", "--mockguard-legacy=record")
    relaxed.assert_outcomes(failed=1)


def test_the_session_lists_what_the_real_interfaces_lack(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        from mockguard import SSotMockFactory

        def test_reads_old_members():
            ws = SSotMockFactory.create_websocket_mock()
            assert ws.connection_id == "test-connection"
            ws.history = []

        def test_reads_again():
            assert SSotMockFactory.create_websocket_mock().connection_id
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*mockguard: members the real interfaces lack*",
            "websocket (starlette.websockets.WebSocket): 2 member(s) the interface lacks",
            "  connection_id: read in 2 tests*",
            "  history: set in 1 test*",
        ]
    )


def test_using_binds_a_factory_for_the_facade() -> None:
    mine = MockFactory()
    with using(mine):
        ws = SSotMockFactory.create_websocket_mock()
        assert SSotMockFactory.factory() is mine and default_factory.sent(ws) == []
    assert SSotMockFactory.factory() is not mine
