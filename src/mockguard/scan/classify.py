"""Evidence -> category.

The visitor collects clues about each finding (the spec class, the patch target, the name
the mock is bound to, the attributes configured on it, a double class's name and methods);
this module turns each clue into weighted votes for categories and picks the winner. The
votes are kept, so `--explain` can show what decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from itertools import pairwise

from mockguard.categories import GENERIC, CategorySpec
from mockguard.findings import Evidence, EvidenceKind

# How much one clue of each kind weighs. A spec or a patch target names the real thing being
# replaced; a name is the author's intent; a configured attribute is a hint.
WEIGHTS: dict[EvidenceKind, int] = {
    "spec": 6,
    "patch-target": 4,
    "class-name": 4,
    "base": 4,
    "name": 3,
    "flow": 2,
    "attribute": 1,
    "member": 1,
    "method": 1,
}


_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def plain_words(identifier: str) -> list[str]:
    """The lower-case words of an identifier: `_FakeLoader` -> `fake`, `loader`."""
    return [m.group(0).lower() for m in _CAMEL.finditer(identifier)]


def words(identifier: str) -> list[str]:
    """Lower-case words of an identifier, plus each pair of neighbours joined, so that
    `MockWebSocket` yields `mock`, `web`, `socket` and `websocket`."""
    parts = plain_words(identifier)
    return parts + [a + b for a, b in pairwise(parts)]


class Classifier:
    """Turns clues into votes and votes into one category, for a fixed set of categories."""

    def __init__(self, categories: Iterable[CategorySpec]) -> None:
        self.categories = tuple(categories)
        self._order = {c.name: i for i, c in enumerate(self.categories)}
        self._names: dict[str, list[str]] = {}
        self._memo: dict[tuple[EvidenceKind, str], tuple[Evidence, ...]] = {}
        self._attributes: dict[str, list[str]] = {}
        for cat in self.categories:
            for word in cat.names:
                self._names.setdefault(word.lower(), []).append(cat.name)
            for attr in cat.attributes:
                self._attributes.setdefault(attr, []).append(cat.name)

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
        seen: set[str] = set()
        for word in words(identifier):
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

    def dotted_votes(self, kind: EvidenceKind, value: str) -> list[Evidence]:
        """Votes from a spec class or a patch target (`app.db.get_session`): the category
        patterns matched against the whole value, then the words of each dotted part, the
        last part (the most specific) counting most. One vote per category, the strongest."""
        weight = WEIGHTS[kind]
        best: dict[str, Evidence] = {}
        for cat in self.categories:
            patterns = cat.specs if kind == "spec" else cat.patch_targets
            if any(fnmatchcase(value, p) for p in patterns):
                best[cat.name] = Evidence(kind, value, cat.name, weight)
        parts = [p for p in value.split(".") if p]
        for position, part in enumerate(reversed(parts)):
            part_weight = weight if position == 0 else weight - 1
            for vote in self.name_votes("name", part):
                known = best.get(vote.category)
                if known is None or known.weight < part_weight:
                    best[vote.category] = Evidence(kind, value, vote.category, part_weight)
        return list(best.values())

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
        return winner, votes
