"""Interfaces, compiled once: the members of a class or Protocol, their kinds and signatures.

A factory mock consults its :class:`Interface` on every attribute look-up, so the interface
is computed once per class (and cached) and kept small: a dict of :class:`Member`.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
import textwrap
import threading
import typing
from dataclasses import dataclass
from typing import Any, Literal

# Special methods a double must support when its interface has them (`async with session`).
SPECIAL_METHODS = frozenset(
    {"__aenter__", "__aexit__", "__enter__", "__exit__", "__aiter__", "__anext__", "__call__"}
)
# Members every object has: not part of a test double's interface.
_OBJECT_MEMBERS = frozenset(dir(object)) | {"__weakref__", "__dict__", "__slots__"}


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
"""A member without a default value."""


class InterfaceError(TypeError):
    """An interface that cannot be loaded or inspected."""


MemberKind = Literal[
    "method", "async_method", "async_iterator", "generator", "property", "attribute"
]


@dataclass(frozen=True, slots=True)
class Member:
    """One member of an interface."""

    name: str
    kind: MemberKind
    signature: inspect.Signature | None = None
    annotation: Any = None
    default: Any = NO_DEFAULT

    @property
    def is_callable(self) -> bool:
        return self.kind in ("method", "async_method", "async_iterator", "generator")

    def describe(self) -> str:
        """`async def send_json(self, data, mode='text')`-like text, for messages."""
        if self.kind == "async_method":
            return f"async def {self.name}{self.signature or '(...)'}"
        if self.is_callable:
            return f"def {self.name}{self.signature or '(...)'}"
        return f"{self.name} ({self.kind})"


@dataclass(frozen=True, slots=True)
class Interface:
    """The compiled members of a class or Protocol.

    `foreign` names members a double carries that the real interface lacks (the members of a
    legacy double, see :func:`extend`); a plain compiled interface has none.
    """

    name: str
    target: type | None
    members: dict[str, Member]
    foreign: frozenset[str] = frozenset()

    def closest(self, name: str, *, callable_: bool | None = None) -> str | None:
        """The real member whose name is closest to `name`, if any is close. With
        `callable_`, members of that sort (methods, or data) are preferred: a renamed method
        is more likely another method than an attribute with a similar name."""
        if callable_ is not None:
            alike = [n for n, m in self.members.items() if m.is_callable == callable_]
            found = _closest(name, alike)
            if found is not None:
                return found
        return _closest(name, list(self.members))

    def unknown(self, name: str) -> str:
        """The message for a member the interface does not have."""
        hint = self.closest(name)
        suggestion = f"; did you mean `{hint}`?" if hint else ""
        return f"{self.name} has no attribute `{name}`{suggestion}"


def _closest(name: str, names: list[str]) -> str | None:
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if found:
        return found[0]
    # A renamed member often keeps the old name as a part: send -> send_message.
    bare = name.strip("_").lower()
    if len(bare) < 3:
        return None
    containing = [
        m
        for m in names
        if bare in m.lower() or (len(m.strip("_")) >= 3 and m.strip("_").lower() in bare)
    ]
    return min(containing, key=len) if containing else None


def extend(real: Interface, extra: Interface) -> Interface:
    """`real` with the members of `extra` it lacks, marked foreign (computed once per pair).
    The real members win: a member both have follows the real interface."""
    key = (id(real), id(extra))
    found = _EXTENDED.get(key)
    if found is not None and found[0] is real and found[1] is extra:
        return found[2]
    added = {name: m for name, m in extra.members.items() if name not in real.members}
    made = Interface(
        real.name, real.target, {**added, **real.members}, real.foreign | frozenset(added)
    )
    _EXTENDED[key] = (real, extra, made)
    return made


_EXTENDED: dict[tuple[int, int], tuple[Interface, Interface, Interface]] = {}


def load_object(path: str) -> Any:
    """Import `"package.module:Qualified.Name"` (or `"package.module.Name"`)."""
    module_name, _, qualname = path.partition(":")
    if not qualname:
        module_name, _, qualname = path.rpartition(".")
    if not module_name or not qualname:
        raise InterfaceError(f"`{path}` is not an import path like 'package.module:Class'")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise InterfaceError(f"cannot import `{module_name}` for `{path}`: {exc}") from None
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise InterfaceError(f"`{module_name}` has no `{qualname}` (from `{path}`)") from None
    return obj


def compile_interface(target: type | str) -> Interface:
    """The interface of a class, a Protocol or an import path; computed once per target
    (see :func:`invalidate` for a class changed at run time)."""
    if isinstance(target, str):
        target = load_class(target)
    found = _COMPILED.get(target)
    if found is not None:
        return found[1]
    with _LOCK:
        found = _COMPILED.get(target)
        if found is None:
            found = (_fingerprint(target), _compile(target))
            _COMPILED[target] = found
    return found[1]


def invalidate(target: type) -> bool:
    """Forget the compiled interface of `target` if the class changed since it was compiled
    (a member added, removed or replaced); True when it had. Registering a kind calls it,
    so a class patched at run time is seen as it is now."""
    found = _COMPILED.get(target)
    if found is None or found[0] == _fingerprint(target):
        return False
    with _LOCK:
        _COMPILED.pop(target, None)
    return True


_COMPILED: dict[type, tuple[tuple[Any, ...], Interface]] = {}
_CLASSES_BY_PATH: dict[str, type] = {}
_LOCK = threading.RLock()


def _fingerprint(cls: type) -> tuple[Any, ...]:
    """What a class is made of now: each class of its MRO with its members' identities."""
    return tuple(
        (klass, tuple((name, id(value)) for name, value in vars(klass).items()))
        for klass in cls.__mro__
        if klass is not object
    )


