"""The HTML page as text: one self-contained file, its data island, and no way out of it."""

from __future__ import annotations

import json
import re

import pytest
from html_samples import (
    CATEGORIES,
    RULES,
    Dom,
    finding,
    full_page,
    sample_clusters,
    sample_history,
    sample_report,
)

from mockguard.report import FormatOptions
from mockguard.report import html as html_report
from mockguard.report.html import CHARTS_HINT, CSP, HtmlFormatter, chart_data, embed_json
from mockguard.report.model import ScanReport

HOSTILE = (
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!--",
    "& &amp; \u2028",
)


def island(page: str) -> object:
    """The parsed JSON data island of a page."""
    match = re.search(
        r'<script type="application/json" id="mockguard-data">(.*?)</script>', page, re.S
    )
    assert match, "no data island"
    return json.loads(match.group(1))


def test_the_page_is_one_file_that_fetches_nothing() -> None:
    page = full_page()
    dom = Dom(page)
    assert dom.one("meta", http_equiv="Content-Security-Policy")["content"] == CSP
    assert "default-src 'none'" in CSP
    assert not dom.find("link")
    for _tag, attrs in dom.elements:
        for name in ("src", "href", "action", "srcset"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(name, "")), (name, attrs)
    scripts = dom.find("script")
    assert all("src" not in attrs for attrs in scripts)


def test_the_data_island_holds_the_chart_data_and_every_finding() -> None:
    report = sample_report()
    data = island(full_page(report))
    assert isinstance(data, dict)
    expected = chart_data(report, sample_clusters(), sample_history())
    assert data["charts"] == json.loads(json.dumps(expected))
    rows = data["findings"]["rows"]
    baselined = report.baseline.baselined if report.baseline else []
    assert len(rows) == len(report.findings) + len(baselined) + len(report.suppressed)
    assert {row[7] for row in rows} == {"new", "baselined", "suppressed"}
    assert rows[0][:4] == ["tests/api/test_chat.py", 5, 5, "MG101"]
    assert data["diagnostics"] == [
        ["tests/test_broken.py", 7, "syntax-error", "cannot parse: invalid syntax"]
    ]


def test_the_audit_table_has_every_category_and_the_totals() -> None:
    dom = Dom(full_page())
    text = dom.text
    for category in CATEGORIES:
        assert category in text
    for code in RULES:
        assert code in text
    assert "Adoption" in text and "Use instead" in text
    assert "33.3%" in text  # the whole report: 5 factory calls and 10 ad-hoc doubles


@pytest.mark.parametrize("payload", HOSTILE)
def test_embedded_json_cannot_end_its_script_element(payload: str) -> None:
    text = embed_json({"message": payload})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"message": payload}


def hostile_report() -> ScanReport:
    """Findings whose path, message and scope hold markup, in a category named like markup."""
    report = ScanReport(categories=CATEGORIES, rules=RULES)
    for index, payload in enumerate(HOSTILE[:2]):
        report.findings.append(
            finding(
                f"tests/{payload}/test_{index}.py",
                index + 1,
                category=payload,
                scope=payload,
                args=(("constructor", payload),),
            )
        )
    return report


def test_markup_in_findings_stays_inside_the_data() -> None:
    page = HtmlFormatter(FormatOptions()).format(hostile_report())
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert page.count("</script>") == page.count("<script")
    data = island(page)
    assert isinstance(data, dict)
    assert (
        data["findings"]["rows"][0][5]
        == "</script><script>alert(1)</script>() builds an ad-hoc mock"
    )


def test_without_plotly_the_page_keeps_its_tables_and_says_how_to_get_charts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(html_report, "plotly_js", lambda: None)
    page = full_page()
    dom = Dom(page)
    assert CHARTS_HINT in dom.text
    assert not dom.find(data_chart="by_category")
    assert dom.find("table", **{"class": "audit"})
    assert dom.find("table", id="findings-table")
    assert island(page)["plotly"] is False  # type: ignore[index]
    assert len(page) < 200_000


def test_with_plotly_its_library_is_embedded() -> None:
    pytest.importorskip("plotly", reason="the html extra (plotly) is not installed")
    dom = Dom(full_page())
    assert dom.one("script", id="plotly-js")["data-version"]
    expected = {
        "by_category",
        "by_rule",
        "top_folders",
        "top_files",
        "baseline",
        "trend",
        "clusters",
    }
    assert {attrs["data-chart"] for attrs in dom.find("div") if "data-chart" in attrs} == expected


def test_a_scan_without_findings_still_renders() -> None:
    page = HtmlFormatter(FormatOptions()).format(ScanReport(categories=CATEGORIES, rules=RULES))
    data = island(page)
    assert isinstance(data, dict)
    assert data["findings"]["rows"] == []
    assert data["charts"]["top_files"] == {"labels": [], "values": [], "total": 0}
