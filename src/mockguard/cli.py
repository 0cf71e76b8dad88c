"""The command line: `mockguard scan`, `rules`, `init`.

Exit codes: 0 nothing found, 1 findings, 2 usage or configuration error. Heavy modules
(rich, the engine) are imported only by the commands that need them.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mockguard import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from mockguard.config import Settings
    from mockguard.findings import Finding
    from mockguard.report.model import ScanReport
    from mockguard.scan.files import Discovery

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

CONFIG_OPTION = click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), help="Use this config file."
)
TEXT_OR_JSON = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def fail(message: str) -> NoReturn:
    """Print a one-line error and exit with the usage/config status."""
    click.echo(f"mockguard: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="mockguard")
def main() -> None:
    """Find, classify and count the ad-hoc test doubles of a Python code base."""


def _settings(config: Path | None, paths: tuple[str, ...]) -> Settings:
    from mockguard.config import ConfigError, load_settings

    start = None
    if paths and os.path.exists(paths[0]):
        first = Path(paths[0])
        start = first if first.is_dir() else first.parent
    try:
        return load_settings(config, start)
    except ConfigError as exc:
        fail(str(exc))


def _color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github", "html"]),
    default=None,
    help="Output format (default: text, or the configured one).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to a file.",
)
@click.option(
    "--explain", is_flag=True, help="Show the evidence that decided each finding's category."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes (0: one per core).",
)
@CONFIG_OPTION
@click.option("--select", help="Comma-separated rule codes to run (overrides the config).")
@click.option("--ignore", help="Comma-separated rule codes to leave out.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the findings, one per line.")
@click.option("--summary", "summary_only", is_flag=True, help="Print only the summary table.")
@click.option(
    "--baseline",
    "use_baseline",
    is_flag=True,
    help="Report and fail only on findings not in the baseline (the configured file).",
)
@click.option(
    "--baseline-file",
    type=click.Path(dir_okay=False),
    help="Use this baseline file (implies --baseline).",
)
@click.option(
    "--diff", "diff_revision", metavar="REV", help="Only findings in lines changed since REV (git)."
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply the exclude patterns to files named on the command line too (pre-commit).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the scan cache.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def scan(
    paths: tuple[str, ...],
    output_format: str | None,
    output: Path | None,
    explain: bool,
    jobs: int | None,
    config: Path | None,
    select: str | None,
    ignore: str | None,
    quiet: bool,
    summary_only: bool,
    use_baseline: bool,
    baseline_file: str | None,
    diff_revision: str | None,
    force_exclude: bool,
    no_cache: bool,
    exit_zero: bool,
    color: str,
    no_progress: bool,
) -> None:
    """Scan PATHS (default: the configured paths, or .) for ad-hoc test doubles."""
    from dataclasses import replace

    settings = _settings(config, paths)
    settings = replace(settings, select=_selection(settings.select, select, ignore))
    targets = _targets(paths, settings)
    changed = _changed_lines(diff_revision) if diff_revision else None
    report = run_scan(
        targets,
        settings,
        jobs,
        progress=not (quiet or no_progress),
        force_exclude=force_exclude,
        only=set(changed) if changed is not None else None,
        use_cache=not (no_cache or explain),  # the cache keeps no evidence
    )
    if use_baseline or baseline_file:
        _apply_baseline(report, _baseline_file(baseline_file or "", settings))
    if changed is not None:
        _keep_changed_lines(report, changed)

    from mockguard.report.base import FormatOptions, get_formatter

    fmt = output_format or settings.format
    options = FormatOptions(
        color=output is None and fmt == "text" and _color(color),
        explain=explain,
        quiet=quiet,
        summary_only=summary_only,
    )
    text = get_formatter(fmt, options).format(report)
    if output is not None:
        from mockguard.atomic import write_text

        try:
            write_text(output, text)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
        if not quiet:
            click.echo(f"mockguard: wrote {output} ({len(report.findings)} findings)", err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_FINDINGS if report.findings and not exit_zero else EXIT_CLEAN)


def _baseline_file(given: str, settings: Settings) -> Path:
    """The baseline path given on the command line, or the configured one (relative to the
    project root)."""
    if given:
        return Path(given)
    return Path(_from_root(settings.baseline, settings))


def _apply_baseline(report: ScanReport, path: Path) -> None:
    from mockguard.baseline import BaselineError, load

    try:
        entries = load(path)
    except BaselineError as exc:
        fail(str(exc))
    report.apply_baseline(entries, str(path))


def _changed_lines(revision: str) -> dict[str, set[int] | None]:
    from mockguard.gitdiff import GitError, changed_lines

    try:
        return changed_lines(revision, Path.cwd())
    except GitError as exc:
        fail(f"--diff {revision}: {exc}")


def _keep_changed_lines(report: ScanReport, changed: dict[str, set[int] | None]) -> None:
    """Drop the findings outside the changed lines (the baseline was applied to whole files,
    so nothing there is reported gone by mistake)."""

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


def _targets(paths: tuple[str, ...], settings: Settings) -> list[str]:
    """The paths given, else the configured ones, else the working directory."""
    return list(paths) or [_from_root(p, settings) for p in settings.paths] or ["."]


def _discover(targets: list[str], settings: Settings, *, force_exclude: bool = False) -> Discovery:
    """The files to work on; a path that does not exist is a one-line error."""
    from mockguard.scan.files import MissingPathError, discover

    try:
        return discover(targets, settings, force_exclude=force_exclude)
    except MissingPathError as exc:
        fail(f"path does not exist: {exc}")


def _from_root(path: str, settings: Settings) -> str:
    full = settings.root / path
    try:
        return os.path.relpath(full)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(full)


def _selection(
    configured: tuple[str, ...], select: str | None, ignore: str | None
) -> tuple[str, ...]:
    from mockguard.scan.rules import RULES

    def codes(raw: str, option: str) -> list[str]:
        picked = [c.strip().upper() for c in raw.split(",") if c.strip()]
        for code in picked:
            if code not in RULES:
                fail(f"{option}: unknown rule '{code}' (known: {', '.join(RULES)})")
        return picked

    chosen = codes(select, "--select") if select is not None else list(configured)
    dropped = set(codes(ignore, "--ignore")) if ignore is not None else set()
    return tuple(c for c in chosen if c not in dropped)


def run_scan(
    targets: list[str],
    settings: Settings,
    jobs: int | None,
    progress: bool,
    *,
    force_exclude: bool = False,
    only: set[str] | None = None,
    use_cache: bool = True,
) -> ScanReport:
    """Discover and scan `targets` (only the files in `only`, absolute paths, when given);
    exits with a one-line error for a missing path."""
    from mockguard.fingerprint import project_path
    from mockguard.report.model import ScanReport, rule_codes
    from mockguard.scan.engine import scan_files

    started = time.perf_counter()
    found = _discover(targets, settings, force_exclude=force_exclude)
    if only is not None:
        found.files = [f for f in found.files if os.path.normpath(os.path.abspath(f)) in only]
    chosen = settings.select
    if "MG401" in chosen and "MG101" not in chosen:
        # Duplicates are found among constructions: scan for them, report only MG401.
        from dataclasses import replace

        settings = replace(settings, select=(*chosen, "MG101"))
    cache = None
    if use_cache:
        from mockguard.scan.cache import ScanCache

        cache = ScanCache.for_settings(settings, _cache_dir(settings))
    report = ScanReport(categories=settings.category_names, rules=rule_codes(settings.select))
    report.diagnostics.extend(found.diagnostics)
    show_progress = progress and sys.stderr.isatty() and len(found.files) >= 200
    if show_progress:
        from rich.progress import Progress

        with Progress(transient=True, console=_stderr_console()) as bar:
            task = bar.add_task("Scanning", total=len(found.files))
            advance = lambda n: bar.advance(task, n)  # noqa: E731
            for result in scan_files(found.files, settings, jobs, advance, cache):
                report.add(result, project_path(result.path, settings.root))
    else:
        for result in scan_files(found.files, settings, jobs, cache=cache):
            report.add(result, project_path(result.path, settings.root))
    if "MG401" in settings.select:
        _add_duplicates(report, settings)
        if "MG101" not in chosen:
            report.findings = [f for f in report.findings if f.code != "MG101"]
            report.suppressed = [f for f in report.suppressed if f.code != "MG101"]
            report.rules = tuple(c for c in report.rules if c != "MG101")
    report.finish()
    report.elapsed = time.perf_counter() - started
    return report


DUPLICATE_MIN_SIZE = 3


def _add_duplicates(report: ScanReport, settings: Settings) -> None:
    """MG401: one finding per copy of a setup built in DUPLICATE_MIN_SIZE+ places."""
    from mockguard.findings import Finding
    from mockguard.fingerprint import fingerprints
    from mockguard.shapes import cluster, report_items

    shown = {project: path for path, project in report.project_paths.items()}
    items = report_items(report)
    sites = {(f.path, f.line): f for f in report.findings if f.code == "MG101"}
    for group in cluster(items, min_size=DUPLICATE_MIN_SIZE):
        constructor = group.shape.constructor
        keys = [(p.path, "MG401", group.category, p.scope, group.shape.key) for p in group.places]
        for place, fingerprint in zip(group.places, fingerprints(keys), strict=True):
            site = sites.get((shown.get(place.path, place.path), place.line))
            if site is None:
                continue
            report.findings.append(
                Finding(
                    path=site.path,
                    line=site.line,
                    col=site.col,
                    end_line=site.end_line,
                    end_col=site.end_col,
                    code="MG401",
                    category=group.category,
                    args=(("constructor", constructor), ("count", str(group.size))),
                    scope=place.scope,
                    fingerprint=fingerprint,
                    snippet=group.shape.key,
                    severity=settings.severity_of("MG401", group.category),
                )
            )


def _cache_dir(settings: Settings) -> Path:
    from mockguard.scan.cache import CACHE_DIR

    return settings.root / (settings.cache_dir or CACHE_DIR)


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


@main.command()
@click.argument("rule", required=False)
@TEXT_OR_JSON
def rules(rule: str | None, output_format: str) -> None:
    """List the rule catalog, or explain one RULE (a code like MG101 or a name)."""
    import json

    from mockguard.scan.rules import RULES, lookup

    if rule is not None:
        found = lookup(rule)
        if found is None:
            import difflib

            close = difflib.get_close_matches(rule.upper(), list(RULES), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            fail(f"unknown rule '{rule}'{hint}; run `mockguard rules` for the catalog")
        if output_format == "json":
            click.echo(json.dumps(_rule_json(found.code), indent=2, sort_keys=True))
            return
        click.echo(f"{found.code} ({found.name})\n")
        click.echo(f"{found.summary}. Default severity: {found.severity}.\n")
        for title, body in found.sections().items():
            click.echo(f"## {title}\n{body}\n")
        return
    if output_format == "json":
        click.echo(json.dumps([_rule_json(code) for code in RULES], indent=2, sort_keys=True))
        return
    width = max(len(r.name) for r in RULES.values())
    for code, item in RULES.items():
        default = "" if item.enabled_by_default else "  (off by default)"
        click.echo(f"{code}  {item.name.ljust(width)}  {item.summary}{default}")


def _rule_json(code: str) -> dict[str, object]:
    from mockguard.scan.rules import RULES

    item = RULES[code]
    return {
        "code": item.code,
        "name": item.name,
        "summary": item.summary,
        "severity": item.severity,
        "enabled_by_default": item.enabled_by_default,
        "sections": item.sections(),
    }


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--file",
    "file_",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The baseline file (default: the configured one).",
)
@click.option("--update", is_flag=True, help="Only remove the entries whose finding is gone.")
@click.option("--force", is_flag=True, help="Rewrite the baseline with today's findings.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None, help="Worker processes.")
@CONFIG_OPTION
def baseline(
    paths: tuple[str, ...],
    file_: Path | None,
    update: bool,
    force: bool,
    jobs: int | None,
    config: Path | None,
) -> None:
    """Record today's findings in PATHS as the baseline, so CI fails only on new ones."""
    from mockguard.locking import LockedError, exclusive

    if update and force:
        fail("--update and --force cannot be used together")
    settings = _settings(config, paths)
    target = file_ or Path(_from_root(settings.baseline, settings))
    try:
        with exclusive(target):
            _write_baseline(paths, settings, target, update, force, jobs)
    except LockedError as exc:
        fail(str(exc))