def load_class(path: str) -> type:
    """The class an import path names (imported once; a failure is not remembered)."""
    found = _CLASSES_BY_PATH.get(path)
    if found is not None:
        return found
    loaded = load_object(path)
    if not isinstance(loaded, type):
        raise InterfaceError(f"`{path}` is not a class")
    _CLASSES_BY_PATH[path] = loaded
    return loaded


def _compile(cls: type) -> Interface:
    members: dict[str, Member] = {}
    for name in dir(cls):
        if (name.startswith("_") and name not in SPECIAL_METHODS) or name in _OBJECT_MEMBERS:
            continue
        member = _member(cls, name)
        if member is not None:
            members[name] = member
    for name, (annotation, default) in _annotated_attributes(cls).items():
        if name not in members and not name.startswith("_"):
            members[name] = Member(name, "attribute", annotation=annotation, default=default)
    for name in _init_attributes(cls):
        if name not in members:
            members[name] = Member(name, "attribute")
    return Interface(f"{cls.__module__}.{cls.__qualname__}", cls, members)


def _member(cls: type, name: str) -> Member | None:
    try:
        raw = inspect.getattr_static(cls, name)
    except AttributeError:
        return None
    if isinstance(raw, property) or (inspect.isdatadescriptor(raw) and not callable(raw)):
        fget = getattr(raw, "fget", None)
        annotation = _return_annotation(fget) if fget is not None else None
        return Member(name, "property", annotation=annotation)
    function = raw
    bound_first = True
    if isinstance(raw, staticmethod):
        function, bound_first = raw.__func__, False
    elif isinstance(raw, classmethod):
        function = raw.__func__
    if isinstance(function, type):
        return Member(name, "attribute", default=function)
    if not callable(function):
        return Member(name, "attribute", default=raw)
    kind: MemberKind
    if inspect.isasyncgenfunction(function):
        kind = "async_iterator"
    elif inspect.isgeneratorfunction(function):
        kind = "generator"
    elif inspect.iscoroutinefunction(function):
        kind = "async_method"
    else:
        kind = "method"
    return Member(
        name,
        kind,
        signature=_signature(function, drop_first=bound_first),
        annotation=_return_annotation(function),
    )


def _signature(function: Any, *, drop_first: bool) -> inspect.Signature | None:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if (
        drop_first
        and params
        and params[0].kind
        in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )
    ):
        params = params[1:]
    return signature.replace(parameters=params)


def _return_annotation(function: Any) -> Any:
    try:
        return typing.get_type_hints(function).get("return")
    except Exception:
        pass
    # Names imported only under TYPE_CHECKING (`-> Result[Any]`): find the class by its name
    # in the function's module, then in its top-level package (`sqlalchemy.Result`).
    raw = getattr(function, "__annotations__", {}).get("return")
    if not isinstance(raw, str):
        return raw
    head = raw.split("[", 1)[0].strip().strip("'\"")
    if not head.isidentifier():
        return None
    module = getattr(function, "__module__", "") or ""
    for namespace in (getattr(function, "__globals__", {}), _package_namespace(module)):
        found = namespace.get(head)
        if isinstance(found, type):
            return found
    return None


def _package_namespace(module: str) -> dict[str, Any]:
    try:
        return vars(importlib.import_module(module.split(".", 1)[0]))
    except ImportError:
        return {}


def _annotated_attributes(cls: type) -> dict[str, tuple[Any, Any]]:
    """Attributes declared by annotation anywhere in the class's MRO (Protocols, dataclasses)."""
    found: dict[str, tuple[Any, Any]] = {}
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        try:
            hints = typing.get_type_hints(klass)
        except Exception:
            hints = dict(getattr(klass, "__annotations__", {}))
        for name, annotation in hints.items():
            if typing.get_origin(annotation) is typing.ClassVar:
                annotation = typing.get_args(annotation)[0] if typing.get_args(annotation) else None
            default = klass.__dict__.get(name, NO_DEFAULT)
            found[name] = (annotation, default)
    return found


def _init_attributes(cls: type) -> list[str]:
    """Public attributes an `__init__` in the MRO assigns on `self` (`self.client_state = ...`)."""
    names: list[str] = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or not inspect.isfunction(init):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(init))
            tree = ast.parse(source)
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                    and not target.attr.startswith("_")
                    and target.attr not in names
                ):
                    names.append(target.attr)
    return names
