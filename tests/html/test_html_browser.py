"""The HTML page used in headless Chromium, driven by Playwright as a person would: typing
in the filter, sorting, paging, opening folders and files of the index, clicking chart
bars, and reading it on a 390 px phone, with no script error, console message or request.

Playwright drives the system's Chromium (Debian's `chromium` package; its own browser
download is not used). Without either, these tests are skipped, saying why.

Screenshots of the main views go to build/screenshots/ for a person to look at; with
`--update-snapshots`, the README's two are rewritten under docs/images/.

This folder has neither `__init__.py` nor `conftest.py`: as a package it would be named
`html` and shadow the standard library, and a second top-level `conftest` module would
shadow the one of tests/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from html_samples import CATEGORIES, RULES, finding, full_page, sample_report

from mockguard.findings import Diagnostic
from mockguard.report import FormatOptions, ProjectInfo, ReportExtras
from mockguard.report.html import PAGE_SIZE, HtmlFormatter
from mockguard.report.model import ScanReport

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
DOCS = ROOT / "docs" / "images"
EXAMPLE = ROOT / "examples" / "chat_service"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS = ("adoption", "trend", "by_category", "by_rule", "top_folders", "top_files")
CHARTS += ("baseline", "clusters")


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module, driven by Playwright."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed (make test)"
    )
    binary = chromium_binary()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """An open page, with what it wrote to the console and what it asked the network for."""

    page: Any
    url: str
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attr(self, selector: str, name: str) -> str | None:
        value = self.page.get_attribute(selector, name)
        return None if value is None else str(value)

    def matches(self) -> int:
        return int(self.attr("#findings-table", "data-matches") or -1)

    def cells(self, column: int, what: str = "textContent") -> list[str]:
        """The text (or another property) of one column of the findings rows shown
        (0: location)."""
        return list(
            self.page.eval_on_selector_all(
                "#findings-table tr[data-row]",
                f"rows => rows.map(r => r.cells[{column}].{what})",
            )
        )

    def no_overflow(self) -> bool:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        return bool(width <= self.page.viewport_size["width"])

    def assert_clean(self) -> None:
        """No script error, blocked request or console message; nothing fetched."""
        assert self.attr("body", "data-errors") == ""
        assert self.attr("body", "data-pwned") is None
        assert self.console == []
        assert self.requests == []


Open = Callable[..., Tab]


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Open]:
    """Write a page and open it at a viewport size (and a URL fragment), once drawn."""
    contexts: list[Any] = []

    def opener(
        markup: str | Path,
        fragment: str = "",
        width: int = 1440,
        height: int = 900,
        *,
        drawn: bool = True,
    ) -> Tab:
        if isinstance(markup, Path):
            path = markup
        else:
            path = tmp_path / f"report{len(contexts)}.html"
            path.write_text(markup, encoding="utf-8")
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        url = path.resolve().as_uri()
        tab = Tab(page, url)
        page.on("console", lambda message: tab.console.append(message.text))
        page.on("pageerror", lambda error: tab.console.append(str(error)))
        page.on(
            "request",
            lambda request: request.url != url and tab.requests.append(request.url),
        )
        page.goto(url + fragment)
        if drawn:
            page.wait_for_selector("body[data-rendered='yes']", state="attached")
        return tab

    yield opener
    for context in contexts:
        context.close()


def screenshot(tab: Tab, name: str, *, selector: str = "", docs: bool = False) -> Path:
    """Save a screenshot under build/screenshots/ (and docs/images/ when asked to)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if selector:
        tab.page.locator(selector).screenshot(path=str(path))
    else:
        tab.page.screenshot(path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if docs:
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / path.name)
    print(f"screenshot: {path}")
    return path


def test_every_chart_is_drawn_and_nothing_is_fetched(open_page: Open) -> None:
    tab = open_page(full_page())
    tab.assert_clean()
    assert tab.attr("body", "data-rendered") == "yes"
    assert tab.attr("body", "data-charts") == str(len(CHARTS))
    for name in CHARTS:
        assert tab.attr(f'[data-chart="{name}"]', "data-state") == "drawn", name
        assert tab.page.locator(f'[data-chart="{name}"] svg.plot').count() == 1, name
    assert tab.cells(0)[0] == "tests/api/test_chat.py:5:5"
    assert tab.matches() == 11
    # Values are written on the bars, not only shown on hover.
    values = tab.page.locator('[data-chart="by_category"] text.value').all_text_contents()
    assert values == ["3", "4", "2", "1"]  # websocket, database, agent, generic


