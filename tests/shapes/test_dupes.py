"""Mock shapes and `mockguard dupes` on fixture files with known clusters."""

from __future__ import annotations

import json
from pathlib import Path

from mockguard import api
from mockguard.config import Settings
from mockguard.findings import Shape

FIXTURES = Path(__file__).parent / "fixtures"


def clusters(similarity: float = 1.0, min_size: int = 2):  # type: ignore[no-untyped-def]
    files = sorted(str(p) for p in FIXTURES.glob("*.py"))
    request = api.ScanRequest(files, use_cache=False)
    return api.dupes(request, Settings(root=FIXTURES), min_size=min_size, similarity=similarity)


def test_identical_setups_cluster_whatever_their_names_values_and_order() -> None:
    found = clusters()
    assert [(c.size, c.category, c.exact) for c in found] == [
        (5, "websocket", True),
        (2, "database", True),
    ]
    sockets = found[0]
    assert sockets.shape.members == frozenset({("send_json", "AsyncMock"), ("accept", "AsyncMock")})
    assert [(p.path, p.line, p.name) for p in sockets.places] == [
        ("test_sessions.py", 5, "conn"),
        ("test_sessions.py", 12, "peer"),
        ("test_sockets.py", 5, "ws"),
        ("test_sockets.py", 12, "socket"),
        ("test_sockets.py", 20, "self.websocket"),
    ]
    sessions = found[1]
    assert sessions.shape.members == frozenset(
        {("execute.return_value", "literal"), ("commit", "AsyncMock")}
    )


def test_near_identical_setups_join_below_the_similarity_bar() -> None:
    found = clusters(similarity=0.6)
    assert [(c.size, c.category, c.exact) for c in found] == [
        (5, "websocket", True),
        (3, "database", False),
    ]
    # The rollback variant shares 2 of its 3 members with the others: 0.67 >= 0.6.
    assert [(c.size) for c in clusters(similarity=0.7)] == [5, 2]


def test_bare_mocks_are_not_copied_setups() -> None:
    assert all(p.name not in ("plain", "other") for c in clusters(min_size=1) for p in c.places)


def test_similarity() -> None:
    a = Shape("MagicMock", "", frozenset({("a", "AsyncMock"), ("b", "AsyncMock")}))
    b = Shape("MagicMock", "", frozenset({("a", "AsyncMock")}))
    assert a.similarity(b) == 0.5
    assert a.similarity(Shape("AsyncMock", "", a.members)) == 0.0
    assert a.key == Shape("MagicMock", "", frozenset(reversed(sorted(a.members)))).key


def test_dupes_command(run_cli) -> None:
    result = run_cli("dupes", "--min-size", "2", "--suggest", "--format", "json", str(FIXTURES))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)["clusters"]
    assert [c["size"] for c in document] == [5, 2]
    assert (
        document[0]["suggested_kind"]
        == '# served by the built-in kind `websocket`: mock_factory.create("websocket")'
    )
    text = run_cli("dupes", "--min-size", "2", str(FIXTURES))
    assert "Cluster 1: 5 identical setups [websocket]" in text.stdout
    assert "2 cluster(s) of 2+ copied setups, 7 setups in all." in text.stdout
    missing = run_cli("dupes", "no/such/path")
    assert missing.returncode == 2 and "path does not exist" in missing.stderr
