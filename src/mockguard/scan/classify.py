"""Evidence -> category.

The visitor collects clues about each finding (the spec class, the patch target, the name
the mock is bound to, the attributes configured on it, a double class's name and methods);
this module turns each clue into weighted votes for categories and picks the winner. The
votes are kept, so `--explain` can show what decided.

What the replaced object really is counts most: a spec or patch target inside a known
library (`redis.Redis`, `requests.get`), or defined in the project in a module that imports
one (read through :mod:`mockguard.scan.project_index`). Then the object's own words: its
spec, patch target, bound name and configured members. Generic has clues of its own
(loggers, the environment, clocks, files, HTTP), and a tie goes to generic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from fnmatch import fnmatchcase
from itertools import pairwise

from mockguard.categories import GENERIC, GENERIC_CLUES, CategorySpec
from mockguard.findings import Evidence, EvidenceKind
from mockguard.scan.project_index import Located, ProjectIndex

# How much one clue of each kind weighs. A spec or a patch target names the real thing being
# replaced; a name is the author's intent; a configured attribute is a hint.
WEIGHTS: dict[EvidenceKind, int] = {
    "library": 7,
    "spec": 6,
    "real-object": 4,
    "patch-target": 4,
    "class-name": 4,
    "base": 4,
    "name": 3,
    "flow": 2,
    "attribute": 1,
    "member": 1,
    "method": 1,
}
# A real-object clue about the object a mock is wired onto, not the mock: the weakest.
RECEIVER_WEIGHT = 1
# Parameters that say a project function works on the database (`def save(db, thread)`).
DATA_PARAMETERS = frozenset(
    {"db", "db_session", "dbsession", "cursor", "db_conn", "db_connection", "uow", "dbapi"}
)


# Compound words that start with `db` (`dbdata`, `dbinfo`); `dbus` is not one.
_DB_COMPOUND = re.compile(r"db[a-z]{4,}")

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def plain_words(identifier: str) -> list[str]:
    """The lower-case words of an identifier: `_FakeLoader` -> `fake`, `loader`."""
    return [m.group(0).lower() for m in _CAMEL.finditer(identifier)]


def words(identifier: str) -> list[str]:
    """Lower-case words of an identifier, plus each pair of neighbours joined, so that
    `MockWebSocket` yields `mock`, `web`, `socket` and `websocket`."""
    parts = plain_words(identifier)
    joined = [a + b for a, b in pairwise(parts)]
    return parts + joined + ["db" for p in parts if _DB_COMPOUND.fullmatch(p)]


def _generic_clues(categories: tuple[CategorySpec, ...]) -> CategorySpec:
    """The built-in clues for `generic`, less those a category claims: a project that makes
    `http` its own category takes the word back from the fallback."""
    names = {w.lower() for c in categories for w in c.names}
    attributes = {a for c in categories for a in c.attributes}
    return replace(
        GENERIC_CLUES,
        names=tuple(w for w in GENERIC_CLUES.names if w.lower() not in names),
        attributes=tuple(a for a in GENERIC_CLUES.attributes if a not in attributes),
    )


class Classifier:
    """Turns clues into votes and votes into one category, for a fixed set of categories."""

    def __init__(
        self, categories: Iterable[CategorySpec], index: ProjectIndex | None = None
    ) -> None:
        categories = tuple(categories)
        self.categories = (*categories, _generic_clues(categories))
        self.index = index
        self._order = {c.name: i for i, c in enumerate(self.categories)}
        self._names: dict[str, list[str]] = {}
        self._vetoes: dict[str, frozenset[str]] = {}
        self._memo: dict[tuple[EvidenceKind, str], tuple[Evidence, ...]] = {}
        self._dotted: dict[tuple[EvidenceKind, str], tuple[Evidence, ...]] = {}
        self._attributes: dict[str, list[str]] = {}
        self._modules: dict[str, str] = {}  # module -> category
        for cat in self.categories:
            for word in cat.names:
                self._names.setdefault(word.lower(), []).append(cat.name)
            for attr in cat.attributes:
                self._attributes.setdefault(attr, []).append(cat.name)
            for module in cat.modules:
                self._modules.setdefault(module, cat.name)
            if cat.vetoes:
                self._vetoes[cat.name] = frozenset(v.lower() for v in cat.vetoes)
        self._domain_imports: dict[str, tuple[tuple[str, str], ...]] = {}

    def name_votes(self, kind: EvidenceKind, identifier: str) -> list[Evidence]:
        """Votes from the words of a name (a variable, an attribute chain, a class name)."""
        key = (kind, identifier)
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = tuple(self._name_votes(kind, identifier))
        return list(known)

    def _name_votes(self, kind: EvidenceKind, identifier: str) -> list[Evidence]:
        weight = WEIGHTS[kind]
        votes: list[Evidence] = []
        all_words = words(identifier)
        seen = {cat for cat, vetoes in self._vetoes.items() if vetoes.intersection(all_words)}
        for word in all_words:
            cats = self._names.get(word) or (
                self._names.get(word[:-1], []) if word.endswith("s") else []
            )
            for cat in cats:
                if cat not in seen:
                    seen.add(cat)
                    votes.append(Evidence(kind, identifier, cat, weight))
        return votes

    def attribute_votes(self, kind: EvidenceKind, attribute: str) -> list[Evidence]:
        """Votes from one attribute configured on (or method defined by) a double."""
        weight = WEIGHTS[kind]
        return [
            Evidence(kind, attribute, cat, weight) for cat in self._attributes.get(attribute, ())
        ]

    def library(self, value: str) -> str | None:
        """The category of the library a dotted name lives in (`redis.Redis` -> database)."""
        if value in self._modules:
            return self._modules[value]
        end = value.rfind(".")
        while end > 0:
            category = self._modules.get(value[:end])
            if category is not None:
                return category
            end = value.rfind(".", 0, end)
        return None

    def dotted_votes(self, kind: EvidenceKind, value: str) -> list[Evidence]:
        """Votes from a spec class or a patch target (`app.db.get_session`).

        A value inside a known library is that library's category, and nothing else counts.
        Otherwise: what the project's own definition of it imports and takes, the category
        patterns matched against the whole value, then the words of each dotted part, the
        last part (the most specific) counting most. One vote per category, the strongest."""
        key = (kind, value)
        known = self._dotted.get(key)
        if known is None:
            known = self._dotted[key] = tuple(self._dotted_votes(kind, value))
        return list(known)

    def _dotted_votes(self, kind: EvidenceKind, value: str) -> list[Evidence]:
        library = self.library(value)
        if library is None and self.index is not None and "." in value:
            # `app.backends.gcs.storage.Client` is the library's `google.cloud.storage.Client`
            outside = self.index.origin(value)
            library = self.library(outside) if outside is not None else None
            if library is not None:
                value = f"{value} ({outside})"
        if library is not None:
            return [Evidence("library", value, library, WEIGHTS["library"])]
        weight = WEIGHTS[kind]
        best: dict[str, Evidence] = {}
        for cat in self.categories:
            patterns = cat.specs if kind == "spec" else cat.patch_targets
            if any(fnmatchcase(value, p) for p in patterns):
                best[cat.name] = Evidence(kind, value, cat.name, weight)
        parts = [p for p in value.split(".") if p]
        package = _package_length(parts)
        # A network word anywhere in the package path (`mech_sriov.agent`) vetoes the
        # package's other words, as it would inside one name.
        room = set(words("_".join(parts[:package])))
        vetoed = {cat for cat, vetoes in self._vetoes.items() if vetoes & room}
        for position, part in enumerate(reversed(parts)):
            part_weight = weight if position == 0 else weight - 1
            in_package = len(parts) - 1 - position < package
            for vote in self.name_votes("name", part):
                if in_package and vote.category in vetoed:
                    continue
                known = best.get(vote.category)
                if known is None or known.weight < part_weight:
                    best[vote.category] = Evidence(kind, value, vote.category, part_weight)
        return list(best.values()) + self._real_object_votes(value)

    def _real_object_votes(self, value: str) -> list[Evidence]:
        """Votes from the project's own definition of a dotted name, when it has one: the
        domain libraries its module imports, the data parameters it takes, its bases."""
        located = self.index.locate(value) if self.index is not None and "." in value else None
        if located is None or not (located.cls is not None or located.member):
            return []
        votes: list[Evidence] = []
        weight = WEIGHTS["real-object"]
        for module, category in self._imports_of(located):
            text = f"{located.summary.path} imports {module}"
            votes.append(Evidence("real-object", text, category, weight))
        data = DATA_PARAMETERS.intersection(located.parameters)
        if data:
            text = f"{_where(located)} takes {sorted(data)[0]}"
            votes.append(Evidence("real-object", text, "database", weight - 2))
        for base in located.cls.bases if located.cls is not None else ():
            for vote in self.name_votes("name", base.rsplit(".", 1)[-1]):
                text = f"{located.cls.name} is a {base}" if located.cls else base
                votes.append(Evidence("real-object", text, vote.category, weight - 1))
        return votes

    def receiver_votes(self, value: str) -> list[Evidence]:
        """Weak votes for a mock wired onto an instance of the project class `value`: the
        domain libraries its module imports (the weakest clue; a tie goes to generic)."""
        located = self.index.locate(value) if self.index is not None and "." in value else None
        if located is None or located.cls is None or located.member:
            return []
        return [
            Evidence(
                "real-object",
                f"wired onto a {value} ({located.summary.path} imports {module})",
                category,
                RECEIVER_WEIGHT,
            )
            for module, category in self._imports_of(located)
        ]

    def _imports_of(self, located: Located) -> tuple[tuple[str, str], ...]:
        """The first import of each domain library a project module makes, by category."""
        summary = located.summary
        known = self._domain_imports.get(summary.module)
        if known is None:
            found: dict[str, str] = {}
            # `import redis` and `from fastapi import WebSocket` (a name, not only a module)
            for module in sorted(summary.imports | set(summary.names.values())):
                category = self.library(module)
                if category is not None and category != GENERIC:
                    found.setdefault(category, module)
            known = tuple((module, category) for category, module in found.items())
            self._domain_imports[summary.module] = known
        return known

    def decide(self, evidence: Iterable[Evidence]) -> tuple[str, tuple[Evidence, ...]]:
        """The winning category and the votes that were cast; `generic` when none were."""
        votes = tuple(evidence)
        scores: dict[str, int] = {}
        best_single: dict[str, int] = {}
        for vote in votes:
            scores[vote.category] = scores.get(vote.category, 0) + vote.weight
            best_single[vote.category] = max(best_single.get(vote.category, 0), vote.weight)
        if not scores:
            return GENERIC, votes
        winner = max(
            scores,
            key=lambda c: (scores[c], best_single[c], -self._order.get(c, len(self._order))),
        )
        if scores.get(GENERIC, 0) >= scores[winner]:
            return GENERIC, votes
        return winner, votes


def _package_length(parts: list[str]) -> int:
    """How many leading parts of a dotted name are its package and module: those before
    the first CapWords part (a class), else all but the last."""
    for index, part in enumerate(parts):
        if part[:1].isupper():
            return index
    return len(parts) - 1


def _where(located: Located) -> str:
    name = located.summary.module
    if located.cls is not None:
        name += f".{located.cls.name}"
    return f"{name}.{located.member}" if located.member else name
