"""GitHub Actions annotations: escaping that no path or message can break out of, and only
the new findings annotated."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mockguard.report import FormatOptions
from mockguard.report.github import (
    ANNOTATION_LIMIT,
    GithubFormatter,
    command,
    escape_data,
    escape_property,
)
from mockguard.report.model import BaselineStatus, ScanReport
from mockguard.report.safe import printable
from mockguard.scan.rules import message

from .conftest import diagnostics, empty_report, make_finding

OPTIONS = FormatOptions()


@dataclass
class Command:
    name: str
    properties: dict[str, str]
    message: str


def _unescape(value: str, *, is_property: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if is_property:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, raw in [*pairs, ("%25", "%")]:
        value = value.replace(escaped, raw)
    return value


def log_lines(output: str) -> list[str]:
    """The plain log lines of the output (the findings left without an annotation)."""
    return [line for line in output.splitlines() if not line.startswith("::")]


def parse(output: str) -> list[Command]:
    """Read workflow commands the way the Actions runner does: one per line, the command
    and its properties up to the first `::` after the leading one, `,`-separated
    `key=value` properties split at their first `=`. Plain log lines must not be commands
    in either form: none begins with `::`, none holds the legacy `##[`."""
    assert output.endswith("\n")
    commands = []
    for line in output[:-1].split("\n"):
        assert "\r" not in line, "a raw carriage return ends a line for the runner"
        assert "##[" not in line, "the runner's legacy command form, anywhere in a line"
        line = line.strip()
        if line.startswith("mockguard: not annotated: "):
            continue
        assert line.startswith("::"), line
        end = line.index("::", 2)
        info, message = line[2:end], line[end + 2 :]
        name, _, raw_properties = info.partition(" ")
        properties = {}
        for item in raw_properties.split(",") if raw_properties else []:
            key, sep, value = item.partition("=")
            assert sep, f"a property without a value: {item!r}"
            assert key not in properties, f"a repeated property: {key}"
            properties[key] = _unescape(value, is_property=True)
        commands.append(Command(name, properties, _unescape(message, is_property=False)))
    return commands


def test_escape_data() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("a::b,c") == "a::b,c"
    assert escape_data("%0A") == "%250A"


def test_escape_property() -> None:
    assert escape_property("a,b:c%d\ne\rf") == "a%2Cb%3Ac%25d%0Ae%0Df"
    assert escape_property("x=y") == "x=y"


def test_command() -> None:
    assert command("notice", {}, "hi") == "::notice::hi"
    assert command("error", {"file": "a:b", "line": "3"}, "m") == "::error file=a%3Ab,line=3::m"


def test_annotation_line() -> None:
    finding = make_finding(
        path="tests/test_ws.py",
        line=5,
        code="MG102",
        args=(("constructor", "AsyncMock"), ("target", "ws.send_json")),
    )
    report = ScanReport(categories=(), rules=(), findings=[finding])
    lines = GithubFormatter(OPTIONS).format(report).splitlines()
    assert lines == [
        "::notice title=mockguard::1 ad-hoc test double",
        "::error file=tests/test_ws.py,line=5,endLine=5,col=5,endColumn=16,"
        "title=MG102 mock-attribute-wiring::AsyncMock() wired onto `ws.send_json`. "
        "Use instead: SSotMockFactory.create_websocket_mock() (or the mock_websocket fixture).",
    ]


FORGED_PATH = "a,title=x::evil.py"
FORGED_ARGS = (
    ("constructor", "Mock"),
    ("target", "x\n::set-output name=token::stolen\r\n::error file=x.py::100%0A"),
)


def test_a_forged_file_name_or_message_cannot_forge_a_command() -> None:
    finding = make_finding(path=FORGED_PATH, code="MG102", args=FORGED_ARGS)
    report = ScanReport(categories=(), rules=(), findings=[finding])
    output = GithubFormatter(OPTIONS).format(report)
    assert "::set-output" in output  # still there, as data
    commands = parse(output)
    assert [c.name for c in commands] == ["notice", "error"]
    annotation = commands[1]
    assert list(annotation.properties) == ["file", "line", "endLine", "col", "endColumn", "title"]
    assert annotation.properties["file"] == FORGED_PATH
    assert annotation.properties["title"] == "MG102 mock-attribute-wiring"
    # The line breaks of the message are shown as escapes, as in every other format.
    assert annotation.message.startswith(printable(message(finding)))
    assert "\n" not in annotation.message and "\\n::set-output" in annotation.message
    assert "%0A" in annotation.message  # a literal "%0A" of the source survives the round trip
    raw = output.splitlines()[1]
    assert raw.startswith("::error file=a%2Ctitle=x%3A%3Aevil.py,line=3,")


@pytest.mark.parametrize(
    "path",
    ["tests/a:b.py", "tests/a,b.py", "tests/100%.py", "tests/new\nline.py", "tests/cr\r.py"],
)
def test_odd_file_names_round_trip(path: str) -> None:
    report = ScanReport(categories=(), rules=(), findings=[make_finding(path=path)])
    commands = parse(GithubFormatter(OPTIONS).format(report))
    assert len(commands) == 2
    assert commands[1].properties["file"] == path


def test_the_project_path_is_annotated() -> None:
    finding = make_finding(path="../repo/tests/test_x.py")
    report = ScanReport(categories=(), rules=(), findings=[finding])
    report.project_paths = {finding.path: "tests/test_x.py"}
    [_, annotation] = parse(GithubFormatter(OPTIONS).format(report))
    assert annotation.properties["file"] == "tests/test_x.py"


def test_only_new_findings_are_annotated(baselined_report: ScanReport) -> None:
    status = baselined_report.baseline
    assert status is not None and status.baselined and baselined_report.suppressed
    commands = parse(GithubFormatter(OPTIONS).format(baselined_report))
    summary, annotations = commands[0], commands[1:]
    assert summary.name == "notice"
    assert summary.message == (
        f"{len(baselined_report.findings)} new ad-hoc test doubles "
        f"({len(status.baselined)} baselined, {len(status.gone)} gone, "
        f"{len(baselined_report.suppressed)} suppressed)"
    )
    assert [(a.properties["file"], int(a.properties["line"])) for a in annotations] == [
        (f.path, f.line) for f in baselined_report.findings
    ]
    old = {(f.path, f.line) for f in [*status.baselined, *baselined_report.suppressed]}
    assert not old & {(a.properties["file"], int(a.properties["line"])) for a in annotations}


def test_no_new_findings() -> None:
    report = empty_report()
    report.baseline = BaselineStatus("b.json", baselined=[make_finding()])
    assert GithubFormatter(OPTIONS).format(report) == (
        "::notice title=mockguard::no new ad-hoc test doubles (1 baselined, 0 gone)\n"
    )
    assert GithubFormatter(OPTIONS).format(empty_report()) == (
        "::notice title=mockguard::no ad-hoc test doubles\n"
    )


def test_only_the_first_ten_are_annotated_the_rest_are_listed() -> None:
    findings = [make_finding(line=n) for n in range(1, 13)]
    report = ScanReport(categories=(), rules=(), findings=findings, diagnostics=diagnostics())
    output = GithubFormatter(OPTIONS).format(report)
    commands = parse(output)
    assert commands[0].message == (
        "12 ad-hoc test doubles (3 diagnostics); 10 annotated, 2 more listed in the log "
        "(GitHub shows 10 annotations of each level per step)"
    )
    assert [int(c.properties["line"]) for c in commands[1:]] == list(range(1, 11))
    assert log_lines(output) == [
        "mockguard: not annotated: tests/test_x.py:11:5: MG101 MagicMock() builds an ad-hoc "
        "mock [websocket]",
        "mockguard: not annotated: tests/test_x.py:12:5: MG101 MagicMock() builds an ad-hoc "
        "mock [websocket]",
    ]


def test_ten_or_fewer_are_all_annotated() -> None:
    report = ScanReport(categories=(), rules=(), findings=[make_finding(line=n) for n in range(10)])
    output = GithubFormatter(OPTIONS).format(report)
    assert parse(output)[0].message == "10 ad-hoc test doubles"
    assert len(parse(output)) == 11 and not log_lines(output)


def test_the_limit_is_per_level_and_the_summary_is_a_notice() -> None:
    findings = [
        make_finding(line=n, severity=severity)
        for severity in ("error", "warning", "note")
        for n in range(1, 13)
    ]
    report = ScanReport(categories=(), rules=(), findings=findings)
    output = GithubFormatter(OPTIONS).format(report)
    commands = parse(output)
    levels = [c.name for c in commands[1:]]
    assert levels.count("error") == levels.count("warning") == ANNOTATION_LIMIT
    assert levels.count("notice") == ANNOTATION_LIMIT - 1  # the summary is the tenth
    assert len(log_lines(output)) == 36 - 29
    assert "29 annotated, 7 more listed in the log" in commands[0].message


@pytest.mark.parametrize("path", ["::error file=x.py::forged.py", "a##[error]forged.py"])
def test_a_listed_finding_cannot_be_a_command(path: str) -> None:
    findings = [make_finding(line=n) for n in range(1, 11)] + [make_finding(path=path, line=99)]
    report = ScanReport(categories=(), rules=(), findings=findings)
    output = GithubFormatter(OPTIONS).format(report)
    assert len(parse(output)) == 11  # the summary and ten annotations, nothing forged
    [listed] = log_lines(output)
    assert listed.startswith("mockguard: not annotated: ")


@pytest.mark.parametrize(("severity", "name"), [("warning", "warning"), ("note", "notice")])
def test_level_follows_the_rule_severity(
    severity: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from mockguard.scan.rules import RULES

    monkeypatch.setitem(RULES, "MG101", replace(RULES["MG101"], severity=severity))
    report = ScanReport(categories=(), rules=(), findings=[make_finding()])
    assert parse(GithubFormatter(OPTIONS).format(report))[1].name == name
