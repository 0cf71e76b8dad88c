"""What the scanned code names cannot steer the output: no Rich markup or emoji codes, no
terminal escapes, no bidirectional tricks, no forged CI commands, in every format."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

MOCKS = "from unittest.mock import MagicMock\n\n\ndef test_x():\n    m = MagicMock()\n"
# A mock on line 100: `path:100:9` holds `:100:`, Rich's emoji code for 💯.
LINE_100 = MOCKS + "\n" * 94 + "    n = MagicMock()\n"

# Names that would steer a terminal or a CI log if printed raw.
HOSTILE_NAMES = [
    "test_osc52\x1b]52;c;aGVsbG8=\x07.py",  # writes the clipboard
    "test_osc8\x1b]8;;https:evil.example\x1b\\click\x1b]8;;\x1b\\.py",  # a hidden link
    "test_csi\x1b[2J\x1b[31m.py",  # clears the screen, turns red
    "test_c1\x9b31m.py",  # the one-byte CSI
    "test_del\x7f.py",
    "test_bidi\u202eyp.txt.py",  # reads as test_bidi...txt.py backwards
    "test_isolate\u2066x\u2069.py",
    "test_sep\u2028.py",
    "test_nl\n::error file=x.py::forged.py",
    "test_cr\r::warning::forged.py",
    "::error file=y.py::forged_test.py",
    "test_legacy##[error]forged.py",
]
HOSTILE_MESSAGE = (
    "from unittest.mock import MagicMock\n\n\ndef test_y(o):\n"
    '    setattr(o, "x\\n::error file=a.py::forged\\x1b]52;c;aGk=\\x07\\u202e", MagicMock())\n'
)
# Raw characters that must never reach the output (line feeds end our own lines only).
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def hostile_project(root: Path) -> Path:
    """A project whose file names and strings hold every trick above."""
    for name in HOSTILE_NAMES:
        (root / name).write_text(MOCKS)
    (root / "test_message.py").write_text(HOSTILE_MESSAGE)
    return root


def assert_safe(output: str) -> None:
    """Nothing in `output` can steer a terminal or start a workflow command."""
    found = FORBIDDEN.search(output)
    assert found is None, f"raw {found.group()!r} in the output"
    assert "##[" not in output
    for line in output.splitlines():
        if line.lstrip().startswith("::"):
            # Only our own annotations, whose values are escaped: one `::` pair, no more.
            assert re.match(r"::(notice|error|warning) [^:]*::", line), line


@pytest.mark.parametrize(
    "options", [(), ("--color", "never"), ("-q",), ("--color", "always"), ("--explain",)]
)
def test_emoji_codes_are_printed_as_they_are(run_cli, tmp_path: Path, options) -> None:
    (tmp_path / "test_x.py").write_text(LINE_100)
    (tmp_path / "test_:smile:.py").write_text(MOCKS)
    (tmp_path / "test_:1234:.py").write_text(MOCKS)
    result = run_cli("scan", *options, ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "test_x.py:100:9: " in out
    assert "test_:smile:.py:5:9: " in out
    assert "test_:1234:.py:5:9: " in out
    assert not {"💯", "😄", "🔢"} & set(out)


def test_markup_in_category_names_is_shown_as_text(run_cli, tmp_path: Path) -> None:
    (tmp_path / "mockguard.toml").write_text(
        '[categories."[/bold]"]\nnames = ["ws"]\n'
        '[categories."[link=https://evil.example]click[/link]"]\nnames = ["db"]\n'
        '[categories.":smile:[bold red]"]\nnames = ["ag"]\n'
    )
    (tmp_path / "test_a.py").write_text(
        "from unittest.mock import MagicMock\n\n\ndef test_x():\n"
        "    ws = MagicMock()\n    db = MagicMock()\n    ag = MagicMock()\n"
        '    setattr(ws, "[/bold][link=https://evil.example]x", MagicMock())\n'
    )
    for options in [(), ("--color", "always"), ("--explain",), ("-q",)]:
        result = run_cli("scan", *options, ".", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        out = result.stdout
        assert "[[/bold]]" in out
        assert "[[link=https://evil.example]click[/link]]" in out
        assert "[:smile:[bold red]]" in out
        assert "`ws.[/bold][link=https://evil.example]x`" in out
        assert "\x1b]8;" not in out  # no hyperlink escape
    # The baseline comparison has its own table, with the categories in it.
    assert run_cli("baseline", cwd=tmp_path).returncode == 0
    result = run_cli("scan", "--baseline", "--color", "always", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[/bold]" in result.stdout and "\x1b]8;" not in result.stdout


@pytest.mark.parametrize(
    "options",
    [
        ("--format", "text"),
        ("--format", "text", "-q"),
        ("--format", "text", "--explain"),
        ("--format", "text", "--color", "always"),
        ("--format", "github"),
        ("--format", "json"),
        ("--format", "sarif"),
    ],
)
def test_control_characters_never_reach_the_output(run_cli, tmp_path: Path, options) -> None:
    hostile_project(tmp_path)
    result = run_cli("scan", *options, ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    if "always" in options:
        out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # our own colours
    assert_safe(out)
    assert_safe(result.stderr)


def test_control_characters_are_visible_escapes_in_text(run_cli, tmp_path: Path) -> None:
    hostile_project(tmp_path)
    for options in [(), ("-q",)]:
        out = run_cli("scan", *options, ".", cwd=tmp_path).stdout
        assert "test_osc52\\x1b]52;c;aGVsbG8=\\x07.py:5:9: MG101" in out
        assert "test_c1\\x9b31m.py:5:9: " in out
        assert "test_bidi\\u202eyp.txt.py:5:9: " in out
        assert "test_sep\\u2028.py:5:9: " in out
        assert "test_nl\\n::error file=x.py::forged.py:5:9: " in out
        assert "\\x3a:error file=y.py::forged_test.py:5:9: " in out
        assert "test_legacy#\\x23[error]forged.py:5:9: " in out
        assert "`o.x\\n::error file=a.py::forged\\x1b]52;c;aGk=\\x07\\u202e`" in out


def test_json_and_sarif_keep_the_names_and_escape_them(run_cli, tmp_path: Path) -> None:
    hostile_project(tmp_path)
    result = run_cli("scan", "--format", "json", ".", cwd=tmp_path)
    assert "\\u202e" in result.stdout and "\\u009b" in result.stdout  # escaped as JSON
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert paths == {*HOSTILE_NAMES, "test_message.py"}  # the names, without loss
    sarif = json.loads(run_cli("scan", "--format", "sarif", ".", cwd=tmp_path).stdout)
    uris = {
        unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in sarif["runs"][0]["results"]
    }
    assert uris == {*HOSTILE_NAMES, "test_message.py"}


def test_github_lines_are_ours_alone(run_cli, tmp_path: Path) -> None:
    hostile_project(tmp_path)
    out = run_cli("scan", "--format", "github", ".", cwd=tmp_path).stdout
    lines = out.splitlines()
    assert len(lines) == 1 + len(HOSTILE_NAMES) + 1  # the summary, then one line a finding
    assert lines[0].startswith("::notice title=mockguard::")
    assert all(line.startswith(("::error ", "mockguard: not annotated: ")) for line in lines[1:])
    assert "test_nl%0A%3A%3Aerror file=x.py%3A%3Aforged.py" in out  # restored by the runner


def test_html_report_shows_control_characters_as_escapes(run_cli, tmp_path: Path) -> None:
    hostile_project(tmp_path)
    page = tmp_path / "out" / "report.html"
    result = run_cli("report", ".", "--html", str(page), "--no-history", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    island = data_island(page.read_text(encoding="utf-8"))
    assert_safe(island)
    assert "test_bidi\\\\u202eyp.txt.py" in island  # the visible escape, as JSON text


def data_island(page: str) -> str:
    """The page's data: the JSON inside its `mockguard-data` script element."""
    found = re.search(r'<script type="application/json" id="mockguard-data">(.*?)</script>', page)
    assert found is not None
    return found.group(1)


