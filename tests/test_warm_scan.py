"""The warm path: a rescan served by the cache counts stored findings instead of decoding
them, and reports exactly what a cold scan reports."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from mockguard import api
from mockguard.report import FormatOptions, get_formatter
from mockguard.scan import cache as cache_module
from mockguard.scan import engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "chat_service"
FIXTURES = ROOT / "tests" / "rules" / "fixtures"


@pytest.fixture(autouse=True)
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache key of this test's own (never the user's)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture(params=["example", "fixtures"])
def project(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The example project, or the rule fixtures (suppressions included) as a project of
    their own; the working directory."""
    root = tmp_path / "project"
    if request.param == "example":
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mockguard_cache"))
    else:
        shutil.copytree(FIXTURES, root / "tests")
        (root / "pyproject.toml").write_text("[tool.mockguard]\n")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose stored findings were decoded, in order."""
    seen: list[str] = []
    real = cache_module._decode_findings

    def counting(path: str, *args: Any) -> Any:
        seen.append(path)
        return real(path, *args)

    monkeypatch.setattr(cache_module, "_decode_findings", counting)
    return seen


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files scanned afresh, in order."""
    seen: list[str] = []
    real = engine.scan_source

    def counting(data: bytes, path: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(path)
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(engine, "scan_source", counting)
    return seen


def render(
    *, cache: bool, fmt: str = "text", summary: bool = False, baseline: Path | None = None
) -> str:
    """What `mockguard scan --all-files .` prints (the elapsed time left out)."""
    settings = api.load_settings(None, ["."], all_files=True)
    request = api.ScanRequest(["."], jobs=1, use_cache=cache)
    report = api.scan(request, settings)
    if baseline is not None:
        api.apply_baseline(report, baseline, settings, request.paths)
    report.elapsed = 0.0
    text = get_formatter(fmt, FormatOptions(summary_only=summary)).format(report)
    return re.sub(r'"elapsed_seconds": [0-9.e-]+', "", text)


def write_baseline() -> Path:
    settings = api.load_settings(None, ["."], all_files=True)
    target = Path("baseline.json")
    api.update_baseline(api.ScanRequest(["."], jobs=1), settings, target, "create")
    return target


def test_a_warm_summary_decodes_nothing_and_says_what_a_cold_scan_says(
    project: Path, decoded: list[str], parsed: list[str]
) -> None:
    cold = render(cache=False, summary=True)
    render(cache=True)  # writes the cache
    assert "Found 0 " not in cold
    parsed.clear()
    decoded.clear()
    assert render(cache=True, summary=True) == cold
    assert parsed == []  # served by the cache...
    assert decoded == []  # ...and no finding decoded
    # Listing the findings decodes them, each file once, and lists what a cold scan lists.
    assert render(cache=True) == render(cache=False)
    assert decoded and len(decoded) == len(set(decoded))
    assert render(cache=True, fmt="json") == render(cache=False, fmt="json")


def test_a_warm_baseline_with_nothing_new_decodes_nothing(
    project: Path, decoded: list[str], parsed: list[str]
) -> None:
    baseline = write_baseline()  # also writes the cache
    cold = {summary: render(cache=False, summary=summary, baseline=baseline) for summary in (1, 0)}
    assert "Found 0 new" in cold[True] and "0 gone" in cold[True]
    parsed.clear()
    decoded.clear()
    for summary in (True, False):
        assert render(cache=True, summary=summary, baseline=baseline) == cold[summary]
    assert parsed == []
    assert decoded == []
    # The baselined findings, once listed, are those of a cold scan, in its order.
    warm = render(cache=True, fmt="json", baseline=baseline)
    assert warm == render(cache=False, fmt="json", baseline=baseline)
    assert json.loads(warm)["baselined"]


def drop_first(document: dict[str, Any]) -> None:
    document["findings"].pop(0)


def add_entry(document: dict[str, Any]) -> None:
    entry = dict(document["findings"][0], fingerprint="0123456789abcdef:0", snippet="Mock()")
    document["findings"].append(entry)


def share_a_site(document: dict[str, Any]) -> None:
    """A hand-edited baseline: a copy of an entry under another file's path, with the
    site's context, which the original no longer has. Comparing all findings pairs the
    finding with the copy, and the original is gone."""
    first = document["findings"][0]
    other = next(e for e in document["findings"] if e["path"] != first["path"])
    digest = first["fingerprint"].split(":")[0]
    document["findings"].append(dict(first, path=other["path"], fingerprint=f"{digest}:7"))
    first["context"] = "0" * 16


@pytest.mark.parametrize(("edit", "files"), [(drop_first, 1), (add_entry, 1), (share_a_site, 2)])
def test_files_whose_findings_the_baseline_does_not_hold_exactly_are_decoded(
    project: Path, decoded: list[str], edit: Any, files: int
) -> None:
    baseline = write_baseline()
    document = json.loads(baseline.read_text())
    edit(document)
    baseline.write_text(json.dumps(document))
    decoded.clear()
    for summary in (True, False):
        warm = render(cache=True, summary=summary, baseline=baseline)
        assert warm == render(cache=False, summary=summary, baseline=baseline)
    assert len(set(decoded)) == files
    warm = render(cache=True, fmt="json", baseline=baseline)
    assert warm == render(cache=False, fmt="json", baseline=baseline)
    counts = json.loads(warm)["baseline"]
    assert counts["new"] or counts["gone"]


def test_the_command_line_says_the_same_warm_and_cold(project: Path, run_cli) -> None:
    def scan(*args: str) -> tuple[int, str]:
        done = run_cli("scan", "--all-files", *args, ".", cwd=project)
        assert "Traceback" not in done.stderr, done.stderr
        return done.returncode, re.sub(r"in [0-9.]+s\.", "in Xs.", done.stdout)

    assert run_cli("baseline", "--all-files", ".", cwd=project).returncode == 0
    for args in (["--summary"], ["--baseline"], ["--baseline", "--summary"], ["-q"]):
        cold = scan("--no-cache", *args)
        assert scan(*args) == cold  # the cache written by the first scan
        assert scan(*args) == cold  # and read