def test_typing_in_the_filter_keeps_the_matching_rows(open_page: Open) -> None:
    tab = open_page(full_page())
    tab.page.locator("#filter").press_sequentially("database baselined")
    tab.page.wait_for_selector("#findings-table[data-matches='2']")
    assert tab.cells(0) == ["tests/db/test_migrate.py:12:5", "tests/db/test_repo.py:40:5"]
    assert "2 of 11 findings" in tab.page.locator("#match-count").inner_text()
    assert "filter=database+baselined" in tab.page.url
    tab.assert_clean()


def test_clicking_a_heading_sorts_and_again_reverses(open_page: Open) -> None:
    tab = open_page(full_page())
    heading = tab.page.locator('th[data-sort="scope"] button')
    heading.click()
    ascending = tab.cells(4)
    assert ascending == sorted(ascending)
    heading.click()
    assert tab.attr('th[data-sort="scope"]', "aria-sort") == "descending"
    assert tab.cells(4) == sorted(ascending, reverse=True)
    tab.assert_clean()


def fifty_thousand() -> str:
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
    return HtmlFormatter(FormatOptions()).format(report)


def test_fifty_thousand_findings_are_paged_from_either_pager(open_page: Open) -> None:
    tab = open_page(fifty_thousand())
    tab.assert_clean()
    assert len(tab.cells(0)) == PAGE_SIZE
    assert tab.matches() == 50_000
    top, bottom = tab.page.locator('[data-pager="findings"]').all()
    assert top.bounding_box()["y"] < tab.page.locator("#findings-table").bounding_box()["y"]
    top.locator('[data-page="next"]').click()
    assert tab.attr("#findings-table", "data-page") == "2"
    bottom.locator('[data-page="last"]').click()
    assert tab.attr("#findings-table", "data-page") == "500"
    assert bottom.locator('[data-page="next"]').is_disabled()
    assert top.locator(".page-info").inner_text() == "Page 500 of 500"
    top.locator('[data-page="prev"]').click()
    assert tab.attr("#findings-table", "data-page") == "499"
    tab.page.locator("#filter").fill("pkg3/ test_mod3.py")
    tab.page.wait_for_selector("#findings-table[data-matches='7']")
    assert all(cell.startswith("tests/pkg3/test_mod3.py:") for cell in tab.cells(0))
    tab.assert_clean()


def test_the_index_opens_folders_and_a_file_lists_its_findings(open_page: Open) -> None:
    tab = open_page(full_page())
    # The root holds only tests/: the index opens straight into it.
    assert tab.attr("#files-table", "data-folder") == "tests/"
    names = tab.page.locator("#files-table td.name").all_inner_texts()
    assert sorted(names) == ["api/", "db/", "test_misc.py"]
    assert tab.matches() == 11
    tab.page.locator('#files-table tr[data-path="tests/api/"] button.open').click()
    assert tab.matches() == 6  # test_ws.py (3 and 1 suppressed) and test_chat.py (2)
    names = tab.page.locator("#files-table td.name").all_inner_texts()
    assert sorted(names) == ["test_chat.py", "test_ws.py"]
    tab.page.locator('#files-table th[data-sort="name"] button').click()
    assert tab.page.locator("#files-table td.name").all_inner_texts() == sorted(names)
    tab.page.locator('#files-table tr[data-path="tests/api/test_ws.py"] button.open').click()
    assert tab.matches() == 4
    assert {cell.split(":")[0] for cell in tab.cells(0)} == {"tests/api/test_ws.py"}
    assert "path=tests%2Fapi%2Ftest_ws.py" in tab.page.url
    # The chip clears the file; the crumbs go back up.
    tab.page.locator('button.facet[data-facet="path"]').click()
    assert tab.matches() == 11
    assert tab.page.locator("#crumbs").inner_text() == "(root) / tests"
    tab.page.locator('#files-table tr[data-path="tests/db/"] button.open').click()
    assert tab.page.locator("#crumbs").inner_text() == "(root) / tests / db"
    assert tab.matches() == 4
    tab.page.locator("#crumbs button.crumb").nth(1).click()
    assert tab.attr("#files-table", "data-folder") == "tests/"
    assert tab.matches() == 11
    tab.assert_clean()


