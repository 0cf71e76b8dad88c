"""Legacy suites: the `mock` backport package and asynctest."""

import asynctest
import mock
from asynctest import CoroutineMock
from mock import patch as legacy_patch

from app.agents.llm import LLMClient
from app.agents.runner import AgentRunner
from app.db.legacy import LegacyUserStore
from app.services.files import read_config
from app.ws.manager import ConnectionManager


class TestLegacySocketManager(asynctest.TestCase):
    async def setUp(self):
        self.ws = asynctest.MagicMock()  # expect: MG101[websocket]
        self.ws.send_json = CoroutineMock()  # expect: MG102[websocket]
        self.manager = ConnectionManager()

    async def test_send_uses_socket(self):
        await self.manager.connect("u1", self.ws)
        await self.manager.send("u1", {"type": "ping"})
        self.ws.send_json.assert_awaited_once_with({"type": "ping"})

    @asynctest.patch("app.ws.manager.ConnectionManager.broadcast")  # expect: MG201[websocket]
    async def test_broadcast_patched(self, broadcast):
        await self.manager.announce("hello")
        broadcast.assert_called_once()

    async def test_coroutine_mock_on_manager(self):
        self.manager.disconnect = asynctest.CoroutineMock()  # expect: MG102[websocket]
        await self.manager.kick("u1")
        self.manager.disconnect.assert_awaited_once_with("u1")


class TestLegacyAgent(asynctest.TestCase):
    async def test_llm_coroutine(self):
        complete = CoroutineMock(return_value="hi")  # expect: MG101[generic]
        llm = asynctest.Mock(spec=LLMClient, complete=complete)  # expect: MG101[agent]
        assert await AgentRunner(llm=llm).arun("hello") == "hi"

    @asynctest.patch.object(AgentRunner, "call_tool", new=CoroutineMock(return_value=4))  # expect: MG201[agent] MG101[agent]
    async def test_tool_call_patched(self):
        assert await AgentRunner().arun("2+2") == "4"


def test_backport_mock_session_query_chain():
    session = mock.Mock()  # expect: MG101[database]
    session.query.return_value.filter_by.return_value.first.return_value = None
    assert LegacyUserStore(session).find("a@example.com") is None
    session.query.assert_called_once()


@mock.patch.object(LLMClient, "_post")  # expect: MG201[agent]
def test_backport_patch_llm_http(post):
    post.return_value = {"choices": [{"text": "hi"}]}
    assert LLMClient("key").complete("hello") == "hi"


@legacy_patch("app.db.legacy.connect")  # expect: MG201[database]
def test_backport_patch_alias(connect):
    connect.return_value.cursor.return_value.fetchone.return_value = (1,)
    assert LegacyUserStore.ping() is True


def test_backport_mock_open_and_autospec():
    opener = mock.mock_open(read_data="[app]\ndebug = true\n")  # expect: MG101[generic]
    with mock.patch("app.services.files.open", opener):  # expect: MG201[generic]
        assert read_config("app.ini")["app"]["debug"] == "true"
    store = mock.create_autospec(LegacyUserStore, instance=True)  # expect: MG101[database]
    store.find.return_value = None


def test_backport_property_and_noncallable():
    settings = mock.NonCallableMagicMock(timeout=3)  # expect: MG101[generic]
    type(settings).debug = mock.PropertyMock(return_value=True)  # expect: MG102[generic]
    assert settings.debug is True


def test_backport_patch_dict_and_references():
    with mock.patch.dict("os.environ", {"TZ": "UTC"}):  # expect: MG201[generic]
        llm = LLMClient("key")
        llm.transport = mock.MagicMock()  # expect: MG102[agent]
        llm.complete("hi")
    llm.transport.post.assert_called_once_with(mock.ANY, json=mock.ANY)  # ok
    assert llm.transport.post.call_args_list == [mock.call(mock.ANY, json=mock.ANY)]  # ok
    assert isinstance(llm.transport, mock.MagicMock)  # ok


class TestLegacyStoreWithPatcher(asynctest.TestCase):
    def setUp(self):
        self.connect_patcher = mock.patch("app.db.legacy.connect")  # expect: MG201[database]
        self.connect = self.connect_patcher.start()  # ok
        self.addCleanup(mock.patch.stopall)  # ok

    def test_insert(self):
        LegacyUserStore.insert({"email": "a@example.com"})
        self.connect.return_value.commit.assert_called_once()
