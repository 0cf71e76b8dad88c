"""A first run on a real project, as a user runs it (`python -m mockguard` in a subprocess):
only test code is scanned unless --all-files, what was left out is said, an empty folder is
one line and exit 0, and `--summary` counts the diagnostics in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MOCK = "from unittest.mock import MagicMock\n\n\ndef test_it():\n    ws = MagicMock()\n"
# A production module with a mock in it: a fake driver, a dev stub.
PRODUCTION = "from unittest.mock import MagicMock\n\nFAKE = MagicMock()\n"

PROJECT = {
    "pyproject.toml": "[project]\nname = 'app'\n",
    "src/app/__init__.py": "",
    "src/app/fake_driver.py": PRODUCTION,
    "src/app/service.py": "def serve():\n    return 1\n",
    "conftest.py": "from unittest.mock import MagicMock\n\nSHARED = MagicMock()\n",
    "tests/test_service.py": MOCK,
    "tests/helpers/factories.py": "from unittest.mock import Mock\n\nFACTORY = Mock()\n",
    "src/app/service_test.py": MOCK,
    "src/app/polls/tests.py": MOCK,  # Django's layout
    "scripts/try_it.py": PRODUCTION,
}
TEST_FILES = {
    "conftest.py",
    "tests/test_service.py",
    "tests/helpers/factories.py",
    "src/app/service_test.py",
    "src/app/polls/tests.py",
}


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def mockguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("MOCKGUARD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "mockguard", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def finding_files(result: subprocess.CompletedProcess[str]) -> set[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return {f["path"] for f in json.loads(result.stdout)["findings"]}


def one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mockguard: error: ")
    for needle in needles:
        assert needle in lines[0]


# ------------------------------------------------------------------ test code only


def test_a_folder_scan_takes_test_code_only(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    result = mockguard("scan", ".", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert finding_files(result) == TEST_FILES
    assert json.loads(result.stdout)["summary"]["files"]["scanned"] == len(TEST_FILES)
    # JSON output carries no note on stderr about the files left out.
    assert "non-test" not in result.stderr

    text = mockguard("scan", ".", cwd=tmp_path)
    assert text.returncode == 1
    assert "fake_driver" not in text.stdout and "tests/test_service.py:5:10: MG101" in text.stdout
    # 4 Python files left out: the package's __init__, fake_driver, service, try_it.
    assert text.stderr.strip().splitlines() == [
        "mockguard: 4 non-test files not scanned (use --all-files)"
    ]


def test_all_files_scans_every_python_file(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    result = mockguard("scan", ".", "--format", "json", "--all-files", cwd=tmp_path)
    assert finding_files(result) == TEST_FILES | {"src/app/fake_driver.py", "scripts/try_it.py"}
    assert "non-test" not in mockguard("scan", ".", "--all-files", cwd=tmp_path).stderr
    # The same from the config.
    write(tmp_path, {"mockguard.toml": "all-files = true\n"})
    result = mockguard("scan", ".", "--format", "json", cwd=tmp_path)
    assert "src/app/fake_driver.py" in finding_files(result)


def test_a_file_named_on_the_command_line_is_always_scanned(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    result = mockguard("scan", "src/app/fake_driver.py", "--format", "json", cwd=tmp_path)
    assert finding_files(result) == {"src/app/fake_driver.py"}
    # pre-commit passes the staged files by name with --force-exclude: the walk's rules
    # apply, so the hook and a folder scan agree.
    staged = ["src/app/fake_driver.py", "tests/test_service.py"]
    result = mockguard("scan", "--force-exclude", "--format", "json", *staged, cwd=tmp_path)
    assert finding_files(result) == {"tests/test_service.py"}
    quiet = mockguard("scan", "--force-exclude", "-q", "src/app/fake_driver.py", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_python_files_of_the_pytest_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **PROJECT,
            "pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['check_*.py']\n",
            "src/app/check_service.py": MOCK,
        },
    )
    result = mockguard("scan", ".", "--format", "json", cwd=tmp_path)
    # check_*.py replaces the defaults: service_test.py is no test file any more.
    expected = (TEST_FILES - {"src/app/service_test.py"}) | {"src/app/check_service.py"}
    assert finding_files(result) == expected
    # From a subfolder, the config above is found as pytest finds it.
    result = mockguard("scan", "src", "--format", "json", cwd=tmp_path)
    assert finding_files(result) == {"src/app/check_service.py", "src/app/polls/tests.py"}


def test_support_modules_count_from_pytests_rootdir(tmp_path: Path) -> None:
    """Scanning from inside `tests/` still takes its helpers: folder names count from
    pytest's rootdir (the folder of pyproject.toml), not from where the scan starts."""
    write(tmp_path, PROJECT)
    result = mockguard("scan", ".", "--format", "json", cwd=tmp_path / "tests")
    assert finding_files(result) == {"test_service.py", "helpers/factories.py"}
    # A project that happens to live below a folder named `test` is not all test code.
    nested = tmp_path / "test" / "project"
    write(nested, PROJECT)
    result = mockguard("scan", ".", "--format", "json", cwd=nested)
    assert finding_files(result) == TEST_FILES


