"""Database and agent tests written with ad-hoc doubles."""

from unittest.mock import MagicMock, patch


class FakeSession:
    """A hand-written session."""

    def __init__(self) -> None:
        self.added: list[object] = []

    async def commit(self) -> None:
        pass


def test_save() -> None:
    session = MagicMock()
    session.execute = MagicMock(return_value=[])
    with patch("app.db.get_session", return_value=session):
        assert session is not None


def test_agent() -> None:
    llm = MagicMock()
    agent = MagicMock()
    agent.llm_client = llm
    assert agent.llm_client is llm


def test_clock() -> None:
    clock = MagicMock()
    assert clock is not None