def test_the_index_sorts_by_doubles_and_lists_every_file_flat(open_page: Open) -> None:
    tab = open_page(full_page())
    tab.page.locator("#files-flat").check()
    names = tab.page.locator("#files-table td.name").all_inner_texts()
    assert len(names) == 5  # every file with doubles (the suppressed-only one has none left)
    doubles = [int(n) for n in tab.page.locator("#files-table td:nth-child(3)").all_inner_texts()]
    assert doubles == sorted(doubles, reverse=True)
    tab.page.locator('#files-table th[data-sort="doubles"] button').click()
    again = [int(n) for n in tab.page.locator("#files-table td:nth-child(3)").all_inner_texts()]
    assert again == sorted(doubles)
    tab.assert_clean()


def test_clicking_a_chart_bar_filters_the_findings(open_page: Open) -> None:
    tab = open_page(full_page())
    tab.page.locator('[data-chart="by_category"] g.bar[data-label="database"]').click()
    assert tab.matches() == 4
    assert set(tab.cells(2)) == {"database"}
    tab.page.locator('button.facet[data-facet="category"]').click()
    tab.page.locator('[data-chart="top_files"] g.bar[data-label="tests/api/test_ws.py"]').click()
    assert tab.matches() == 4
    tab.page.locator('[data-chart="by_rule"] g.bar').first.click()
    assert set(tab.cells(1)) == {"MG101"}
    tab.assert_clean()


def test_a_phone_never_scrolls_sideways(open_page: Open) -> None:
    long_names = sample_report()
    long_names.findings.append(
        finding(
            "tests/" + "/".join(f"very_long_folder_name_{i}" for i in range(8)) + "/test_x.py",
            1,
            scope="TestAVeryLongClassName.test_a_very_long_method_name_that_goes_on",
        )
    )
    page = HtmlFormatter(
        FormatOptions(), ReportExtras(history=full_history(), project=PROJECT)
    ).format(long_names)
    tab = open_page(page, width=390, height=844)
    assert tab.no_overflow()
    tab.page.locator("#files-flat").check()
    tab.page.locator("#findings").scroll_into_view_if_needed()
    assert tab.no_overflow()
    tab.page.set_viewport_size({"width": 1440, "height": 900})
    tab.page.set_viewport_size({"width": 390, "height": 844})
    assert tab.no_overflow()
    screenshot(tab, "phone")
    tab.assert_clean()


PROJECT = ProjectInfo("chat-service", "c1b2c3d4e5f6a7b8c9d0", "main", "2026-11-20T10:05:00+00:00")


def full_history() -> list[dict[str, Any]]:
    from html_samples import sample_history

    return sample_history()


MARKUP = (
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</script><script>document.body.setAttribute('data-pwned','1')</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
    '<a href="https://example.invalid/">link</a><b>bold</b>',
)


def test_markup_and_bidi_controls_are_shown_as_text(open_page: Open) -> None:
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
    report.findings.append(finding("tests/test_rtl_\u202egnp.py", 9))
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
    page = HtmlFormatter(
        FormatOptions(), ReportExtras(history=history, project=ProjectInfo(MARKUP[1]))
    ).format(report)
    tab = open_page(page, "#filter=test_rtl")
    tab.assert_clean()
    assert tab.page.locator("img, b, a[href]").count() == 0
    assert tab.cells(0) == ["tests/test_rtl_\\u202egnp.py:9:5"]
    tab.page.locator("#filter").fill("")
    tab.page.wait_for_selector("#findings-table[data-matches='17']")
    scopes = set(tab.cells(4, "title"))  # shortened in the cell, whole on hover
    for payload in MARKUP:
        assert payload in scopes
        assert f"{payload}() builds an ad-hoc mock" in tab.cells(3)
    assert f"x: {MARKUP[2]}" in tab.page.locator("#diagnostics-list").inner_text()
    assert MARKUP[1] in tab.page.title()
    labels = tab.page.locator('[data-chart="by_category"] g.bar').evaluate_all(
        "bars => bars.map(b => b.getAttribute('data-label'))"
    )
    assert MARKUP[0] in labels and MARKUP[4] in labels
    tab.assert_clean()


