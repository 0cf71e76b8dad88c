"""The HTML page opened in headless Chromium: charts drawn, table paged and filtered, no
errors, no console output, no requests, and markup in the data shown as text.

This folder has neither `__init__.py` nor `conftest.py`: as a package it would be named
`html` and shadow the standard library, and a second top-level `conftest` module would
shadow the one of tests/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from html_samples import CATEGORIES, RULES, Dom, finding, full_page, sample_report

from mockguard.findings import Diagnostic
from mockguard.report import FormatOptions, ReportExtras
from mockguard.report import html as html_report
from mockguard.report.html import PAGE_SIZE, HtmlFormatter, plotly_js
from mockguard.report.model import ScanReport


@dataclass
class Visit:
    """What a page left: its DOM after its scripts ran, and what it wrote to the console."""

    dom: str
    console: list[str]


Browser = Callable[..., Visit]


@pytest.fixture
def chromium(tmp_path: Path) -> Browser:
    """Open a page in headless Chromium: its DOM after the page's scripts ran (empty when
    taking a screenshot instead), and its console messages."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")

    def open_page(page: Path, fragment: str = "", screenshot: Path | None = None) -> Visit:
        action = (
            [f"--screenshot={screenshot}", "--window-size=1280,2000", "--hide-scrollbars"]
            if screenshot is not None
            else ["--dump-dom"]
        )
        done = subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                f"--user-data-dir={tmp_path / 'chromium-profile'}",
                "--virtual-time-budget=10000",
                "--enable-logging=stderr",
                "--v=0",
                *action,
                page.resolve().as_uri() + fragment,
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
        return Visit(done.stdout, console)

    return open_page


CHARTS = ("by_category", "by_rule", "top_folders", "top_files", "baseline", "trend", "clusters")


def with_script(page: str, script: str) -> str:
    """The page with a script of the test's run after its own (as a person's clicks)."""
    head, end, tail = page.rpartition("</body>")
    return f"{head}<script>{script}</script>\n{end}{tail}"


def write(tmp_path: Path, page: str, name: str = "report.html") -> Path:
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    return path


