"""Which patches `fix` hands to the factory, and why it leaves the others alone.

`@mock.patch("app.clock.now", return_value=NOW)` installs a bare mock in place of a real
function: nothing checks the calls made to it against the function's signature. Rewritten
as `@mockguard.factory.patch("app.clock.now", return_value=NOW)` (and `patch.object(module,
"now")` likewise), the same patcher installs a double built from the function itself (see
:mod:`mockguard.factory.patching`). Only the callee changes, and an `autospec=True` the
patch had becomes redundant and goes; every other argument stays as written.

The rewrite changes what the test runs against, so it is planned only where the calls the
double records stay the same: for something a module binds at its top level (a function, a
class, a logger or another object), read from the project's source through the project
index, from the standard library by importing its module, and from a library's dotted name
alone (none is imported). A method is left alone (its double would take `self`, and
assertions on its calls would change), and so are plain values (a number, a string) and
patches that choose their own replacement (`new`, `new_callable`, `spec`, ...). A patch that
already has `autospec=True` is rewritten whatever it targets: the double is the same.

`patch.object(channel, "close")` of an object the test holds (not an imported module) is
rewritten too, inside a test's body: the double is built from the bound method, which takes
no `self`, so the calls it records are the same. It is left alone where the test's text says
the object is a mock (bound to one, named as one, reached through `return_value`) or a
class; what the text cannot say (a fixture that hands out a mock, an attribute that is None)
the factory refuses when the test runs, and `--check-tests` takes the rewrite back.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import sys
import sysconfig
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from mockguard.factory.members import PLAIN_VALUES
from mockguard.scan.bindings import dotted
from mockguard.scan.project_index import ProjectIndex

FACTORY_PATCH = "mockguard.factory.patch"
FACTORY_IMPORT: tuple[str, str | None] = ("mockguard.factory", None)
# The patchers rewritten, by their qualified names (the standard library's and the `mock`
# backport's), and what each becomes.
PATCHERS = {
    "unittest.mock.patch": FACTORY_PATCH,
    "unittest.mock.patch.object": FACTORY_PATCH + ".object",
    "mock.patch": FACTORY_PATCH,
    "mock.patch.object": FACTORY_PATCH + ".object",
}
# The arguments a rewritten patch may carry: the values it configures on the double.
CONFIGURING = frozenset({"return_value", "side_effect"})
MAX_REEXPORTS = 4  # `from os import path` in a project module, followed this far
# Standard-library modules whose import does something (opens a browser, prints, starts Tk).
_IMPORT_HAS_EFFECTS = frozenset(
    {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "__hello__"}
)

# The groups of reasons a patch is left alone.
NOT_PLAIN_PATCH = "not `patch` or `patch.object` of `unittest.mock`"
OWN_REPLACEMENT = "the patch chooses what it installs"
NOT_MODULE_LEVEL = "its target is not what a module binds"
PATCHES_A_MOCK = "it patches a mock, not a real object"


def imported_names(imports: Iterable[ast.Import | ast.ImportFrom]) -> dict[str, str]:
    """What a module's imports bind each name to: `mock` -> `unittest.mock` for
    `from unittest import mock`, `os` -> `os` for `import os.path`."""
    names: dict[str, str] = {}
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def qualified(node: ast.expr, names: dict[str, str]) -> str | None:
    """A dotted expression with its first name replaced by what an import binds it to."""
    text = dotted(node)
    if text is None:
        return None
    head, _, rest = text.partition(".")
    base = names.get(head)
    if base is None:
        return None
    return f"{base}.{rest}" if rest else base


@dataclass(frozen=True)
class Refusal:
    """Why a patch is left alone: the reason's group and the reason for this patch."""

    group: str
    reason: str


# What the test's text says of an object a `patch.object` patches an attribute of: ("mock",
# why) or ("class", "") when it is no real instance, None when nothing says so.
ReceiverCheck = Callable[[str, str], tuple[str, str] | None]


