"""The categories findings are sorted into, and the words that point at each built-in one.

Data only: :mod:`mockguard.scan.classify` turns these vocabularies into votes, and the
configuration extends them or adds categories of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

GENERIC = "generic"


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
