"""Drift: does each kind still match the production class it stands for?

A kind follows its interface (a reference Protocol, or a class). When the kind names its
`production` class, the two are compared member by member: a member missing on either side,
a method called another way on one side (awaited, iterated with `async for`, iterated with
`for`), a signature whose parameters differ (one added or removed, one turned keyword-only,
two positional ones swapped). Any of these means the tests' doubles no longer behave like
production.
"""

from __future__ import annotations

import collections.abc
import inspect
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mockguard.factory.interface import Interface, InterfaceError, Member, compile_interface
from mockguard.factory.kinds import Kind

DriftProblem = Literal[
    "missing-in-production", "missing-in-interface", "kind", "sync-async", "signature", "error"
]


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between a kind's interface and its production class."""

    kind: str
    member: str
    problem: DriftProblem
    detail: str

    @property
    def breaking(self) -> bool:
        """Whether the doubles now behave unlike production. Production having more than
        the interface is a note: a Protocol is usually narrower than its implementations."""
        return self.problem != "missing-in-interface"

    def __str__(self) -> str:
        where = f"{self.kind}.{self.member}" if self.member else self.kind
        note = "" if self.breaking else " (note)"
        return f"{where}: {self.problem}{note}: {self.detail}"


def verify_kinds(kinds: Iterable[Kind]) -> tuple[list[Drift], list[str]]:
    """The drift of every kind that names a production class, and the names of the kinds
    checked."""
    drifts: list[Drift] = []
    checked: list[str] = []
    for kind in kinds:
        if not kind.production or kind.build is not None:
            continue
        checked.append(kind.name)
        try:
            interface = kind.compiled()
            production = compile_interface(kind.production)
        except InterfaceError as exc:
            drifts.append(Drift(kind.name, "", "error", str(exc)))
            continue
        drifts.extend(compare(kind.name, interface, production))
    return drifts, checked


def compare(kind: str, interface: Interface, production: Interface) -> list[Drift]:
    """The differences between what the doubles follow and what production has."""
    if interface.target is production.target:
        return []
    drifts: list[Drift] = []
    for name, member in sorted(interface.members.items()):
        real = production.members.get(name)
        if real is None:
            hint = production.closest(name, callable_=member.is_callable)
            renamed = f" (renamed to `{hint}`?)" if hint else ""
            drifts.append(
                Drift(
                    kind,
                    name,
                    "missing-in-production",
                    f"{production.name} has no `{name}`{renamed}",
                )
            )
            continue
        drifts.extend(_compare_member(kind, member, real, production.name))
    for name, real in sorted(production.members.items()):
        if name not in interface.members and real.is_callable and not name.startswith("__"):
            drifts.append(
                Drift(
                    kind,
                    name,
                    "missing-in-interface",
                    f"{production.name} has `{real.describe()}`, which the doubles lack",
                )
            )
    return drifts


_ASYNC_ITERATORS = (collections.abc.AsyncIterator, collections.abc.AsyncGenerator)
_ITERATORS = (collections.abc.Iterator, collections.abc.Generator)


def convention(member: Member) -> str:
    """How code calls a method: "await" (`async def`), "async for" (an async generator, or
    a method declared to return an AsyncIterator), "for" (a generator, or a method
    declared to return an Iterator), or "call"."""
    if member.kind == "async_method":
        return "await"
    if member.kind == "async_iterator":
        return "async for"
    if member.kind == "generator":
        return "for"
    returned = typing.get_origin(member.annotation) or member.annotation
    if returned in _ASYNC_ITERATORS:
        return "async for"
    if returned in _ITERATORS:
        return "for"
    return "call"


def _compare_member(kind: str, member: Member, real: Member, production: str) -> list[Drift]:
    if member.is_callable != real.is_callable:
        return [
            Drift(
                kind,
                member.name,
                "kind",
                f"a {member.kind} in the interface, a {real.kind} in {production}",
            )
        ]
    if not member.is_callable:
        return []
    ours, theirs = convention(member), convention(real)
    # A plain call and a generator are used alike (the result is iterated); any other
    # difference changes how the code must call the method.
    if ours != theirs and {ours, theirs} != {"call", "for"}:
        return [
            Drift(
                kind,
                member.name,
                "sync-async",
                f"`{member.describe()}` ({ours}) in the interface, `{real.describe()}` "
                f"({theirs}) in {production}",
            )
        ]
    problem = _signature_difference(member.signature, real.signature)
    if problem:
        return [
            Drift(
                kind,
                member.name,
                "signature",
                f"{problem}: interface `{member.describe()}`, production `{real.describe()}`",
            )
        ]
    return []


def _signature_difference(
    ours: inspect.Signature | None, theirs: inspect.Signature | None
) -> str | None:
    if ours is None or theirs is None:
        return None
    mine = {p.name: p for p in ours.parameters.values()}
    real = {p.name: p for p in theirs.parameters.values()}
    accepts_any_keyword = any(p.kind is p.VAR_KEYWORD for p in real.values())
    for name, param in real.items():
        required = param.default is param.empty and param.kind not in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        )
        if required and name not in mine:
            return f"production requires `{name}`"
    for name, param in mine.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if name not in real and not accepts_any_keyword:
            return f"production has no parameter `{name}`"
        other = real.get(name)
        if other is not None and other.kind != param.kind:
            return (
                f"`{name}` is {param.kind.description} in the interface, "
                f"{other.kind.description} in production"
            )
    return _order_difference(ours, theirs)


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _order_difference(ours: inspect.Signature, theirs: inspect.Signature) -> str | None:
    """Positional parameters both sides have, in another order: a call passing them by
    position gives each the other's value."""
    mine = [p.name for p in ours.parameters.values() if p.kind in _POSITIONAL]
    real = [p.name for p in theirs.parameters.values() if p.kind in _POSITIONAL]
    common = [name for name in mine if name in real]
    if common != [name for name in real if name in mine]:
        return (
            f"positional parameters in another order: ({', '.join(mine)}) in the interface, "
            f"({', '.join(real)}) in production"
        )
    return None
