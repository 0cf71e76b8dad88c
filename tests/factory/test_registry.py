"""MockFactory: registering kinds, errors with suggestions, defaults, isolation, suites."""

from __future__ import annotations

import collections
import json
import re
from typing import Any, Protocol

import pytest

from mockguard.factory import (
    Kind,
    KindError,
    MockFactory,
    MockguardError,
    StrictMock,
    UnknownKindError,
    UserExecutionContext,
    create,
    default_factory,
)
from mockguard.factory.protocols import AgentInterface


@pytest.fixture
def factory() -> MockFactory:
    return MockFactory()


class Notifier:
    """A production class."""

    channel = "email"

    def __init__(self) -> None:
        self.sent_count = 0

    async def send(self, user_id: str, text: str) -> int:
        return 1

    def status(self) -> str:
        return "ok"


class Cache(Protocol):
    size: int
    options: dict[str, Any]

    def get(self, key: str) -> Any: ...

    async def put(self, key: str, value: Any) -> None: ...


# ----------------------------------------------------------------- registration


@pytest.mark.asyncio
async def test_register_a_class(factory: MockFactory) -> None:
    kind = factory.register("notifier", Notifier, defaults={"send": 3})
    assert isinstance(kind, Kind) and kind.name == "notifier" and kind.interface is Notifier
    assert "notifier" in factory
    assert "notifier" in factory.kinds()
    notifier = factory.create("notifier")
    assert isinstance(notifier, Notifier)
    assert await notifier.send("u1", "hi") == 3
    assert notifier.channel == "email"
    with pytest.raises(TypeError):
        notifier.status("extra")
    with pytest.raises(AttributeError, match="did you mean `send`"):
        notifier.sned  # noqa: B018


@pytest.mark.asyncio
async def test_register_a_protocol(factory: MockFactory) -> None:
    factory.register("cache", Cache, defaults={"get": "cached", "size": 10})
    cache = factory.create("cache")
    assert cache.get("k") == "cached"
    assert cache.size == 10
    assert cache.options == {}
    await cache.put("k", 1)
    cache.put.assert_awaited_once_with(key="k", value=1)


def test_register_an_import_path(factory: MockFactory) -> None:
    path = f"{Notifier.__module__}:Notifier"
    factory.register("notifier", path)
    notifier = factory.create("notifier")
    assert isinstance(notifier, Notifier)
    assert notifier.status.call_count == 0
    factory.register("decoder", "json:JSONDecoder")
    decoder = factory.create("decoder")
    assert isinstance(decoder, json.JSONDecoder)
    with pytest.raises(TypeError):
        decoder.decode()  # `s` is required


def test_register_a_kind_object(factory: MockFactory) -> None:
    factory.register(Kind("cache2", Cache, defaults={"size": 5}, category="storage"))
    assert factory.get_kind("cache2").category == "storage"
    assert factory.create("cache2").size == 5


def test_kind_decorator_registers_and_returns_the_class(factory: MockFactory) -> None:
    @factory.kind("clock", defaults={"now": 42.0})
    class Clock(Protocol):
        def now(self) -> float: ...

    assert Clock.__name__ == "Clock"  # the decorator returns the class itself
    assert factory.get_kind("clock").interface is Clock
    clock = factory.create("clock")
    assert clock.now() == 42.0
    assert clock.__class__ is Clock


def test_register_replaces_a_kind(factory: MockFactory) -> None:
    factory.register("agent", Notifier)
    assert isinstance(factory.create("agent"), Notifier)


def test_register_without_interface_is_an_error(factory: MockFactory) -> None:
    with pytest.raises(KindError, match="give the interface"):
        factory.register("orphan")
    assert "orphan" not in factory


# ------------------------------------------------------------------------- errors


def test_unknown_kind_is_a_key_error_with_suggestions(factory: MockFactory) -> None:
    with pytest.raises(UnknownKindError) as info:
        factory.create("websockt")
    error = info.value
    assert isinstance(error, KeyError)
    assert isinstance(error, MockguardError)
    message = str(error)
    assert message.startswith("unknown kind `websockt`")
    assert "did you mean `websocket`" in message
    assert "known: " in message and "database_session" in message
    with pytest.raises(KeyError):
        factory.get_kind("nothing-at-all")