def test_a_folder_outside_the_project_counts_its_own_name_only(tmp_path: Path) -> None:
    """No config anywhere, scanned from elsewhere: the folders above the scanned one (here
    one named `test`) never make everything test code; the scanned folder's own name does."""
    project = tmp_path / "test" / "proj"
    write(
        project,
        {
            "src/app/fake.py": PRODUCTION,
            "tests/test_x.py": MOCK,
            "tests/helper.py": PRODUCTION,
        },
    )
    (tmp_path / "elsewhere").mkdir()
    result = mockguard("scan", str(project), "--format", "json", cwd=tmp_path / "elsewhere")
    assert {Path(p).name for p in finding_files(result)} == {"test_x.py", "helper.py"}
    result = mockguard(
        "scan", str(project / "tests"), "--format", "json", cwd=tmp_path / "elsewhere"
    )
    assert {Path(p).name for p in finding_files(result)} == {"test_x.py", "helper.py"}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\npython_files = 3\n",
            "pyproject.toml: `tool.pytest.ini_options.python_files` must be a list of strings",
        ),
        ("tox.ini", "[pytest]\npython_files = 'unclosed\n", "tox.ini: [pytest] `python_files`"),
        ("setup.cfg", "junk\n[tool:pytest]\n", "setup.cfg: not a valid INI file (line 1)"),
        ("pytest.ini", b"[pytest]\npython_files = \xff\n", "pytest.ini: not valid UTF-8"),
    ],
)
def test_a_hostile_pytest_config_is_a_one_line_error(
    tmp_path: Path, name: str, text: str | bytes, message: str
) -> None:
    write(tmp_path, {**PROJECT, name: text})
    one_line_error(mockguard("scan", ".", cwd=tmp_path), message)
    one_line_error(mockguard("baseline", cwd=tmp_path), message)
    # --all-files does not read pytest's config at all; nor do commands that find no files.
    assert mockguard("scan", ".", "--all-files", cwd=tmp_path).returncode == 1
    assert mockguard("cache", "clear", cwd=tmp_path).returncode == 0


