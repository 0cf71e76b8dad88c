"""What to use instead of an ad-hoc double: the factory call for each category."""

from __future__ import annotations

HINTS: dict[str, str] = {
    "websocket": "SSotMockFactory.create_websocket_mock() (or the mock_websocket fixture)",
    "database": "SSotMockFactory.create_database_session_mock() (or the mock_db_session fixture)",
    "agent": (
        "SSotMockFactory.create_agent_mock() / create_llm_client_mock() / create_tool_mock() "
        "(or the mock_agent fixture)"
    ),
}
GENERIC_HINT = 'mock_factory.create("<kind>"), with a kind registered for the real interface'


def factory_hint(category: str) -> str:
    """The factory call that replaces an ad-hoc double of this category."""
    return HINTS.get(category, GENERIC_HINT)
