"""The event log, the event contract, and the leak and contamination guards."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest

from mockguard.factory import (
    LIFECYCLE_EVENTS,
    ContaminationError,
    Event,
    EventContract,
    EventContractError,
    EventLog,
    MockFactory,
    MockguardError,
    MockLeakError,
    UserExecutionContext,
    assert_events,
)

from .helpers import lifecycle_payloads, send_lifecycle


@pytest.fixture
def factory() -> MockFactory:
    return MockFactory()


def user(user_id: str, run_id: str | None = None) -> UserExecutionContext:
    if run_id is None:
        return UserExecutionContext(user_id=user_id)
    return UserExecutionContext(user_id=user_id, run_id=run_id)


def make_events(payloads: list[Any], *, user_id: str = "u1", connection: str = "c1") -> list[Event]:
    log = EventLog()
    for payload in payloads:
        log.record(connection, user_id, "send_json", payload)
    return log.events()


# --------------------------------------------------------------------- recording


@pytest.mark.asyncio
async def test_events_are_recorded_per_connection_with_user_and_order(
    factory: MockFactory,
) -> None:
    alice = factory.create("websocket", user("alice"), connection_id="conn-a")
    bob = factory.create("websocket", user("bob"), connection_id="conn-b")
    await alice.send_json({"type": "agent_started"})
    await bob.send_json({"type": "agent_started"})
    await alice.send_text("plain")
    await bob.send_bytes(b"\x00")
    await alice.send_json({"type": "agent_completed"})

    everything = factory.events.events()
    assert [e.seq for e in everything] == [1, 2, 3, 4, 5]
    assert [(e.connection_id, e.user_id, e.method) for e in everything] == [
        ("conn-a", "alice", "send_json"),
        ("conn-b", "bob", "send_json"),
        ("conn-a", "alice", "send_text"),
        ("conn-b", "bob", "send_bytes"),
        ("conn-a", "alice", "send_json"),
    ]
    assert [e.payload for e in factory.sent(alice)] == [
        {"type": "agent_started"},
        "plain",
        {"type": "agent_completed"},
    ]
    assert [e.payload for e in factory.sent(bob)] == [{"type": "agent_started"}, b"\x00"]
    assert factory.events.events(user_id="bob") == factory.sent(bob)
    assert factory.events.events(connection_id="conn-a", user_id="bob") == []
    assert len(factory.events) == 5


@pytest.mark.asyncio
async def test_keyword_payloads_and_raw_asgi_messages_are_recorded(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    await ws.send_json(data={"type": "agent_started"}, mode="binary")
    await ws.send(message={"type": "websocket.send", "text": "x"})
    assert [(e.method, e.payload) for e in factory.sent(ws)] == [
        ("send_json", {"type": "agent_started"}),
        ("send", {"type": "websocket.send", "text": "x"}),
    ]


@pytest.mark.asyncio
async def test_two_websockets_of_one_user_get_distinct_connections(factory: MockFactory) -> None:
    context = user("same")
    first = factory.create("websocket", context)
    second = factory.create("websocket", context)
    await first.send_json({"type": "a"})
    await second.send_json({"type": "b"})
    [one], [two] = factory.sent(first), factory.sent(second)
    assert one.connection_id != two.connection_id
    assert one.user_id == two.user_id == "same"


@pytest.mark.asyncio
async def test_a_send_that_fails_is_not_an_event(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"), send_json=RuntimeError("connection closed"))
    with pytest.raises(RuntimeError, match="connection closed"):
        await ws.send_json({"type": "agent_started"})
    assert factory.sent(ws) == []  # it never reached the wire
    assert ws.mock_calls == [mock.call.send_json({"type": "agent_started"})]  # but was called
    await ws.send_text("still open")
    assert [e.method for e in factory.sent(ws)] == ["send_text"]


@pytest.mark.asyncio
async def test_an_event_is_recorded_when_the_send_completes(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    pending = ws.send_json({"type": "agent_started"})
    assert factory.sent(ws) == []  # called, not yet awaited
    await pending
    assert len(factory.sent(ws)) == 1


@pytest.mark.asyncio
async def test_an_event_keeps_the_payload_as_it_was_sent(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    message = {"type": "agent_started", "data": {"step": 1}}
    await ws.send_json(message)
    message["type"] = "agent_thinking"
    message["data"]["step"] = 2
    await ws.send_json(message)
    assert [e.payload["type"] for e in factory.sent(ws)] == ["agent_started", "agent_thinking"]
    assert factory.sent(ws)[0].payload["data"] == {"step": 1}


def test_sent_rejects_a_double_that_is_not_a_websocket(factory: MockFactory) -> None:
    with pytest.raises(TypeError, match="not a websocket made by this factory"):
        factory.sent(factory.create("agent"))


@pytest.mark.asyncio
async def test_sent_rejects_a_websocket_of_another_factory(factory: MockFactory) -> None:
    other = MockFactory()
    ws = other.create("websocket")
    await ws.send_json({"type": "agent_started"})
    with pytest.raises(TypeError, match="not a websocket made by this factory"):
        factory.sent(ws)


def test_event_log_clear(factory: MockFactory) -> None:
    log = EventLog()
    log.record("c", "u", "send_json", {"type": "x"})
    assert len(log) == 1
    log.clear()
    assert len(log) == 0 and log.events() == []
    assert log.record("c", "u", "send_json", {}).seq == 2  # numbering keeps growing


# ---------------------------------------------------------------------- contract


def test_default_contract_is_the_five_lifecycle_events() -> None:
    contract = EventContract()
    assert (
        contract.events
        == LIFECYCLE_EVENTS
        == (
            "agent_started",
            "agent_thinking",
            "tool_executing",
            "tool_completed",
            "agent_completed",
        )
    )
    assert contract.style == "flat"
    assert dict(contract.required_keys) == {}
    assert MockFactory().contract == contract


def test_contract_style_is_checked() -> None:
    with pytest.raises(ValueError, match="style must be one of flat, nested"):
        EventContract(style="camel")


@pytest.mark.asyncio
async def test_assert_events_passes_for_a_flat_run(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    await ws.send_json({"type": "connected"})  # other types in between are allowed
    await send_lifecycle(ws)
    await ws.send_json({"type": "heartbeat"})
    assert_events(factory.sent(ws))
    factory.assert_events()
    factory.assert_events(user_id="u1")


@pytest.mark.asyncio
async def test_assert_events_passes_for_a_nested_run(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    await send_lifecycle(ws, style="nested", run_id="r1")
    contract = EventContract(style="nested", required_keys={"agent_started": ("run_id",)})
    assert_events(factory.sent(ws), contract)
    factory.assert_events(contract=contract, run_id="r1")
    assert_events(factory.sent(ws))  # the style is detected: "event" + "data" is nested


def test_assert_events_fails_for_a_missing_event() -> None:
    events = make_events(lifecycle_payloads(events=LIFECYCLE_EVENTS[:2] + LIFECYCLE_EVENTS[3:]))
    with pytest.raises(EventContractError) as info:
        assert_events(events)
    assert isinstance(info.value, AssertionError)
    assert isinstance(info.value, MockguardError)
    message = str(info.value)
    assert "missing: tool_executing" in message
    assert "agent_started" in message


def test_assert_events_fails_for_no_events_at_all() -> None:
    with pytest.raises(EventContractError, match="missing: " + ", ".join(LIFECYCLE_EVENTS)):
        assert_events([])


def test_assert_events_fails_out_of_order_with_a_side_by_side_table() -> None:
    order = (
        "agent_started",
        "agent_thinking",
        "tool_completed",
        "tool_executing",
        "agent_completed",
    )
    events = make_events(lifecycle_payloads(events=order))
    with pytest.raises(EventContractError) as info:
        assert_events(events)
    message = str(info.value)
    assert message.splitlines()[0] == "event contract not met: out of order"
    table = message.splitlines()[1:]
    assert table[0].split() == ["expected", "recorded"]
    assert table[1].split() == ["agent_started", "agent_started"]
    assert table[2].split() == ["agent_thinking", "agent_thinking"]
    # aligned by difflib: the swapped pair shows as one event moved, the rest stays level
    assert [row.split() for row in table[3:6]] in (
        [["!=", "tool_completed"], ["tool_executing", "tool_executing"], ["tool_completed", "!="]],
        [["tool_executing", "!="], ["tool_completed", "tool_completed"], ["!=", "tool_executing"]],
    )
    assert table[6].split() == ["agent_completed", "agent_completed"]


def test_assert_events_fails_when_completed_comes_first() -> None:
    order = ("agent_completed", *LIFECYCLE_EVENTS)
    with pytest.raises(EventContractError, match="out of order"):
        assert_events(make_events(lifecycle_payloads(events=order)))


def test_repeated_tool_events_in_order_pass() -> None:
    order = (
        "agent_started",
        "agent_thinking",
        "tool_executing",
        "tool_completed",
        "tool_executing",
        "tool_completed",
        "agent_completed",
    )
    assert_events(make_events(lifecycle_payloads(events=order)))


def test_assert_events_fails_for_missing_required_payload_keys() -> None:
    payloads = lifecycle_payloads(run_id="r1")
    payloads[4] = {"type": "agent_completed"}  # no run_id
    contract = EventContract(
        required_keys={"agent_started": ("run_id",), "agent_completed": ("run_id", "result")}
    )
    with pytest.raises(EventContractError) as info:
        assert_events(make_events(payloads), contract)
    message = str(info.value)
    assert "agent_completed (#5) lacks run_id, result" in message
    assert "agent_started" not in message.splitlines()[0]
    assert "expected" in message and "recorded" in message


def test_required_keys_in_nested_style_are_looked_up_in_data() -> None:
    contract = EventContract(style="nested", required_keys={"tool_completed": ("result",)})
    payloads = lifecycle_payloads(style="nested")
    with pytest.raises(EventContractError, match=r"tool_completed \(#4\) lacks result"):
        assert_events(make_events(payloads), contract)
    payloads[3]["data"]["result"] = "ok"
    assert_events(make_events(payloads), contract)
    payloads[3] = {"event": "tool_completed", "result": "top-level", "data": {}}
    with pytest.raises(EventContractError, match="lacks result"):
        assert_events(make_events(payloads), contract)


def test_custom_contract_events() -> None:
    contract = EventContract(events=("connected", "done"))
    assert_events(make_events([{"type": "connected"}, {"type": "x"}, {"type": "done"}]), contract)
    with pytest.raises(EventContractError, match="missing: done"):
        assert_events(make_events([{"type": "connected"}]), contract)


def test_non_json_events_show_their_method_in_the_table() -> None:
    log = EventLog()
    log.record("c", "u", "send_text", "hello")
    with pytest.raises(EventContractError) as info:
        assert_events(log.events())
    assert "<send_text>" in str(info.value)


# --------------------------------------------------------------------- filtering


def test_filter_by_run_id() -> None:
    payloads = lifecycle_payloads(run_id="r1") + lifecycle_payloads(
        run_id="r2", events=LIFECYCLE_EVENTS[:2]
    )
    events = make_events(payloads)
    assert_events(events, run_id="r1")
    with pytest.raises(EventContractError) as info:
        assert_events(events, run_id="r2")
    message = str(info.value)
    assert "for run 'r2'" in message
    assert "missing: tool_executing, tool_completed, agent_completed" in message
    with pytest.raises(EventContractError, match="for run 'r3'"):
        assert_events(events, run_id="r3")


def test_filter_by_run_id_in_nested_data_or_top_level() -> None:
    contract = EventContract(style="nested")
    nested = lifecycle_payloads(style="nested", run_id="r1")
    top = [
        {"event": p["event"], "run_id": "r2", "data": {}}
        for p in lifecycle_payloads(style="nested")
    ]
    events = make_events(nested + top)
    assert_events(events, contract, run_id="r1")
    assert_events(events, contract, run_id="r2")


@pytest.mark.asyncio
async def test_filter_by_user_id(factory: MockFactory) -> None:
    alice = factory.create("websocket", user("alice"))
    bob = factory.create("websocket", user("bob"))
    await send_lifecycle(alice)
    await send_lifecycle(bob, events=LIFECYCLE_EVENTS[:3])
    factory.assert_events(user_id="alice")
    with pytest.raises(EventContractError, match="for user 'bob': missing: tool_completed"):
        factory.assert_events(user_id="bob")
    with pytest.raises(EventContractError, match="for user 'nobody'"):
        factory.assert_events(user_id="nobody")


@pytest.mark.asyncio
async def test_interleaved_users_are_checked_separately(factory: MockFactory) -> None:
    alice = factory.create("websocket", user("alice"))
    bob = factory.create("websocket", user("bob"))
    for a, b in zip(lifecycle_payloads(), reversed(lifecycle_payloads()), strict=True):
        await alice.send_json(a)
        await bob.send_json(b)
    factory.assert_events(user_id="alice")
    with pytest.raises(EventContractError, match="out of order"):
        factory.assert_events(user_id="bob")


# ------------------------------------------------------------------- leak guard


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "leak",
    [mock.Mock(), mock.MagicMock(), mock.AsyncMock(), mock.NonCallableMagicMock()],
    ids=["Mock", "MagicMock", "AsyncMock", "NonCallableMagicMock"],
)
async def test_a_mock_inside_a_payload_is_a_leak(factory: MockFactory, leak: Any) -> None:
    ws = factory.create("websocket", user("u1"))
    payload = {"type": "tool_completed", "data": {"tool": "search", "result": leak}}
    with pytest.raises(MockLeakError) as info:
        await ws.send_json(payload)
    assert isinstance(info.value, TypeError)
    message = str(info.value)
    assert "send_json(): payload['data']['result'] is a mock object" in message
    assert "a mock must never reach the wire" in message
    assert factory.sent(ws) == []  # rejected before it was recorded
    assert ws.send_json.call_count == 0


@pytest.mark.asyncio
async def test_a_factory_double_inside_a_payload_is_a_leak(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    agent = factory.create("agent")
    with pytest.raises(MockLeakError, match=r"payload\['items'\]\[1\]\['agent'\] is a mock object"):
        await ws.send_json({"type": "x", "items": [1, {"agent": agent}]})
    with pytest.raises(MockLeakError, match=r"payload is a mock object"):
        await ws.send_json(agent)


@pytest.mark.asyncio
async def test_a_mock_return_value_is_caught_when_echoed(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    received = await ws.receive_json()  # not configured: a mock
    with pytest.raises(MockLeakError, match=r"payload\['echo'\]"):
        await ws.send_json({"type": "echo", "echo": received})


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        ({1, 2}, "set"),
        (object(), "object"),
        (b"raw", "bytes"),
        (SimpleNamespace(a=1), "SimpleNamespace"),
    ],
)
async def test_a_value_json_cannot_carry_is_a_leak(
    factory: MockFactory, value: Any, type_name: str
) -> None:
    ws = factory.create("websocket", user("u1"))
    with pytest.raises(MockLeakError) as info:
        await ws.send_json({"type": "x", "data": {"result": value}})
    assert f"payload['data']['result'] is a {type_name}, which JSON cannot carry" in str(info.value)
    assert factory.sent(ws) == []


@pytest.mark.asyncio
async def test_non_string_keys_and_cycles_are_leaks(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    with pytest.raises(MockLeakError, match=r"payload\['data'\] has a key 1 that is not a string"):
        await ws.send_json({"data": {1: "one"}})
    cyclic: dict[str, Any] = {"type": "x"}
    cyclic["self"] = cyclic
    with pytest.raises(MockLeakError, match="refers back to itself"):
        await ws.send_json(cyclic)


@pytest.mark.asyncio
async def test_json_values_pass(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    payload = {
        "type": "x",
        "data": {"n": 1, "f": 1.5, "b": True, "none": None, "list": [1, "a"], "t": (1, 2)},
    }
    await ws.send_json(payload)
    assert factory.sent(ws)[0].payload == payload


@pytest.mark.asyncio
async def test_a_shared_but_acyclic_value_is_not_a_leak(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    shared = {"id": 1}
    payload = {"type": "x", "before": shared, "after": shared}
    json.dumps(payload)  # JSON carries it
    await ws.send_json(payload)
    assert factory.sent(ws)[0].payload == payload


@pytest.mark.asyncio
async def test_send_text_and_send_bytes_check_their_type(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    with pytest.raises(MockLeakError, match=r"send_text\(\): payload is a dict, not text"):
        await ws.send_text({"type": "x"})
    with pytest.raises(MockLeakError, match=r"send_text\(\): payload is a MagicMock, not text"):
        await ws.send_text(mock.MagicMock())
    with pytest.raises(MockLeakError, match=r"send_bytes\(\): payload is a str, not bytes"):
        await ws.send_bytes("text")
    await ws.send_text("ok")
    await ws.send_bytes(bytearray(b"ok"))
    assert [e.method for e in factory.sent(ws)] == ["send_text", "send_bytes"]


@pytest.mark.asyncio
async def test_send_with_a_mock_inside_an_asgi_message(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("u1"))
    with pytest.raises(MockLeakError, match=r"send\(\): payload\['text'\] is a mock object"):
        await ws.send({"type": "websocket.send", "text": mock.Mock()})


class Record:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def test_session_add_of_an_object_with_a_mock_attribute_is_a_leak(factory: MockFactory) -> None:
    session = factory.create("database_session")
    record = Record(name="ok", owner=mock.MagicMock())
    with pytest.raises(MockLeakError) as info:
        session.add(record)
    message = str(info.value)
    assert "add(): argument 1.owner is a mock object" in message
    assert "a mock must never reach the database" in message
    assert session.add.call_count == 0
    assert session.mock_calls == []


def test_session_add_all_and_nested_objects_are_checked(factory: MockFactory) -> None:
    session = factory.create("database_session")
    good = Record(name="a", tags=["x"], _private=mock.Mock())  # private attributes are skipped
    session.add(good)
    inner = Record(value=factory.create("agent"))
    with pytest.raises(MockLeakError, match=r"argument 1\[1\]\.child\.value is a mock object"):
        session.add_all([good, Record(child=inner)])
    with pytest.raises(MockLeakError, match="argument 1 is a mock object"):
        session.add(mock.Mock())
    assert [c[0] for c in session.mock_calls] == ["add"]


@pytest.mark.asyncio
async def test_session_delete_and_merge_are_checked(factory: MockFactory) -> None:
    session = factory.create("database_session")
    with pytest.raises(MockLeakError, match=r"delete\(\)"):
        await session.delete(Record(id=mock.Mock()))
    with pytest.raises(MockLeakError, match=r"merge\(\)"):
        await session.merge(Record(id=mock.Mock()))
    await session.delete(Record(id=1))
    assert session.delete.await_count == 1


def test_an_object_referring_to_itself_can_be_stored(factory: MockFactory) -> None:
    session = factory.create("database_session")
    parent = Record(name="p")
    parent.child = Record(parent=parent)
    session.add(parent)
    session.add.assert_called_once_with(parent)


@pytest.mark.asyncio
async def test_refusals_are_kept_even_when_the_code_catches_them(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("alice"))
    session = factory.create("database_session")

    async def careless_handler() -> None:
        for payload in ({"result": mock.Mock()}, {"user_id": "bob"}):
            try:
                await ws.send_json(payload)
            except Exception:  # the code under test swallows the error
                pass
        try:
            session.add(Record(owner=mock.Mock()))
        except Exception:
            pass

    await careless_handler()
    kinds = [type(error) for error in factory.violations]
    assert kinds == [MockLeakError, ContaminationError, MockLeakError]
    assert "payload['result']" in str(factory.violations[0])
    assert "database" in str(factory.violations[2])
    assert factory.sent(ws) == []
    await ws.send_json({"type": "fine"})
    assert len(factory.violations) == 3  # a good send adds nothing
    assert MockFactory().violations == []  # per factory


# ----------------------------------------------------------- contamination guard


@pytest.mark.asyncio
async def test_a_payload_stamped_with_another_user_top_level(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("alice"), connection_id="conn-alice")
    with pytest.raises(ContaminationError) as info:
        await ws.send_json({"type": "agent_started", "user_id": "bob"})
    assert isinstance(info.value, AssertionError)
    message = str(info.value)
    assert "'bob'" in message and "'alice'" in message and "'conn-alice'" in message
    assert factory.sent(ws) == []
    assert ws.mock_calls == []


@pytest.mark.asyncio
async def test_a_payload_stamped_with_another_user_in_data(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("alice"))
    with pytest.raises(ContaminationError, match="for user 'bob'"):
        await ws.send_json({"event": "agent_started", "data": {"user_id": "bob"}})
    with pytest.raises(ContaminationError):
        await ws.send({"type": "websocket.send", "user_id": "bob"})


@pytest.mark.asyncio
async def test_a_payload_stamped_with_the_owner_passes(factory: MockFactory) -> None:
    ws = factory.create("websocket", user("alice"))
    await ws.send_json({"type": "agent_started", "user_id": "alice"})
    await ws.send_json({"event": "agent_started", "data": {"user_id": "alice"}})
    await ws.send_json({"type": "agent_started"})  # no stamp: nothing to compare
    assert len(factory.sent(ws)) == 3
