"""Names that look like mock API but resolve to something else, plus references and annotations."""

from collections import defaultdict
from functools import partial
from types import SimpleNamespace
from unittest.mock import AsyncMock, MagicMock

import httpx
import requests
import responses
from fastapi import APIRouter, FastAPI, WebSocket

from app.events import dispatch
from app.http import patch as http_patch
from app.payments import sandbox
from app.testing.birds import Mockingbird
from app.ws.manager import ConnectionManager

app = FastAPI()
router = APIRouter()
_client = httpx.Client(base_url="http://testserver")


def patch(url, payload):
    """Send an HTTP PATCH through the shared test client."""
    return _client.request("PATCH", url, json=payload)


@app.patch("/items/{item_id}")  # ok
async def update_item(item_id: int, body: dict):
    return {"id": item_id, **body}


@router.patch("/conversations/{conversation_id}")  # ok
async def rename_conversation(conversation_id: int, body: dict):
    return {"id": conversation_id, "title": body["title"]}


def test_module_level_patch_helper_is_http():
    response = patch("/conversations/1", {"title": "renamed"})  # ok
    assert response.status_code == 200


def test_requests_and_httpx_patch():
    requests.patch("https://api.example.com/items/1", json={"name": "x"})  # ok
    httpx.patch("https://api.example.com/items/2", json={"name": "y"})  # ok
    http_patch("/items/3", {"name": "z"})  # ok


def test_test_client_patch(client):
    response = client.patch("/users/1", json={"name": "Ada"})  # ok
    assert response.json()["name"] == "Ada"


def test_dispatch_is_an_event_bus_call():
    dispatch("message.created", payload={"id": 1})  # ok


def test_local_function_shadows_asyncmock():
    def AsyncMock(**fields):
        return SimpleNamespace(**fields)

    event = AsyncMock(type="message", text="hi")  # ok
    assert event.type == "message"


def test_parameter_shadows_magicmock(MagicMock=dict):
    payload = MagicMock(type="ping")  # ok
    assert payload["type"] == "ping"


def test_responses_library_mock():
    with responses.RequestsMock() as mock:  # ok
        mock.add(responses.GET, "https://api.example.com/health", json={"ok": True})
        assert requests.get("https://api.example.com/health").json()["ok"]


def test_sandbox_mock_payment_mode():
    card = sandbox.Mock(card_number="4242424242424242")  # ok
    assert card.approved


def test_mockingbird_is_a_bird():
    bird = Mockingbird(name="Harper")  # ok
    assert bird.sing()


def test_references_are_not_constructions():
    ws = ConnectionManager().new_socket("u1")
    assert not isinstance(ws, MagicMock)  # ok
    assert not issubclass(type(ws), AsyncMock)  # ok
    assert type(ws) is not MagicMock  # ok
    assert MagicMock.__name__ == "MagicMock"  # ok
    registry = defaultdict(MagicMock)  # ok
    make_socket = partial(AsyncMock, spec=WebSocket)  # ok
    assert registry is not None and make_socket is not None


def build_handler(ws: AsyncMock) -> MagicMock:  # ok
    handler: MagicMock  # ok
    handler = ConnectionManager().handler_for(ws)
    return handler


mocked_sockets: list[AsyncMock] = []  # ok


def test_variables_named_like_mocks_hold_real_objects():
    mock_user = SimpleNamespace(id=1, email="a@example.com")  # ok
    fake_payload = {"type": "message", "text": "hi"}  # ok
    stub_response = httpx.Response(200, json={"ok": True})  # ok
    assert mock_user.id == 1 and fake_payload and stub_response.status_code == 200


class ApiClient:
    def patch(self, url, json):
        return _client.patch(url, json=json)  # ok


def test_method_named_patch_on_own_client():
    api = ApiClient()
    api.patch("/settings", json={"theme": "dark"})  # ok


class TestDispatcher:
    def patch(self, target):
        return target

    def test_self_patch_method(self):
        assert self.patch("app.db.session.get_session") == "app.db.session.get_session"  # ok


def test_real_mock_next_to_lookalikes():
    ws = AsyncMock(spec=WebSocket)  # expect: MG101[websocket]
    client = MagicMock()  # expect: MG101[generic]
    client.get.return_value.status_code = 200
    assert client.get("/health").status_code == 200
    ws.send_json.assert_not_awaited()
