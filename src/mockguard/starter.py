"""The commented starter configuration that `mockguard init` writes, with the project's
own mock factories (and the fixtures that hand them out) found and listed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mockguard.scan.factories import FoundFactory

STARTER = """\
# mockguard configuration. Every key is optional; the values shown are the defaults
# unless marked "example". Run `mockguard rules` for the rule catalog.

# Folders or files scanned when none are given on the command line.
# paths = ["tests"]

# Extra gitignore-style patterns to skip, on top of the defaults (.venv, build, ...).
# extend-exclude = ["tests/fixtures/**"]

# Honour .gitignore files.
respect-gitignore = true

# Rules to run (MG101 construction, MG102 attribute wiring, MG201 patching,
# MG301 hand-written doubles) and rules to leave out.
select = ["MG101", "MG102", "MG201", "MG301"]
# ignore = ["MG301"]

# Per-rule severity: error, warning or note.
# severity = { MG301 = "warning" }

# Calls through these (a class, an instance of it, or a module) are factory calls:
# counted as compliant, never flagged. A class of the project's own whose name ends in
# MockFactory and that has create* methods is recognised without being listed; an entry
# "!tests.legacy.OldMockFactory" (a glob too; "!*" for all) leaves such classes out.
factories = [
  "mockguard.SSotMockFactory",
  "mockguard.MockFactory",
  "mockguard.default_factory",
  "mockguard.factory",
]
# pytest fixtures that hand out a factory.
factory-fixtures = ["mock_factory"]

# Project modules that re-export unittest.mock (example).
# mock-modules = ["tests.support.mock"]

# Files larger than this many bytes are skipped with a diagnostic.
max-file-size = 8388608

# Worker processes; 0 means one per core.
jobs = 0

# Output format: text or json.
format = "text"

# Where the baseline lives.
baseline = ".mockguard-baseline.json"

# Factory kinds: what `MockFactory.from_config()` and the pytest fixtures can make (example).
# [kinds.agent]
# interface = "app.agents:Agent"                 # the Protocol or class the doubles follow
# production = "app.agents:SupervisorAgent"      # checked by `mockguard verify`
# category = "agent"
# defaults = { name = "supervisor", run = "done" }

# The event contract factory websockets are checked against (example).
# [events]
# style = "flat"        # flat: {"type": ...}; nested: {"event": ..., "data": {...}}
# names = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]
# required-keys = { agent_completed = ["run_id"] }

# Categories beyond agent / websocket / database / generic (example). A table named after a
# built-in category adds clues to it.
# [categories.http]
# names = ["http", "client", "api"]            # words in variable, attribute and class names
# attributes = ["get", "post", "request"]      # attributes configured on the mock
# specs = ["httpx.AsyncClient", "*Client"]     # spec= classes (globs)
# patch-targets = ["*httpx*", "*requests*"]    # patch targets (globs)
# severity = "warning"
"""


def as_pyproject_section(text: str = STARTER) -> str:
    """The starter configuration as a `[tool.mockguard]` section of pyproject.toml."""
    converted = text
    for table in ("categories.", "kinds.", "events]"):
        converted = converted.replace(f"# [{table}", f"# [tool.mockguard.{table}")
    return "\n[tool.mockguard]\n" + converted


DEFAULT_FACTORY_LINES = (
    '  "mockguard.SSotMockFactory",\n'
    '  "mockguard.MockFactory",\n'
    '  "mockguard.default_factory",\n'
    '  "mockguard.factory",\n'
)
DEFAULT_FIXTURE_LINE = 'factory-fixtures = ["mock_factory"]\n'


@dataclass(frozen=True)
class InHouse:
    """The project's own mock factories, and its conftest fixtures that hand one out."""

    factories: list[FoundFactory] = field(default_factory=list)
    fixtures: dict[str, str] = field(default_factory=dict)  # fixture -> factory


def find_in_house(root: Path) -> InHouse:
    """Walk the project under `root` (every Python file, minus the default excludes and
    what .gitignore files ignore): the classes named `*MockFactory` that it defines with
    `create*` methods (only files that mention `MockFactory` are read past their bytes),
    and the fixtures of its conftest.py files that return or yield one. Nothing is run."""
    from mockguard.config import Settings
    from mockguard.scan.factories import FactoryRegistry
    from mockguard.scan.files import discover

    settings = Settings(root=root.resolve(), all_files=True)
    files = discover([str(root)], settings).files
    registry = FactoryRegistry(settings)
    fixtures = {
        name: factory
        for name, factory in registry.find_fixtures(files).items()
        if name.isidentifier() and name not in settings.factory_fixtures
    }
    return InHouse(registry.find_factories(files), fixtures)


def starter_text(found: InHouse | None = None) -> str:
    """The starter configuration, with the in-house factories and fixtures listed."""
    if found is None or not (found.factories or found.fixtures):
        return STARTER
    lines = "".join(
        f"  {json.dumps(f.qualname)},  # found in {_comment(f.path)}\n" for f in found.factories
    )
    text = STARTER.replace(DEFAULT_FACTORY_LINES, DEFAULT_FACTORY_LINES + lines, 1)
    if found.fixtures:
        names = ", ".join(json.dumps(n) for n in ["mock_factory", *sorted(found.fixtures)])
        text = text.replace(DEFAULT_FIXTURE_LINE, f"factory-fixtures = [{names}]\n", 1)
    return text


def describe(found: InHouse) -> list[str]:
    """What `mockguard init` says it found."""
    if not found.factories and not found.fixtures:
        return [
            "no in-house mock factory found (a class named *MockFactory with create* "
            "methods); name yours in `factories`"
        ]
    lines = []
    if found.factories:
        count = len(found.factories)
        lines.append(f"found {count} in-house mock factor{'y' if count == 1 else 'ies'}:")
        for factory in found.factories:
            lines.append(f"  {factory.qualname} ({factory.path})")
    if found.fixtures:
        lines.append("fixtures that hand one out:")
        for name, handed_out in sorted(found.fixtures.items()):
            lines.append(f"  {name} -> {handed_out}")
    keys = [
        key
        for key, found_some in (
            ("factories", found.factories),
            ("factory-fixtures", found.fixtures),
        )
        if found_some
    ]
    lines.append(f"listed in {' and '.join(f'`{key}`' for key in keys)}")
    return lines


def _comment(text: str) -> str:
    """A path fit for a TOML comment (no line break or control character ends it)."""
    return "".join(c if c.isprintable() else "?" for c in text)
