"""Optional dependencies imported with a mock fallback: a name the `try` imports and an
`except ImportError` handler binds to a mock is the real thing, so calling it builds nothing.
The fallback assignment itself is a site when it calls a mock class."""

from unittest import mock
from unittest.mock import MagicMock

try:
    from app.ws.client import WebSocketClient
except ImportError:
    WebSocketClient = MagicMock  # ok

try:
    from app.db.session import AsyncSession
except ImportError:
    AsyncSession = MagicMock()  # expect: MG101[database]

try:
    import redis
except ModuleNotFoundError:
    redis = None  # ok

try:
    from app.agents.llm import LLMClient, ToolExecutor
except (ImportError, AttributeError):
    LLMClient = mock.MagicMock  # ok
    ToolExecutor = mock.MagicMock()  # expect: MG101[agent]

try:
    import numpy
except ImportError:
    numpy = None  # ok
    FakeArray = MagicMock  # ok


def test_client_connects():
    client = WebSocketClient("ws://localhost")  # ok
    assert client.url


def test_session_opens():
    session = AsyncSession()  # ok
    assert session is not None


def test_llm_and_tools():
    llm = LLMClient(model="small")  # ok
    executor = ToolExecutor()  # ok
    assert llm and executor


def test_redis_client():
    assert redis is None or redis.Redis()  # ok


def test_a_name_the_try_does_not_import_stays_a_mock():
    array = FakeArray()  # expect: MG101[generic]
    assert numpy is None or array


def test_fallback_inside_a_function():
    try:
        from app.db.engine import create_engine
    except ImportError:
        create_engine = MagicMock()  # expect: MG101[database]
    engine = create_engine("sqlite://")  # ok
    assert engine