def test_unknown_kind_through_the_module_level_create() -> None:
    with pytest.raises(UnknownKindError, match="did you mean `agent`"):
        create("agnet")


def test_override_the_interface_lacks_is_a_kind_error(factory: MockFactory) -> None:
    with pytest.raises(KindError) as info:
        factory.create("websocket", send_jsn={"x": 1})
    assert isinstance(info.value, TypeError)
    message = str(info.value)
    assert "kind `websocket`" in message
    assert "override `send_jsn`" in message
    assert "did you mean `send_json`" in message


def test_default_the_interface_lacks_is_a_kind_error(factory: MockFactory) -> None:
    with pytest.raises(KindError, match=r"default `rnu`.*did you mean `run`"):
        factory.register("agent2", AgentInterface, defaults={"rnu": ""})
    assert "agent2" not in factory


@pytest.mark.parametrize(
    "path",
    [
        "no_such_package_xyz.mod:Thing",
        "json:NoSuchClass",
        "json:dumps",  # not a class
        "not-an-import-path",
    ],
)
def test_bad_import_path_is_a_kind_error(factory: MockFactory, path: str) -> None:
    with pytest.raises(KindError) as info:
        factory.register("broken", path)
    assert "kind `broken`" in str(info.value)
    assert "broken" not in factory


def test_bad_import_path_names_the_module(factory: MockFactory) -> None:
    with pytest.raises(KindError, match=r"cannot import `no_such_package_xyz\.mod`"):
        factory.register("broken", "no_such_package_xyz.mod:Thing")
    with pytest.raises(KindError, match="`json` has no `NoSuchClass`"):
        factory.register("broken", "json:NoSuchClass")


# ----------------------------------------------------------------------- defaults


@pytest.mark.asyncio
async def test_defaults_are_return_values_and_attribute_values(factory: MockFactory) -> None:
    factory.register("notifier", Notifier, defaults={"send": 7, "status": "down", "channel": "sms"})
    notifier = factory.create("notifier")
    assert await notifier.send("u", "t") == 7
    assert notifier.status() == "down"
    assert notifier.channel == "sms"


@pytest.mark.asyncio
async def test_overrides_win_over_defaults(factory: MockFactory) -> None:
    factory.register("notifier", Notifier, defaults={"send": 7})
    assert await factory.create("notifier", send=9).send("u", "t") == 9
    assert await factory.create("notifier").send("u", "t") == 7


@pytest.mark.asyncio
@pytest.mark.parametrize("error", [RuntimeError("down"), RuntimeError])
async def test_an_exception_becomes_a_side_effect(factory: MockFactory, error: Any) -> None:
    factory.register("notifier", Notifier, defaults={"send": error, "status": error})
    notifier = factory.create("notifier")
    with pytest.raises(RuntimeError):
        await notifier.send("u", "t")
    with pytest.raises(RuntimeError):
        notifier.status()
    assert notifier.send.await_count == 1


@pytest.mark.asyncio
async def test_a_function_becomes_a_side_effect(factory: MockFactory) -> None:
    async def send(user_id: str, text: str) -> int:
        return len(text)

    factory.register("notifier", Notifier, defaults={"send": send, "status": lambda: "computed"})
    notifier = factory.create("notifier")
    assert await notifier.send("u", "hello") == 5
    assert notifier.status() == "computed"
    agent = factory.create("agent", run=lambda context, message: message.upper())
    assert await agent.run(None, "hi") == "HI"


def test_a_class_default_is_a_return_value_not_a_side_effect(factory: MockFactory) -> None:
    factory.register("cache", Cache, defaults={"get": dict})
    assert factory.create("cache").get("k") is dict


def test_mutable_defaults_are_not_shared_between_mocks(factory: MockFactory) -> None:
    factory.register(
        "cache",
        Cache,
        defaults={"options": {"retries": [1, 2]}, "get": {"hits": []}},
    )
    first, second = factory.create("cache"), factory.create("cache")
    first.options["retries"].append(3)
    first.options["new"] = True
    first.get("k")["hits"].append("k")
    assert second.options == {"retries": [1, 2]}
    assert second.get("k") == {"hits": []}
    assert factory.get_kind("cache").defaults["options"] == {"retries": [1, 2]}
    assert factory.create("cache").options == {"retries": [1, 2]}


