"""Everyday services with no AI/chat domain: config, clock, filesystem, HTTP, cache, email, payments."""

import json
import os
import unittest
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from unittest.mock import MagicMock, Mock, PropertyMock, call, mock_open, patch

import pytest

from app.config import Settings, load_settings
from app.services.cache import TTLCache
from app.services.clock import SystemClock
from app.services.email import EmailService
from app.services.exporter import export_csv
from app.services.http import ApiClient, download
from app.services.payments import PaymentService, StripeGateway
from app.services.retry import retry
from app.services.scheduler import Scheduler
from app.services.storage import LocalStorage


def test_settings_read_from_file():
    with patch("builtins.open", mock_open(read_data=json.dumps({"debug": True}))):  # expect: MG201[generic] MG101[generic]
        assert load_settings("settings.json").debug is True


def test_settings_file_missing():
    with patch.object(Path, "exists", return_value=False):  # expect: MG201[generic]
        assert load_settings("missing.json") == Settings()


@patch.dict(os.environ, {"APP_PORT": "8080", "APP_DEBUG": "0"})  # expect: MG201[generic]
def test_settings_from_env():
    settings = load_settings()
    assert settings.port == 8080


def test_clock_frozen_with_mock():
    clock = Mock()  # expect: MG101[generic]
    clock.now.return_value = datetime(2024, 5, 1, 12, 0)
    scheduler = Scheduler(clock=clock)
    scheduler.schedule("report", at=datetime(2024, 5, 1, 12, 0))
    assert scheduler.due() == ["report"]


@patch("app.services.clock.datetime")  # expect: MG201[generic]
def test_system_clock_uses_datetime(dt):
    dt.now.return_value = datetime(2024, 1, 1)
    assert SystemClock().today().year == 2024


def test_cache_expiry_with_clock_property():
    cache = TTLCache(ttl=timedelta(seconds=30))
    with patch.object(TTLCache, "now", new_callable=PropertyMock) as now:  # expect: MG201[database]
        now.return_value = 0
        cache.set("k", "v")
        now.return_value = 31
        assert cache.get("k") is None


def test_cache_backend_wired():
    cache = TTLCache(ttl=timedelta(seconds=5))
    cache.backend = MagicMock()  # expect: MG102[database]
    cache.backend.get.return_value = None
    assert cache.get("missing") is None


def test_http_client_get():
    http = Mock()  # expect: MG101[generic]
    http.get.return_value.status_code = 200
    http.get.return_value.json.return_value = {"ok": True}
    client = ApiClient(base_url="https://api.example.com", http=http)
    assert client.health() is True
    http.get.assert_called_once_with("https://api.example.com/health", timeout=5)


def test_download_writes_file(tmp_path):
    response = MagicMock(status_code=200, content=b"data")  # expect: MG101[generic]
    with patch("app.services.http.httpx.get", return_value=response) as get:  # expect: MG201[generic]
        download("https://files.example.com/a.bin", tmp_path / "a.bin")
    get.assert_called_once()
    assert (tmp_path / "a.bin").read_bytes() == b"data"


def test_retry_sleeps_between_attempts():
    flaky = Mock(side_effect=[ConnectionError(), ConnectionError(), "ok-result"])  # expect: MG101[generic]
    with patch("app.services.retry.time.sleep") as sleep:  # expect: MG201[generic]
        assert retry(flaky, attempts=3)() == "ok-result"
    assert sleep.call_args_list == [call(1), call(2)]  # ok


def test_email_service_smtp():
    smtp = MagicMock()  # expect: MG101[generic]
    smtp.__enter__.return_value = smtp
    with patch("app.services.email.smtplib.SMTP", return_value=smtp):  # expect: MG201[generic]
        EmailService(host="localhost").send("a@example.com", "Hi", "Body")
    smtp.send_message.assert_called_once()


def test_payment_service_charge():
    gateway = Mock(spec=StripeGateway)  # expect: MG101[generic]
    gateway.charge.return_value = {"id": "ch_1", "status": "succeeded"}
    service = PaymentService(gateway=gateway)
    assert service.pay(order_id=1, amount_cents=1000).status == "succeeded"


def test_payment_service_refund_wiring():
    service = PaymentService(gateway=StripeGateway(api_key="sk_test"))
    service.gateway.refund = Mock(return_value={"status": "refunded"})  # expect: MG102[generic]
    assert service.refund(charge_id="ch_1") == "refunded"


def test_export_csv_uses_storage():
    storage = mock.create_autospec(LocalStorage, instance=True)  # expect: MG101[generic]
    export_csv([{"a": 1}], storage=storage, name="out.csv")
    storage.write.assert_called_once()


def test_export_csv_writes_with_mock_open():
    m_open = mock_open()  # expect: MG101[generic]
    with patch("app.services.exporter.open", m_open):  # expect: MG201[generic]
        export_csv([{"a": 1}], path="out.csv")
    m_open().write.assert_called()


class TestSchedulerUnit(unittest.TestCase):
    def setUp(self):
        self.clock = Mock()  # expect: MG101[generic]
        self.clock.now.return_value = datetime(2024, 1, 1)
        self.notifier = Mock()  # expect: MG101[generic]
        self.scheduler = Scheduler(clock=self.clock, notifier=self.notifier)

    def test_runs_due_jobs(self):
        self.scheduler.schedule("backup", at=datetime(2024, 1, 1))
        self.scheduler.tick()
        self.notifier.notify.assert_called_once_with("backup")

    @patch("app.services.scheduler.logger")  # expect: MG201[generic]
    def test_logs_skipped_jobs(self, logger):
        self.scheduler.tick()
        logger.info.assert_called()

    def test_stop_is_idempotent(self):
        self.scheduler.stop()
        self.scheduler.stop()
        assert not self.scheduler.running


class FakeSmtpServer:  # expect: MG301[generic]
    def __init__(self):
        self.messages = []

    def sendmail(self, from_addr, to_addrs, msg):
        self.messages.append((from_addr, to_addrs, msg))


class StubHttpResponse:  # expect: MG301[generic]
    status_code = 200

    def json(self):
        return {"ok": True}


class DummyStorage(LocalStorage):  # expect: MG301[generic]
    def write(self, name, data):
        return len(data)


def test_metrics_counter_wired(monkeypatch):
    from app.services import metrics

    monkeypatch.setattr(metrics, "client", MagicMock())  # expect: MG201[generic] MG101[generic]
    metrics.increment("logins")
    metrics.client.incr.assert_called_once_with("logins", 1)


def test_feature_flags_with_mocker(mocker):
    mocker.patch("app.config.flags.is_enabled", return_value=True)  # expect: MG201[generic]
    assert load_settings().flags.new_dashboard is True


def test_logger_is_plain_value(monkeypatch):
    monkeypatch.setattr("app.services.scheduler.LOG_LEVEL", "DEBUG")  # expect: MG201[generic]
    assert Scheduler().log_level == "DEBUG"


def test_rate_limited_api_client():
    limiter = MagicMock(**{"acquire.return_value": True})  # expect: MG101[generic]
    client = ApiClient(base_url="https://api.example.com", limiter=limiter)
    client.get("/items")
    limiter.acquire.assert_called_once()
