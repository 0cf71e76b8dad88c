"""Categories a reviewer would agree with: the real object decides, then its own words.

Each case is a small project written to a temporary folder, with production modules that
define the real classes, scanned by the installed command as a user runs it. The pairs
contrast a miss seen on real suites with the look-alike that is right.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

APP = {
    "app/__init__.py": "",
    "app/store.py": """\
        import redis


        class CacheStore:
            def get(self, key):
                return redis.Redis().get(key)
        """,
    "app/threads.py": """\
        from sqlalchemy.orm import Session


        def get_user_threads(db, user_id):
            return db.query(user_id)
        """,
    "app/reexport/__init__.py": "from .repo import ThreadRepository\n",
    "app/reexport/repo.py": """\
        from sqlalchemy import select


        class ThreadRepository:
            def list(self):
                return select()
        """,
    "app/tools.py": """\
        class ToolExecutionEngine:
            def run(self, tool):
                return tool()
        """,
    "app/aws.py": """\
        import boto3


        def get_session():
            return boto3.session.Session()
        """,
    "app/http.py": """\
        import requests


        class PaymentClient:
            def charge(self, amount):
                return requests.post("https://pay", json={"amount": amount})
        """,
    "app/net/__init__.py": "",
    "app/net/sriov/__init__.py": "",
    "app/net/sriov/agent/__init__.py": "",
    "app/net/sriov/agent/switch_manager.py": """\
        class EmbSwitch:
            def get_device(self, address):
                return address
        """,
    "app/agents/__init__.py": "",
    "app/agents/planner.py": """\
        class Planner:
            def run(self, goal):
                return goal
        """,
    "app/backends/__init__.py": "",
    "app/backends/couch.py": """\
        try:
            from couchbase.cluster import Cluster
        except ImportError:
            Cluster = None


        class CouchBackend:
            def __init__(self):
                self._connection = None
        """,
    "app/backends/gcs.py": """\
        from google.cloud import storage
        from google.cloud.storage import Client
        import google.cloud.firestore as firestore

        from app.tools import ToolExecutionEngine


        class GCSBackend:
            def get(self, key):
                return Client().bucket(key)
        """,
    "app/net/linux/__init__.py": "",
    "app/net/linux/agent/__init__.py": "",
    "app/net/linux/agent/keepalived.py": """\
        SIGTERM_TIMEOUT = 5


        def _use_no_track():
            return True
        """,
    "app/ws.py": """\
        from starlette.websockets import WebSocket


        class Notifier:
            def __init__(self, socket: WebSocket):
                self.socket = socket
        """,
}


def project(root: Path, test_source: str) -> Path:
    for name, text in {**APP, "tests/test_case.py": test_source}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def categories(run_cli, root: Path) -> dict[int, str]:
    result = run_cli("scan", "--no-cache", "--format", "json", "tests", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    found: dict[int, str] = {}
    for finding in findings:
        found.setdefault(finding["line"], finding["category"])
    return found


CASES = {
    "logger named like a websocket test": (
        """\
        from unittest.mock import MagicMock

        def test_ws_logging():
            mock_ws_logger = MagicMock()
            mock_ws_logger.info("x")
        """,
        {4: "generic"},
    ),
    "environment patched in a websocket test file": (
        """\
        import os
        from unittest.mock import patch

        @patch.dict(os.environ, {"WS_URL": "ws://x"})
        def test_websocket_url():
            pass
        """,
        {4: "generic"},
    ),
    "redis-backed store resolved through the project": (
        """\
        from unittest.mock import MagicMock
        from app.store import CacheStore

        def test_cached():
            store = MagicMock(spec=CacheStore)
            assert store
        """,
        {5: "database"},
    ),
    "repository function resolved through the project": (
        """\
        from unittest.mock import patch

        @patch("app.threads.get_user_threads")
        def test_threads(get_threads):
            pass
        """,
        {3: "database"},
    ),
    "a repository re-exported by a package": (
        """\
        from unittest.mock import create_autospec
        from app.reexport import ThreadRepository

        def test_repo():
            repo = create_autospec(ThreadRepository)
            assert repo
        """,
        {5: "database"},
    ),
    "an engine that is not SQL": (
        """\
        from unittest.mock import MagicMock
        from app.tools import ToolExecutionEngine

        def test_engine():
            engine = MagicMock(spec=ToolExecutionEngine)
            assert engine
        """,
        {5: "agent"},
    ),
    "a boto3 session is not a database session": (
        """\
        from unittest.mock import patch

        @patch("boto3.session.Session")
        def test_upload(session_cls):
            pass
        """,
        {3: "generic"},
    ),
    "an HTTP client is generic even when named like a session": (
        """\
        from unittest.mock import MagicMock
        from app.http import PaymentClient

        def test_pay():
            session = MagicMock(spec=PaymentClient)
            session.charge(1)
        """,
        {5: "generic"},
    ),
    "a real SQL session": (
        """\
        from unittest.mock import MagicMock
        from sqlalchemy.orm import Session

        def test_save():
            session = MagicMock(spec=Session)
            assert session
        """,
        {5: "database"},
    ),
    "a real websocket": (
        """\
        from unittest.mock import AsyncMock
        from starlette.websockets import WebSocket

        async def test_push():
            ws = AsyncMock(spec=WebSocket)
            assert ws
        """,
        {5: "websocket"},
    ),
    "network agents, bridges and sockets are not agents or websockets": (
        """\
        from unittest import mock

        def test_l3():
            l3_agent = mock.Mock()
            br_int = mock.Mock()
            udp_socket = mock.Mock()
            ovs_bridge = mock.Mock()
            headers = {"user_agent": mock.Mock()}
            return l3_agent, br_int, udp_socket, ovs_bridge, headers
        """,
        {4: "generic", 5: "generic", 6: "generic", 7: "generic", 8: "generic"},
    ),
    "a db-prefixed compound name is the database; dbus is not": (
        """\
        from unittest import mock

        def test_record():
            dbdata = mock.Mock()
            dbus = mock.Mock()
            return dbdata, dbus
        """,
        {4: "database", 5: "generic"},
    ),
    "patch.dict is what its entries install, inline or bound once": (
        """\
        from unittest.mock import MagicMock, patch

        import app.store as store

        def test_query():
            context = {"cassandra_cql_session": MagicMock()}
            with patch.dict(store.__dict__, context):
                pass
            with patch.dict(store.__dict__, {"redis.get": MagicMock()}):
                pass
            with patch.dict(store.__dict__, {"cmd.run": MagicMock()}):
                pass
        """,
        {7: "database", 9: "database", 11: "generic"},
    ),
    "a network agent's package does not make its classes agents": (
        """\
        from unittest import mock

        @mock.patch("app.net.sriov.agent.switch_manager.EmbSwitch.get_device")
        @mock.patch("app.agents.planner.Planner.run")
        def test_switch(run, get_device):
            pass
        """,
        {3: "generic", 4: "agent"},
    ),
    "a document store's library is the database": (
        """\
        from unittest import mock

        @mock.patch("couchbase.cluster.Cluster")
        def test_cluster(cluster):
            pass
        """,
        {3: "database"},
    ),
    "a mock wired onto a project object takes what the object is, weakly": (
        """\
        from unittest.mock import Mock
        from app.backends.couch import CouchBackend
        from app.http import PaymentClient
        from app.store import CacheStore

        def test_backend():
            backend = CouchBackend()
            backend._connection = Mock()
            backend._connection.get = Mock()
            store = CacheStore()
            store.logger = Mock()
            client = PaymentClient()
            client.transport = Mock()
        """,
        {8: "database", 9: "database", 11: "generic", 13: "generic"},
    ),
    "a library reached through a project module's imports is that library": (
        """\
        from unittest import mock

        @mock.patch("app.backends.gcs.Client")
        @mock.patch("app.backends.gcs.storage.Client")
        @mock.patch("app.backends.gcs.firestore.Client")
        @mock.patch("app.backends.gcs.ToolExecutionEngine")
        @mock.patch("app.backends.gcs.json.loads")
        def test_backend(*mocks):
            pass
        """,
        {3: "database", 4: "database", 5: "database", 6: "agent", 7: "generic"},
    ),
    "an agent under a Linux package is a host agent": (
        """\
        from unittest import mock

        @mock.patch("app.net.linux.agent.keepalived._use_no_track")
        @mock.patch("app.net.linux.agent.keepalived.SIGTERM_TIMEOUT", 1)
        def test_keepalived(use):
            pass
        """,
        {3: "generic", 4: "generic"},
    ),
    "aiohttp's WebSocket classes are a WebSocket, the rest of aiohttp is generic": (
        """\
        from unittest.mock import MagicMock, patch
        import aiohttp
        from aiohttp import web

        def test_ws():
            ws = MagicMock(spec=aiohttp.ClientWebSocketResponse)
            server = MagicMock(spec=web.WebSocketResponse)
            connect = patch("aiohttp.ClientSession.ws_connect")
            session = MagicMock(spec=aiohttp.ClientSession)
        """,
        {6: "websocket", 7: "websocket", 8: "websocket", 9: "generic"},
    ),
    "the test's name decides nothing": (
        """\
        from unittest import mock

        def test_websocket_agent_database():
            thing = mock.Mock()
            return thing
        """,
        {4: "generic"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_category(run_cli, tmp_path: Path, name: str) -> None:
    source, expected = CASES[name]
    found = categories(run_cli, project(tmp_path, source))
    assert {line: found.get(line) for line in expected} == expected


def test_a_tie_goes_to_generic(tmp_path: Path) -> None:
    from mockguard.categories import BUILTIN_CATEGORIES
    from mockguard.findings import Evidence
    from mockguard.scan.classify import Classifier

    classifier = Classifier(BUILTIN_CATEGORIES)
    tie = [Evidence("name", "x", "database", 3), Evidence("name", "log", "generic", 3)]
    assert classifier.decide(tie)[0] == "generic"
    assert classifier.decide(tie[:1])[0] == "database"


def test_explain_shows_what_the_real_object_is(run_cli, tmp_path: Path) -> None:
    source, _ = CASES["repository function resolved through the project"]
    root = project(tmp_path, source)
    result = run_cli("scan", "--no-cache", "--explain", "tests", cwd=root)
    assert "real-object `app/threads.py imports sqlalchemy.orm` -> database" in result.stdout
    assert "`app.threads.get_user_threads takes db` -> database" in result.stdout


def test_the_index_never_runs_project_code(run_cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    root = project(
        tmp_path,
        """\
        from unittest.mock import MagicMock
        from app.evil import Store

        def test_it():
            return MagicMock(spec=Store)
        """,
    )
    (root / "app" / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\nimport redis\nclass Store: pass\n",
        encoding="utf-8",
    )
    assert categories(run_cli, root) == {5: "database"}
    assert not marker.exists()


def test_the_index_stays_inside_the_project(run_cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "store.py").write_text("import redis\nclass Store: pass\n", encoding="utf-8")
    root = project(
        tmp_path / "repo",
        """\
        from unittest.mock import MagicMock
        from app.linked.store import Store

        def test_it():
            return MagicMock(spec=Store)
        """,
    )
    (root / "app" / "linked").symlink_to(outside, target_is_directory=True)
    assert categories(run_cli, root) == {5: "generic"}


def test_a_configured_category_takes_its_modules_and_words_back_from_generic(
    run_cli, tmp_path: Path
) -> None:
    source = """\
        from unittest import mock
        from app.http import PaymentClient

        def test_pay():
            client = mock.Mock(spec=PaymentClient)
            http_pool = mock.Mock()
            redis_http = mock.Mock()
            return client, http_pool, redis_http
        """
    root = project(tmp_path, source)
    assert categories(run_cli, root) == {5: "generic", 6: "generic", 7: "generic"}
    (root / "pyproject.toml").write_text(
        "[tool.mockguard.categories.http]\n"
        'names = ["http"]\nmodules = ["requests"]\nvetoes = ["redis"]\n',
        encoding="utf-8",
    )
    # a class whose module imports requests; a word generic had; a vetoed word (and the
    # built-in database words are silenced by "http" in the same name)
    assert categories(run_cli, root) == {5: "http", 6: "http", 7: "generic"}
    (root / "pyproject.toml").write_text(
        '[tool.mockguard.categories.http]\nnames = ["http"]\nmodules = ["requests"]\n',
        encoding="utf-8",
    )
    assert categories(run_cli, root)[7] == "http"