def _write_baseline(
    paths: tuple[str, ...],
    settings: Settings,
    target: Path,
    update: bool,
    force: bool,
    jobs: int | None,
) -> None:
    from mockguard.atomic import write_text
    from mockguard.baseline import BaselineEntry, BaselineError, dump, load

    targets = _targets(paths, settings)
    report = run_scan(targets, settings, jobs, progress=True)
    current = {
        f.fingerprint: BaselineEntry.of(f, report.project_paths.get(f.path, f.path))
        for f in report.findings
    }
    if not target.exists():
        if update:
            fail(f"{target}: no baseline to update (run `mockguard baseline` first)")
        entries = current
        message = f"wrote {target} with {len(entries)} findings"
    else:
        try:
            existing = load(target)
        except BaselineError as exc:
            if not force:
                fail(f"{exc} (use --force to replace it)")
            existing = {}
        if not (update or force):
            fail(
                f"{target} already exists: use --update to drop gone entries, "
                "or --force to rewrite it"
            )
        scanned = set(report.project_paths.values())
        gone = {fp for fp, e in existing.items() if e.path in scanned and fp not in current}
        added = [fp for fp in current if fp not in existing]
        if update:
            entries = {fp: e for fp, e in existing.items() if fp not in gone}
            message = f"updated {target}: removed {len(gone)} gone entries, {len(entries)} remain"
            if added:
                message += f"; {len(added)} new findings were not added (use --force to add them)"
        else:
            kept = {fp: e for fp, e in existing.items() if e.path not in scanned}
            entries = {**kept, **current}
            message = (
                f"rewrote {target}: added {len(added)}, removed {len(gone)}, {len(entries)} in all"
            )
    try:
        write_text(target, dump(entries.values()))
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    click.echo(f"mockguard: {message}")