def test_odd_patterns_never_crash(tmp_path: Path) -> None:
    odd = ["", "/", "[", "\\\\", "[!]", "a/**/b", "*" * 200 + "x", "/tests/*.py", "\x00"]
    patterns = ", ".join(json.dumps(p) for p in odd)
    write(tmp_path, {**PROJECT, "pyproject.toml": f"[tool.pytest]\npython_files = [{patterns}]\n"})
    result = mockguard("scan", ".", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert finding_files(result) == TEST_FILES - {"src/app/service_test.py"}
    # `**` matches every name, as pytest's fnmatch does: every Python file is then a test.
    write(tmp_path, {"pyproject.toml": "[tool.pytest]\npython_files = ['**']\n"})
    result = mockguard("scan", ".", "--format", "json", cwd=tmp_path)
    assert finding_files(result) == TEST_FILES | {"src/app/fake_driver.py", "scripts/try_it.py"}


# ------------------------------------------------------------------ every command


def test_every_command_that_walks_takes_test_code_only(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    baseline = mockguard("baseline", cwd=tmp_path)
    assert baseline.returncode == 0, baseline.stderr
    entries = json.loads((tmp_path / ".mockguard-baseline.json").read_text())["findings"]
    assert {e["path"] for e in entries} == TEST_FILES
    assert "4 non-test files not scanned (use --all-files)" in baseline.stderr
    # The ratchet holds in the default mode; --all-files finds the others as new.
    assert mockguard("scan", "--baseline", cwd=tmp_path).returncode == 0
    assert mockguard("scan", "--baseline", "--all-files", cwd=tmp_path).returncode == 1

    setup = (
        "from unittest.mock import MagicMock\n\nws = MagicMock()\nws.send_json.return_value = 1\n"
    )
    copies = ["tests/test_a.py", "tests/test_b.py", "src/app/dev_a.py", "src/app/dev_b.py"]
    write(tmp_path, dict.fromkeys(copies, setup))
    dupes = mockguard("dupes", "--format", "json", "--min-size", "2", cwd=tmp_path)
    places = {p["path"] for c in json.loads(dupes.stdout)["clusters"] for p in c["places"]}
    assert places == {"tests/test_a.py", "tests/test_b.py"}
    dupes = mockguard("dupes", "--format", "json", "--min-size", "2", "--all-files", cwd=tmp_path)
    places = {p["path"] for c in json.loads(dupes.stdout)["clusters"] for p in c["places"]}
    assert places == set(copies)

    fix = mockguard("fix", cwd=tmp_path)
    assert fix.returncode == 0, fix.stderr
    assert "dev_a.py" not in fix.stdout + fix.stderr
    assert "6 non-test files not scanned (use --all-files)" in fix.stderr

    report = mockguard("report", "--html", "out.html", "--no-history", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "6 non-test files not scanned" in report.stderr


def test_history_counts_test_code_only(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
    }
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "one"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    tests_only = json.loads(mockguard("history", "--format", "json", "-q", cwd=tmp_path).stdout)
    every = json.loads(
        mockguard("history", "--format", "json", "-q", "--all-files", cwd=tmp_path).stdout
    )
    assert tests_only["commits"][0]["total"] == len(TEST_FILES)
    assert every["commits"][0]["total"] == len(TEST_FILES) + 2


def test_switching_modes_with_a_warm_cache(tmp_path: Path) -> None:
    """The cache holds one result per file, whatever the mode that scanned it: switching
    modes back and forth finds exactly what a scan without the cache finds."""
    write(tmp_path, PROJECT)
    fresh = {
        mode: finding_files(
            mockguard("scan", "--format", "json", "--no-cache", *mode, cwd=tmp_path)
        )
        for mode in ((), ("--all-files",))
    }
    for mode in ((), ("--all-files",), (), ("--all-files",)):
        assert (
            finding_files(mockguard("scan", "--format", "json", *mode, cwd=tmp_path)) == fresh[mode]
        )


# ------------------------------------------------------------------ nothing to scan


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_an_empty_folder_is_one_line_and_exit_zero(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "empty").mkdir()
    result = mockguard("scan", "empty", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == ["mockguard: no Python files under empty"]
    if fmt == "json":
        assert json.loads(result.stdout)["findings"] == []
    if fmt == "sarif":
        assert json.loads(result.stdout)["runs"][0]["results"] == []


def test_a_folder_without_test_files_says_how_to_scan_it(tmp_path: Path) -> None:
    write(tmp_path, {"src/app/__init__.py": "", "src/app/fake.py": PRODUCTION})
    result = mockguard("scan", "src", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["summary"]["findings"] == 0
    assert result.stderr.strip().splitlines() == [
        "mockguard: no Python test files under src (2 other Python files: use --all-files to "
        "scan them)"
    ]
    assert mockguard("scan", "src", "-q", cwd=tmp_path).stderr == ""
    assert mockguard("scan", "src", "--all-files", cwd=tmp_path).returncode == 1


# ------------------------------------------------------------------ --summary


def test_summary_counts_diagnostics_in_one_line(tmp_path: Path) -> None:
    broken = "from unittest.mock import MagicMock\ndef broken(:\n"
    write(
        tmp_path,
        {
            **{f"tests/test_broken_{i}.py": broken for i in range(5)},
            "tests/test_latin.py": b"# MagicMock\nx = '\xff'\n",
            "tests/test_ok.py": MOCK,
        },
    )
    full = mockguard("scan", ".", cwd=tmp_path)
    assert "6 diagnostic(s):" in full.stdout and "tests/test_broken_3.py" in full.stdout
    summary = mockguard("scan", ".", "--summary", cwd=tmp_path)
    assert summary.returncode == 1
    out = summary.stdout
    assert "test_broken_3" not in out and "tests/test_ok.py" not in out
    assert out.strip().splitlines()[-1] == (
        "6 diagnostics in 6 files: 5 syntax-error, 1 decode-error "
        "(run without --summary to list them)"
    )
    assert "Found 1 ad-hoc test double in 1 file" in out
    # JSON keeps them all.
    document = json.loads(
        mockguard("scan", ".", "--summary", "--format", "json", cwd=tmp_path).stdout
    )
    assert len(document["diagnostics"]) == 6


# ------------------------------------------------------------------ categories


def test_a_switched_off_category_takes_no_finding(tmp_path: Path) -> None:
    source = """\
        from unittest.mock import MagicMock


        def test_it():
            agent = MagicMock()
            db = MagicMock()
            ledger = MagicMock()
        """
    write(tmp_path, {"tests/test_it.py": source})

    def categories() -> dict[str, str]:
        result = mockguard("scan", ".", "--format", "json", cwd=tmp_path)
        assert "Traceback" not in result.stderr
        document = json.loads(result.stdout)
        lines = {5: "agent", 6: "db", 7: "ledger"}
        return {lines[f["line"]]: f["category"] for f in document["findings"]}

    before = categories()
    assert (before["agent"], before["db"], before["ledger"]) == ("agent", "database", "generic")
    write(
        tmp_path,
        {
            "mockguard.toml": """\
                [categories]
                agent = false

                [categories.database]
                replace = true
                names = ["ledger"]
                """
        },
    )
    after = categories()
    assert (after["agent"], after["db"], after["ledger"]) == ("generic", "generic", "database")
    document = json.loads(mockguard("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert "agent" not in document["summary"]["by_category"]
    one_line_error(
        mockguard("fix", "--category", "agent", cwd=tmp_path),
        "--category: category 'agent' is switched off in mockguard.toml",
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[categories]\nagent = 'no'\n", "`categories.agent` must be a table of clues"),
        ("[categories.database]\nreplace = 1\nnames = ['x']\n", "`categories.database.replace`"),
        ("[categories]\ngeneric = false\n", "`categories.generic` is the fallback category"),
        ("all-files = 'yes'\n", "`all-files` must be true or false"),
    ],
)
def test_bad_category_config_is_a_one_line_error(tmp_path: Path, table: str, message: str) -> None:
    write(tmp_path, {"mockguard.toml": table, "tests/test_it.py": MOCK})
    one_line_error(mockguard("scan", ".", cwd=tmp_path), "mockguard.toml: ", message)


# ------------------------------------------------------------------ the README's CI examples

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_block(heading: str, language: str = "yaml") -> str:
    """The first fenced block of `language` after `heading` in the README."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    fence = text.index(f"```{language}\n", start) + len(f"```{language}\n")
    return text[fence : text.index("```", fence)]


def test_the_readme_workflow_runs_as_written(tmp_path: Path) -> None:
    import yaml

    from mockguard import __version__

    workflow = yaml.safe_load(readme_block("### GitHub Actions, with code scanning"))
    steps = workflow["jobs"]["mocks"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    # mockguard comes from the wheel built from this repository, named as pip names it.
    assert runs[0] == f"pip install tools/mockguard-{__version__}-py3-none-any.whl"
    assert not any(r.startswith("pip install mockguard") for r in runs)
    commands = [r for r in runs if r.startswith("mockguard ")]
    assert len(commands) == 2
    write(tmp_path, PROJECT)
    assert mockguard("baseline", cwd=tmp_path).returncode == 0
    write(tmp_path, {"tests/test_new.py": MOCK})
    for command in commands:
        result = mockguard(*command.split()[1:], cwd=tmp_path)
        assert result.returncode in (0, 1), result.stderr
        assert "error" not in result.stderr
    annotations = mockguard(*commands[0].split()[1:], cwd=tmp_path)
    assert annotations.returncode == 1 and "file=tests/test_new.py" in annotations.stdout
    sarif = json.loads((tmp_path / "mockguard.sarif").read_text())
    assert sarif["version"] == "2.1.0"


def test_the_readme_pre_commit_hook_is_the_repositorys(tmp_path: Path) -> None:
    import yaml

    config = yaml.safe_load(readme_block("### pre-commit"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    (defined,) = yaml.safe_load((README.parent / ".pre-commit-hooks.yaml").read_text())
    for key in ("id", "name", "entry", "types", "require_serial"):
        assert hook[key] == defined[key], key
    assert hook["language"] == "system" and defined["language"] == "python"
    # The entry as pre-commit runs it: the staged files appended.
    write(tmp_path, PROJECT)
    assert mockguard("baseline", cwd=tmp_path).returncode == 0
    staged = ["src/app/fake_driver.py", "tests/test_service.py"]
    result = mockguard(*hook["entry"].split()[1:], *staged, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    write(tmp_path, {"tests/test_new.py": MOCK})
    result = mockguard(*hook["entry"].split()[1:], "tests/test_new.py", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.startswith("tests/test_new.py:5:10: MG101")
