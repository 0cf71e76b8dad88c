"""`MockFactory`, a registry of kinds, and `SSotMockFactory`, the seed-compatible facade."""

from __future__ import annotations

import dataclasses
import difflib
import threading
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from mockguard.factory.contexts import ExecutionContext, UserExecutionContext
from mockguard.factory.errors import (
    KindError,
    MockguardDeprecationWarning,
    MockguardError,
    MockLeakError,
    UnknownKindError,
)
from mockguard.factory.events import (
    EventContract,
    EventLog,
    check_payload,
    check_user,
    find_leak,
    stamped_user,
)
from mockguard.factory.interface import InterfaceError, compile_interface
from mockguard.factory.kinds import Kind, builtin_kinds
from mockguard.factory.strict import CallHook, StrictMock, strict_class

if TYPE_CHECKING:
    from mockguard.config import KindConfig, Settings

T = TypeVar("T", bound=type)


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""


class MockFactory:
    """A registry of kinds that makes strict, isolated test doubles.

    A factory is an ordinary object: make a fresh one per test (the `mock_factory` fixture
    does) or share :data:`factory`, the module-level default. Every websocket it makes
    records what is sent in :attr:`events`.
    """

    def __init__(
        self,
        kinds: Iterable[Kind] = (),
        *,
        builtins: bool = True,
        contract: EventContract | None = None,
    ) -> None:
        self._kinds: dict[str, Kind] = {}
        self._hooks: dict[str, tuple[dict[str, CallHook], dict[str, CallHook]]] = {}
        self._lock = threading.Lock()
        self.events = EventLog()
        self.violations: list[MockguardError] = []
        """Every leak or contamination the doubles refused, even if the code under test
        caught the error (the pytest fixture fails the test on them)."""
        self.contract = contract or EventContract()
        for kind in (*(builtin_kinds() if builtins else ()), *kinds):
            self._kinds[kind.name] = kind

    @classmethod
    def from_settings(cls, settings: Settings) -> MockFactory:
        """A factory with the kinds and event contract of a configuration."""
        events = settings.events
        contract = EventContract(
            events=events.names, required_keys=dict(events.required_keys), style=events.style
        )
        made = cls(contract=contract)
        for declared in settings.kinds:
            made.register(made._configured_kind(declared))
        return made

    @classmethod
    def from_config(cls, config: str | None = None) -> MockFactory:
        """A factory from the nearest `mockguard.toml` / `[tool.mockguard]` (or `config`)."""
        from pathlib import Path

        from mockguard.config import load_settings

        return cls.from_settings(load_settings(Path(config) if config else None))

    def _configured_kind(self, declared: KindConfig) -> Kind:
        existing = self._kinds.get(declared.name)
        if existing is not None and declared.interface is None:
            return dataclasses.replace(
                existing,
                defaults={**existing.defaults, **declared.defaults},
                category=declared.category or existing.category,
                production=declared.production or existing.production,
            )
        if declared.interface is None:
            raise KindError(f"kind `{declared.name}`: `interface` is required for a new kind")
        defaults = dict(declared.defaults)
        if existing is not None:
            # A built-in rebound to the project's class keeps the defaults that still fit.
            try:
                members = compile_interface(declared.interface).members
            except InterfaceError as exc:
                raise KindError(f"kind `{declared.name}`: {exc}") from None
            inherited = {k: v for k, v in existing.defaults.items() if k in members}
            defaults = {**inherited, **defaults}
        return Kind(
            declared.name,
            declared.interface,
            defaults,
            declared.category or (existing.category if existing else "generic"),
            sends=existing.sends if existing else (),
            stores=existing.stores if existing else (),
            production=declared.production,
        )

    # ------------------------------------------------------------------- registry

    def register(
        self,
        kind: Kind | str,
        interface: type | str | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
        category: str = "generic",
        production: str | None = None,
    ) -> Kind:
        """Add a kind, or replace one: `register("agent", SupervisorAgent, defaults={...})`."""
        if isinstance(kind, str):
            if interface is None:
                raise KindError(
                    f"register({kind!r}): give the interface (a class or 'pkg.mod:Class')"
                )
            kind = Kind(kind, interface, dict(defaults or {}), category, production=production)
        if kind.build is None:
            try:
                interface_ = kind.compiled()
            except InterfaceError as exc:
                raise KindError(f"kind `{kind.name}`: {exc}") from None
            self._check_names(kind.name, kind.defaults, interface_, what="default")
        with self._lock:
            self._kinds[kind.name] = kind
            self._hooks.pop(kind.name, None)
        return kind

    def kind(
        self, name: str, *, defaults: Mapping[str, Any] | None = None, category: str = "generic"
    ) -> Callable[[T], T]:
        """Register the decorated class or Protocol as kind `name`."""

        def decorate(cls: T) -> T:
            self.register(name, cls, defaults=defaults, category=category)
            return cls

        return decorate

    def kinds(self) -> list[str]:
        """The registered kind names, sorted."""
        return sorted(self._kinds)

    def kind_objects(self) -> list[Kind]:
        """The registered kinds, sorted by name."""
        return [self._kinds[name] for name in self.kinds()]

    def get_kind(self, name: str) -> Kind:
        """The kind called `name`; :class:`UnknownKindError` with suggestions otherwise."""
        try:
            return self._kinds[name]
        except KeyError:
            known = ", ".join(self.kinds())
            raise UnknownKindError(
                f"unknown kind `{name}`{_suggest(name, self._kinds)} (known: {known})"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    # ------------------------------------------------------------------- creation

    def create(
        self,
        kind: str,
        /,
        user_context: UserExecutionContext | None = None,
        *,
        allow_extra: bool = False,
        connection_id: str | None = None,
        **overrides: Any,
    ) -> Any:
        """A fresh double of `kind`. `overrides` set attributes and method return values
        (an exception or a function becomes a side effect). A double belongs to
        `user_context` (a fresh one when not given). `allow_extra=True` lets this one mock
        take attributes its interface lacks."""
        spec = self.get_kind(kind)
        if spec.build is not None:
            return spec.build(user_context, **overrides)
        interface = spec.compiled()
        if not allow_extra:
            self._check_names(kind, overrides, interface, what="override")
        config = {**spec.defaults, **overrides} if overrides else spec.defaults
        context = user_context or UserExecutionContext()
        cls = strict_class(interface)
        checks, after = self._hooks_for(spec)
        double = cls(
            interface,
            kind,
            dict(config),
            checks,
            after=after,
            allow_extra=allow_extra,
            context=context,
        )
        if spec.sends or spec.stores:
            state = double.__dict__
            # Only a double made for a named user guards against other users' messages.
            state["_mg_user"] = user_context.user_id if user_context is not None else None
            state["_mg_connection"] = connection_id or f"conn-{uuid.uuid4().hex}"
            state["_mg_log"] = self.events
            state["_mg_violations"] = self.violations
        return double

    def create_suite(
        self, kinds: Iterable[str], user_context: UserExecutionContext | None = None
    ) -> dict[str, Any]:
        """One double of each kind, all for the same user."""
        context = user_context or UserExecutionContext()
        return {name: self.create(name, context) for name in kinds}

    @staticmethod
    def _check_names(kind: str, values: Mapping[str, Any], interface: Any, *, what: str) -> None:
        for name in values:
            if name not in interface.members:
                raise KindError(f"kind `{kind}`: {what} `{name}`: {interface.unknown(name)}")

    def _hooks_for(self, spec: Kind) -> tuple[dict[str, CallHook], dict[str, CallHook]]:
        found = self._hooks.get(spec.name)
        if found is not None:
            return found
        checks: dict[str, CallHook] = {name: _check_send for name in spec.sends}
        checks.update({name: _check_store for name in spec.stores})
        after: dict[str, CallHook] = {name: _record_send for name in spec.sends}
        self._hooks[spec.name] = (checks, after)
        return checks, after

    # ----------------------------------------------------------------------- events

    def sent(self, websocket: Any) -> list[Any]:
        """The events one factory websocket sent."""
        state = getattr(websocket, "__dict__", {})
        connection = state.get("_mg_connection")
        if connection is None or state.get("_mg_log") is not self.events:
            raise TypeError(f"{websocket!r} is not a websocket made by this factory")
        found: list[Any] = self.events.events(connection_id=connection)
        return found

    def assert_events(
        self,
        *,
        user_id: str | None = None,
        run_id: str | None = None,
        contract: EventContract | None = None,
    ) -> None:
        """Check the recorded events against the factory's contract (see
        :func:`mockguard.factory.events.assert_events`)."""
        from mockguard.factory.events import assert_events

        assert_events(
            self.events.events(), contract or self.contract, run_id=run_id, user_id=user_id
        )


def _payload(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[0] if args else kwargs.get("data", kwargs.get("message"))


def _refuse(owner: StrictMock, error: MockguardError) -> None:
    owner.__dict__["_mg_violations"].append(error)
    raise error


def _check_send(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Before a message goes out: no mock inside it, no other user's id on it."""
    payload = _payload(args, kwargs)
    state = owner.__dict__
    try:
        check_payload(name, payload)
        check_user(state["_mg_user"], payload, state["_mg_connection"])
    except MockguardError as error:
        _refuse(owner, error)


def _record_send(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Once a send succeeded: it is an event of this connection and user."""
    state = owner.__dict__
    payload = _payload(args, kwargs)
    user_id = (
        state["_mg_user"] or stamped_user(payload) or getattr(state["_mg_context"], "user_id", None)
    )
    state["_mg_log"].record(state["_mg_connection"], user_id, name, payload)


def _check_store(
    owner: StrictMock, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Before an object goes to the database: no mock inside it."""
    for index, value in enumerate((*args, *kwargs.values())):
        problem = find_leak(value, f"argument {index + 1}", json=False)
        if problem:
            _refuse(
                owner, MockLeakError(f"{name}(): {problem}; a mock must never reach the database")
            )


default_factory = MockFactory()
"""The module-level default factory (what `SSotMockFactory` and `mockguard.factory.create`
use)."""


# ----------------------------------------------------------------------- the facade


def _completion(content: str | None, tool_calls: list[Any] | None = None) -> Any:
    message = SimpleNamespace(role="assistant", content=content, tool_calls=tool_calls)
    return SimpleNamespace(
        choices=[SimpleNamespace(index=0, message=message, finish_reason="stop")]
    )


class _Facade(type):
    """Deprecated names resolve with a warning; unknown names get suggestions."""

    _ALIASES: Mapping[str, str] = {
        "create_mock_websocket_manager": "create_websocket_manager_mock",
        "create_mock_websocket": "create_websocket_mock",
        "create_mock_supervisor_agent": "create_agent_mock",
    }

    def __getattr__(cls, name: str) -> Any:
        canonical = cls._ALIASES.get(name)
        if canonical is not None:
            warnings.warn(
                f"SSotMockFactory.{name} is deprecated; use SSotMockFactory.{canonical}",
                MockguardDeprecationWarning,
                stacklevel=2,
            )
            return getattr(cls, canonical)
        options = [n for n in dir(cls) if n.startswith("create")]
        raise AttributeError(f"SSotMockFactory has no attribute `{name}`{_suggest(name, options)}")


class SSotMockFactory(metaclass=_Facade):
    """The single source of truth for test doubles: class-level helpers over
    :data:`factory`. Every method returns a fresh, strict double (or a real context)."""

    @staticmethod
    def _factory() -> MockFactory:
        return default_factory

    @classmethod
    def create_mock(cls, kind: str, /, **kwargs: Any) -> Any:
        """A double of any registered kind."""
        return cls._factory().create(kind, **kwargs)

    @classmethod
    def create_mock_user_context(
        cls,
        user_id: str | None = None,
        thread_id: str | None = None,
        run_id: str | None = None,
        request_id: str | None = None,
        websocket_connection_id: str | None = None,
    ) -> UserExecutionContext:
        """A real UserExecutionContext; ids not given are fresh uuids."""
        given: dict[str, Any] = {
            "user_id": user_id,
            "thread_id": thread_id,
            "run_id": run_id,
            "request_id": request_id,
            "websocket_connection_id": websocket_connection_id,
        }
        return UserExecutionContext(**{k: v for k, v in given.items() if v is not None})

    @classmethod
    def create_isolated_execution_context(
        cls, user_id: str | None = None, agent_name: str = "supervisor", run_id: str | None = None
    ) -> ExecutionContext:
        """A real ExecutionContext for a new user context (fresh ids throughout)."""
        user = cls.create_mock_user_context(user_id=user_id, run_id=run_id)
        return ExecutionContext(user_context=user, agent_name=agent_name, run_id=user.run_id)

    @classmethod
    def create_execution_context_mock(
        cls,
        user_id: str | None = None,
        run_id: str | None = None,
        agent_name: str = "supervisor",
        user_context: UserExecutionContext | None = None,
    ) -> ExecutionContext:
        """A real ExecutionContext (not a mock: contexts are data)."""
        user = user_context or cls.create_mock_user_context(user_id=user_id, run_id=run_id)
        return ExecutionContext(
            user_context=user, agent_name=agent_name, run_id=run_id or user.run_id
        )

    @classmethod
    def create_agent_mock(
        cls,
        agent_type: str = "supervisor",
        name: str | None = None,
        response: Any = "",
        user_context: UserExecutionContext | None = None,
    ) -> Any:
        """An agent whose `run(...)` answers `response`."""
        return cls._factory().create(
            "agent", user_context, agent_type=agent_type, name=name or agent_type, run=response
        )

    @classmethod
    def create_websocket_mock(
        cls,
        connection_id: str | None = None,
        user_id: str | None = None,
        user_context: UserExecutionContext | None = None,
    ) -> Any:
        """A websocket for one user's connection; what it sends is recorded and checked.
        Messages stamped with another user's id are refused when the user is named."""
        context = user_context
        if context is None and user_id is not None:
            context = cls.create_mock_user_context(
                user_id=user_id, websocket_connection_id=connection_id
            )
        return cls._factory().create("websocket", context, connection_id=connection_id)

    @classmethod
    def create_database_session_mock(
        cls, user_context: UserExecutionContext | None = None, **overrides: Any
    ) -> Any:
        """An AsyncSession double (`await session.execute(...)`, `session.add(...)`, ...)."""
        return cls._factory().create("database_session", user_context, **overrides)

    @classmethod
    def create_tool_mock(
        cls, name: str = "tool", result: Any = "", description: str = "", **overrides: Any
    ) -> Any:
        """A tool whose `run(**arguments)` returns `result`."""
        values = {"name": name, "run": result, "description": description, **overrides}
        return cls._factory().create("tool", **values)

    @classmethod
    def create_llm_client_mock(
        cls, response: str | None = "", tool_calls: list[Any] | None = None
    ) -> Any:
        """An OpenAI-style client whose `chat.completions.create(...)` returns a completion
        (real data) with `response` as the message content."""
        client = cls._factory().create("llm_client")
        client.chat.completions.create.return_value = _completion(response, tool_calls)
        return client

    @classmethod
    def create_configuration_mock(cls, **values: Any) -> Any:
        """Application settings with the given values."""
        return cls._factory().create("configuration", **values)

    @classmethod
    def create_mock_llm_manager(cls, response: str = "", **overrides: Any) -> Any:
        """An LLM manager whose `ask(...)` returns `response`, and whose `get_client()` hands
        out an LLM client double."""
        manager = cls._factory().create("llm_manager", **{"ask": response, **overrides})
        manager.get_client.return_value = cls.create_llm_client_mock(response)
        return manager

    @classmethod
    def create_mock_agent_websocket_bridge(
        cls, user_context: UserExecutionContext | None = None, **overrides: Any
    ) -> Any:
        """A bridge with the five lifecycle methods."""
        return cls._factory().create("agent_websocket_bridge", user_context, **overrides)

    @classmethod
    def create_websocket_manager_mock(
        cls, user_context: UserExecutionContext | None = None, **overrides: Any
    ) -> Any:
        """A websocket manager (`connect`, `disconnect`, `send_to_user`, `broadcast`)."""
        return cls._factory().create("websocket_manager", user_context, **overrides)

    @classmethod
    def create_mock_suite(
        cls, kinds: Iterable[str], user_context: UserExecutionContext | None = None
    ) -> dict[str, Any]:
        """One double of each kind, all for the same user. Keys are the kind names; an
        unknown kind is an error, never silently left out."""
        return cls._factory().create_suite(list(kinds), user_context)
