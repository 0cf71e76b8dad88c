"""The kind catalog: every kind a project's factory can make, built-in and configured.

One table, read by the "use instead" hints of every report, by `fix` (which kinds may
replace an ad-hoc double of a category) and by `dupes --suggest` (whether a kind already
serves a cluster). It holds names, categories and the factory call for each kind; the
interfaces themselves live in the factory, which this module never imports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mockguard.config import Settings


@dataclass(frozen=True, slots=True)
class CatalogKind:
    """One kind as the tools see it: what it is called, what it stands for, how to get one."""

    name: str
    category: str
    # The facade method that makes it (`create_websocket_mock`), "" for `create_mock(name)`.
    method: str = ""
    fixture: str = ""
    builtin: bool = True
    # Named in the "use instead" hint of its category.
    hinted: bool = False
    # The interface's import path, when the project's config names one (for a built-in
    # kind too: the project's own class then stands behind it).
    interface: str | None = None

    @property
    def call(self) -> str:
        """The factory call that makes one: `SSotMockFactory.create_websocket_mock()`, or
        for a configured kind `mock_factory.create("name")` (the facade has built-ins only)."""
        if not self.builtin:
            return f'mock_factory.create("{self.name}")'
        if self.method:
            return f"SSotMockFactory.{self.method}()"
        return f'SSotMockFactory.create_mock("{self.name}")'

    @property
    def fix_call(self) -> str:
        """The call `fix` writes: :attr:`call` for a built-in kind; for a configured kind
        the factory bound to the running test (`mockguard.factory.create("name")`), which
        works in any test, function or method, without a fixture parameter."""
        return self.call if self.builtin else f'mockguard.factory.create("{self.name}")'

    @property
    def fix_import(self) -> tuple[str, str | None]:
        """The import :attr:`fix_call` needs: (module, name), or (module, None) for
        `import module`."""
        return ("mockguard", "SSotMockFactory") if self.builtin else ("mockguard.factory", None)


# Built-in kinds that stand for test doubles, most general first within a category.
BUILTIN_KINDS: tuple[CatalogKind, ...] = (
    CatalogKind("websocket", "websocket", "create_websocket_mock", "mock_websocket", hinted=True),
    CatalogKind("websocket_manager", "websocket", "create_websocket_manager_mock"),
    CatalogKind("agent_websocket_bridge", "websocket", "create_mock_agent_websocket_bridge"),
    CatalogKind(
        "database_session",
        "database",
        "create_database_session_mock",
        "mock_db_session",
        hinted=True,
    ),
    CatalogKind("sync_database_session", "database"),
    CatalogKind("agent", "agent", "create_agent_mock", "mock_agent", hinted=True),
    CatalogKind("llm_client", "agent", "create_llm_client_mock", hinted=True),
    CatalogKind("tool", "agent", "create_tool_mock", hinted=True),
    CatalogKind("llm_manager", "agent"),
    CatalogKind("configuration", "generic"),
)
# Built-in kinds `fix` never picks for a category's ad-hoc doubles (they make another thing).
NOT_FOR_FIX = frozenset({"sync_database_session", "configuration"})
GENERIC_HINT = 'mock_factory.create("<kind>"), with a kind registered for the real interface'


@dataclass(frozen=True)
class KindCatalog:
    """The built-in kinds plus the project's `[tool.mockguard.kinds]`."""

    kinds: tuple[CatalogKind, ...] = BUILTIN_KINDS

    def get(self, name: str) -> CatalogKind | None:
        """The kind of that name, if the catalog has it."""
        return next((k for k in self.kinds if k.name == name), None)

    def for_category(self, category: str) -> list[CatalogKind]:
        """The kinds of a category, the project's own first, in catalog order."""
        found = [k for k in self.kinds if k.category == category]
        return sorted(found, key=lambda k: k.builtin)

    def rewrite_candidates(self, category: str) -> list[CatalogKind]:
        """The kinds `fix` may try for an ad-hoc double of this category, the project's own
        first: those whose interfaces it can check without importing the project (a
        built-in kind's, or a project class a configured kind names)."""
        return [
            k
            for k in self.for_category(category)
            if (k.builtin or k.interface) and k.name not in NOT_FOR_FIX
        ]

    def hint(self, category: str) -> str:
        """What to use instead of an ad-hoc double of this category: the built-in calls,
        then the project's own kinds."""
        kinds = self.for_category(category)
        builtins = [k for k in kinds if k.builtin and k.hinted]
        calls = [k.call if i == 0 else k.call.split(".", 1)[1] for i, k in enumerate(builtins)]
        calls += [k.call for k in kinds if not k.builtin]
        if not calls:
            return GENERIC_HINT
        fixtures = [k.fixture for k in builtins if k.fixture]
        text = " / ".join(calls)
        return f"{text} (or the {fixtures[0]} fixture)" if fixtures else text


def kind_catalog(settings: Settings | None = None) -> KindCatalog:
    """The catalog for a project: the built-in kinds (a configured kind of the same name
    binds its interface), then the project's own kinds."""
    if settings is None or not settings.kinds:
        return KindCatalog()
    configured = {k.name: k for k in settings.kinds}
    kinds = []
    for kind in BUILTIN_KINDS:
        own = configured.pop(kind.name, None)
        if own is not None:
            kind = replace(kind, category=own.category or kind.category, interface=own.interface)
        kinds.append(kind)
    extra = [
        CatalogKind(k.name, k.category or "generic", builtin=False, interface=k.interface)
        for k in configured.values()
    ]
    return KindCatalog((*extra, *kinds))
