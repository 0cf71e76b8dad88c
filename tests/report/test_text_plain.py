"""Text without colour is written without Rich, and is exactly what Rich would write."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockguard.findings import RULE_CODES, CompliantCall, Diagnostic, Evidence, Finding
from mockguard.report import FormatOptions
from mockguard.report.model import ScanReport
from mockguard.report.table import TableSpec, plain_table, rich_table
from mockguard.report.text import TextFormatter, text_console

from .conftest import scan_project

CATEGORIES = ("websocket", "database", "agent", "generic")
# Names and paths that Rich lays out otherwise than as they are: wide characters, combining
# marks, names too long for the table's width, markup and emoji codes, runs of spaces.
ODD_NAMES = [
    "数据库",
    "e\u0301tat",
    "x" * 90,
    "[bold]red[/bold]",
    ":smile:",
    "two  spaces",
    " lead",
    "tab\there",
    "emoji😀",
]


def _finding(rng: random.Random, path: str, categories: list[str]) -> Finding:
    line = rng.randint(1, 500)
    evidence = tuple(
        Evidence("name", rng.choice(["ws", "db", "x" * 60]), rng.choice(categories), 2)
        for _ in range(rng.randint(0, 2))
    )
    return Finding(
        path=path,
        line=line,
        col=rng.randint(0, 40),
        end_line=line,
        end_col=50,
        code=rng.choice(RULE_CODES),
        category=rng.choice(categories),
        args=(("constructor", rng.choice(["MagicMock", "AsyncMock", "Mock"])), ("target", "a.b")),
        scope="test_x",
        evidence=evidence,
    )


def random_report(seed: int) -> ScanReport:
    """A report of random findings, compliant calls and diagnostics; one in four uses an
    odd name somewhere."""
    rng = random.Random(seed)
    categories = list(CATEGORIES)
    odd = rng.random() < 0.25
    if odd:
        categories.append(rng.choice(ODD_NAMES))
    categories += [f"custom{i}" for i in range(rng.randint(0, 3))]
    rules = tuple(sorted(rng.sample(RULE_CODES, rng.randint(1, len(RULE_CODES)))))
    report = ScanReport(categories=tuple(categories), rules=rules)
    paths = [f"tests/test_{i}.py" for i in range(rng.randint(0, 4))]
    if odd and paths:
        paths.append(f"tests/{rng.choice(ODD_NAMES)}.py")
    for _ in range(rng.randint(0, 30) if paths else 0):
        report.findings.append(_finding(rng, rng.choice(paths), categories))
    for _ in range(rng.randint(0, 3) * (rng.random() < 0.3) * 10 ** rng.randint(0, 4)):
        report.findings.append(_finding(rng, "tests/many.py", categories[:1]))
    for i in range(rng.randint(0, 5)):
        category = rng.choice(categories)
        report.compliant[category] = report.compliant.get(category, 0) + 1
        report.compliant_calls.append(CompliantCall("tests/c.py", i + 1, 0, category, "f.create()"))
    for _ in range(rng.randint(0, 2)):
        where = rng.choice([*paths, "src/x.py"])
        report.diagnostics.append(Diagnostic(where, "syntax-error", "cannot parse: x", 3))
    report.files_scanned = len(paths) + 3
    report.finish()
    return report


def options() -> Iterator[FormatOptions]:
    for explain in (False, True):
        for summary_only in (False, True):
            for width in (100, 60):
                yield FormatOptions(explain=explain, summary_only=summary_only, width=width)
    yield FormatOptions(quiet=True)


@pytest.mark.parametrize("seed", range(150))
def test_plain_text_is_what_rich_writes(seed: int) -> None:
    report = random_report(seed)
    for chosen in options():
        formatter = TextFormatter(chosen)
        plain = formatter._plain(report)
        assert plain is None or plain == formatter._rich(report), chosen


def test_plain_text_draws_the_common_tables() -> None:
    """Most reports take the plain path: the comparison above is not vacuous."""
    drawn = sum(
        TextFormatter(FormatOptions())._plain(random_report(seed)) is not None
        for seed in range(150)
    )
    assert drawn > 100


def test_the_fixture_project_takes_the_plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent / "project")
    report = scan_project()
    formatter = TextFormatter(FormatOptions())
    plain = formatter._plain(report)
    assert plain is not None and report.findings
    assert plain == formatter._rich(report)


@pytest.mark.parametrize(
    "spec",
    [
        TableSpec("t", ("A", "B"), ("left", "right"), (("x", "1"), ("y", "22"))),
        TableSpec("", ("A",), ("left",), ()),
        TableSpec("title", ("A", "B"), ("right", "left"), (("1", "x"),), frozenset({0})),
        TableSpec(
            "a title wider than the table",
            ("A", "B"),
            ("left", "right"),
            (("x", "1"), ("Total", "1")),
            frozenset({1}),
        ),
        TableSpec("t", ("Category", "N"), ("left", "right"), (("z" * 120, "1"),)),
        TableSpec("t", ("Category", "N"), ("left", "right"), (("", "123456789012345"),)),
    ],
)
def test_a_table_is_drawn_as_rich_draws_it_or_not_at_all(spec: TableSpec) -> None:
    drawn = plain_table(spec, 100)
    buffer = io.StringIO()
    text_console(buffer, color=False, width=100).print(rich_table(spec))
    assert drawn is None or drawn == buffer.getvalue()


def test_plain_text_does_not_import_rich() -> None:
    code = (
        "import sys\n"
        "from mockguard.report import FormatOptions, get_formatter\n"
        "from mockguard.report.model import ScanReport\n"
        "report = ScanReport(categories=('generic',), rules=('MG101',))\n"
        "get_formatter('text', FormatOptions()).format(report)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
