"""mockguard: one source of truth for a Python test suite's test doubles."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