def test_every_diagnostic_is_reachable_page_by_page(open_page: Open) -> None:
    report = sample_report()
    report.diagnostics = [
        Diagnostic(f"tests/broken_{i:03}.py", "syntax-error", "cannot parse", 1) for i in range(339)
    ]
    tab = open_page(HtmlFormatter(FormatOptions()).format(report))
    pager = tab.page.locator('[data-pager="diagnostics"]')
    pager.locator('[data-page="last"]').click()
    assert pager.locator(".page-info").inner_text() == "Page 7 of 7"
    items = tab.page.locator("#diagnostics-list li").all_inner_texts()
    assert len(items) == 39
    assert items[-1].startswith("tests/broken_338.py:1")
    tab.assert_clean()


def test_script_errors_and_blocked_requests_are_reported(open_page: Open) -> None:
    fetch = '<img src="https://example.invalid/pixel.png" alt="">'
    broken = (
        full_page()
        .replace("<main>", "<main>" + fetch, 1)
        .replace('id="mockguard-data">', 'id="mockguard-data">{', 1)
    )
    tab = open_page(broken, drawn=False)
    tab.page.wait_for_selector("body:not([data-errors=''])", state="attached")
    errors = tab.attr("body", "data-errors") or ""
    assert "blocked by the page's policy: img-src https://example.invalid/pixel.png" in errors
    assert "JSON" in errors
    assert tab.console  # the checks that a clean page passes would see it


def test_an_injected_inline_script_does_not_run(open_page: Open) -> None:
    injected = full_page().replace(
        "</main>", "<script>document.body.setAttribute('data-pwned','1')</script></main>", 1
    )
    tab = open_page(injected, drawn=False)
    tab.page.wait_for_selector("body:not([data-errors=''])", state="attached")
    assert tab.attr("body", "data-pwned") is None
    assert "blocked by the page's policy: script-src" in (tab.attr("body", "data-errors") or "")


def test_an_empty_scan_renders(open_page: Open) -> None:
    formatter = HtmlFormatter(FormatOptions(), ReportExtras(clusters=[], history=[]))
    tab = open_page(formatter.format(ScanReport(categories=CATEGORIES, rules=RULES)))
    tab.assert_clean()
    for name in ("top_files", "top_folders", "clusters", "by_category"):
        assert tab.attr(f'[data-chart="{name}"]', "data-state") == "empty", name
    assert "No findings." in tab.page.locator("#findings-table").inner_text()


@pytest.fixture(scope="module")
def example_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the bundled example, written by the command as `make demo` does."""
    if chromium_binary() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    page = tmp_path_factory.mktemp("example") / "mockguard-report.html"
    done = subprocess.run(
        [sys.executable, "-m", "mockguard", "report", str(EXAMPLE), "--html", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return page


def test_the_example_report_reads_well(
    open_page: Open, example_page: Path, update_snapshots: bool
) -> None:
    tab = open_page(example_page)
    tab.assert_clean()
    size = example_page.stat().st_size
    print(f"\nexample page: {size / 1024:.0f} KiB ({size} bytes)")
    print(f"findings table usable {tab.attr('body', 'data-table-ms')} ms after opening")
    assert size <= 1_500_000
    assert tab.no_overflow()
    # The manager's answer is in the first screen: adoption now, the change, with dates.
    for selector in ('[data-card="adoption"]', '[data-card="change"]', '[data-chart="adoption"]'):
        box = tab.page.locator(selector).bounding_box()
        assert box is not None and box["y"] + min(box["height"], 200) <= 900, selector
    assert "chat-service" in tab.page.title()
    screenshot(tab, "report-top", docs=update_snapshots)
    screenshot(tab, "report-files", selector="#files", docs=update_snapshots)
    tab.page.locator("#findings").scroll_into_view_if_needed()
    screenshot(tab, "report-findings", selector="#findings")
    screenshot(tab, "report-charts", selector="#charts")
    phone = open_page(example_page, width=390, height=844)
    assert phone.no_overflow()
    screenshot(phone, "report-phone")
    phone.assert_clean()