def test_dupes_and_the_pytest_plugin_print_escapes(run_cli, tmp_path: Path) -> None:
    setup = "    m = MagicMock()\n    m.send.return_value = 1\n    m.close.return_value = 2\n"
    name = "test_dup\x1b]52;c;aGk=\x07.py"
    (tmp_path / name).write_text(
        "from unittest.mock import MagicMock\n\n\n"
        + "".join(f"def test_{i}():\n{setup}\n\n" for i in range(3))
    )
    result = run_cli("dupes", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test_dup\\x1b]52;c;aGk=\\x07.py:5: m in test_0" in result.stdout
    assert_safe(result.stdout)
    # pytest itself prints the names of the files it collects: a message, then.
    project = tmp_path / "plugin"
    project.mkdir()
    (project / "test_message.py").write_text(HOSTILE_MESSAGE)
    plugin = subprocess.run(
        [sys.executable, "-m", "pytest", "--mockguard", "--color=no", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert "new ad-hoc test doubles" in plugin.stdout, plugin.stdout + plugin.stderr
    assert "`o.x\\n::error file=a.py::forged\\x1b]52;c;aGk=\\x07\\u202e`" in plugin.stdout
    assert_safe(plugin.stdout)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "html"])
def test_a_file_name_that_is_not_utf8(run_cli, tmp_path: Path, output_format: str) -> None:
    (tmp_path / os.fsdecode(b"test_\xff.py")).write_text(MOCKS)
    (tmp_path / "test_ok.py").write_text(MOCKS)
    result = run_cli("scan", "--format", output_format, ".", cwd=tmp_path)
    # run_cli decodes the output as UTF-8, strictly: it got here, so the output is UTF-8.
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert_safe(out if output_format != "html" else data_island(out))
    if output_format == "json":
        document = json.loads(out)
        shown = {item["path"] for item in document["findings"] + document["diagnostics"]}
        assert "test_\\xff.py" in shown  # the undecodable byte, shown as an escape
    elif output_format == "sarif":
        assert '"test_%FF.py"' in out  # the file's own bytes, percent-encoded
    elif output_format == "html":
        assert "test_\\\\xff.py" in data_island(out)
    elif output_format == "text":
        assert "test_\\xff.py" in out
