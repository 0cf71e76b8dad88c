"""Mock shapes: what an ad-hoc setup builds, so that copies of one setup can be found.

A *shape* is the construction of a mock bound to a name (`ws = MagicMock(spec=WebSocket)`)
plus the statements after it, in the same block, that configure it (`ws.send_json =
AsyncMock()`, `ws.receive_json.return_value = {...}`, `ws.close.side_effect = Error`).
Names, literals and order are normalised away: two tests that build the same double with
different variable names and values have the same shape. Shapes hash and compare, and
near-identical ones are measured by the Jaccard similarity of their configured members.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mockguard.findings import Finding, Place, Shape
from mockguard.scan.bindings import dotted, import_sources

# What the configuring statements set, normalised: the kind of value, never the value.
_CONFIG_ATTRIBUTES = ("return_value", "side_effect")
# Keywords of a mock constructor (or `create_autospec`) that configure no member.
_NOT_MEMBERS = frozenset({"spec", "spec_set", "name", "instance", "unsafe", "_name"})


@dataclass
class Cluster:
    """Identical or near-identical setups, in several places."""

    shape: Shape
    category: str
    places: list[Place] = field(default_factory=list)
    exact: bool = True

    @property
    def size(self) -> int:
        return len(self.places)


def _value_kind(value: ast.expr) -> str:
    if isinstance(value, ast.Call):
        name = dotted(value.func) or ""
        last = name.rsplit(".", 1)[-1]
        return last if "Mock" in last else "call"
    if isinstance(value, ast.Constant):
        return "literal"
    if isinstance(value, (ast.List, ast.Tuple, ast.Dict, ast.Set)):
        return "literal"
    if isinstance(value, ast.Lambda):
        return "function"
    return "expr"


def _member_path(target: ast.expr, name: str) -> str | None:
    """`send_json` for `ws.send_json`, `execute.return_value` for
    `ws.execute.return_value`; None when the target is not on `name`."""
    text = dotted(target)
    if text is None or not text.startswith(name + "."):
        return None
    return text[len(name) + 1 :]


def _configuration(body: list[ast.stmt], start: int, name: str) -> set[tuple[str, str]]:
    """The members the statements after `start` configure on `name`."""
    members: set[tuple[str, str]] = set()
    for stmt in body[start + 1 :]:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and target.id == name.rsplit(".", 1)[-1]:
                break  # rebound: a new double from here on
            path = _member_path(target, name)
            if path is not None:
                members.add((path, _value_kind(stmt.value)))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            if dotted(call.func) == f"{name}.configure_mock":
                for keyword in call.keywords:
                    if keyword.arg:
                        members.add((keyword.arg, _value_kind(keyword.value)))
    return members


def _blocks(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    for node in ast.walk(tree):
        for attribute in ("body", "orelse", "finalbody"):
            block = getattr(node, attribute, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def shapes_of(tree: ast.AST, findings: Iterable[Finding]) -> list[tuple[Finding, Shape, str, str]]:
    """The shape of every MG101 finding in a parsed module that binds a mock to a name (or
    to `self.x`), with the variable it is bound to and the spec it names, as written."""
    by_line = {f.line: f for f in findings if f.code == "MG101"}
    if not by_line:
        return []
    found: list[tuple[Finding, Shape, str, str]] = []
    for block in _blocks(tree):
        for index, stmt in enumerate(block):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
                continue
            call = stmt.value
            if not isinstance(call, ast.Call):
                continue
            finding = by_line.get(call.lineno)
            name = dotted(stmt.targets[0])
            if finding is None or name is None:
                continue
            constructor = dict(finding.args).get("constructor", "Mock")
            spec_text = ""
            spec_node = next(
                (k.value for k in call.keywords if k.arg in ("spec", "spec_set")), None
            ) or (call.args[0] if call.args else None)
            if spec_node is not None:
                spec_text = dotted(spec_node) or ""
            spec = spec_text.rsplit(".", 1)[-1]
            members = {
                (k.arg, _value_kind(k.value))
                for k in call.keywords
                if k.arg and k.arg not in _NOT_MEMBERS
            }
            members |= _configuration(block, index, name)
            found.append((finding, Shape(constructor, spec, frozenset(members)), name, spec_text))
    return found


def cluster(
    items: Iterable[tuple[Shape, Place]], *, min_size: int = 2, similarity: float = 1.0
) -> list[Cluster]:
    """Clusters of identical shapes (with `similarity` < 1, near-identical ones joined),
    largest first. Setups with nothing configured are left out: a bare `MagicMock()` is
    not a copied setup."""
    exact: dict[str, Cluster] = {}
    for shape, place in items:
        if not shape.members:
            continue
        group = exact.setdefault(shape.key, Cluster(shape, place.category))
        group.places.append(place)
    groups = sorted(exact.values(), key=lambda c: (-c.size, c.shape.key))
    if similarity < 1.0:
        merged: list[Cluster] = []
        for group in groups:
            home = next((m for m in merged if m.shape.similarity(group.shape) >= similarity), None)
            if home is None:
                merged.append(group)
            else:
                home.places.extend(group.places)
                home.exact = False
        groups = merged
    for group in groups:
        group.places.sort(key=lambda p: (p.path, p.line))
        categories = [p.category for p in group.places]
        group.category = max(set(categories), key=lambda c: (categories.count(c), c))
    found = [g for g in groups if g.size >= min_size]
    return sorted(found, key=lambda c: (-c.size, c.category, c.shape.key))


def places_of(tree: ast.AST, findings: Iterable[Finding]) -> list[tuple[Shape, Place]]:
    """The shapes of a module's MG101 sites with their places (gathered during the scan,
    from the tree it already has)."""
    items: list[tuple[Shape, Place]] = []
    imported: dict[str, str] | None = None
    for finding, shape, name, spec_text in shapes_of(tree, findings):
        spec = next((e.value for e in finding.evidence if e.kind == "spec"), "")
        if not spec and spec_text:
            imported = _imports(tree) if imported is None else imported
            head, _, rest = spec_text.partition(".")
            origin = imported.get(head)
            spec = f"{origin}.{rest}".rstrip(".") if origin else spec_text
        place = Place(
            finding.path,
            finding.line,
            name,
            finding.scope,
            finding.category,
            spec,
            finding.col,
            finding.end_line,
            finding.end_col,
            finding.context,
        )
        items.append((shape, place))
    return items


def _imports(tree: ast.AST) -> dict[str, str]:
    """The names a module's top-level absolute imports bind, to what they import."""
    return {
        name: source.value
        for node in getattr(tree, "body", [])
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0)
        for name, source in import_sources(node)
        if name != "*"
    }
