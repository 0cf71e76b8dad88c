"""The entry points: what the command line, the pytest plugin and the HTML report call.

Data flows one way: files -> ast -> findings -> suppressions -> baseline -> formatters.
:func:`scan` runs the first steps (discovery, the engine's single pass per file, the
whole-scan rules, suppressions); :func:`apply_baseline` and :func:`keep_changed_lines`
narrow a report; the formatters in :mod:`mockguard.report` render it. Nothing here prints:
problems a user can fix are raised as :class:`UsageError` with a one-line message.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mockguard.catalog import kind_catalog
from mockguard.config import ConfigError, Settings, with_test_files
from mockguard.config import load_settings as _load_settings

if TYPE_CHECKING:
    from mockguard.fix.runner import FileOutcome
    from mockguard.fix.suggest import Suggestions
    from mockguard.report.base import ProjectInfo
    from mockguard.report.model import ScanReport
    from mockguard.scan.files import Discovery
    from mockguard.scan.shapes import Cluster

# Opens a progress display for a number of files; the callback is told how many finished.
Progress = Callable[[int], AbstractContextManager[Callable[[int], None] | None]]
BaselineMode = Literal["create", "update", "force"]


class UsageError(Exception):
    """Something the user can fix (a path, a config, a baseline, a git revision), with a
    one-line message."""


def load_settings(
    config: Path | None,
    paths: tuple[str, ...] | list[str] = (),
    *,
    all_files: bool = False,
    discovers: bool = True,
) -> Settings:
    """The settings for a run: `config`, else the config found from the first path (or the
    working directory) upwards. With `all_files` (`--all-files`), every Python file is
    scanned; otherwise, for a command that `discovers` files, what test code is comes from
    the pytest config found the same way (see :func:`mockguard.config.with_test_files`)."""
    start = None
    if paths and os.path.exists(paths[0]):
        first = Path(paths[0])
        start = first if first.is_dir() else first.parent
    try:
        settings = _load_settings(config, start)
        if all_files:
            settings = replace(settings, all_files=True)
        return with_test_files(settings, start) if discovers else settings
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def check_categories(names: list[str], settings: Settings, option: str = "--category") -> None:
    """A UsageError unless every name is a category of the run (a built-in switched off in
    the config is named as such)."""
    for name in names:
        if name in settings.disabled_categories:
            where = settings.config_path or "the config"
            raise UsageError(f"{option}: category '{name}' is switched off in {where}")
        if name not in settings.category_names:
            known = ", ".join(settings.category_names)
            raise UsageError(f"{option}: unknown category '{name}' (known: {known})")


def select_rules(
    configured: tuple[str, ...], select: str | None, ignore: str | None
) -> tuple[str, ...]:
    """The rules to run: `--select` (or the configured ones) less `--ignore`."""
    from mockguard.scan.rules import RULES

    def codes(raw: str, option: str) -> list[str]:
        picked = [c.strip().upper() for c in raw.split(",") if c.strip()]
        for code in picked:
            if code not in RULES:
                raise UsageError(f"{option}: unknown rule '{code}' (known: {', '.join(RULES)})")
        return picked

    chosen = codes(select, "--select") if select is not None else list(configured)
    dropped = set(codes(ignore, "--ignore")) if ignore is not None else set()
    return tuple(c for c in chosen if c not in dropped)


def targets(paths: tuple[str, ...] | list[str], settings: Settings) -> list[str]:
    """The paths given, else the configured ones, else the working directory."""
    return list(paths) or [from_root(p, settings) for p in settings.paths] or ["."]


def from_root(path: str, settings: Settings) -> str:
    """A path of the config (relative to the project root) as the user's shell sees it."""
    full = settings.root / path
    try:
        return os.path.relpath(full)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(full)


def discover(paths: list[str], settings: Settings, *, force_exclude: bool = False) -> Discovery:
    """The files to work on; a path that does not exist is a UsageError."""
    from mockguard.scan.files import MissingPathError
    from mockguard.scan.files import discover as find

    try:
        return find(paths, settings, force_exclude=force_exclude)
    except MissingPathError as exc:
        raise UsageError(f"path does not exist: {exc}") from None


def cache_dir(settings: Settings) -> Path:
    """Where the scan cache lives: `cache-dir`, else `.mockguard_cache` at the project root."""
    from mockguard.scan.cachedir import CACHE_DIR

    return settings.root / (settings.cache_dir or CACHE_DIR)


