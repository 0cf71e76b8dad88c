"""`MockFactory`: a registry of kinds that makes strict, isolated test doubles."""

from __future__ import annotations

import dataclasses
import difflib
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from unittest import mock

from mockguard.factory import guards
from mockguard.factory.binding import bound
from mockguard.factory.contexts import UserExecutionContext
from mockguard.factory.errors import KindError, MockguardError, UnknownKindError
from mockguard.factory.events import (
    DEFAULT_USER_ID_PATHS,
    EventContract,
    EventLog,
    UserIdPaths,
)
from mockguard.factory.interface import (
    Interface,
    InterfaceError,
    compile_interface,
    extend,
    invalidate,
    load_class,
)
from mockguard.factory.kinds import Kind, builtin_kinds
from mockguard.factory.migration import MigrationLog
from mockguard.factory.pending import PendingAwaits
from mockguard.factory.strict import CallHook, StrictMock, strict_class

if TYPE_CHECKING:
    from mockguard.config import KindConfig, Settings
    from mockguard.factory.legacy import LegacySpec

T = TypeVar("T", bound=type)
LegacyMembers = Literal["record", "fail"]
LEGACY_MODES: tuple[LegacyMembers, ...] = ("record", "fail")


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""


class MockFactory:
    """A registry of kinds that makes strict, isolated test doubles.

    A factory is an ordinary object: the pytest plugin gives every test a fresh one (the
    `mock_factory` fixture, which `SSotMockFactory` uses too), and :data:`default_factory`
    serves code outside tests. Every websocket, bridge and manager it makes records what
    it sends in :attr:`events`; refusals are kept in :attr:`violations`, coroutines never
    awaited are reported by :meth:`problems`.

    `legacy_members` is the facade's migration mode: "record" (lenient doubles that allow,
    and record in :attr:`migration`, members the real interface lacks) or "fail" (the
    facade's doubles are as strict as :meth:`create`'s). `user_id_paths` says where
    messages carry user ids (see :data:`~mockguard.factory.events.DEFAULT_USER_ID_PATHS`).
    """

    def __init__(
        self,
        kinds: Iterable[Kind] = (),
        *,
        builtins: bool = True,
        contract: EventContract | None = None,
        user_id_paths: Iterable[str] = DEFAULT_USER_ID_PATHS,
        legacy_members: LegacyMembers = "record",
    ) -> None:
        if legacy_members not in LEGACY_MODES:
            raise ValueError(
                f"legacy_members must be one of {', '.join(LEGACY_MODES)}, not {legacy_members!r}"
            )
        self._kinds: dict[str, Kind] = {}
        self._hooks: dict[Any, tuple[dict[str, CallHook], dict[str, CallHook], Kind]] = {}
        self._lock = threading.Lock()
        self.events = EventLog()
        self.violations: list[MockguardError] = []
        """Every leak or contamination the doubles refused, even if the code under test
        caught the error (the pytest plugin fails the test on them)."""
        self.migration = MigrationLog()
        """The members the facade's lenient doubles were used with that their real
        interface lacks."""
        self.contract = contract or EventContract()
        self.user_id_paths = tuple(user_id_paths)
        self.legacy_members: LegacyMembers = legacy_members
        self._paths = UserIdPaths.parse(self.user_id_paths)
        self._pending = PendingAwaits()
        self._test_user: UserExecutionContext | None = None
        for kind in (*(builtin_kinds() if builtins else ()), *kinds):
            self._kinds[kind.name] = kind
        self._baseline: dict[str, Kind] = dict(self._kinds)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        user_id_paths: Iterable[str] = DEFAULT_USER_ID_PATHS,
        legacy_members: LegacyMembers = "record",
    ) -> MockFactory:
        """A factory with the kinds and event contract of a configuration."""
        events = settings.events
        contract = EventContract(
            events=events.names, required_keys=dict(events.required_keys), style=events.style
        )
        made = cls(contract=contract, user_id_paths=user_id_paths, legacy_members=legacy_members)
        for declared in settings.kinds:
            made.register(made._configured_kind(declared))
        made._baseline = dict(made._kinds)
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
        return self._inherit(
            Kind(
                declared.name,
                declared.interface,
                defaults,
                declared.category or (existing.category if existing else "generic"),
                production=declared.production,
            )
        )

    def _inherit(self, kind: Kind) -> Kind:
        """`kind`, keeping the guards and behaviours of the kind of that name it replaces:
        a websocket bound to the project's class still records and checks what it sends."""
        existing = self._kinds.get(kind.name)
        if existing is None:
            return kind
        return dataclasses.replace(
            kind,
            sends=kind.sends or existing.sends,
            stores=kind.stores or existing.stores,
            emits=kind.emits or existing.emits,
            routes=kind.routes or existing.routes,
            behaviours=kind.behaviours or existing.behaviours,
        )

    # --------------------------------------------------------------- lifetime

    def fork(self, overlay: MockFactory | None = None) -> MockFactory:
        """A fresh factory with this one's kinds, contract and settings, and nothing of its
        state (events, violations, users). Kinds registered on `overlay` since it was made
        are added: a per-test factory sees what `default_factory.register(...)` added."""
        made = type(self)(
            builtins=False,
            contract=self.contract,
            user_id_paths=self.user_id_paths,
            legacy_members=self.legacy_members,
        )
        made._kinds = dict(self._kinds)
        if overlay is not None:  # the overlay's own kinds, even if it is a view of this test's
            made._kinds.update(MockFactory.registered(overlay))
        made._hooks = dict(self._hooks)
        made._baseline = dict(made._kinds)
        return made

    def registered(self) -> dict[str, Kind]:
        """The kinds registered (or replaced) since the factory was made."""
        return {
            name: kind for name, kind in self._kinds.items() if self._baseline.get(name) is not kind
        }

    def reset(self) -> None:
        """Forget everything since the factory was made: events, violations, pending
        coroutines, recorded migration uses, the test user, and kinds registered since.
        What to call on :data:`default_factory` between two uses outside pytest."""
        with self._lock:
            self._kinds = dict(self._baseline)
            self._hooks.clear()
            self._test_user = None
        self.events.clear()
        self.violations.clear()
        self.migration.clear()
        self._pending.clear()

    def snapshot(self) -> dict[str, Kind]:
        """The registered kinds, to :meth:`restore` later."""
        return dict(self._kinds)

    def restore(self, kinds: Mapping[str, Kind]) -> None:
        """Bring back the kinds of a :meth:`snapshot` and forget the state gathered since
        (events, violations, pending coroutines, migration uses)."""
        with self._lock:
            if kinds != self._kinds:
                self._kinds = dict(kinds)
                self._hooks.clear()
        self.events.clear()
        self.violations.clear()
        self.migration.clear()
        self._pending.clear()

    def problems(self) -> list[str]:
        """What must fail the test that used this factory, and forget it: every refusal of
        its doubles (even one the code caught), and every coroutine of its doubles never
        awaited (a call that did nothing, although `assert_called_once()` passes)."""
        found = [f"{type(v).__name__}: {v}" for v in self.violations]
        self.violations.clear()
        found += [
            f"UnawaitedCallError: {label}() was called but never awaited"
            for label in self._pending.unawaited()
        ]
        return found

    @property
    def test_user(self) -> UserExecutionContext:
        """The user every double made without one belongs to (one per factory: per test
        under pytest, where the `mock_user_context` fixture is this user)."""
        found = self._test_user
        if found is None:
            with self._lock:
                found = self._test_user
                if found is None:
                    found = self._test_user = UserExecutionContext()
        return found

    # ------------------------------------------------------------------- registry

    def register(
        self,
        kind: Kind | str,
        interface: type | str | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
        category: str | None = None,
        production: str | None = None,
    ) -> Kind:
        """Add a kind, or replace one: `register("agent", SupervisorAgent, defaults={...})`.
        A replaced kind keeps its guards (what a websocket sends is still recorded and
        checked) and its category unless one is given; a class changed since it was last
        compiled is compiled again."""
        if isinstance(kind, str):
            if interface is None:
                raise KindError(
                    f"register({kind!r}): give the interface (a class or 'pkg.mod:Class')"
                )
            existing = self._kinds.get(kind)
            kind = Kind(
                kind,
                interface,
                dict(defaults or {}),
                category or (existing.category if existing else "generic"),
                production=production,
            )
        kind = self._inherit(kind)
        if kind.build is None:
            target = kind.interface
            if isinstance(target, str):
                try:
                    target = load_class(target)
                except InterfaceError:
                    target = None
            if isinstance(target, type):
                invalidate(target)
            try:
                interface_ = kind.compiled()
            except InterfaceError as exc:
                raise KindError(f"kind `{kind.name}`: {exc}") from None
            self._check_names(kind.name, kind.defaults, interface_, what="default")
        with self._lock:
            self._kinds[kind.name] = kind
            for key in [k for k in self._hooks if k[0] == kind.name]:
                self._hooks.pop(key, None)
        return kind

    def kind(
        self,
        name: str,
        *,
        defaults: Mapping[str, Any] | None = None,
        category: str | None = None,
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

    def kind_for_class(self, class_name: str) -> Kind | None:
        """The kind whose interface or production class is called `class_name`, if any."""
        for kind in self._kinds.values():
            for target in (kind.interface, kind.production):
                if isinstance(target, type):
                    name = target.__name__
                elif isinstance(target, str):
                    name = target.replace(":", ".").rsplit(".", 1)[-1]
                else:
                    continue
                if name == class_name:
                    return kind
        return None

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
        `user_context` (the factory's :attr:`test_user` when not given). `allow_extra=True`
        lets this one mock take attributes its interface lacks."""
        spec = self.get_kind(kind)
        if spec.build is not None:
            return spec.build(user_context, **overrides)
        interface = spec.compiled()
        if not allow_extra:
            self._check_names(kind, overrides, interface, what="override")
        config = {**spec.defaults, **overrides} if overrides else dict(spec.defaults)
        return self._build(
            spec,
            interface,
            config,
            user_context,
            allow_extra=allow_extra,
            connection_id=connection_id,
        )

    def _build(
        self,
        spec: Kind,
        interface: Interface,
        config: dict[str, Any],
        user_context: UserExecutionContext | None,
        *,
        allow_extra: bool = False,
        connection_id: str | None = None,
        legacy: LegacySpec | None = None,
        lenient: bool = False,
        run_id: str | None = None,
    ) -> StrictMock:
        context = user_context or self.test_user
        checks, after = self._hooks_for(spec, legacy)
        recorder = None
        if lenient:
            log, kind_name, where = self.migration, spec.name, interface.name

            def recorder(name: str, how: str) -> None:
                log.record(kind_name, where, name, how)

        double = strict_class(interface)(
            interface,
            spec.name,
            config,
            checks,
            after=after,
            allow_extra=allow_extra,
            context=context,
            lenient=recorder,
            extra_cls=legacy.extra_cls if legacy is not None else mock.MagicMock,
            pending=self._pending,
            behaviours=spec.behaviours or None,
        )
        if checks or after:
            state = double.__dict__
            state["_mg_user"] = context.user_id
            state["_mg_named"] = user_context is not None
            state["_mg_connection"] = (
                connection_id or context.websocket_connection_id or f"conn-{uuid.uuid4().hex}"
            )
            state["_mg_source"] = f"{spec.name}-{uuid.uuid4().hex}"
            state["_mg_log"] = self.events
            state["_mg_violations"] = self.violations
            state["_mg_paths"] = self._paths
            state["_mg_run"] = run_id
            if legacy is not None and legacy.positions:
                state["_mg_guard_args"] = legacy.positions
        return double

    def _legacy(
        self,
        spec: Kind,
        legacy: LegacySpec,
        values: Mapping[str, Any],
        overrides: Mapping[str, Any],
        user_context: UserExecutionContext | None,
        *,
        connection_id: str | None = None,
        run_id: str | None = None,
        loose: Mapping[str, Any] | None = None,
    ) -> StrictMock:
        """A double of `spec` carrying the members of an old double (see
        :mod:`mockguard.factory.legacy`): the facade's. `values` are the old double's,
        `overrides` the caller's (checked against what the double has), `loose` values for
        any name (the old `additional_config`). In "record" mode the double is lenient; in
        "fail" mode it follows the real interface only."""
        real = spec.compiled()
        lenient = self.legacy_members == "record"
        interface = extend(real, legacy.interface()) if lenient else real
        self._check_names(spec.name, overrides, interface, what="override")
        # Every old value stays in the configuration, even for a name the double does not
        # have: `configuration.get(key)` still finds it in strict migration mode.
        config = {**spec.defaults, **values, **(loose or {})}
        config.update(overrides)
        return self._build(
            spec,
            interface,
            config,
            user_context,
            connection_id=connection_id,
            legacy=legacy,
            lenient=lenient,
            run_id=run_id,
        )

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

    def _hooks_for(
        self, spec: Kind, legacy: LegacySpec | None = None
    ) -> tuple[dict[str, CallHook], dict[str, CallHook]]:
        key = (spec.name, legacy.name if legacy is not None else None)
        found = self._hooks.get(key)
        if found is not None and found[2] is spec:
            return found[0], found[1]
        roles: dict[str, str] = {}
        roles.update({name: "send" for name in spec.sends})
        roles.update({name: "store" for name in spec.stores})
        roles.update({name: "emit" for name in spec.emits})
        roles.update({name: "route" for name in spec.routes})
        if legacy is not None:
            for name, role in legacy.guards.items():
                roles.setdefault(name, role)
        checks, after = guards.hooks(roles)
        self._hooks[key] = (checks, after, spec)
        return checks, after

    # ----------------------------------------------------------------------- events

    def sent(self, double: Any) -> list[Any]:
        """The events one factory double (a websocket, a bridge, a manager) sent."""
        state = getattr(double, "__dict__", {})
        source = state.get("_mg_source")
        if source is None:
            raise TypeError(f"{double!r} is not a websocket made by this factory")
        if state.get("_mg_log") is not self.events:
            raise TypeError(
                f"{double!r} is not a websocket made by this factory: it was made by another "
                "one (outside this test, e.g. at import time or in a module or session "
                "fixture, where doubles belong to default_factory); make doubles in the test"
            )
        found: list[Any] = self.events.events(source=source)
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


class DefaultFactory(MockFactory):
    """The module-level factory. While a factory is bound (every test under the pytest
    plugin, or a `using(...)` block), each public attribute and method is the bound
    factory's: `default_factory.assert_events(...)`, `.sent(ws)`, `.register(...)` act on
    the running test's factory, so nothing crosses tests. Unbound, it is an ordinary
    factory (call :meth:`reset` between two uses)."""

    def __getattribute__(self, name: str) -> Any:
        if name[:1] != "_":
            found = bound()
            if found is not None and found is not self:
                return getattr(found, name)
        return object.__getattribute__(self, name)


default_factory: MockFactory = DefaultFactory()
"""The module-level default factory: what `SSotMockFactory` and `mockguard.factory.create`
use when no factory is bound; while one is bound (in a test), a view of it."""