def decide_patch(
    call: ast.Call,
    names: dict[str, str],
    index: ProjectIndex | None,
    receiver_check: ReceiverCheck | None = None,
    constants: Mapping[str, str] | None = None,
) -> tuple[str, str] | Refusal:
    """(the callee as written, the factory's callee) for a patch to rewrite, else why not.
    `receiver_check` reads an object that is not an imported module (`patch.object(channel,
    "close")`); without it, such a patch is left alone. `constants` are the module's names
    bound once to a string (`MODULE = "app.clock"`), for targets written with them."""
    written = dotted(call.func)
    patcher = qualified(call.func, names) if written is not None else None
    replacement = PATCHERS.get(patcher or "")
    if written is None or replacement is None:
        shown = f"`{written}`" if written else "the patcher"
        return Refusal(NOT_PLAIN_PATCH, f"{shown} is {NOT_PLAIN_PATCH}")
    is_object = patcher is not None and patcher.endswith(".object")
    wanted = 2 if is_object else 1
    chooses = [k.arg or "**" for k in call.keywords if k.arg not in CONFIGURING]
    autospec = next((k.value for k in call.keywords if k.arg == "autospec"), None)
    if autospec is not None and isinstance(autospec, ast.Constant) and autospec.value is True:
        chooses.remove("autospec")
    if len(call.args) > wanted:
        chooses.insert(0, "new")
    if chooses or any(isinstance(a, ast.Starred) for a in call.args):
        said = ", ".join(f"`{c}`" if c == "**" else f"`{c}=`" for c in chooses) or "`*args`"
        return Refusal(OWN_REPLACEMENT, f"{OWN_REPLACEMENT} ({said})")
    known = constants if constants is not None else {}
    attribute = static_text(call.args[-1], known) if len(call.args) == wanted else None
    if attribute is None:
        return Refusal(NOT_MODULE_LEVEL, f"{NOT_MODULE_LEVEL}: its target is not written out")
    if autospec is not None:
        return written, replacement
    if is_object:
        owner = qualified(call.args[0], names)
        if owner is None:
            return _instance_patch(call, attribute, receiver_check) or (written, replacement)
        target = f"{owner}.{attribute}"
    else:
        target = attribute
    what = why_not_patchable(target, index)
    if what:
        return Refusal(NOT_MODULE_LEVEL, f"{NOT_MODULE_LEVEL}: `{target}` is {what}")
    return written, replacement


def _instance_patch(
    call: ast.Call, attribute: str, receiver_check: ReceiverCheck | None
) -> Refusal | None:
    """Why a `patch.object` of an object the test holds (not an imported module) is left
    alone, or None to rewrite it: the factory builds the double from the bound member, which
    takes no `self`, and refuses a mock or a plain value when the test runs."""
    receiver = dotted(call.args[0])
    if receiver is None or receiver_check is None:
        shown = ast.unparse(call.args[0])
        return Refusal(NOT_MODULE_LEVEL, f"{NOT_MODULE_LEVEL}: `{shown}` is not a module")
    refused = receiver_check(receiver, attribute)
    if refused is None:
        return None
    what, why = refused
    if what == "class":
        return Refusal(
            NOT_MODULE_LEVEL,
            f"{NOT_MODULE_LEVEL}: `{receiver}.{attribute}` is a member of a class (its double "
            "would take `self`)",
        )
    return Refusal(PATCHES_A_MOCK, f"{PATCHES_A_MOCK}: {why}")


