"""monkeypatch.setattr is a patch whatever it sets (a mock, a plain value, a lambda, a real
function); a mock built in its arguments is a site of its own. setenv, delenv, delattr,
setitem and chdir are not patches."""

from datetime import datetime, timezone
from unittest.mock import AsyncMock, MagicMock, Mock

import pytest

from app import config
from app.agents import runner as runner_module
from app.agents import tools as tools_module
from app.db import session as session_module
from app.services import cache, clock, mailer, payments
from app.ws import manager as ws_manager_module


def test_setattr_with_construction(monkeypatch):
    monkeypatch.setattr(runner_module, "LLMClient", MagicMock())  # expect: MG201[agent] MG101[agent]
    assert runner_module.AgentRunner().run("hi")


def test_setattr_with_mock_class(monkeypatch):
    monkeypatch.setattr(ws_manager_module, "WebSocket", MagicMock)  # expect: MG201[websocket]
    assert ws_manager_module.ConnectionManager().open("u1")


async def test_setattr_with_local_mock(monkeypatch):
    get_session = AsyncMock()  # expect: MG101[database]
    monkeypatch.setattr(session_module, "get_session", get_session)  # expect: MG201[database]
    await session_module.health_check()
    get_session.assert_awaited_once()


def test_setattr_string_target(monkeypatch):
    monkeypatch.setattr("app.services.mailer.send", Mock(return_value=True))  # expect: MG201[generic] MG101[generic]
    assert mailer.send_welcome("a@example.com")


def test_setattr_plain_values_are_patches_too(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "MAX_TOKENS", 3)  # expect: MG201[generic]
    monkeypatch.setattr(config.settings, "debug", True)  # expect: MG201[generic]
    monkeypatch.setattr(clock, "now", lambda: datetime(2024, 1, 1))  # expect: MG201[generic]
    monkeypatch.setattr(clock, "tz", timezone.utc)  # expect: MG201[generic]
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite://")  # ok
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # ok
    monkeypatch.delattr(mailer, "DEFAULT_SENDER")  # ok
    monkeypatch.setitem(config.FEATURES, "streaming", False)  # ok
    monkeypatch.chdir(tmp_path)  # ok
    assert config.MAX_TOKENS == 3


def test_setattr_real_async_function(monkeypatch):
    async def fake_get_session():
        return None

    monkeypatch.setattr(session_module, "get_session", fake_get_session)  # expect: MG201[database]
    assert session_module.get_session is fake_get_session


def test_lambda_returning_mock(monkeypatch):
    monkeypatch.setattr(runner_module, "build_llm", lambda: MagicMock())  # expect: MG201[agent] MG101[agent]
    assert runner_module.AgentRunner().llm is not None


def test_setattr_with_nested_construction(monkeypatch):
    monkeypatch.setattr(  # expect: MG201[database]
        session_module,
        "engine",
        MagicMock(begin=MagicMock()),  # expect: MG101[database] MG101[database]
    )
    session_module.run_migrations()


def test_setattr_mock_class_without_raising(monkeypatch):
    monkeypatch.setattr(mailer, "SMTP", MagicMock, raising=False)  # expect: MG201[generic]
    mailer.send_welcome("b@example.com")


@pytest.fixture
def scripted_llm(monkeypatch):
    llm = MagicMock()  # expect: MG101[agent]
    llm.complete.return_value = "patched"
    monkeypatch.setattr(runner_module, "llm_client", llm)  # expect: MG201[agent]
    return llm


def test_uses_scripted_llm(scripted_llm):
    assert runner_module.AgentRunner().run("hi") == "patched"
    scripted_llm.complete.assert_called_once()


async def test_setattr_on_manager_instance(monkeypatch):
    manager = ws_manager_module.ConnectionManager()
    monkeypatch.setattr(manager, "broadcast", AsyncMock())  # expect: MG201[websocket] MG101[websocket]
    await manager.announce("deploy")
    manager.broadcast.assert_awaited_once()


def test_setattr_gateway_double(monkeypatch):
    gateway = Mock()  # expect: MG101[generic]
    gateway.charge.return_value = {"status": "succeeded"}
    monkeypatch.setattr(payments, "gateway", gateway)  # expect: MG201[generic]
    assert payments.pay(order_id=1).status == "succeeded"


def test_setattr_tool_with_lambda(monkeypatch):
    monkeypatch.setattr(tools_module.calculator, "evaluate", lambda expr: 4)  # expect: MG201[agent]
    monkeypatch.setattr(tools_module, "search_docs", lambda query, k=3: [])  # expect: MG201[agent]
    assert tools_module.calculator.evaluate("2+2") == 4


def test_setattr_cache_backend_with_mock(monkeypatch):
    monkeypatch.setattr(cache, "backend", MagicMock(get=Mock(return_value=None)))  # expect: MG201[database] MG101[database] MG101[database]
    assert cache.lookup("k") is None


def test_builtin_setattr_with_plain_value():
    setattr(config.settings, "timeout", 3)  # ok
    assert config.settings.timeout == 3


def test_monkeypatch_context(monkeypatch):
    with monkeypatch.context() as mp:  # ok
        mp.setenv("APP_ENV", "test")  # ok
        assert config.load().env == "test"


def test_monkeypatch_context_setattr(monkeypatch):
    with monkeypatch.context() as mp:  # ok
        mp.setattr(clock, "now", lambda: datetime(2024, 1, 2))  # expect: MG201[generic]
        mp.delattr(mailer, "DEFAULT_SENDER")  # ok
        assert clock.now().day == 2


def test_pytest_monkeypatch_class_context():
    with pytest.MonkeyPatch.context() as mp:  # ok
        mp.setattr(payments, "gateway", Mock())  # expect: MG201[generic] MG101[generic]
        assert payments.pay(order_id=2)
