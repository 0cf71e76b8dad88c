"""Mock API mentioned only in strings, comments and docstrings.

A docstring may show code such as ws.send_json = AsyncMock() or @patch("app.db.get_session");
none of it is a site.
"""

import ast
import logging
import textwrap
from unittest.mock import AsyncMock, MagicMock

import pytest

from app.agents.runner import AgentRunner
from app.ws.manager import ConnectionManager

logger = logging.getLogger(__name__)

SNIPPET = "ws.send_json = AsyncMock()"  # ok
PATCH_SNIPPET = 'patch("app.db.session.get_session")'  # ok
RAW_BYTES = b"MagicMock(spec=AsyncSession)"  # ok
MIGRATION_HINT = (
    "Replace MagicMock() with SSotMockFactory.create_websocket_mock()"  # ok
)

# ws = MagicMock()  # ok
# with patch("app.agents.runner.LLMClient") as llm:  # ok
#     llm.return_value.complete.return_value = "hi"
# class FakeSession:  # ok


def test_docstring_mentions_mocks():
    """Build a session = MagicMock(spec=AsyncSession) and patch get_session."""  # ok
    assert ConnectionManager().active == {}


def test_fstring_and_format_mentions(tmp_path):
    target = "app.ws.manager.ConnectionManager.broadcast"
    code = f"patch('{target}', new_callable=AsyncMock)"  # ok
    message = "created {} for {}".format("MagicMock()", "websocket")  # ok
    logger.info("created MagicMock(spec=%s)", "WebSocket")  # ok
    (tmp_path / "snippet.py").write_text("m = MagicMock()\n")  # ok
    assert target in code and message


def test_exec_and_parse_of_strings():
    tree = ast.parse("session = MagicMock()")  # ok
    namespace = {}
    exec("from unittest.mock import MagicMock; m = MagicMock()", namespace)  # ok
    assert tree.body and "m" in namespace


def test_dedented_source_block():
    source = textwrap.dedent(
        """
        from unittest.mock import patch

        @patch("app.db.session.get_session")
        def test_x(get_session):
            get_session.return_value = MagicMock()

        class MockWebSocket:
            pass
        """
    )  # ok
    assert "patch" in source


@pytest.mark.skip(reason="needs create_autospec(AsyncSession) support")  # ok
def test_skipped_with_reason():
    pass


@pytest.mark.parametrize(
    "snippet",
    [
        "MagicMock()",  # ok
        "AsyncMock(return_value=1)",  # ok
        "mocker.patch('x')",  # ok
    ],
)
def test_parametrized_snippets(snippet):
    assert "(" in snippet


def test_real_site_after_comment():
    # The next line is a real construction; this comment mentions patch() and MagicMock().
    llm = MagicMock()  # expect: MG101[agent]
    llm.complete.return_value = "hi"  # returns a string, not a MagicMock
    assert AgentRunner(llm=llm).run("hello") == "hi"


def test_real_wiring_with_trailing_comment():
    manager = ConnectionManager()
    manager.broadcast = AsyncMock()  # expect: MG102[websocket]
    assert manager.broadcast is not None


def test_error_messages_mentioning_mocks():
    with pytest.raises(TypeError, match="MagicMock"):  # ok
        AgentRunner(llm="MagicMock").run("x")  # ok
    assert repr(AgentRunner) != "<MagicMock id='1'>"  # ok