def static_text(node: ast.expr, constants: Mapping[str, str]) -> str | None:
    """The string an expression always is: a literal, a name in `constants`, and `+` or an
    f-string of those (`MODULE + ".now"`, `f"{MODULE}.now"`); None for anything else."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = static_text(node.left, constants), static_text(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.conversion != -1 or value.format_spec is not None:
                    return None
                text = static_text(value.value, constants)
            else:
                text = static_text(value, constants)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    return None


class ModuleConstants(Mapping[str, str]):
    """:func:`module_constants` of a module, read the first time a target names one."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree

    @cached_property
    def _values(self) -> dict[str, str]:
        return module_constants(self._tree)

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def module_constants(tree: ast.Module) -> dict[str, str]:
    """The module's names bound once, at its top level, to a string `static_text` reads."""
    stored = Counter(
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    )
    constants: dict[str, str] = {}
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        target = statement.targets[0]
        if isinstance(target, ast.Name) and stored[target.id] == 1:
            text = static_text(statement.value, constants)
            if text is not None:
                constants[target.id] = text
    return constants


def why_not_patchable(target: str, index: ProjectIndex | None, depth: int = 0) -> str:
    """ "" when the factory can stand in for what `target` names with the same calls
    recorded: something a module binds at its top level (a function, a class, a logger or
    another object) in the project, the standard library or an installed library; else
    what it is instead, as a phrase (`a member of the class `Signer``)."""
    parts = target.split(".")
    if not all(part.isidentifier() for part in parts):
        return "not a dotted name"
    if index is not None:
        for cut in range(len(parts), 0, -1):
            summary = index.summary(".".join(parts[:cut]))
            if summary is None:
                continue
            rest = parts[cut:]
            if not rest:
                return "a module"
            head = rest[0]
            if head in summary.functions:
                return "" if len(rest) == 1 else f"an attribute of the function `{head}`"
            if head in summary.classes:
                if len(rest) == 1:
                    return ""
                return f"a member of the class `{head}` (its double would take `self`)"
            origin = summary.names.get(head) or (
                head if head in _top_levels(summary.imports) else None
            )
            if origin is not None and depth < MAX_REEXPORTS:
                found = why_not_patchable(".".join([origin, *rest[1:]]), index, depth + 1)
                return "" if found == "a module" and len(rest) == 1 else found
            if len(rest) == 1:
                return ""  # a name the module binds by assignment (`logger = ...`)
            return f"an attribute of `{summary.module}.{head}`, not of a module"
    return _standard_library(parts)


def _top_levels(imports: Iterable[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in imports}


def _standard_library(parts: list[str]) -> str:
    """The same answer for a name outside the project: read by importing its module when it
    is the standard library's own, else from the name alone (a library is never imported
    here: a CapWords part before the last names a class)."""
    if parts[0] in _IMPORT_HAS_EFFECTS:
        return "in a standard-library module that acts when imported (never imported here)"
    if parts[0] not in sys.stdlib_module_names or not _in_standard_library(parts[0]):
        return _library_name(parts)
    if len(parts) == 1:
        return "a module"
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            owner: object = importlib.import_module(module_name)
        except Exception:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name, None)
            if owner is None:
                return "not found"
        if not inspect.ismodule(owner):
            return "a member of a class (its double would take `self`)"
        found = getattr(owner, parts[-1], None)
        if found is None:
            return "not found"
        if isinstance(found, PLAIN_VALUES):
            return "a plain value, with no interface to follow"
        return ""
    return "not found"


def _library_name(parts: list[str]) -> str:
    if len(parts) < 2:
        return "a module"
    if any(part[:1].isupper() for part in parts[:-1]):
        return "a member of a class (its double would take `self`)"
    return ""


@cache
def _in_standard_library(top: str) -> bool:
    """Whether the top-level module `top` is the standard library's own (built in, frozen, or
    in its folder), not a file of the same name that the current folder would shadow it with."""
    if top in sys.builtin_module_names or top in sys.modules:
        module = sys.modules.get(top)
        origin = getattr(module, "__file__", None) if module is not None else None
        return origin is None or _under_standard_library(origin)
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    if spec.origin in (None, "built-in", "frozen"):
        return True
    return _under_standard_library(spec.origin)


def _under_standard_library(origin: str) -> bool:
    folders = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    path = Path(origin).resolve()
    return any(path.is_relative_to(Path(folder).resolve()) for folder in folders)