def clean(visit: Visit) -> Dom:
    """The page's DOM, once it is known to have finished with no script error, no blocked
    request, nothing on the console and no link or source out of the file."""
    dom = Dom(visit.dom)
    body = dom.body()
    assert body["data-errors"] == ""
    assert body["data-rendered"] == "yes"
    assert "data-pwned" not in body
    assert visit.console == []
    for _tag, attrs in dom.elements:
        for name in ("src", "href", "xlink:href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(name, "")), (name, attrs)
    return dom


@pytest.fixture
def with_plotly() -> None:
    pytest.importorskip("plotly", reason="the html extra (plotly) is not installed")


@pytest.mark.usefixtures("with_plotly")
def test_every_chart_is_drawn_without_errors(chromium: Browser, tmp_path: Path) -> None:
    page = write(tmp_path, full_page())
    dom = clean(chromium(page))
    assert dom.body()["data-charts"] == str(len(CHARTS))
    for name in CHARTS:
        assert dom.one("div", data_chart=name)["data-state"] == "drawn", name
    assert len(dom.find("svg", **{"class": "main-svg"})) >= len(CHARTS)
    assert len(dom.rows) == 11
    assert dom.rows[0][0] == "tests/api/test_chat.py:5:5"

    screenshot = tmp_path / "report.png"
    chromium(page, screenshot=screenshot)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000
    print(f"screenshot: {screenshot}")


def test_a_filter_in_the_fragment_keeps_the_matching_rows(
    chromium: Browser, tmp_path: Path
) -> None:
    page = write(tmp_path, full_page())
    dom = clean(chromium(page, "#filter=database%20baselined"))
    assert dom.one("table", id="findings-table")["data-matches"] == "2"
    assert [row[0] for row in dom.rows] == [
        "tests/db/test_migrate.py:12:5",
        "tests/db/test_repo.py:40:5",
    ]
    assert all(row[5] == "baselined" for row in dom.rows)
    assert "2 of 11 findings" in dom.text


def test_a_sort_in_the_fragment_orders_the_rows(chromium: Browser, tmp_path: Path) -> None:
    page = write(tmp_path, full_page())
    dom = clean(chromium(page, "#sort=scope&dir=desc"))
    scopes = [row[4] for row in dom.rows]
    assert scopes == sorted(scopes, reverse=True)
    assert dom.one("th", data_sort="scope")["aria-sort"] == "descending"


def test_fifty_thousand_findings_are_paged(chromium: Browser, tmp_path: Path) -> None:
    report = ScanReport(categories=CATEGORIES, rules=RULES)
    for index in range(50_000):
        report.findings.append(
            finding(
                f"tests/pkg{index % 37}/test_mod{index % 211}.py",
                index % 500 + 1,
                category=CATEGORIES[index % 4],
                scope=f"test_{index}",
            )
        )
    report.finish()
    page = write(tmp_path, HtmlFormatter(FormatOptions()).format(report))

    first = clean(chromium(page))
    assert len(first.rows) == PAGE_SIZE
    assert first.one("table", id="findings-table")["data-matches"] == "50000"

    last = clean(chromium(page, "#page=500"))
    assert len(last.rows) == PAGE_SIZE
    assert "Page 500 of 500" in last.text

    clicks = """
    document.querySelector('[data-page="last"]').click();
    document.querySelector('[data-page="prev"]').click();
    """
    clicked = clean(
        chromium(write(tmp_path, with_script(page.read_text("utf-8"), clicks), "b.html"))
    )
    assert clicked.one("table", id="findings-table")["data-page"] == "499"
    assert clicked.one("button", data_page="next").get("disabled") is None

    narrow = clean(chromium(page, "#filter=pkg3/%20test_mod3.py"))
    assert narrow.one("table", id="findings-table")["data-matches"] == "7"
    assert all(row[0].startswith("tests/pkg3/test_mod3.py:") for row in narrow.rows)


MARKUP = (
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</script><script>document.body.setAttribute('data-pwned','1')</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
    '<a href="https://example.invalid/">link</a><b>bold</b>',
)


def test_markup_in_paths_messages_and_scopes_is_shown_as_text(
    chromium: Browser, tmp_path: Path
) -> None:
    report = sample_report()
    for index, payload in enumerate(MARKUP):
        report.findings.append(
            finding(
                f"tests/{payload}/test_{index}.py",
                index + 1,
                category=payload if index in (0, 1, 4) else "websocket",
                scope=payload,
                args=(("constructor", payload),),
            )
        )
    report.diagnostics.append(Diagnostic("tests/" + MARKUP[3], "x", MARKUP[2]))
    history = [
        {
            "commit": MARKUP[4],
            "date": MARKUP[3],
            "counts": {MARKUP[2]: 1},
            "total": 1,
            "compliant": 0,
            "adoption": None,
        }
    ]
    page = HtmlFormatter(FormatOptions(), ReportExtras(history=history)).format(report)
    dom = clean(chromium(write(tmp_path, page)))
    assert not dom.find("img") and not dom.find("b")
    assert not [a for a in dom.find("a") if "href" in a or "xlink:href" in a]
    assert not [attrs for _tag, attrs in dom.elements if any(n.startswith("on") for n in attrs)]
    cells = {cell for row in dom.rows for cell in row}
    for payload in MARKUP:
        assert payload in cells  # the scope column
        assert f"{payload}() builds an ad-hoc mock" in cells
    assert f"tests/{MARKUP[0]}/test_0.py:1:5" in cells
    assert f"x: {MARKUP[2]}" in dom.text  # the diagnostic
    if plotly_js() is not None:
        # Chart labels: category names on an axis, a history category in the legend.
        assert {MARKUP[0], MARKUP[1], MARKUP[4], MARKUP[2]} <= set(dom.svg_texts)


def test_script_errors_and_blocked_requests_are_reported(chromium: Browser, tmp_path: Path) -> None:
    fetch = '<img src="https://example.invalid/pixel.png" alt="">'
    broken = (
        full_page()
        .replace("<main>", "<main>" + fetch, 1)
        .replace('id="mockguard-data">', 'id="mockguard-data">{', 1)
    )
    visit = chromium(write(tmp_path, broken))
    errors = Dom(visit.dom).body()["data-errors"]
    assert "blocked by the page's policy: img-src https://example.invalid/pixel.png" in errors
    assert "JSON" in errors
    assert visit.console  # the checks that a clean page passes would see it


def test_without_plotly_the_tables_still_work(
    chromium: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_report, "plotly_js", lambda: None)
    dom = clean(chromium(write(tmp_path, full_page())))
    assert dom.body()["data-charts"] == "0"
    assert "pip install mockguard[html]" in dom.text
    assert len(dom.rows) == 11


def test_headings_sort_and_the_box_filters(chromium: Browser, tmp_path: Path) -> None:
    script = """
    var heading = document.querySelector('th[data-sort="scope"] button');
    heading.click();
    heading.click();
    var box = document.getElementById("filter");
    box.value = "websocket";
    box.dispatchEvent(new Event("input"));
    """
    dom = clean(chromium(write(tmp_path, with_script(full_page(), script))))
    assert dom.one("th", data_sort="scope")["aria-sort"] == "descending"
    assert len(dom.rows) == 4
    assert all(row[2] == "websocket" for row in dom.rows)
    scopes = [row[4] for row in dom.rows]
    assert scopes == sorted(scopes, reverse=True)
    assert dom.one("button", data_page="next").get("disabled") == ""


@pytest.mark.usefixtures("with_plotly")
def test_an_empty_scan_renders(chromium: Browser, tmp_path: Path) -> None:
    formatter = HtmlFormatter(FormatOptions(), ReportExtras(clusters=[], history=[]))
    page = formatter.format(ScanReport(categories=CATEGORIES, rules=RULES))
    dom = clean(chromium(write(tmp_path, page)))
    for name in ("top_files", "top_folders", "trend", "clusters"):
        assert dom.one("div", data_chart=name)["data-state"] == "empty", name
    assert dom.one("div", data_chart="by_category")["data-state"] == "drawn"
    assert "No findings." in dom.text