@main.command()
@CONFIG_OPTION
@TEXT_OR_JSON
def verify(config: Path | None, output_format: str) -> None:
    """Check every factory kind that names a production class against it (drift).

    This imports the modules named in the config's kinds (interface and production), and
    nothing else of the project."""
    import json

    from mockguard.factory import KindError, MockFactory
    from mockguard.factory.verify import verify_kinds

    settings = _settings(config, ())
    for folder in (settings.root / "src", settings.root):
        if folder.is_dir() and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    try:
        factory = MockFactory.from_settings(settings)
    except KindError as exc:
        fail(str(exc))
    drifts, checked = verify_kinds(factory.kind_objects())
    errors = [d for d in drifts if d.problem == "error"]
    if errors:
        fail("; ".join(str(e) for e in errors))
    if output_format == "json":
        document = {
            "checked": checked,
            "drift": [
                {
                    "kind": d.kind,
                    "member": d.member,
                    "problem": d.problem,
                    "breaking": d.breaking,
                    "detail": d.detail,
                }
                for d in drifts
            ],
        }
        click.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        for drift in drifts:
            click.echo(str(drift))
        breaking = sum(d.breaking for d in drifts)
        notes = len(drifts) - breaking
        verdict = f"{breaking} drift(s)" if breaking else "no drift"
        verdict += f", {notes} note(s)" if notes else ""
        names = ", ".join(checked) if checked else "none (no kind names a `production` class)"
        click.echo(f"Checked {len(checked)} kind(s) against production: {names}; {verdict}.")
    sys.exit(EXIT_FINDINGS if any(d.breaking for d in drifts) else EXIT_CLEAN)