@dataclass
class Discovered:
    """What discovery found for a request, filled in when it runs: the files taken, and the
    Python files left out because they are not test code (without all-files)."""

    files: int = 0
    not_tests: int = 0
    # When every file was served from the cache: what the outcome was decided from, for a
    # record of the run (mockguard.scan.replay): the files scanned, the folders listed,
    # the .gitignore files looked for and the files cached results depend on. None when a
    # file was scanned afresh or a symbolic link was met.
    inputs: list[str] | None = None


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how: the paths, and the choices that change what is read. What
    discovery found is told in `discovered` once the request has run."""

    paths: list[str]
    jobs: int | None = None
    force_exclude: bool = False
    # Only these files (absolute, normalised paths), when given: `--diff`.
    only: frozenset[str] | None = None
    use_cache: bool = True
    # Gather the setup shapes (for clusters) even when MG401 is not selected.
    shapes: bool = False
    # Files not scanned through (too deep, too large, a scanner error) do not fail the scan.
    allow_incomplete: bool = False
    discovered: Discovered = field(default_factory=Discovered, compare=False)


def scan(request: ScanRequest, settings: Settings, progress: Progress | None = None) -> ScanReport:
    """Discover and scan files; run the whole-scan rules (MG401) and apply suppressions."""
    from mockguard.fingerprint import project_paths
    from mockguard.report.model import ScanReport, rule_codes
    from mockguard.scan.engine import scan_files

    started = time.perf_counter()
    found = discover(request.paths, settings, force_exclude=request.force_exclude)
    files = found.files
    if request.only is not None:
        files = [f for f in files if os.path.normpath(os.path.abspath(f)) in request.only]
    request.discovered.files, request.discovered.not_tests = len(files), found.not_tests
    chosen = settings.select
    engine_settings = settings
    if request.shapes and "MG401" not in chosen:
        engine_settings = replace(settings, select=(*chosen, "MG401"))
    cache = None
    if request.use_cache:
        from mockguard.scan.cache import ScanCache

        cache = ScanCache.for_settings(engine_settings, cache_dir(settings))
    report = ScanReport(
        categories=settings.category_names,
        rules=rule_codes(chosen),
        catalog=kind_catalog(settings),
    )
    report.diagnostics.extend(found.diagnostics)
    project_path = project_paths(settings.root)
    depends: set[str] = set()
    with _progress(progress, len(files)) as advance:
        results = scan_files(files, engine_settings, request.jobs, advance, cache, lazy=True)
        for result in results:
            report.add(result, project_path(result.path))
            depends.update(path for path, _ in result.depends)
            if not request.allow_incomplete:
                # A source file not read through; not discovery's notes (a .gitignore too
                # large to apply leaves more files scanned, not fewer).
                report.incomplete.extend(d for d in result.diagnostics if d.incomplete)
    if "MG401" in chosen:
        _add_duplicates(report, settings)
    if "MG401" not in chosen:
        report.drop_rule("MG401")
    report.finish()
    report.incomplete.sort(key=lambda d: d.sort_key)
    report.elapsed = time.perf_counter() - started
    if cache is not None and cache.hits == len(files) and not found.links:
        inputs = [*files, *found.folders, *found.gitignores, *sorted(depends)]
        request.discovered.inputs = inputs
    return report


def _progress(progress: Progress | None, total: int) -> AbstractContextManager[Any]:
    from contextlib import nullcontext

    return progress(total) if progress is not None else nullcontext(None)


def _add_duplicates(report: ScanReport, settings: Settings) -> None:
    """MG401, the rule over the whole scan: its findings, with each file's suppressions."""
    from mockguard.fingerprint import project_path
    from mockguard.scan import suppress
    from mockguard.scan.rules import severity_of
    from mockguard.scan.rules.duplicated_setup import duplicate_findings

    found = duplicate_findings(
        report.shapes,
        lambda path: project_path(path, settings.root),
        lambda category: severity_of(settings, "MG401", category),
    )
    for finding in found:
        marked = suppress.apply([finding], report.suppressions.get(finding.path, {}))[0]
        (report.suppressed if marked.suppressed else report.findings).append(marked)