def test_mutable_overrides_are_not_shared_either(factory: MockFactory) -> None:
    shared = {"retries": 1}
    factory.register("cache", Cache)
    first = factory.create("cache", options=shared)
    second = factory.create("cache", options=shared)
    first.options["retries"] = 2
    assert second.options == {"retries": 1}


@pytest.mark.parametrize(
    ("default", "mutate", "pristine"),
    [
        (collections.deque([1]), lambda value: value.append(2), collections.deque([1])),
        (({"a": 1},), lambda value: value[0].update(a=2), ({"a": 1},)),
    ],
    ids=["deque", "dict-in-tuple"],
)
def test_other_mutable_defaults_are_not_shared(
    factory: MockFactory, default: Any, mutate: Any, pristine: Any
) -> None:
    factory.register("cache", Cache, defaults={"options": default})
    first, second = factory.create("cache"), factory.create("cache")
    mutate(first.options)
    assert second.options == pristine


def test_allow_extra_keeps_overrides_for_extra_names(factory: MockFactory) -> None:
    ws = factory.create("websocket", allow_extra=True, tenant="acme")
    assert ws.tenant == "acme"


# ---------------------------------------------------------------------- isolation


@pytest.mark.asyncio
async def test_two_factories_share_no_registrations_or_events() -> None:
    one, two = MockFactory(), MockFactory()
    one.register("notifier", Notifier)
    assert "notifier" in one and "notifier" not in two
    one.register("agent", Notifier)
    assert not isinstance(two.create("agent"), Notifier)
    assert not isinstance(default_factory.create("agent"), Notifier)
    ws_one = one.create("websocket")
    await ws_one.send_json({"type": "agent_started"})
    assert len(one.events) == 1
    assert len(two.events) == 0
    assert two.events.events() == []


def test_factory_without_builtins() -> None:
    bare = MockFactory(builtins=False)
    assert bare.kinds() == []
    with pytest.raises(UnknownKindError):
        bare.create("websocket")
    custom = MockFactory([Kind("cache", Cache)], builtins=False)
    assert custom.kinds() == ["cache"]


def test_every_builtin_kind_can_be_created(factory: MockFactory) -> None:
    for name in factory.kinds():
        made = factory.create(name)
        assert made is not None, name
    assert isinstance(factory.create("user_context"), UserExecutionContext)


# -------------------------------------------------------------------------- suites


def test_create_suite_makes_one_double_per_kind_for_one_user(factory: MockFactory) -> None:
    suite = factory.create_suite(["websocket", "database_session", "agent", "execution_context"])
    assert list(suite) == ["websocket", "database_session", "agent", "execution_context"]
    assert all(isinstance(suite[k], StrictMock) for k in ("websocket", "database_session", "agent"))
    owners = {
        re.search(r"user=(\S+)", repr(suite[k])).group(1)
        for k in ("websocket", "database_session", "agent")
    }
    assert owners == {suite["execution_context"].user_id}


def test_create_suite_with_a_given_user(factory: MockFactory) -> None:
    context = UserExecutionContext(user_id="alice")
    suite = factory.create_suite(["websocket", "user_context"], context)
    assert suite["user_context"] is context
    assert "user=alice" in repr(suite["websocket"])


def test_create_suite_rejects_unknown_kinds(factory: MockFactory) -> None:
    with pytest.raises(UnknownKindError, match="did you mean `websocket`"):
        factory.create_suite(["agent", "websockt"])


@pytest.mark.asyncio
async def test_suite_websocket_records_for_the_suite_user(factory: MockFactory) -> None:
    context = UserExecutionContext(user_id="bob")
    suite = factory.create_suite(["websocket"], context)
    await suite["websocket"].send_json({"type": "agent_started"})
    [event] = factory.sent(suite["websocket"])
    assert event.user_id == "bob"
