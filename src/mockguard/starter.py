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
factories = ["mockguard.SSotMockFactory", "mockguard.MockFactory", "mockguard.factory"]
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
    converted = text.replace("# [categories.", "# [tool.mockguard.categories.")
    return "\n[tool.mockguard]\n" + converted
