"""The data behind the HTML report's charts, compared with a golden file."""

from __future__ import annotations

import json

import pytest
from html_samples import (
    CATEGORIES,
    GOLDEN,
    RULES,
    finding,
    sample_clusters,
    sample_history,
    sample_report,
)

from mockguard.report.html import TOP, chart_data
from mockguard.report.model import ScanReport


def test_golden(update_snapshots: bool) -> None:
    data = chart_data(sample_report(), sample_clusters(), sample_history())
    actual = json.dumps(data, indent=2, sort_keys=True) + "\n"
    golden = GOLDEN / "chart_data.json"
    if update_snapshots or not golden.exists():
        golden.write_text(actual, encoding="utf-8")
        if not update_snapshots:
            pytest.fail(f"wrote a new golden file {golden.name}: review it and run again")
    assert actual == golden.read_text(encoding="utf-8")


def test_counts_agree_with_the_audit_numbers() -> None:
    report = sample_report()
    data = chart_data(report)
    census = len(report.census)
    assert sum(data["by_category"]["values"]) == census
    assert sum(data["by_rule"]["values"]) == census
    assert data["by_category"]["labels"] == report.category_order
    assert data["by_rule"]["labels"] == list(RULES)
    assert sum(data["top_files"]["values"]) == census
    assert sum(data["top_folders"]["values"]) == census
    assert data["top_folders"]["labels"][0] == "tests/api"
    baseline = data["baseline"]
    assert (sum(baseline["new"]), sum(baseline["baselined"]), sum(baseline["gone"])) == (7, 3, 1)


def test_a_plain_scan_has_no_baseline_trend_or_clusters() -> None:
    report = sample_report()
    report.baseline = None
    data = chart_data(report)
    assert data["baseline"] is None and data["trend"] is None and data["clusters"] is None
    assert sum(data["by_category"]["values"]) == len(report.findings)


def test_the_same_report_gives_the_same_data() -> None:
    first = chart_data(sample_report(), sample_clusters(), sample_history())
    again = chart_data(sample_report(), sample_clusters(), sample_history())
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_top_files_are_the_largest_first_ties_by_name_and_capped() -> None:
    report = ScanReport(categories=CATEGORIES, rules=RULES)
    for index in range(TOP + 10):
        for line in range(1 + index % 3):
            report.findings.append(finding(f"tests/f{index:02}/test_{index:02}.py", line + 1))
    data = chart_data(report)
    files = data["top_files"]
    assert len(files["labels"]) == TOP and files["total"] == TOP + 10
    assert files["values"] == sorted(files["values"], reverse=True)
    threes = [
        label for label, value in zip(files["labels"], files["values"], strict=True) if value == 3
    ]
    assert threes == sorted(threes)
    assert data["top_folders"]["total"] == TOP + 10


def test_files_in_the_project_root_are_in_the_folder_dot() -> None:
    report = ScanReport(categories=CATEGORIES, rules=RULES, findings=[finding("test_a.py", 1)])
    assert chart_data(report)["top_folders"]["labels"] == ["."]


def test_trend_follows_the_report_category_order_and_short_commits() -> None:
    trend = chart_data(sample_report(), history=sample_history())["trend"]
    assert [s["category"] for s in trend["categories"]] == [
        "websocket",
        "database",
        "agent",
        "generic",
    ]
    assert trend["labels"] == ["a1b2c3d", "b1b2c3d", "c1b2c3d"]
    assert trend["categories"][3]["values"] == [0, 1, 1]
    assert trend["total"] == [13, 11, 10]


def test_trend_keeps_whole_commits_when_short_ones_collide() -> None:
    rows = [
        {
            "commit": "abcdef01",
            "date": "",
            "counts": {},
            "total": 0,
            "compliant": 0,
            "adoption": None,
        },
        {
            "commit": "abcdef02",
            "date": "",
            "counts": {},
            "total": 0,
            "compliant": 0,
            "adoption": None,
        },
    ]
    trend = chart_data(sample_report(), history=rows)["trend"]
    assert trend["labels"] == ["abcdef01", "abcdef02"]
    assert trend["adoption"] == [None, None]


def test_clusters_keep_their_order_and_places() -> None:
    clusters = chart_data(sample_report(), clusters=sample_clusters())["clusters"]
    assert clusters["total"] == 2
    first, second = clusters["clusters"]
    assert (first["rank"], first["size"], first["category"], first["exact"]) == (
        1,
        3,
        "websocket",
        True,
    )
    assert first["members"] == ["send_json (AsyncMock)"]
    assert second["places"] == ["tests/db/test_repo.py:20", "tests/db/x.py:3"]


def test_each_category_keeps_one_colour_in_every_chart() -> None:
    report = sample_report()
    report.categories = ("http", *CATEGORIES)
    report.findings.append(finding("tests/test_http.py", 1, category="http"))
    data = chart_data(report, history=sample_history())
    colors = data["colors"]
    assert colors["agent"] == "#7c3aed" and colors["websocket"] == "#2563eb"
    assert len(set(colors.values())) == len(colors)
    assert data["adoption_color"] not in colors.values()
    # Every category of every chart has its colour.
    named = set(data["by_category"]["labels"]) | {
        s["category"] for s in data["trend"]["categories"]
    }
    assert named <= set(colors)
    again = chart_data(sample_report(), history=sample_history())["colors"]
    assert all(again[name] == colors[name] for name in again)


def test_the_change_runs_from_the_first_sampled_commit_to_the_last() -> None:
    change = chart_data(sample_report(), history=sample_history())["trend"]["change"]
    assert change["since_date"] == "2026-11-01T10:00:00+00:00"
    assert (change["total_from"], change["total_to"]) == (13, 10)
    assert change["adoption_points"] == 26.2
    assert chart_data(sample_report(), history=[])["trend"]["change"] is None