@main.command()
@click.option(
    "--pyproject", is_flag=True, help="Add a [tool.mockguard] section to pyproject.toml instead."
)
@click.option("--force", is_flag=True, help="Overwrite an existing mockguard.toml.")
def init(pyproject: bool, force: bool) -> None:
    """Write a commented starter configuration (mockguard.toml) in the current folder."""
    from mockguard.atomic import write_text
    from mockguard.config import CONFIG_FILE, PYPROJECT, ConfigError, read_config_file
    from mockguard.starter import STARTER, as_pyproject_section

    if pyproject:
        target = Path(PYPROJECT)
        existing = ""
        if target.exists():
            try:
                if read_config_file(target) is not None:
                    fail(f"{target} already has a [tool.mockguard] section")
                existing = target.read_text(encoding="utf-8")
            except ConfigError as exc:
                fail(str(exc))
        text = (
            existing.rstrip("\n") + "\n" + as_pyproject_section()
            if existing
            else as_pyproject_section().lstrip()
        )
    else:
        target = Path(CONFIG_FILE)
        if target.exists() and not force:
            fail(f"{target} already exists (use --force to overwrite it)")
        text = STARTER
    try:
        write_text(target, text)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    click.echo(f"mockguard: wrote a starter configuration to {target}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--min-size",
    type=click.IntRange(min=2),
    default=3,
    show_default=True,
    help="Smallest cluster shown.",
)
@click.option(
    "--similarity",
    type=click.FloatRange(0.0, 1.0),
    default=1.0,
    show_default=True,
    help="Join setups whose configured members overlap this much (Jaccard); 1.0: identical only.",
)
@click.option("--suggest", is_flag=True, help="Print a factory kind for each cluster.")
@TEXT_OR_JSON
@CONFIG_OPTION
def dupes(
    paths: tuple[str, ...],
    min_size: int,
    similarity: float,
    suggest: bool,
    output_format: str,
    config: Path | None,
) -> None:
    """List copies of the same mock setup in PATHS, largest cluster first."""
    import json

    from mockguard.shapes import cluster, collect, suggest_kind

    settings = _settings(config, paths)
    targets = _targets(paths, settings)
    found = _discover(targets, settings)
    clusters = cluster(collect(found.files, settings), min_size=min_size, similarity=similarity)
    if output_format == "json":
        document = [
            {
                "size": c.size,
                "category": c.category,
                "exact": c.exact,
                "constructor": c.shape.constructor,
                "spec": c.shape.spec,
                "members": [{"member": m, "value": k} for m, k in sorted(c.shape.members)],
                "places": [
                    {"path": p.path, "line": p.line, "name": p.name, "scope": p.scope}
                    for p in c.places
                ],
                **({"suggested_kind": suggest_kind(c, i)} if suggest else {}),
            }
            for i, c in enumerate(clusters, 1)
        ]
        click.echo(json.dumps({"clusters": document}, indent=2, sort_keys=True))
        return
    for index, group in enumerate(clusters, 1):
        members = ", ".join(f"{m} ({k})" for m, k in sorted(group.shape.members))
        spec = f"spec={group.shape.spec}" if group.shape.spec else ""
        alike = "identical" if group.exact else f"similar (>= {similarity:.2f})"
        click.echo(f"Cluster {index}: {group.size} {alike} setups [{group.category}]")
        click.echo(f"  {group.shape.constructor}({spec}) configuring {members}")
        for place in group.places:
            click.echo(f"  {place.path}:{place.line}: {place.name} in {place.scope or '<module>'}")
        if suggest:
            click.echo("  factory kind that would serve them:")
            for line in suggest_kind(group, index).splitlines():
                click.echo(f"    {line}")
        click.echo()
    total = sum(c.size for c in clusters)
    click.echo(f"{len(clusters)} cluster(s) of {min_size}+ copied setups, {total} setups in all.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--write", "write_files", is_flag=True, help="Apply the rewrites (default: show the diff)."
)
@click.option("--category", help="Comma-separated categories to rewrite (default: all).")
@click.option(
    "--select", help="Comma-separated rules to rewrite (MG101: a construction and its wiring)."
)
@click.option(
    "--check-tests", metavar="CMD", help="Run CMD before and after writing; revert if it got worse."
)
@CONFIG_OPTION
def fix(
    paths: tuple[str, ...],
    write_files: bool,
    category: str | None,
    select: str | None,
    check_tests: str | None,
    config: Path | None,
) -> None:
    """Rewrite ad-hoc mocks in PATHS into factory calls where a factory kind covers them."""
    from mockguard.fix.runner import FileChangedError, revert, rewrite_file, run_tests, write

    settings = _settings(config, paths)
    if select is not None and "MG101" not in {c.strip().upper() for c in select.split(",")}:
        fail("fix rewrites MG101 sites (a construction and the wiring after it); --select MG101")
    categories = [c.strip() for c in category.split(",") if c.strip()] if category else None
    targets = _targets(paths, settings)
    found = _discover(targets, settings)
    outcomes = [rewrite_file(path, settings, categories) for path in found.files]
    if not write_files:
        for outcome in outcomes:
            if outcome.changed:
                click.echo(outcome.diff(), nl=False)
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"mockguard: {outcome.path}: {outcome.error}", err=True)
    if write_files:
        from mockguard.locking import LockedError, exclusive

        before = run_tests(check_tests) if check_tests else None
        try:
            with exclusive(settings.root / ".mockguard-fix"):
                written = write(outcomes)
        except (FileChangedError, LockedError) as exc:
            fail(str(exc))
        if check_tests is not None:
            after = run_tests(check_tests)
            if before == 0 and after != 0:
                revert(written)
                fail(
                    f"`{check_tests}` passed before and fails after the rewrite "
                    f"(exit {after}): reverted {len(written)} file(s): "
                    + ", ".join(o.path for o in written)
                )
            click.echo(f"mockguard: `{check_tests}` exit status {before} before, {after} after")
        click.echo(f"mockguard: rewrote {len(written)} file(s)")
    _fix_summary(outcomes)


