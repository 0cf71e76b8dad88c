"""chat_service: a small FastAPI chat backend driven by a tool-using agent.

This package is the example project that ``mockguard`` is demonstrated on.
"""

from chat_service.app import create_app

__all__ = ["create_app"]
