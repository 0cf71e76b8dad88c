"""Item 2: crafted names and strings cannot forge CI commands or break out of reports."""

from __future__ import annotations

import json
from pathlib import Path

EVIL_NAME = "a,title=x::evil.py"
EVIL_SOURCE = (
    "from unittest.mock import MagicMock\n\n"
    "def test_x():\n"
    "    m = MagicMock(name='::set-output name=x::1 %0A </script><script>alert(1)</script>')\n"
    "    m.send_json.return_value = '\\r\\n::error::forged'\n"
)


def test_github_commands_cannot_be_forged(run_cli, tmp_path: Path) -> None:
    (tmp_path / EVIL_NAME).write_text(EVIL_SOURCE)
    result = run_cli("scan", "--format", "github", "--all-files", ".", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # the summary and one annotation: nothing injected a line
    annotation = lines[1]
    # The comma and colons are escaped, so `title=x` stays inside the file name.
    assert annotation.startswith("::error file=a%2Ctitle=x%3A%3Aevil.py,line=4,")
    assert annotation.count("::") == 2  # only the command's own separators


def test_json_and_sarif_are_serialised(run_cli, tmp_path: Path) -> None:
    (tmp_path / EVIL_NAME).write_text(EVIL_SOURCE)
    from urllib.parse import unquote

    found = json.loads(run_cli("scan", "--format", "json", "--all-files", ".", cwd=tmp_path).stdout)
    assert found["findings"][0]["path"] == EVIL_NAME
    sarif = json.loads(
        run_cli("scan", "--format", "sarif", "--all-files", ".", cwd=tmp_path).stdout
    )
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert unquote(location["artifactLocation"]["uri"]) == EVIL_NAME


def test_html_report_holds_no_live_markup_from_the_scan(run_cli, tmp_path: Path) -> None:
    (tmp_path / "test_evil.py").write_text(
        EVIL_SOURCE.replace("def test_x", "def test_x_</script><b>bold</b>")
    )
    page = tmp_path / "report.html"
    result = run_cli("report", ".", "--html", str(page), "--no-history", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert "<script>alert(1)</script>" not in text
    assert "<b>bold</b>" not in text
    # The headless-browser checks (no script runs, text shown as text) are in tests/html.