def _fix_summary(outcomes: list[Any]) -> None:
    rewritten: dict[str, int] = {}
    skipped: dict[tuple[str, str], int] = {}
    for outcome in outcomes:
        for rewrite in outcome.rewrites:
            rewritten[rewrite.category] = rewritten.get(rewrite.category, 0) + 1
        for skip in outcome.skips:
            reason = skip.reason.split(" (line")[0].split(":")[0]
            skipped[(skip.category, reason)] = skipped.get((skip.category, reason), 0) + 1
    categories = sorted(set(rewritten) | {c for c, _ in skipped})
    for name in categories:
        reasons = {r: n for (c, r), n in skipped.items() if c == name}
        click.echo(f"{name}: rewritten {rewritten.get(name, 0)}, skipped {sum(reasons.values())}")
        for reason, count in sorted(reasons.items(), key=lambda i: -i[1]):
            click.echo(f"    {count} x {reason}")
    click.echo(f"Rewritten {sum(rewritten.values())}, skipped {sum(skipped.values())}.")


@main.command()
@click.argument("repo", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--since", help="Only commits after this date (git's --since).")
@click.option("--until", help="Only commits before this date (git's --until).")
@click.option(
    "--every", type=click.IntRange(min=1), default=1, show_default=True, help="Every Nth commit."
)
@click.option(
    "--by", type=click.Choice(["day", "week", "month"]), help="The last commit of each period."
)
@click.option("--branch", default="HEAD", show_default=True, help="The branch or revision to walk.")
@click.option("--path", "paths", multiple=True, help="Only files under this path (repeatable).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the blob cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no closing line.")
@CONFIG_OPTION
def history(
    repo: Path | None,
    since: str | None,
    until: str | None,
    every: int,
    by: str | None,
    branch: str,
    paths: tuple[str, ...],
    output_format: str,
    output: Path | None,
    no_cache: bool,
    quiet: bool,
    config: Path | None,
) -> None:
    """Count the ad-hoc test doubles of each commit of REPO (default: .), from git objects."""
    import json

    from mockguard.gitdiff import GitError
    from mockguard.history import history as walk
    from mockguard.history import repository_root, select_commits, to_csv

    started = time.perf_counter()
    try:
        top = repository_root((repo or Path(".")).resolve())
        commits = select_commits(top, branch=branch, since=since, until=until, every=every, by=by)
    except GitError as exc:
        fail(str(exc))
    settings = _settings(config, (str(top),))
    progress = not quiet and sys.stderr.isatty() and len(commits) > 1
    try:
        if progress:
            from rich.progress import Progress

            with Progress(transient=True, console=_stderr_console()) as bar:
                task = bar.add_task("Commits", total=len(commits))
                run = walk(
                    top,
                    settings,
                    commits,
                    paths=paths,
                    use_cache=not no_cache,
                    on_commit=lambda: bar.advance(task),
                )
        else:
            run = walk(top, settings, commits, paths=paths, use_cache=not no_cache)
    except GitError as exc:
        fail(str(exc))
    if output_format == "json":
        text = (
            json.dumps(
                {
                    "commits": [row.as_json() for row in run.commits],
                    "blobs": {"distinct": run.blobs_seen, "scanned": run.blobs_scanned},
                },
                indent=2,
                sort_keys=True,
            )
            + "\n"
        )
    else:
        text = to_csv(run.commits, settings.category_names)
    if output is not None:
        from mockguard.atomic import write_text

        write_text(output, text)
    else:
        click.echo(text, nl=False)
    if not quiet:
        click.echo(
            f"mockguard: {len(run.commits)} commits, {run.blobs_seen} distinct Python blobs, "
            f"{run.blobs_scanned} scanned now, in {time.perf_counter() - started:.2f}s",
            err=True,
        )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML report here.",
)
@click.option(
    "--baseline",
    "use_baseline",
    is_flag=True,
    help="Show new / baselined / gone against the baseline (the configured file).",
)
@click.option(
    "--baseline-file",
    type=click.Path(dir_okay=False),
    help="Use this baseline file (implies --baseline).",
)
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Add the trend over git history.",
)
@click.option(
    "--max-commits",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="At most this many commits in the trend.",
)
@click.option(
    "--dupes/--no-dupes", default=True, show_default=True, help="Add the duplicate setup clusters."
)
@CONFIG_OPTION
def report(
    paths: tuple[str, ...],
    html_path: Path,
    use_baseline: bool,
    baseline_file: str | None,
    history: bool,
    max_commits: int,
    dupes: bool,
    config: Path | None,
) -> None:
    """Write one self-contained HTML report of PATHS: numbers, charts, trend, findings."""
    from mockguard.atomic import write_text
    from mockguard.report.base import FormatOptions
    from mockguard.report.html import HtmlFormatter

    settings = _settings(config, paths)
    targets = _targets(paths, settings)
    scanned = run_scan(targets, settings, jobs=None, progress=True)
    if use_baseline or baseline_file:
        _apply_baseline(scanned, _baseline_file(baseline_file or "", settings))
    clusters = None
    if dupes:
        from mockguard.shapes import cluster, report_items

        clusters = cluster(report_items(scanned), min_size=DUPLICATE_MIN_SIZE)
    rows = _history_rows(targets, settings, max_commits) if history else None
    page = HtmlFormatter(FormatOptions(), clusters, rows).format(scanned)
    try:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        write_text(html_path, page)
    except OSError as exc:
        fail(f"cannot write {html_path}: {exc.strerror or exc}")
    trend = f", {len(rows)} commits of history" if rows else ""
    click.echo(f"mockguard: wrote {html_path} ({len(scanned.census)} findings{trend})")