def apply_baseline(
    report: ScanReport,
    path: Path,
    settings: Settings | None = None,
    paths: list[str] | None = None,
) -> None:
    """Split the report's findings into new and baselined against the baseline at `path`
    (identical sites told apart by their context). Given the
    settings and the scanned `paths`, the entries of files deleted under them are gone too,
    as `baseline --update` drops them."""
    from mockguard.baseline import BaselineError, load, vanished_under

    try:
        entries = load(path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    vanished = None
    if settings is not None and paths is not None:
        vanished = vanished_under(paths, settings.root)
    report.apply_baseline(entries, str(path), vanished)


def baseline_path(given: str | Path | None, settings: Settings) -> Path:
    """The baseline named on the command line (the user's choice, anywhere), or the
    configured one (inside the project: the config is validated so)."""
    if given:
        return Path(given)
    return Path(from_root(settings.baseline, settings))


def changed_lines(revision: str) -> dict[str, set[int] | None]:
    """Absolute path -> the lines changed since `revision` (None: the whole file)."""
    from mockguard.git import GitError
    from mockguard.git import changed_lines as changed

    try:
        return changed(revision, Path.cwd())
    except GitError as exc:
        raise UsageError(f"--diff {revision}: {exc}") from None


def keep_changed_lines(report: ScanReport, changed: dict[str, set[int] | None]) -> None:
    """Drop the findings outside the changed lines (the baseline was applied to whole files,
    so nothing there is reported gone by mistake)."""
    from mockguard.findings import Finding

    def touched(finding: Finding) -> bool:
        lines = changed.get(os.path.normpath(os.path.abspath(finding.path)), set())
        if lines is None:
            return True
        last = finding.line if finding.code == "MG301" else finding.end_line
        return any(line in lines for line in range(finding.line, last + 1))

    report.findings = [f for f in report.findings if touched(f)]
    report.suppressed = [f for f in report.suppressed if touched(f)]
    if report.baseline is not None:
        report.baseline.baselined = [f for f in report.baseline.baselined if touched(f)]


def update_baseline(
    request: ScanRequest,
    settings: Settings,
    target: Path,
    mode: BaselineMode,
    progress: Progress | None = None,
) -> str:
    """Record the scan's findings in the baseline at `target` (under a lock kept in the
    cache folder): `create` a new one, `update` (only drop gone entries) or `force`
    (rewrite). Returns what was done."""
    from contextlib import ExitStack

    from mockguard.baseline import vanished_under
    from mockguard.io import LockedError, exclusive
    from mockguard.scan.cachedir import CacheDirError, lock_path

    folder = cache_dir(settings)
    with ExitStack() as held:
        try:
            held.enter_context(exclusive(target, lock=lock_path(folder, "baseline")))
        except LockedError as exc:
            raise UsageError(str(exc)) from None
        except CacheDirError as exc:
            raise UsageError(f"cannot lock the baseline: {exc}") from None
        except OSError as exc:
            problem = exc.strerror or exc
            raise UsageError(f"cannot lock the baseline in {folder}: {problem}") from None
        report = scan(request, settings, progress)
        vanished = vanished_under(request.paths, settings.root)
        return _write_baseline(report, target, mode, vanished)


def _write_baseline(
    report: ScanReport,
    target: Path,
    mode: BaselineMode,
    vanished: Callable[[str], bool] = lambda path: False,
) -> str:
    from mockguard.baseline import BaselineEntry, BaselineError, dump, load
    from mockguard.io import write_text

    current = {
        f.fingerprint: BaselineEntry.of(f, report.project_paths.get(f.path, f.path))
        for f in report.findings
    }
    if not os.path.lexists(target):
        if mode == "update":
            raise UsageError(f"{target}: no baseline to update (run `mockguard baseline` first)")
        entries, message = current, f"wrote {target} with {len(current)} findings"
    else:
        try:
            existing = load(target)
        except BaselineError as exc:
            if mode != "force" or not exc.replaceable:
                hint = " (use --force to replace it)" if exc.replaceable else ""
                raise UsageError(f"{exc}{hint}") from None
            existing = {}
        if mode == "create":
            raise UsageError(
                f"{target} already exists: use --update to drop gone entries, "
                "or --force to rewrite it"
            )
        entries, message = _merge_baseline(existing, current, report, target, mode, vanished)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, dump(entries.values()), owned=True)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    return message


