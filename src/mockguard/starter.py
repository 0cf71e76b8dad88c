"""The commented starter configuration that `mockguard init` writes."""

from __future__ import annotations

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
# counted as compliant, never flagged.
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
