"""Reports built by hand for the HTML report tests, and a reader of the pages they give."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mockguard.baseline import BaselineEntry
from mockguard.findings import Diagnostic, Finding, Place, Shape
from mockguard.report import FormatOptions, ReportExtras
from mockguard.report.html import HtmlFormatter
from mockguard.report.model import BaselineStatus, ScanReport
from mockguard.scan.shapes import Cluster

GOLDEN = Path(__file__).parent / "golden"
CATEGORIES = ("websocket", "database", "agent", "generic")
RULES = ("MG101", "MG102", "MG201", "MG301")
ARGS: dict[str, tuple[tuple[str, str], ...]] = {
    "MG101": (("constructor", "MagicMock"),),
    "MG102": (("constructor", "AsyncMock"), ("target", "ws.send_json")),
    "MG201": (("patcher", "patch"),),
    "MG301": (("name", "FakeSession"),),
}


def finding(
    path: str,
    line: int,
    code: str = "MG101",
    category: str = "websocket",
    scope: str = "test_x",
    args: tuple[tuple[str, str], ...] | None = None,
    **extra: Any,
) -> Finding:
    """A finding built by hand."""
    return Finding(
        path=path,
        line=line,
        col=4,
        end_line=line,
        end_col=15,
        code=code,
        category=category,
        args=ARGS[code] if args is None else args,
        scope=scope,
        fingerprint=hashlib.sha256(f"{path}:{line}:{code}".encode()).hexdigest()[:16] + ":0",
        snippet="MagicMock()",
        **extra,
    )


def sample_report() -> ScanReport:
    """A report over three folders with new, baselined, gone and suppressed findings."""
    report = ScanReport(categories=CATEGORIES, rules=RULES)
    new = [
        finding("tests/api/test_ws.py", 10, "MG101", "websocket", "test_connect"),
        finding("tests/api/test_ws.py", 11, "MG102", "websocket", "test_connect"),
        finding("tests/api/test_ws.py", 30, "MG201", "websocket", "test_close"),
        finding("tests/api/test_chat.py", 5, "MG101", "agent", "test_reply"),
        finding("tests/db/test_repo.py", 8, "MG301", "database", ""),
        finding("tests/db/test_repo.py", 20, "MG101", "database", "test_save"),
        finding("tests/test_misc.py", 3, "MG101", "generic", "test_clock"),
    ]
    baselined = [
        finding("tests/db/test_repo.py", 40, "MG201", "database", "test_load"),
        finding("tests/db/test_migrate.py", 12, "MG101", "database", "test_migrate"),
        finding("tests/api/test_chat.py", 44, "MG101", "agent", "test_stream"),
    ]
    report.findings = sorted(new, key=lambda f: f.sort_key)
    report.suppressed = [
        finding("tests/api/test_ws.py", 50, "MG101", "websocket", "test_legacy", suppressed=True)
    ]
    report.diagnostics = [
        Diagnostic("tests/test_broken.py", "syntax-error", "cannot parse: invalid syntax", 7)
    ]
    report.compliant = {"websocket": 4, "database": 1}
    report.files_scanned = 9
    report.files_parsed = 8
    gone = BaselineEntry(
        "0123456789abcdef:0", "tests/api/test_ws.py", "MG101", "websocket", "test_old", "Mock()"
    )
    report.baseline = BaselineStatus(
        ".mockguard-baseline.json", sorted(baselined, key=lambda f: f.sort_key), [gone]
    )
    return report


def sample_clusters() -> list[Cluster]:
    """Two clusters of copied setups, largest first."""
    sockets = Shape("AsyncMock", "WebSocket", frozenset({("send_json", "AsyncMock")}))
    sessions = Shape("MagicMock", "", frozenset({("commit", "AsyncMock"), ("execute", "call")}))

    def place(path: str, line: int, category: str) -> Place:
        return Place(path, line, "double", "test_x", category, "")

    return [
        Cluster(
            sockets,
            "websocket",
            [place("tests/api/test_ws.py", n, "websocket") for n in (10, 40, 70)],
        ),
        Cluster(
            sessions,
            "database",
            [place("tests/db/test_repo.py", 20, "database"), place("tests/db/x.py", 3, "database")],
            exact=False,
        ),
    ]


def sample_history() -> list[dict[str, Any]]:
    """Three commits, oldest first, as `mockguard history --format json` writes them."""
    return [
        {
            "commit": "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0",
            "date": "2026-11-01T10:00:00+00:00",
            "counts": {"websocket": 6, "database": 5, "agent": 2},
            "total": 13,
            "compliant": 1,
            "adoption": 0.0714,
        },
        {
            "commit": "b1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0",
            "date": "2026-11-10T10:00:00+00:00",
            "counts": {"websocket": 4, "database": 4, "agent": 2, "generic": 1},
            "total": 11,
            "compliant": 3,
            "adoption": 0.2143,
        },
        {
            "commit": "c1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0",
            "date": "2026-11-20T10:00:00+00:00",
            "counts": {"websocket": 3, "database": 4, "agent": 2, "generic": 1},
            "total": 10,
            "compliant": 5,
            "adoption": 0.3333,
        },
    ]


def full_page(report: ScanReport | None = None) -> str:
    """The HTML page of the sample report, with clusters and history."""
    formatter = HtmlFormatter(
        FormatOptions(), ReportExtras(clusters=sample_clusters(), history=sample_history())
    )
    return formatter.format(report or sample_report())


class Dom(HTMLParser):
    """The elements and visible text of a page (script and style contents left out)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self._hidden = 0
        self._cells: list[list[str]] | None = None
        self._svg = 0
        self.rows: list[list[str]] = []
        self.svg_texts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag == "svg":
            self._svg += 1
        elif tag == "tr" and "data-row" in values:
            self._cells = []
            self.rows.append(self._cells)
        elif tag == "td" and self._cells is not None:
            self._cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1
        elif tag == "svg":
            self._svg -= 1
        elif tag == "tr":
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.texts.append(data)
        if self._svg:
            self.svg_texts.append(data)
        if self._cells:
            self._cells[-1] += data

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def find(self, tag: str = "", **attrs: str) -> list[dict[str, str]]:
        """The attributes of every element of that tag (any, when empty) whose attributes
        include the given ones (`data_rendered` stands for `data-rendered`)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            values
            for name, values in self.elements
            if (not tag or name == tag)
            and all(values.get(key) == value for key, value in wanted.items())
        ]

    def one(self, tag: str = "", **attrs: str) -> dict[str, str]:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def body(self) -> dict[str, str]:
        return self.one("body")
