"""StrictMock: strict look-ups, signature binding, lazy members, spec_set semantics."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Optional, Protocol
from unittest import mock

import pytest
from starlette.websockets import WebSocket, WebSocketState

from mockguard.factory import MockFactory, StrictMock, compile_interface
from mockguard.factory.protocols import (
    ChatInterface,
    CompletionsInterface,
    LLMClientInterface,
)


@pytest.fixture
def factory() -> MockFactory:
    return MockFactory()


class Thing:
    """A production-like class with every kind of member the compiler knows."""

    shared = {"nested": [1, 2]}  # noqa: RUF012 - a production-like class attribute
    count: int
    ratio: float
    label: str
    tags: list[str]
    mapping: dict[str, int]
    maybe: Optional[str]  # noqa: UP045 - typing.Optional on purpose (see the `|` test)
    maybe_pep604: str | None
    either_pep604: int | str

    def __init__(self) -> None:
        self.dynamic = object()

    @property
    def size(self) -> int:
        return 3

    @staticmethod
    def build(a: int, b: int = 1) -> int:
        return a + b

    @classmethod
    def named(cls, name: str) -> Thing:
        return cls()

    def compute(self, x: int, *, scale: int = 1) -> int:
        return x * scale

    async def fetch(self, key: str, default: Any = None) -> Any:
        return default

    async def stream(self):
        yield 1


@pytest.fixture
def thing(factory: MockFactory) -> Any:
    factory.register("thing", Thing)
    return factory.create("thing")


# ------------------------------------------------------------------ unknown names


def test_unknown_attribute_names_the_interface_and_the_closest_member(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    with pytest.raises(AttributeError) as info:
        ws.send_jsno  # noqa: B018
    message = str(info.value)
    assert "starlette.websockets.WebSocket" in message
    assert "`send_jsno`" in message
    assert "did you mean `send_json`" in message


def test_unknown_attribute_without_a_close_member_has_no_suggestion(factory: MockFactory) -> None:
    agent = factory.create("agent")
    with pytest.raises(AttributeError) as info:
        agent.zzzzqqq  # noqa: B018
    assert "AgentInterface has no attribute `zzzzqqq`" in str(info.value)
    assert "did you mean" not in str(info.value)


def test_hasattr_is_false_for_names_the_interface_lacks(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    assert hasattr(ws, "send_json")
    assert not hasattr(ws, "send_message")
    assert not hasattr(ws, "assert_called_once")  # not a Mock: no auto-attributes


# ------------------------------------------------------------- signature binding


@pytest.mark.asyncio
async def test_call_that_does_not_bind_raises_before_it_is_recorded(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    with pytest.raises(
        TypeError, match=r"WebSocket\.send_json\(\): missing a required argument: 'data'"
    ):
        await ws.send_json()
    with pytest.raises(TypeError, match="too many positional arguments"):
        ws.accept("a", "b", "c", "d")
    with pytest.raises(TypeError, match="unexpected keyword argument 'payload'"):
        ws.send_text("x", payload="x")
    assert ws.mock_calls == []
    assert ws.send_json.call_count == 0
    assert ws.send_json.await_count == 0
    assert ws.send_json.mock_calls == []
    assert ws.accept.call_count == 0
    assert ws.send_text.call_count == 0
    assert len(factory.events) == 0


def test_sync_member_binds_keyword_only_and_static_and_class_methods(thing: Any) -> None:
    with pytest.raises(TypeError, match="too many positional arguments"):
        thing.compute(1, 2)  # scale is keyword-only
    thing.compute(1, scale=2)
    with pytest.raises(TypeError, match="missing a required argument: 'a'"):
        thing.build()  # a staticmethod: no `self` to drop
    thing.build(1)
    with pytest.raises(TypeError, match="too many positional arguments"):
        thing.named("a", "b")  # a classmethod: `cls` dropped
    thing.named("a")
    assert [c[0] for c in thing.mock_calls] == ["compute", "build", "named"]
    assert thing.compute.call_count == 1


def test_nested_member_binds_too(factory: MockFactory) -> None:
    client = factory.create("llm_client")
    with pytest.raises(TypeError, match=r"CompletionsInterface\.create\(\): too many positional"):
        client.chat.completions.create("gpt", [])
    assert client.chat.completions.create.call_count == 0


# ------------------------------------------------------------- sync versus async


@pytest.mark.asyncio
async def test_async_members_are_awaitable(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    pending = ws.accept()
    assert inspect.isawaitable(pending)
    await pending
    ws.accept.assert_awaited_once_with()
    session = factory.create("database_session")
    pending = session.commit()
    assert inspect.iscoroutine(pending)
    await pending
    session.commit.assert_awaited_once()


@pytest.mark.asyncio
async def test_sync_members_are_not_awaitable(factory: MockFactory) -> None:
    session = factory.create("database_session")
    result = session.add(object())
    assert not inspect.isawaitable(result)
    with pytest.raises(TypeError, match="can't be used in 'await' expression"):
        await session.add(object())
    ws = factory.create("websocket")
    assert not inspect.isawaitable(ws.url_for("home"))


@pytest.mark.asyncio
async def test_an_async_iterator_member_is_not_awaitable_but_iterable(factory: MockFactory) -> None:
    ws = factory.create("websocket", iter_text=["a", "b"])
    iterator = ws.iter_text()
    assert not inspect.isawaitable(iterator)
    assert [item async for item in iterator] == ["a", "b"]


@pytest.mark.asyncio
async def test_async_members_let_other_tasks_run(factory: MockFactory) -> None:
    first, second = factory.create("websocket"), factory.create("websocket")

    async def stream(ws: Any, tag: str) -> None:
        for index in range(3):
            await ws.send_json({"type": f"{tag}{index}"})

    await asyncio.gather(stream(first, "a"), stream(second, "b"))
    order = [event.payload["type"] for event in factory.events.events()]
    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]  # like real I/O, not one after another


@pytest.mark.asyncio
async def test_method_return_values_follow_the_annotations(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    assert await ws.send_json({"type": "x"}) is None  # -> None
    assert await ws.accept() is None
    assert await ws.receive_text() == ""  # -> str
    assert await ws.receive_bytes() == b""  # -> bytes
    session = factory.create("database_session")
    assert session.add(object()) is None
    assert await session.commit() is None
    result = await session.execute("select 1")  # -> Result: a strict double of it
    from sqlalchemy.engine import Result

    assert isinstance(result, Result) and isinstance(result, StrictMock)
    assert result.scalars().all() == []
    with pytest.raises(AttributeError, match="did you mean `scalars`"):
        result.scalar_list  # noqa: B018
    configured = factory.create("database_session", execute="rows")
    assert await configured.execute("select 1") == "rows"  # configuration wins


# ---------------------------------------------------------------- assert helpers


@pytest.mark.asyncio
async def test_assert_awaited_once_with_is_signature_aware(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    await ws.send_json({"type": "agent_started"})
    ws.send_json.assert_awaited_once_with({"type": "agent_started"})
    ws.send_json.assert_awaited_once_with(data={"type": "agent_started"})  # positional call
    ws.send_json.assert_called_once_with(data={"type": "agent_started"})
    with pytest.raises(AssertionError):
        ws.send_json.assert_awaited_once_with(data={"type": "agent_thinking"})
    await ws.close(code=1001)
    ws.close.assert_awaited_once_with(1001)  # keyword call, positional expectation
    with pytest.raises(AssertionError):
        ws.close.assert_awaited_once_with(1000)


@pytest.mark.asyncio
async def test_assert_awaited_once_with_fails_on_two_awaits(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    await ws.send_text("a")
    await ws.send_text("b")
    with pytest.raises(AssertionError, match=r"to have been awaited once\. Awaited 2 times"):
        ws.send_text.assert_awaited_once_with("b")
    ws.send_text.assert_awaited_with(data="b")
    assert ws.send_text.await_args_list == [mock.call("a"), mock.call("b")]


def test_assert_called_once_with_on_a_sync_member(thing: Any) -> None:
    thing.compute(2, scale=3)
    thing.compute.assert_called_once_with(x=2, scale=3)
    with pytest.raises(AssertionError):
        thing.compute.assert_called_once_with(2, scale=4)


# ------------------------------------------------------------------------ values


def test_websocket_states_have_real_values(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    assert ws.client_state is WebSocketState.CONNECTED
    assert ws.application_state is WebSocketState.CONNECTED
    closed = factory.create("websocket", client_state=WebSocketState.DISCONNECTED)
    assert closed.client_state is WebSocketState.DISCONNECTED


def test_annotated_attributes_and_properties_get_zero_values(thing: Any) -> None:
    assert thing.count == 0 and type(thing.count) is int
    assert thing.ratio == 0.0 and type(thing.ratio) is float
    assert thing.label == ""
    assert thing.tags == [] and isinstance(thing.tags, list)
    assert thing.mapping == {} and isinstance(thing.mapping, dict)
    assert thing.maybe is None
    assert thing.size == 0  # a property annotated `-> int`
    assert thing.shared == {"nested": [1, 2]}  # a class attribute's value


def test_class_attribute_defaults_are_copies(factory: MockFactory) -> None:
    factory.register("thing", Thing)
    first, second = factory.create("thing"), factory.create("thing")
    first.shared["nested"].append(3)
    assert second.shared == {"nested": [1, 2]}
    assert Thing.shared == {"nested": [1, 2]}


def test_configured_values_win_over_zero_values(factory: MockFactory) -> None:
    agent = factory.create("agent", name="triage", agent_type="router")
    assert (agent.name, agent.agent_type) == ("triage", "router")
    config = factory.create("configuration")
    assert (config.environment, config.debug) == ("test", False)


def test_pep604_unions_get_the_same_values_as_typing_unions(thing: Any) -> None:
    assert thing.maybe_pep604 is None
    assert thing.either_pep604 == 0


# ---------------------------------------------------------------------- setting


def test_setting_an_unknown_attribute_raises(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    with pytest.raises(AttributeError, match=r"cannot set `sent_json`.*did you mean `send_json`"):
        ws.sent_json = []
    assert "sent_json" not in vars(ws)
    ws.client_state = WebSocketState.DISCONNECTED  # a real member may be set
    assert ws.client_state is WebSocketState.DISCONNECTED


def test_allow_extra_applies_to_that_mock_only(factory: MockFactory) -> None:
    loose = factory.create("websocket", allow_extra=True)
    loose.custom_flag = True
    assert loose.custom_flag is True
    assert isinstance(loose.anything_else, mock.MagicMock)
    strict = factory.create("websocket")
    with pytest.raises(AttributeError):
        strict.custom_flag = True
    with pytest.raises(AttributeError):
        strict.anything_else  # noqa: B018
    # allow_extra does not loosen the real members' signatures
    with pytest.raises(TypeError):
        loose.send_json()


# ------------------------------------------------------------- context managers


@pytest.mark.asyncio
async def test_async_with_session_returns_the_session(factory: MockFactory) -> None:
    session = factory.create("database_session")
    async with session as entered:
        assert entered is session
        session.add(object())
    assert [c[0] for c in session.mock_calls] == ["__aenter__", "add", "__aexit__"]
    session.__aexit__.assert_awaited_once_with(None, None, None)


@pytest.mark.asyncio
async def test_async_with_session_does_not_swallow_exceptions(factory: MockFactory) -> None:
    session = factory.create("database_session")
    with pytest.raises(ValueError, match="boom"):
        async with session:
            raise ValueError("boom")
    exc_type, exc, _tb = session.__aexit__.await_args.args
    assert exc_type is ValueError and str(exc) == "boom"


def test_with_sync_session_returns_the_session_and_propagates(factory: MockFactory) -> None:
    session = factory.create("sync_database_session")
    with session as entered:
        assert entered is session
    with pytest.raises(KeyError), session:
        raise KeyError("k")
    assert session.__exit__.call_count == 2


def test_websocket_is_not_a_context_manager(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    with pytest.raises(TypeError):
        with ws:  # type: ignore[attr-defined]
            pass


# --------------------------------------------------------------------- identity


def test_isinstance_follows_the_interface(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    assert isinstance(ws, WebSocket)
    assert isinstance(ws, StrictMock)
    assert ws.__class__ is WebSocket
    session = factory.create("database_session")
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    assert not isinstance(session, WebSocket)


def test_interfaces_are_compiled_once() -> None:
    assert compile_interface(WebSocket) is compile_interface(WebSocket)
    assert compile_interface("starlette.websockets:WebSocket") is compile_interface(WebSocket)
    assert compile_interface("starlette.websockets.WebSocket") is compile_interface(WebSocket)
    assert compile_interface(Thing) is compile_interface(Thing)


def test_interface_members_have_the_right_kinds() -> None:
    members = compile_interface(Thing).members
    assert members["compute"].kind == "method"
    assert members["fetch"].kind == "async_method"
    assert members["stream"].kind == "async_iterator"
    assert members["size"].kind == "property"
    assert members["dynamic"].kind == "attribute"  # assigned in __init__
    assert str(members["compute"].signature) == "(x: 'int', *, scale: 'int' = 1) -> 'int'"


# ----------------------------------------------------------------- bookkeeping


@pytest.mark.asyncio
async def test_reset_mock_forgets_calls_but_keeps_configuration(factory: MockFactory) -> None:
    agent = factory.create("agent", run="answer")
    assert await agent.run(None, "hi") == "answer"
    agent.reset_mock()
    assert agent.mock_calls == []
    assert agent.run.call_count == 0
    assert agent.run.await_count == 0
    agent.run.assert_not_awaited()
    assert await agent.run(None, "again") == "answer"
    assert agent.mock_calls == [mock.call.run(None, "again")]


@pytest.mark.asyncio
async def test_reset_mock_reaches_nested_strict_mocks(factory: MockFactory) -> None:
    client = factory.create("llm_client")
    await client.chat.completions.create(model="m", messages=[])
    client.reset_mock()
    assert client.chat.completions.create.call_count == 0
    assert client.chat.completions.mock_calls == []


@pytest.mark.asyncio
async def test_mock_calls_keep_the_order_across_members(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    await ws.accept()
    await ws.send_json({"type": "agent_started"})
    await ws.send_text("hello")
    await ws.send_json({"type": "agent_completed"})
    await ws.close(code=1000)
    assert ws.mock_calls == [
        mock.call.accept(),
        mock.call.send_json({"type": "agent_started"}),
        mock.call.send_text("hello"),
        mock.call.send_json({"type": "agent_completed"}),
        mock.call.close(code=1000),
    ]
    assert ws.send_json.call_count == 2


def test_members_are_created_lazily(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    assert "send_json" not in vars(ws)
    assert "client_state" not in vars(ws)
    ws.send_json  # noqa: B018
    assert "send_json" in vars(ws)
    assert "send_text" not in vars(ws)
    assert "accept" not in vars(ws)
    assert ws.send_json is ws.send_json  # made once, then found in __dict__


def test_each_mock_has_its_own_members(factory: MockFactory) -> None:
    first, second = factory.create("websocket"), factory.create("websocket")
    assert first.send_json is not second.send_json
    first.url_for("home")
    assert second.url_for.call_count == 0
    assert second.mock_calls == []


def test_dir_lists_the_interface(factory: MockFactory) -> None:
    names = dir(factory.create("agent"))
    assert {"run", "name", "agent_type", "mock_calls", "reset_mock"} <= set(names)


# ---------------------------------------------------------------------- nesting


@pytest.mark.asyncio
async def test_protocol_attribute_gives_a_nested_strict_mock(factory: MockFactory) -> None:
    client = factory.create("llm_client")
    assert isinstance(client, StrictMock)
    assert client.__class__ is LLMClientInterface
    assert isinstance(client.chat, StrictMock)
    assert client.chat.__class__ is ChatInterface
    assert client.chat.completions.__class__ is CompletionsInterface
    assert client.chat is client.chat
    create = client.chat.completions.create
    pending = create(model="gpt", messages=[{"role": "user"}])
    assert inspect.isawaitable(pending)
    await pending
    create.assert_awaited_once_with(model="gpt", messages=[{"role": "user"}])
    with pytest.raises(AttributeError, match="ChatInterface has no attribute `completion`"):
        client.chat.completion  # noqa: B018
    with pytest.raises(AttributeError, match="did you mean `create`"):
        client.chat.completions.creat  # noqa: B018


class _Connection(Protocol):
    async def __aenter__(self) -> _Connection: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def ping(self) -> bool: ...


class _Pool(Protocol):
    connection: _Connection


@pytest.mark.asyncio
async def test_nested_strict_mock_supports_its_special_methods(factory: MockFactory) -> None:
    factory.register("pool", _Pool)
    pool = factory.create("pool")
    async with pool.connection as connection:
        assert connection is pool.connection


# --------------------------------------------------------------- async iterators


@pytest.mark.asyncio
async def test_iter_json_yields_the_configured_items(factory: MockFactory) -> None:
    messages = [{"type": "user_message", "text": "hi"}, {"type": "ping"}]
    ws = factory.create("websocket", iter_json=messages)
    received = [item async for item in ws.iter_json()]
    assert received == messages
    again = [item async for item in ws.iter_json()]
    assert again == messages  # each call iterates afresh
    assert ws.iter_json.call_count == 2
    with pytest.raises(TypeError):
        ws.iter_json("unexpected")


@pytest.mark.asyncio
async def test_unconfigured_async_iterator_is_empty(factory: MockFactory) -> None:
    ws = factory.create("websocket")
    assert [item async for item in ws.iter_bytes()] == []
