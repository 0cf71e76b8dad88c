"""The installed command, run in a subprocess on temporary projects, as a user runs it."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

SAMPLE = textwrap.dedent(
    """\
    from unittest.mock import AsyncMock, MagicMock, patch

    from mockguard import SSotMockFactory


    @patch("app.db.get_session")
    def test_one(get_session):
        ws = MagicMock()
        ws.send_json = AsyncMock()
        good = SSotMockFactory.create_websocket_mock()
        return ws, good
    """
)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def scan_json(run_cli, *args: str, cwd: Path) -> tuple[int, dict]:
    result = run_cli("scan", "--format", "json", *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_version(run_cli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert "mockguard" in result.stdout


def test_findings_exit_one_and_text_report(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_ws.py": SAMPLE})
    result = run_cli("scan", "tests", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    # The audit table comes first, then the findings grouped by file.
    assert out.index("Category") < out.index("tests/test_ws.py:")
    assert "tests/test_ws.py:6:2: MG201 patch(...) patches `app.db.get_session` [database]" in out
    assert "tests/test_ws.py:8:10: MG101 MagicMock() builds an ad-hoc mock [websocket]" in out
    assert "tests/test_ws.py:9:5: MG102 AsyncMock() wired onto `ws.send_json` [websocket]" in out
    assert "\x1b[" not in out  # no colour when not on a terminal
    assert "Found 3 ad-hoc test doubles in 1 file; 1 factory call; adoption 25.0%" in out


def test_clean_tree_exits_zero(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"test_ok.py": "def test_ok():\n    assert 1 + 1 == 2\n"})
    result = run_cli("scan", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Found 0 ad-hoc test doubles" in result.stdout


def test_json_schema(run_cli, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/test_ws.py": SAMPLE,
            "tests/test_b.py": "from unittest.mock import Mock\nm = Mock()\n",
        },
    )
    code, doc = scan_json(run_cli, "tests", cwd=tmp_path)
    assert code == 1
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "mockguard"
    summary = doc["summary"]
    assert summary["findings"] == 4
    assert summary["compliant"] == 1
    assert summary["adoption"] == 0.2
    assert summary["by_rule"] == {"MG101": 2, "MG102": 1, "MG201": 1, "MG301": 0}
    assert summary["by_category"]["websocket"]["total"] == 2
    assert summary["by_category"]["websocket"]["compliant"] == 1
    assert summary["by_category"]["websocket"]["adoption"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary["by_category"]["database"]["rules"]["MG201"] == 1
    assert summary["files"] == {"scanned": 2, "parsed": 2, "with_findings": 2}
    keys = [(f["path"], f["line"], f["column"]) for f in doc["findings"]]
    assert keys == sorted(keys)
    first = doc["findings"][0]
    assert set(first) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "rule",
        "category",
        "message",
        "scope",
        "fingerprint",
        "use_instead",
    }
    assert first["path"] == "tests/test_b.py"


def test_json_is_stable_between_runs(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {f"tests/test_{i}.py": SAMPLE for i in range(80)})
    first = run_cli("scan", "--format", "json", "--jobs", "2", "tests", cwd=tmp_path)
    second = run_cli("scan", "--format", "json", "--jobs", "1", "tests", cwd=tmp_path)
    assert first.returncode == second.returncode == 1
    strip = lambda s: {k: v for k, v in json.loads(s).items() if k != "elapsed"}  # noqa: E731
    assert strip(first.stdout) == strip(second.stdout)
    assert json.loads(first.stdout)["summary"]["findings"] == 240


def test_explain_shows_evidence(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"test_ws.py": SAMPLE})
    result = run_cli("scan", "--explain", "test_ws.py", cwd=tmp_path)
    assert "evidence: name `ws` -> websocket (+3)" in result.stdout
    assert "evidence: attribute `send_json` -> websocket (+1)" in result.stdout
    assert "decided: websocket" in result.stdout
    _, doc = scan_json(run_cli, "--explain", "test_ws.py", cwd=tmp_path)
    evidence = doc["findings"][0]["evidence"]
    assert {
        "kind": "patch-target",
        "value": "app.db.get_session",
        "category": "database",
        "weight": 4,
    } in evidence


def test_output_file_written(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"test_ws.py": SAMPLE})
    result = run_cli("scan", "--format", "json", "-o", "report.json", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["findings"] == 3
    assert list(tmp_path.glob(".report.json.*")) == []


def test_quiet_prints_only_findings(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"test_ws.py": SAMPLE})
    result = run_cli("scan", "-q", "test_ws.py", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("test_ws.py:") for line in lines)


def test_select_and_ignore(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"test_ws.py": SAMPLE})
    _, doc = scan_json(run_cli, "--select", "MG201", "test_ws.py", cwd=tmp_path)
    assert [f["code"] for f in doc["findings"]] == ["MG201"]
    _, doc = scan_json(run_cli, "--ignore", "MG201,MG102", "test_ws.py", cwd=tmp_path)
    assert [f["code"] for f in doc["findings"]] == ["MG101"]
    bad = run_cli("scan", "--select", "MG999", "test_ws.py", cwd=tmp_path)
    assert bad.returncode == 2
    assert "unknown rule 'MG999'" in bad.stderr


# -------------------------------------------------------------------- bad input


def test_missing_path_is_one_line_error(run_cli, tmp_path: Path) -> None:
    result = run_cli("scan", "no/such/dir", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "mockguard: error: path does not exist: no/such/dir"


def test_empty_folder(run_cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, doc = scan_json(run_cli, "empty", cwd=tmp_path)
    assert code == 0
    assert doc["summary"]["files"]["scanned"] == 0


BAD_FILES: dict[str, str | bytes] = {
    "syntax.py": "from unittest.mock import MagicMock\ndef broken(:\n    MagicMock()\n",
    "latin1.py": b"# -*- coding: latin-1 -*-\nfrom unittest.mock import MagicMock\nname = '\xe9t\xe9'\nm = MagicMock()\n",
    "not_utf8.py": b"from unittest.mock import MagicMock\nname = '\xff\xfe'\nm = MagicMock()\n",
    "nul.py": b"from unittest.mock import MagicMock\nm = MagicMock()\x00\n",
    # Past the parser's stack: this Python cannot run it, another may.
    "deep.py": "from unittest.mock import MagicMock\nx = " + "-" * 8_000 + "MagicMock()\n",
    # Past the tokenizer's fixed limit of 200 brackets: no Python runs it.
    "brackets.py": "from unittest.mock import MagicMock\nx = "
    + "(" * 300
    + "MagicMock()"
    + ")" * 300
    + "\n",
    "good.py": "from unittest.mock import MagicMock\nm = MagicMock()\n",
}


def test_bad_files_are_diagnostics_and_the_scan_goes_on(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {f"pkg/{name}": content for name, content in BAD_FILES.items()})
    os.symlink(tmp_path / "pkg" / "gone.py", tmp_path / "pkg" / "broken_link.py")
    os.mkfifo(tmp_path / "pkg" / "fifo.py")
    code, doc = scan_json(run_cli, "--all-files", "pkg", cwd=tmp_path)
    assert code == 1
    kinds = {Path(d["path"]).name: d["kind"] for d in doc["diagnostics"]}
    assert kinds == {
        "syntax.py": "syntax-error",
        "not_utf8.py": "decode-error",
        "nul.py": "nul-bytes",
        "deep.py": "too-deep",
        "brackets.py": "syntax-error",
        "broken_link.py": "broken-symlink",
        "fifo.py": "not-a-file",
    }
    found = sorted(Path(f["path"]).name for f in doc["findings"])
    # A PEP 263 latin-1 file is decoded, not rejected.
    assert found == ["good.py", "latin1.py"]
    text = run_cli("scan", "--all-files", "pkg", cwd=tmp_path)
    assert "Traceback" not in text.stdout + text.stderr
    assert "7 diagnostic(s)" in text.stdout


def test_large_file_is_skipped_with_a_diagnostic(run_cli, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "mockguard.toml": "max-file-size = 1000\nall-files = true\n",
            "big.py": "from unittest.mock import MagicMock\n" + "m = MagicMock()\n" * 200,
        },
    )
    code, doc = scan_json(run_cli, ".", cwd=tmp_path)
    assert code == 1  # a file not scanned through fails the gate
    assert [d["kind"] for d in doc["diagnostics"]] == ["too-large"]
    code, _ = scan_json(run_cli, "--allow-incomplete", ".", cwd=tmp_path)
    assert code == 0


def test_unreadable_file_is_a_diagnostic(run_cli, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file; see test_engine for the in-process check")
    write(tmp_path, {"secret.py": "from unittest.mock import MagicMock\nm = MagicMock()\n"})
    (tmp_path / "secret.py").chmod(0)
    _, doc = scan_json(run_cli, ".", cwd=tmp_path)
    assert [d["kind"] for d in doc["diagnostics"]] == ["unreadable"]


def test_unresolved_mock_name_counts_with_a_diagnostic(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"test_lost.py": "def test():\n    m = MagicMock()\n    return m\n"})
    code, doc = scan_json(run_cli, ".", cwd=tmp_path)
    assert code == 1
    assert doc["findings"][0]["code"] == "MG101"
    assert doc["diagnostics"][0]["kind"] == "unresolved-mock-name"


# ------------------------------------------------------------------------- config


def test_config_unknown_key(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.mockguard]\nexlude = ['x']\n", "t.py": "x = 1\n"})
    result = run_cli("scan", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mockguard: error: pyproject.toml: unknown key `tool.mockguard.exlude` (did you mean 'exclude'?)"
    ]


def test_config_bad_value(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"mockguard.toml": "format = 'xml'\n", "t.py": "x = 1\n"})
    result = run_cli("scan", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "mockguard.toml: `format` must be one of text, json, sarif, github, html, not 'xml'"
        in result.stderr
    )


def test_config_not_toml(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"mockguard.toml": "format = \n", "t.py": "x = 1\n"})
    result = run_cli("scan", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_custom_category_and_exclude(run_cli, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": textwrap.dedent(
                """\
                [tool.mockguard]
                extend-exclude = ["tests/fixtures/**"]

                [tool.mockguard.categories.http]
                names = ["http", "client"]
                patch-targets = ["*httpx*"]
                """
            ),
            "tests/test_http.py": "from unittest.mock import patch\n@patch('app.httpx.AsyncClient.get')\ndef test(get):\n    pass\n",
            "tests/fixtures/test_skip.py": "from unittest.mock import Mock\nm = Mock()\n",
        },
    )
    code, doc = scan_json(run_cli, cwd=tmp_path)
    assert code == 1
    assert [(f["path"], f["category"]) for f in doc["findings"]] == [("tests/test_http.py", "http")]
    assert "http" in doc["summary"]["by_category"]


def test_gitignore_is_respected(run_cli, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        {
            ".gitignore": "generated/\n",
            "tests/test_a.py": "from unittest.mock import Mock\nm = Mock()\n",
            "tests/generated/test_b.py": "from unittest.mock import Mock\nm = Mock()\n",
        },
    )
    _, doc = scan_json(run_cli, "tests", cwd=tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["tests/test_a.py"]


def test_init_writes_a_config_that_validates(run_cli, tmp_path: Path) -> None:
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "mockguard.toml").read_text().startswith("# mockguard configuration")
    again = run_cli("init", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    write(tmp_path, {"test_x.py": "from unittest.mock import Mock\nm = Mock()\n"})
    scanned = run_cli("scan", ".", cwd=tmp_path)
    assert scanned.returncode == 1, scanned.stderr


def test_init_pyproject_keeps_the_existing_content(run_cli, tmp_path: Path) -> None:
    original = "[project]\nname = 'demo'  # keep this comment\n"
    write(
        tmp_path,
        {"pyproject.toml": original, "test_x.py": "from unittest.mock import Mock\nm = Mock()\n"},
    )
    result = run_cli("init", "--pyproject", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original)
    assert "[tool.mockguard]" in text
    assert run_cli("scan", ".", cwd=tmp_path).returncode == 1
    assert run_cli("init", "--pyproject", cwd=tmp_path).returncode == 2


# -------------------------------------------------------------------------- rules


def test_rules_catalog(run_cli) -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    for code in ("MG101", "MG102", "MG201", "MG301"):
        assert code in result.stdout


def test_rules_explain_one(run_cli) -> None:
    result = run_cli("rules", "MG102")
    assert result.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in result.stdout
    by_name = run_cli("rules", "hand-written-double")
    assert by_name.stdout.startswith("MG301 (hand-written-double)")
    unknown = run_cli("rules", "MG10")
    assert unknown.returncode == 2
    assert "did you mean" in unknown.stderr


def test_sarif_and_github_formats_from_the_command(run_cli, tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_ws.py": SAMPLE})
    sarif = run_cli("scan", "--format", "sarif", "tests", cwd=tmp_path)
    assert sarif.returncode == 1
    document = json.loads(sarif.stdout)
    assert document["version"] == "2.1.0"
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["MG201", "MG101", "MG102"]
    assert all(r["partialFingerprints"]["mockguardFingerprint/v2"] for r in results)
    github = run_cli("scan", "--format", "github", "tests", cwd=tmp_path)
    lines = github.stdout.splitlines()
    assert lines[0].startswith("::notice title=mockguard::3 ")
    assert lines[1].startswith("::error file=tests/test_ws.py,line=6,")


def test_a_folder_named_explicitly_is_scanned_even_if_gitignored(run_cli, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        {
            ".gitignore": "generated/\n",
            "generated/test_a.py": "from unittest.mock import Mock\nm = Mock()\n",
        },
    )
    _, whole = scan_json(run_cli, ".", cwd=tmp_path)
    assert whole["findings"] == []
    _, named = scan_json(run_cli, "generated", cwd=tmp_path)
    assert [f["path"] for f in named["findings"]] == ["generated/test_a.py"]


def test_symlinks_out_of_the_tree_are_reported_not_followed(run_cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"secret_test.py": "from unittest.mock import Mock\nm = Mock()\n"})
    project = tmp_path / "project"
    write(project, {"tests/test_in.py": "from unittest.mock import Mock\nm = Mock()\n"})
    os.symlink(outside / "secret_test.py", project / "tests" / "test_link.py")
    os.symlink(project / "tests" / "test_in.py", project / "tests" / "test_alias.py")
    os.symlink(project / "tests", project / "tests" / "loop")
    _, doc = scan_json(run_cli, "tests", cwd=project)
    assert sorted(f["path"] for f in doc["findings"]) == ["tests/test_alias.py", "tests/test_in.py"]
    assert [(Path(d["path"]).name, d["kind"]) for d in doc["diagnostics"]] == [
        ("test_link.py", "symlink-outside")
    ]