def _history_rows(
    targets: list[str], settings: Settings, max_commits: int
) -> list[dict[str, Any]] | None:
    """The trend of the scanned paths over git history, or None outside a repository."""
    from mockguard.gitdiff import GitError
    from mockguard.history import history, repository_root, select_commits

    try:
        top = repository_root(Path(targets[0]).resolve())
        commits = select_commits(top)
        if len(commits) > max_commits:
            step = -(-len(commits) // max_commits)
            commits = select_commits(top, every=step)
        inside = [os.path.relpath(os.path.abspath(t), top) for t in targets]
        within = [p for p in inside if p != "."]
        run = history(top, settings, commits, paths=within)
    except GitError:
        return None
    return [row.as_json() for row in run.commits]


@main.group()
def cache() -> None:
    """Manage the scan cache (.mockguard_cache/ at the project root, or `cache-dir`)."""


@cache.command("clear")
@CONFIG_OPTION
def cache_clear(config: Path | None) -> None:
    """Delete the scan cache."""
    import shutil

    from mockguard.scan.cache import CACHE_DIR

    folder = _cache_dir(_settings(config, ()))
    if not folder.exists():
        click.echo(f"mockguard: no cache at {folder}")
        return
    if not (folder / ".gitignore").exists() and folder.name != CACHE_DIR:
        fail(f"{folder} does not look like a mockguard cache; not deleting it")
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        fail(f"cannot delete {folder}: {exc.strerror or exc}")
    click.echo(f"mockguard: deleted {folder}")


def run() -> None:
    """The console script: the CLI, with Ctrl-C ending quietly (exit 130)."""
    try:
        main()
    except KeyboardInterrupt:
        click.echo("mockguard: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    run()
