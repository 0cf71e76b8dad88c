"""Evidence -> category.

The visitor collects clues about each finding (the spec class, the patch target, the name
the mock is bound to, the attributes configured on it, a double class's name and methods);
this module turns each clue into weighted votes for categories and picks the winner. The
votes are kept, so `--explain` can show what decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from itertools import pairwise

from mockguard.findings import Evidence

GENERIC = "generic"

# How much one clue of each kind weighs. A spec or a patch target names the real thing being
# replaced; a name is the author's intent; a configured attribute is a hint.
WEIGHTS: dict[str, int] = {
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


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """What points at one category: words in names, attribute names, spec classes and
    patch-target patterns (shell-style globs matched against the dotted target)."""

    name: str
    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    specs: tuple[str, ...] = ()
    patch_targets: tuple[str, ...] = ()
    severity: str | None = None

    def extended(self, other: CategorySpec) -> CategorySpec:
        """This category with another one's clues added (a config extending a built-in)."""
        return CategorySpec(
            name=self.name,
            names=_merge(self.names, other.names),
            attributes=_merge(self.attributes, other.attributes),
            specs=_merge(self.specs, other.specs),
            patch_targets=_merge(self.patch_targets, other.patch_targets),
            severity=other.severity or self.severity,
        )


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(x for x in b if x not in a)


BUILTIN_CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        name="websocket",
        names=(
            "websocket",
            "websockets",
            "ws",
            "socket",
            "sock",
            "wsmanager",
            "bridge",
            "emitter",
            "broadcaster",
            "connectionmanager",
            "connections",
        ),
        attributes=(
            "send_json",
            "send_text",
            "send_bytes",
            "receive_json",
            "receive_text",
            "receive_bytes",
            "iter_json",
            "iter_text",
            "accept",
            "client_state",
            "application_state",
            "send_to_user",
            "send_personal_message",
            "receive",
            "send_event",
            "emit",
            "emit_event",
            "broadcast",
            "notify_agent_started",
            "notify_agent_thinking",
            "notify_tool_executing",
            "notify_tool_completed",
            "notify_agent_completed",
            "add_connection",
            "remove_connection",
            "active_connections",
            "disconnect",
        ),
        specs=("*WebSocket*", "*Websocket*"),
        patch_targets=("*websocket*", "*WebSocket*"),
    ),
    CategorySpec(
        name="database",
        names=(
            "db",
            "database",
            "session",
            "sessions",
            "sessionmaker",
            "dbsession",
            "sql",
            "sqlalchemy",
            "engine",
            "cursor",
            "transaction",
            "repo",
            "repository",
            "uow",
            "orm",
            "query",
            "postgres",
            "sqlite",
            "asyncpg",
            "pool",
            "unitofwork",
            "migration",
        ),
        attributes=(
            "execute",
            "commit",
            "rollback",
            "add_all",
            "refresh",
            "scalar",
            "scalars",
            "scalar_one",
            "scalar_one_or_none",
            "fetchone",
            "fetchall",
            "fetchmany",
            "fetchval",
            "fetchrow",
            "executemany",
            "begin",
            "merge",
            "expunge",
            "cursor",
            "mappings",
            "first",
        ),
        specs=(
            "*Session",
            "*AsyncSession",
            "*Engine",
            "*Connection",
            "*Cursor",
            "*Repository",
            "*sessionmaker",
            "*Transaction",
        ),
        patch_targets=("*sqlalchemy*",),
    ),
    CategorySpec(
        name="agent",
        names=(
            "agent",
            "agents",
            "subagent",
            "supervisor",
            "orchestrator",
            "llm",
            "llms",
            "openai",
            "anthropic",
            "completion",
            "completions",
            "tool",
            "tools",
            "toolkit",
            "planner",
            "executor",
            "pipeline",
        ),
        attributes=(
            "run_agent",
            "execute_agent",
            "arun",
            "ainvoke",
            "invoke",
            "completions",
            "chat",
            "generate",
            "agenerate",
            "complete",
            "acomplete",
            "agent_type",
            "agent_id",
            "tools",
            "run_tool",
            "execute_tool",
            "tool_calls",
            "plan",
            "think",
        ),
        specs=("*Agent*", "*LLM*", "*Llm*", "*Tool*", "*OpenAI*", "*Completion*", "*Planner*"),
        patch_targets=(
            "*openai*",
            "*anthropic*",
            "*langchain*",
        ),
    ),
)

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
        self._memo: dict[tuple[str, str], tuple[Evidence, ...]] = {}
        self._attributes: dict[str, list[str]] = {}
        for cat in self.categories:
            for word in cat.names:
                self._names.setdefault(word.lower(), []).append(cat.name)
            for attr in cat.attributes:
                self._attributes.setdefault(attr, []).append(cat.name)

    def name_votes(self, kind: str, identifier: str) -> list[Evidence]:
        """Votes from the words of a name (a variable, an attribute chain, a class name)."""
        key = (kind, identifier)
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = tuple(self._name_votes(kind, identifier))
        return list(known)

    def _name_votes(self, kind: str, identifier: str) -> list[Evidence]:
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

    def attribute_votes(self, kind: str, attribute: str) -> list[Evidence]:
        """Votes from one attribute configured on (or method defined by) a double."""
        weight = WEIGHTS[kind]
        return [
            Evidence(kind, attribute, cat, weight) for cat in self._attributes.get(attribute, ())
        ]

    def dotted_votes(self, kind: str, value: str) -> list[Evidence]:
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
