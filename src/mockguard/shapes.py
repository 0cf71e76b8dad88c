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
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockguard.config import Settings
from mockguard.findings import Finding

if TYPE_CHECKING:
    from mockguard.report.model import ScanReport
from mockguard.scan.names import dotted

# What the configuring statements set, normalised: the kind of value, never the value.
_CONFIG_ATTRIBUTES = ("return_value", "side_effect")


@dataclass(frozen=True, slots=True)
class Shape:
    """The normalised setup of one ad-hoc double."""

    constructor: str  # MagicMock, AsyncMock, ...
    spec: str  # the spec class's last name, or ""
    members: frozenset[tuple[str, str]]  # (member path, value kind)

    @property
    def key(self) -> str:
        """A stable hash of the shape."""
        text = "|".join([self.constructor, self.spec, *sorted(f"{m}={k}" for m, k in self.members)])
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def similarity(self, other: Shape) -> float:
        """Jaccard similarity of the configured members (0 for another constructor/spec)."""
        if (self.constructor, self.spec) != (other.constructor, other.spec):
            return 0.0
        union = self.members | other.members
        return len(self.members & other.members) / len(union) if union else 1.0


@dataclass(frozen=True, slots=True)
class Place:
    """Where a setup is built."""

    path: str
    line: int
    name: str  # the variable it is bound to
    scope: str
    category: str
    spec_path: str  # the spec class as a dotted path, when known


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


def shapes_of(source: bytes, findings: Iterable[Finding]) -> list[tuple[Finding, Shape, str]]:
    """The shape of every MG101 finding in a file that binds a mock to a name (or to
    `self.x`), with the variable it is bound to."""
    by_line = {f.line: f for f in findings if f.code == "MG101"}
    if not by_line:
        return []
    tree = ast.parse(source)
    found: list[tuple[Finding, Shape, str]] = []
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
            spec = ""
            spec_node = next(
                (k.value for k in call.keywords if k.arg in ("spec", "spec_set")), None
            ) or (call.args[0] if call.args else None)
            if spec_node is not None:
                spec = (dotted(spec_node) or "").rsplit(".", 1)[-1]
            members = {
                (k.arg, _value_kind(k.value))
                for k in call.keywords
                if k.arg and k.arg not in ("spec", "spec_set", "name")
            }
            members |= _configuration(block, index, name)
            found.append((finding, Shape(constructor, spec, frozenset(members)), name))
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


def covering_kind(group: Cluster) -> str | None:
    """A built-in factory kind of the cluster's category whose interface has every member
    the setups configure, if there is one."""
    from mockguard.factory.kinds import builtin_kinds
    from mockguard.factory.spec import InterfaceError

    needed = {member.split(".", 1)[0] for member, _ in group.shape.members}
    for kind in builtin_kinds():
        if kind.category != group.category or kind.build is not None:
            continue
        try:
            members = kind.compiled().members
        except InterfaceError:
            continue
        if needed <= set(members):
            return kind.name
    return None


def suggest_kind(group: Cluster, index: int) -> str:
    """A `[tool.mockguard.kinds.NAME]` table that would serve every member of a cluster,
    or the built-in kind that already does."""
    covered = covering_kind(group)
    if covered is not None:
        return f'# served by the built-in kind `{covered}`: mock_factory.create("{covered}")'

    spec_paths = sorted({p.spec_path for p in group.places if p.spec_path})
    name = f"{group.category}_{index}" if group.category != "generic" else f"double_{index}"
    if spec_paths:
        module, _, cls = spec_paths[0].rpartition(".")
        interface = (
            f'interface = "{module}:{cls}"'
            if module
            else f'interface = "{cls}"  # complete the import path'
        )
    else:
        interface = (
            'interface = "package.module:Class"  # the production class these setups stand for'
        )
    members = sorted(group.shape.members)
    configured = ", ".join(f"{member} ({kind})" for member, kind in members)
    return "\n".join(
        [
            f"# {group.size} setups configure: {configured}",
            f"[tool.mockguard.kinds.{name}]",
            interface,
            f'category = "{group.category}"',
        ]
    )


def _items(
    by_file: dict[str, list[Finding]], where: Callable[[str], str]
) -> list[tuple[Shape, Place]]:
    """The shapes of each file's MG101 sites (its source read again), with their places."""
    items: list[tuple[Shape, Place]] = []
    for path, findings in sorted(by_file.items()):
        try:
            with open(path, "rb") as handle:
                found = shapes_of(handle.read(), findings)
        except (OSError, SyntaxError, ValueError, RecursionError):
            continue
        for finding, shape, name in found:
            spec = next((e.value for e in finding.evidence if e.kind == "spec"), "")
            place = Place(where(path), finding.line, name, finding.scope, finding.category, spec)
            items.append((shape, place))
    return items


def collect(paths: list[str], settings: Settings) -> list[tuple[Shape, Place]]:
    """The shapes of the ad-hoc doubles in the given files (scanned afresh, with evidence)."""
    from mockguard.fingerprint import project_path
    from mockguard.scan.engine import scan_file

    by_file = {}
    for path in paths:
        findings = scan_file(path, settings).findings
        if findings:
            by_file[path] = findings
    return _items(by_file, lambda path: project_path(path, settings.root))


def report_items(report: ScanReport) -> list[tuple[Shape, Place]]:
    """The shapes of the MG101 sites of a finished scan."""
    by_file: dict[str, list[Finding]] = {}
    for finding in report.census + report.suppressed:
        by_file.setdefault(finding.path, []).append(finding)
    return _items(by_file, lambda path: report.project_paths.get(path, path))
