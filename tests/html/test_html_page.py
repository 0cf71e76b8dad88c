"""The HTML page as text: one self-contained file, its data island, and no way out of it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

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

from mockguard import __version__
from mockguard.findings import CompliantCall, Diagnostic
from mockguard.report import FormatOptions, ProjectInfo, ReportExtras
from mockguard.report.html import (
    HtmlFormatter,
    chart_data,
    csp_hash,
    diagnostics_data,
    embed_json,
    file_index,
)
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


def inline(page: str, tag: str) -> list[str]:
    """The contents of a page's inline `<script>` (not the data island) or `<style>` elements."""
    found = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S)
    assert found
    return found


def test_the_page_is_one_file_that_fetches_nothing() -> None:
    page = full_page()
    dom = Dom(page)
    csp = dom.one("meta", http_equiv="Content-Security-Policy")["content"]
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    # Exactly the page's own scripts and styles, by hash: nothing else would run.
    scripts = inline(page, "script")
    assert len(scripts) == 2
    assert directives["script-src"].split() == [csp_hash(s) for s in scripts]
    assert directives["style-src"].split() == [csp_hash(s) for s in inline(page, "style")]
    assert not re.search(r"<[a-z]+[^>]* style=", page)
    assert not re.search(r"<[a-z]+[^>]* on[a-z]+=", page)
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
    assert data["diagnostics"]["rows"] == [
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


def test_no_charting_library_is_embedded_and_the_page_is_small() -> None:
    page = full_page()
    assert "plotly" not in page.lower()
    assert len(page.encode("utf-8")) < 120_000
    dom = Dom(page)
    expected = {"adoption", "trend", "by_category", "by_rule", "top_folders", "top_files"}
    expected |= {"baseline", "clusters"}
    assert {attrs["data-chart"] for attrs in dom.find("div") if "data-chart" in attrs} == expected


def test_the_header_names_the_project_commit_branch_date_and_version() -> None:
    project = ProjectInfo(
        "chat-service", "0123456789abcdef" * 2 + "01234567", "main", "2026-11-20T10:05:00+00:00"
    )
    page = HtmlFormatter(FormatOptions(), ReportExtras(project=project)).format(sample_report())
    dom = Dom(page)
    assert "<title>chat-service · mockguard report</title>" in page
    assert dom.one("h1", id="project-name")
    header = page[page.index("<header>") : page.index("</header>")]
    assert "chat-service" in header
    assert "0123456789" in header and "main" in header
    assert "2026-11-20 10:05 UTC" in header
    assert f"mockguard {__version__}" in Dom(header).text


def test_a_project_name_is_escaped_in_the_title_and_header() -> None:
    project = ProjectInfo("<b>x</b>\u202e", "", "", "")
    page = HtmlFormatter(FormatOptions(), ReportExtras(project=project)).format(sample_report())
    assert "<b>x</b>" not in page
    assert "<title>&lt;b&gt;x&lt;/b&gt;\\u202e · mockguard report</title>" in page


def test_without_a_baseline_there_is_no_status_column() -> None:
    report = sample_report()
    report.baseline = None
    dom = Dom(HtmlFormatter(FormatOptions()).format(report))
    assert not dom.find("th", data_sort="status")
    assert not dom.find("div", data_card="new")
    with_baseline = Dom(full_page())
    assert with_baseline.one("th", data_sort="status")


@pytest.mark.parametrize(("rate", "level"), [(0.0, "low"), (0.3, "mid"), (0.9, "high")])
def test_the_adoption_card_is_coloured_by_progress(rate: float, level: str) -> None:
    report = ScanReport(categories=CATEGORIES, rules=RULES)
    doubles = 10
    report.findings = [finding(f"tests/test_{i}.py", 1) for i in range(doubles)]
    compliant = round(rate * doubles / (1 - rate)) if rate < 1 else 0
    report.compliant = {"websocket": compliant}
    dom = Dom(HtmlFormatter(FormatOptions()).format(report))
    assert dom.one("div", data_card="adoption")["data-level"] == level


def test_the_change_since_the_first_commit_is_a_card() -> None:
    dom = Dom(full_page())
    card = dom.one("div", data_card="change")
    assert card["data-level"] == "up"
    assert "+26.2 pts" in dom.text  # 7.14% -> 33.33%
    assert "adoption since 2026-11-01 (3 commits)" in dom.text


def test_every_diagnostic_is_in_the_data() -> None:
    report = sample_report()
    report.diagnostics = [finding_diagnostic(f"tests/broken_{i}.py") for i in range(339)]
    data = island(HtmlFormatter(FormatOptions()).format(report))
    assert isinstance(data, dict)
    assert len(data["diagnostics"]["rows"]) == 339
    assert diagnostics_data(report)["rows"][338][0] == "tests/broken_338.py"


def finding_diagnostic(path: str) -> Diagnostic:
    return Diagnostic(path, "syntax-error", "cannot parse", 1)


def test_paths_are_relative_to_the_project_and_escaped() -> None:
    report = ScanReport(categories=CATEGORIES, rules=RULES)
    absolute = "/home/me/work/repo/tests/test_rtl_\u202egnp.py"
    report.findings = [finding(absolute, 3)]
    report.project_paths = {absolute: "tests/test_rtl_\u202egnp.py"}
    report.compliant_calls = []
    data = island(HtmlFormatter(FormatOptions()).format(report))
    assert isinstance(data, dict)
    assert data["findings"]["rows"][0][0] == "tests/test_rtl_\\u202egnp.py"
    assert data["files"]["rows"][0][0] == "tests/test_rtl_\\u202egnp.py"
    assert data["charts"]["top_files"]["labels"] == ["tests/test_rtl_\\u202egnp.py"]


def test_the_file_index_counts_doubles_factory_calls_and_rules() -> None:
    report = sample_report()
    report.compliant_calls = [
        CompliantCall("tests/api/test_ws.py", 70, 4, "websocket", "f.create_websocket_mock"),
        CompliantCall(
            "tests/test_factory_only.py", 3, 4, "database", "f.create_database_session_mock"
        ),
    ]
    index = file_index(report)
    assert index["rules"] == list(RULES)
    rows = {row[0]: row for row in index["rows"]}
    # New and baselined doubles are counted; suppressed ones are not.
    assert rows["tests/api/test_ws.py"] == ["tests/api/test_ws.py", 3, 1, [1, 1, 1, 0]]
    assert rows["tests/db/test_repo.py"][1:] == [3, 0, [1, 0, 1, 1]]
    assert rows["tests/test_factory_only.py"][1:] == [0, 1, [0, 0, 0, 0]]
    assert [row[0] for row in index["rows"]] == sorted(rows)
    assert sum(row[1] for row in index["rows"]) == len(report.census)


def test_a_scan_without_findings_still_renders() -> None:
    page = HtmlFormatter(FormatOptions()).format(ScanReport(categories=CATEGORIES, rules=RULES))
    data = island(page)
    assert isinstance(data, dict)
    assert data["findings"]["rows"] == []
    assert data["charts"]["top_files"] == {"labels": [], "values": [], "total": 0}
    assert data["files"]["rows"] == []


def test_scan_format_html_names_the_project_too(run_cli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "payments"\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_pay.py").write_text(
        "from unittest.mock import MagicMock\n\n\ndef test_pay():\n    gateway = MagicMock()\n"
    )
    result = run_cli("scan", "--format", "html", "-o", "page.html", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # one finding
    page = (tmp_path / "page.html").read_text()
    assert "<title>payments · mockguard report</title>" in page


@pytest.mark.parametrize(
    ("setup_cfg", "title"),
    [
        ("[metadata]\nname = aiohttp\nversion = 3.9\n", "aiohttp"),
        ("[metadata]\nversion = 1\n", "project"),  # no name: the folder's
        ("[metadata\nname = broken\n", "project"),  # unreadable: the folder's
    ],
)
def test_the_html_page_names_a_setup_cfg_project(
    run_cli, tmp_path: Path, setup_cfg: str, title: str
) -> None:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "setup.cfg").write_text(setup_cfg)
    (root / "tests" / "test_pay.py").write_text(
        "from unittest.mock import MagicMock\nm = MagicMock()\n"
    )
    result = run_cli("scan", "--format", "html", "-o", "page.html", ".", cwd=root)
    assert result.returncode == 1, result.stderr
    assert f"<title>{title} · mockguard report</title>" in (root / "page.html").read_text()


@pytest.mark.parametrize("name", ["pyproject.toml", "setup.cfg"])
def test_a_fifo_in_place_of_the_projects_metadata_is_never_read(
    run_cli, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    os.mkfifo(root / name)  # opened for reading, it would block the scan forever
    (root / "tests" / "test_pay.py").write_text(
        "from unittest.mock import MagicMock\nm = MagicMock()\n"
    )
    result = run_cli("scan", "--format", "html", "-o", "page.html", ".", cwd=root)
    assert result.returncode == 1, result.stderr
    assert "<title>project · mockguard report</title>" in (root / "page.html").read_text()