def _merge_baseline(
    existing: dict[str, Any],
    current: dict[str, Any],
    report: ScanReport,
    target: Path,
    mode: BaselineMode,
    vanished: Callable[[str], bool] = lambda path: False,
) -> tuple[dict[str, Any], str]:
    """The entries to write over an existing baseline, and what was done. Entries are
    matched to today's findings as `scan --baseline` matches them; an entry of a scanned
    file that matches nothing is gone, and so is one of a deleted file under the scanned
    paths. `update` keeps the matched entries (refreshed from their findings: category and
    context) and adds nothing; `force` writes today's findings."""
    from mockguard.baseline import compare

    scanned = set(report.project_paths.values())
    paths = [(f, report.project_paths.get(f.path, f.path)) for f in report.findings]
    result = compare(paths, existing, scanned, vanished)
    gone = {e.fingerprint for e in result.gone}
    kept = {fp: e for fp, e in existing.items() if e.path not in scanned and fp not in gone}
    if mode == "update":
        entries = {**kept, **{f.fingerprint: current[f.fingerprint] for f, _ in result.matched}}
        message = f"updated {target}: removed {len(gone)} gone entries, {len(entries)} remain"
        if result.new:
            message += f"; {len(result.new)} new findings were not added (use --force to add them)"
        return entries, message
    entries = {**kept, **current}
    message = (
        f"rewrote {target}: added {len(result.new)}, removed {len(gone)}, {len(entries)} in all"
    )
    return entries, message


def dupes(
    request: ScanRequest, settings: Settings, *, min_size: int = 3, similarity: float = 1.0
) -> list[Cluster]:
    """Copies of the same mock setup, largest cluster first, places in project paths."""
    from mockguard.scan.shapes import cluster

    report = scan(replace(request, shapes=True), settings)
    clusters = cluster(report.shapes, min_size=min_size, similarity=similarity)
    return _in_project_paths(clusters, report)


def _in_project_paths(clusters: list[Cluster], report: ScanReport) -> list[Cluster]:
    for group in clusters:
        group.places = [
            replace(p, path=report.project_paths.get(p.path, p.path)) for p in group.places
        ]
    return clusters


def suggest_kinds(request: ScanRequest, settings: Settings, *, min_size: int = 2) -> Suggestions:
    """Kinds for the clusters of copied setups in the scanned paths (`kinds suggest`)."""
    from mockguard.fix.suggest import suggest_kinds as suggest

    clusters = dupes(request, settings, min_size=min_size)
    return suggest(clusters, settings, kind_catalog(settings))


def report_clusters(report: ScanReport, min_size: int = 3) -> list[Cluster]:
    """The clusters of a report scanned with `shapes=True` (for the HTML page)."""
    from mockguard.scan.shapes import cluster

    return _in_project_paths(cluster(report.shapes, min_size=min_size), report)


def plan_fix(
    request: ScanRequest,
    settings: Settings,
    categories: list[str] | None,
    progress: Progress | None = None,
    rewrite_progress: Progress | None = None,
) -> list[FileOutcome]:
    """What `fix` would do to each file with a site to rewrite: the rewritten text, the
    rewrites and the skips. The files are scanned first (in the process pool); only those
    with an MG101 or MG201 finding (of the chosen categories) are parsed again for the codemod, in
    the pool too."""
    from mockguard.fix.runner import FIXED_RULES, rewrite_files
    from mockguard.scan.engine import scan_files

    if categories:
        check_categories(categories, settings)
    found = discover(request.paths, settings)
    request.discovered.files, request.discovered.not_tests = len(found.files), found.not_tests
    wanted: list[str] = []
    scanned = {}
    # Scanned afresh, not from the cache: the plan weighs each site's evidence, which the
    # cache does not keep; each file's findings then serve its plan (no second scan).
    with _progress(progress, len(found.files)) as advance:
        for result in scan_files(found.files, settings, request.jobs, advance, None):
            sites = [f for f in result.findings if f.code in FIXED_RULES]
            if any(not categories or f.category in categories for f in sites):
                wanted.append(result.path)
                if result.digest:
                    scanned[result.path] = (result.digest, sites)
    with _progress(rewrite_progress, len(wanted)) as advance:
        return rewrite_files(wanted, settings, categories, request.jobs, advance, scanned)


def history_rows(
    paths: list[str], settings: Settings, max_commits: int
) -> list[dict[str, Any]] | None:
    """The trend of the scanned paths over git history (at most `max_commits` commits,
    evenly spaced), or None outside a repository."""
    from mockguard.git import GitError
    from mockguard.history import history, repository_root, select_commits

    try:
        top = repository_root(Path(paths[0]).resolve())
        commits = select_commits(top)
        if len(commits) > max_commits:
            step = -(-len(commits) // max_commits)
            commits = select_commits(top, every=step)
        inside = [os.path.relpath(os.path.abspath(t), top) for t in paths]
        run = history(top, settings, commits, paths=[p for p in inside if p != "."])
    except GitError:
        return None
    return [row.as_json() for row in run.commits]


def report_project(paths: list[str], settings: Settings) -> ProjectInfo:
    """What the HTML page's header names: the project (its `[project] name` in the root's
    pyproject.toml, else `[metadata] name` in its setup.cfg, else the scanned folder's
    name), the commit and branch when the root is
    in a git repository, and the time of the scan (now, in UTC)."""
    from datetime import datetime, timezone

    from mockguard.git import GitError, run_git
    from mockguard.report.base import ProjectInfo

    root = settings.root
    if settings.config_path is None and paths and os.path.isdir(paths[0]):
        root = Path(paths[0])
    root = root.resolve()
    name = (
        _package_name(root / "pyproject.toml") or _setup_cfg_name(root / "setup.cfg") or root.name
    )
    commit = branch = ""
    try:
        commit = run_git(["rev-parse", "--verify", "-q", "HEAD"], root).decode().strip()
        branch = (
            run_git(["symbolic-ref", "--short", "-q", "HEAD"], root, allowed_codes=(0, 1))
            .decode("utf-8", "replace")
            .strip()
        )
    except GitError:
        pass
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return ProjectInfo(name=name, commit=commit, branch=branch, scanned_at=now)


def _package_name(pyproject: Path) -> str:
    """`[project] name` of a pyproject.toml, or "" when there is none (or it cannot be read: a
    FIFO or a device is never opened for reading)."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    from mockguard.config import MAX_CONFIG_SIZE
    from mockguard.io import read_regular

    try:
        data = tomllib.loads(read_regular(pyproject, MAX_CONFIG_SIZE).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) else ""


def _setup_cfg_name(setup_cfg: Path) -> str:
    """`[metadata] name` of a setup.cfg, or "" when there is none (or it cannot be read: a
    FIFO or a device is never opened for reading)."""
    import configparser

    from mockguard.config import MAX_CONFIG_SIZE
    from mockguard.io import read_regular

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(read_regular(setup_cfg, MAX_CONFIG_SIZE).decode("utf-8"))
        return parser.get("metadata", "name", fallback="").strip()
    except (OSError, UnicodeDecodeError, configparser.Error):
        return ""


def clear_cache(settings: Settings) -> str:
    """Delete what mockguard wrote in its cache folder (and the folder, when nothing else
    is left); returns what was done. A folder not marked as mockguard's cache, or holding
    a `.git` or a `pyproject.toml`, is refused."""
    from mockguard.scan.cachedir import CacheDirError, clear

    folder = cache_dir(settings)
    try:
        return clear(folder)
    except CacheDirError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot delete {folder}: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class FixWritten:
    """What `fix --write` did: the files written and kept, those reverted by the test check
    (with why), the check's one-line summary (None without `--check-tests`) and what it
    could not do."""

    written: list[FileOutcome]
    reverted: tuple[tuple[FileOutcome, str], ...] = ()
    check: str | None = None
    # Files the check could not put back or rewrite again (edited while the tests ran).
    problems: tuple[str, ...] = ()
    # Files kept with some rewrites taken back: the file, how many, and why.
    narrowed: tuple[tuple[FileOutcome, int, str], ...] = ()


def write_fix(
    outcomes: list[FileOutcome], settings: Settings, check_tests: str | None = None
) -> FixWritten:
    """Write the rewrites (under a lock, all or none). With `check_tests`, a pytest command,
    compare each test's outcome before and after, and revert the files whose rewrite
    changed one (see :mod:`mockguard.fix.check`)."""
    from mockguard.fix import check
    from mockguard.fix.runner import WriteError, narrowed, reapply, restore, write
    from mockguard.io import LockedError, exclusive
    from mockguard.scan.cachedir import CacheDirError, lock_path

    if not any(o.changed for o in outcomes):
        return FixWritten(
            [], check=None if check_tests is None else "nothing to write; tests not run"
        )
    before = check.run_tests(check_tests) if check_tests else None
    try:
        lock = lock_path(cache_dir(settings), "fix")
        with exclusive(settings.root / ".mockguard-fix", lock=lock):
            written = write(outcomes)
            if check_tests is None or before is None:
                return FixWritten(written)
            files = check.Files(restore, reapply, lambda o, keep: narrowed(o, settings, keep))
            verdict = check.check(check_tests, before, written, files)
    except (WriteError, LockedError, CacheDirError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot take the fix lock: {exc.strerror or exc}") from None
    return FixWritten(
        verdict.kept,
        tuple(verdict.reverted),
        verdict.summary,
        tuple(verdict.problems),
        tuple(verdict.narrowed),
    )
