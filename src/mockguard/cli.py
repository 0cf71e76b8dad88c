"""The command line: click options, printing and exit codes; the work is in `mockguard.api`.

Exit codes: 0 nothing found; 1 findings (new findings with a baseline, breaking drift for
`verify`); 2 an error the user can fix (usage, configuration, input, a file or the output
that cannot be written), as one line on stderr; 3 an internal error (a bug), as one line
that says how to get the traceback (`--debug` or MOCKGUARD_DEBUG=1); 130 interrupted
(Ctrl-C); 141 standard output closed by its reader (`mockguard scan | head`), silently, as
a process killed by SIGPIPE would. Heavy modules (rich, the engine) are imported only by
the commands that need them.
"""

from __future__ import annotations

import dataclasses
import io
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mockguard import __version__

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    from mockguard.config import Settings
    from mockguard.fix.runner import FileOutcome
    from mockguard.report import ReportExtras
    from mockguard.report.model import ScanReport
    from mockguard.scan.rules import Rule
    from mockguard.scan.shapes import Cluster

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report `yes | head -1`
DEBUG_ENV = "MOCKGUARD_DEBUG"
# A progress bar is worth showing from this many files on.
PROGRESS_MIN_FILES = 200

CONFIG_OPTION = click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), help="Use this config file."
)
ALL_FILES_OPTION = click.option(
    "--all-files",
    is_flag=True,
    help="Scan every Python file in the folders walked, not only test code (test_*.py, "
    "*_test.py or pytest's python_files, conftest.py, files under tests/ or test/).",
)
TEXT_OR_JSON = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def _say(message: str, said: list[str] | None = None) -> None:
    """One line on stderr, made printable; nothing when stderr itself cannot be written.
    The line is also added to `said`, when given."""
    from mockguard.report.safe import printable

    _note(f"mockguard: {printable(message)}", said)


def _note(line: str, said: list[str] | None = None) -> None:
    """Print a line on stderr as it is (and add it to `said`, when given)."""
    if said is not None:
        said.append(line)
    try:
        click.echo(line, err=True)
    except OSError:
        pass


def fail(message: str) -> NoReturn:
    """Print a one-line error and exit with the usage/config status."""
    _say(f"error: {message}")
    sys.exit(EXIT_ERROR)


class OutputError(OSError):
    """Standard output cannot be written: a full disk, a reader that closed the pipe."""


class _GuardedOutput(io.RawIOBase):
    """Standard output's file descriptor, whose write errors are :class:`OutputError`s, so
    that they are told apart from the errors of the files a command reads and writes. Once
    `discard` is set, what is written goes nowhere (so the last flush at exit succeeds)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.discard = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: ReadableBuffer, /) -> int:
        if self.discard:
            return memoryview(data).nbytes
        try:
            return os.write(self._fd, data)
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from None


def _guard_stdout() -> None:
    """Route standard output through :class:`_GuardedOutput` (on POSIX; elsewhere it is
    left as it is). A closed standard output (`>&-`) gets one whose every write fails."""
    if os.name != "posix":
        return
    stream = sys.stdout
    errors: str | None = "strict"
    if stream is None:  # the interpreter found file descriptor 1 closed
        encoding, line_buffering, fd = "utf-8", False, -1
    elif isinstance(stream, io.TextIOWrapper):
        try:
            fd = stream.fileno()
            stream.flush()
        except (OSError, ValueError):
            return
        encoding, errors, line_buffering = stream.encoding, stream.errors, stream.line_buffering
    else:
        return
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_GuardedOutput(fd)),
        encoding=encoding,
        errors=errors,
        line_buffering=line_buffering,
    )


def _output_failed(exc: OSError) -> int:
    """The exit status for output that cannot be written; what is left unwritten goes
    nowhere, so that the interpreter's last flush does not fail again."""
    import errno

    raw = getattr(getattr(sys.stdout, "buffer", None), "raw", None)
    if isinstance(raw, _GuardedOutput):
        raw.discard = True
    if exc.errno == errno.EPIPE:
        return EXIT_BROKEN_PIPE  # the reader has all it wanted, as with `| head`
    _say(f"error: cannot write the output: {exc.strerror or exc}")
    return EXIT_ERROR


def _internal_error(exc: BaseException, command: str | None, debug: bool) -> int:
    """Report a bug: the traceback with `debug`, and always one line saying what failed
    and how to report it."""
    if debug:
        import traceback

        traceback.print_exception(exc)
    where = f"`mockguard {command}`" if command else "mockguard"
    how = "the traceback above" if debug else f"the traceback that --debug (or {DEBUG_ENV}=1) shows"
    _say(
        f"internal error in {where}: {type(exc).__name__}: {exc}. This is a bug in mockguard "
        f"{__version__}; please report it to its maintainers with {how}."
    )
    return EXIT_INTERNAL


def _os_error(exc: OSError) -> str:
    """An operating-system error as one line: what went wrong and with which file."""
    text = exc.strerror or str(exc)
    if exc.filename is not None:
        name = exc.filename
        text += f": {os.fsdecode(name) if isinstance(name, (str, bytes)) else name}"
    return text


class _Commands(click.Group):
    """The command group, where every outcome of a command becomes its exit status: a
    UsageError from the API, or an error of the operating system, is a one-line error
    (exit 2); output that cannot be written is one too (a closed pipe ends quietly, 141);
    Ctrl-C exits 130; any other exception is a bug (exit 3)."""

    def invoke(self, ctx: click.Context) -> Any:
        from mockguard.api import UsageError

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except UsageError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            _say("interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except OutputError as exc:
            sys.exit(_output_failed(exc))
        except OSError as exc:
            if ctx.params.get("debug"):
                import traceback

                traceback.print_exception(exc)
            fail(_os_error(exc))
        except Exception as exc:
            sys.exit(_internal_error(exc, ctx.invoked_subcommand, bool(ctx.params.get("debug"))))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="mockguard")
@click.option(
    "--debug",
    is_flag=True,
    envvar=DEBUG_ENV,
    help=f"Show the traceback of an internal error (also {DEBUG_ENV}=1).",
)
def main(debug: bool) -> None:
    """Find, classify and count the ad-hoc test doubles of a Python code base."""


def _settings(
    config: Path | None, paths: tuple[str, ...], *, all_files: bool = False, discovers: bool = True
) -> Settings:
    from mockguard.api import load_settings

    return load_settings(config, paths, all_files=all_files, discovers=discovers)


def _discovery_notes(
    paths: list[str],
    settings: Settings,
    discovered: Any,
    *,
    counts: bool = True,
    said: list[str] | None = None,
) -> None:
    """One line on stderr when the folders held no file to scan; with `counts`, one dim
    line saying how many Python files were left out for not being test code. The lines
    are also added to `said`, when given."""
    from mockguard.report.safe import printable

    folders = [p for p in paths if os.path.isdir(p)]
    if discovered.files == 0 and folders:
        where = ", ".join(folders)
        others = discovered.not_tests
        if others:
            files = f"{others} other Python file{'s' if others != 1 else ''}"
            _say(
                f"no Python test files under {where} ({files}: use --all-files to scan them)",
                said,
            )
        else:
            _say(f"no Python files under {where}", said)
        return
    if counts and discovered.not_tests:
        text = f"mockguard: {discovered.not_tests} non-test files not scanned (use --all-files)"
        dim = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
        _note(click.style(printable(text), dim=True) if dim else text, said)


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
    "--show-compliant",
    is_flag=True,
    help="List each compliant factory call after the findings (text; JSON always lists them).",
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
@ALL_FILES_OPTION
@click.option("--no-cache", is_flag=True, help="Neither read nor write the scan cache.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Exit 0 even when a file could not be scanned through (too deep, too large, a "
    "scanner error), so its findings may be missing.",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def scan(**options: Any) -> None:
    """Scan PATHS (default: the configured paths, or .) for ad-hoc test doubles."""
    from dataclasses import replace

    from mockguard import api

    chosen = ScanOptions(**options)
    settings = api.load_settings(chosen.config, chosen.paths, all_files=chosen.all_files)
    settings = replace(
        settings, select=api.select_rules(settings.select, chosen.select, chosen.ignore)
    )
    changed = api.changed_lines(chosen.diff_revision) if chosen.diff_revision else None
    request = api.ScanRequest(
        api.targets(chosen.paths, settings),
        jobs=chosen.jobs,
        force_exclude=chosen.force_exclude,
        only=frozenset(changed) if changed is not None else None,
        use_cache=not (chosen.no_cache or chosen.explain),  # the cache keeps no evidence
        allow_incomplete=chosen.allow_incomplete or settings.allow_incomplete,
    )
    report = api.scan(request, settings, None if chosen.quiet or chosen.no_progress else _bar)
    if chosen.use_baseline or chosen.baseline_file:
        baseline = api.baseline_path(chosen.baseline_file, settings)
        api.apply_baseline(report, baseline, settings, request.paths)
    if changed is not None:
        api.keep_changed_lines(report, changed)
    fmt = chosen.output_format or settings.format
    extras = None
    if fmt == "html":  # the page's header names the project, its commit and branch
        from mockguard.report import ReportExtras

        extras = ReportExtras(project=api.report_project(request.paths, settings))
    printed = _print_report(report, chosen, fmt, extras)
    said: list[str] = []
    if not chosen.quiet:
        _discovery_notes(
            request.paths, settings, request.discovered, counts=fmt == "text", said=said
        )
    if report.incomplete and not chosen.exit_zero:
        kinds = ", ".join(sorted({d.kind for d in report.incomplete}))
        line = (
            f"mockguard: {len({d.path for d in report.incomplete})} file(s) not scanned "
            f"through ({kinds}): their findings may be missing; --allow-incomplete accepts that"
        )
        said.append(line)
        click.echo(line, err=True)
    failed = report.finding_count or report.incomplete
    status = EXIT_FINDINGS if failed and not chosen.exit_zero else EXIT_CLEAN
    if printed is not None and _replayable(chosen, fmt, settings):
        _record(request, settings, report.elapsed, printed, said, status)
    sys.exit(status)


def _replayable(chosen: ScanOptions, fmt: str, settings: Settings) -> bool:
    """Whether a scan with these options can be answered from a record the next time
    (see :mod:`mockguard.scan.replay`): a text summary written uncoloured to a pipe or a
    file, from the cache in its usual place, with nothing but the files to compare."""
    return (
        os.name == "posix"
        and fmt == "text"
        and chosen.summary_only
        and chosen.output is None
        and not (chosen.use_baseline or chosen.baseline_file or chosen.diff_revision)
        and not (chosen.explain or chosen.no_cache)
        and not settings.cache_dir
        and not sys.stdout.isatty()
        and not sys.stderr.isatty()
    )


def _record(
    request: Any, settings: Settings, elapsed: float, printed: str, said: list[str], status: int
) -> None:
    """Record what this scan printed, for the next identical one (when every file was
    served from the cache; see :mod:`mockguard.scan.replay`)."""
    from mockguard.io import write_text
    from mockguard.scan import replay
    from mockguard.scan.cachedir import CACHE_DIR, CacheDirError, machine_key, prepare, usable

    args = click.get_current_context().find_root().obj
    inputs = request.discovered.inputs
    stdout = replay.split_elapsed(printed, elapsed)
    key = machine_key()
    if not isinstance(args, list) or args[:1] != ["scan"] or inputs is None:
        return
    if stdout is None or key is None:
        return
    if settings.config_path is not None:
        inputs = [*inputs, str(settings.config_path)]
    root, here = os.path.realpath(settings.root), os.path.realpath(os.getcwd())
    if os.path.commonpath([root, here]) != root:
        return  # where the next run would not look for it
    made = replay.record_text(key, args, request.paths, inputs, stdout, said, status)
    directory = settings.root / CACHE_DIR
    if made is None or not usable(directory):
        return
    name, text = made
    try:
        prepare(directory)
        write_text(directory / name, text, owned=True)
    except (OSError, CacheDirError):
        pass  # a read-only tree scans fine without a record


@dataclass(frozen=True)
class ScanOptions:
    """The options of `mockguard scan`, as click passes them."""

    paths: tuple[str, ...]
    output_format: str | None
    output: Path | None
    explain: bool
    show_compliant: bool
    jobs: int | None
    config: Path | None
    select: str | None
    ignore: str | None
    quiet: bool
    summary_only: bool
    use_baseline: bool
    baseline_file: str | None
    diff_revision: str | None
    force_exclude: bool
    all_files: bool
    no_cache: bool
    exit_zero: bool
    allow_incomplete: bool
    color: str
    no_progress: bool


def _print_report(
    report: ScanReport, chosen: ScanOptions, fmt: str, extras: ReportExtras | None = None
) -> str | None:
    """Render the report and print it, or write it to `--output`; the text printed, when
    it was printed without colour."""
    from mockguard.report import FormatOptions, get_formatter

    options = FormatOptions(
        color=chosen.output is None and fmt == "text" and _color(chosen.color),
        explain=chosen.explain,
        quiet=chosen.quiet,
        summary_only=chosen.summary_only,
        show_compliant=chosen.show_compliant,
    )
    if fmt == "text" and chosen.summary_only and not chosen.quiet and report.diagnostics:
        # The summary counts the diagnostics in one line instead of listing each one.
        # (A shallow copy: the findings the cache keeps stay stored, not decoded.)
        from copy import copy

        counted = copy(report)
        counted.diagnostics = []
        text = get_formatter(fmt, options).format(counted)
        count = _diagnostics_count(report)
        text += (click.style(count, fg="yellow") if options.color else count) + "\n"
    else:
        text = get_formatter(fmt, options, extras).format(report)
    if chosen.output is None:
        click.echo(text, nl=False)
        return None if options.color else text
    _write(chosen.output, text)
    if not chosen.quiet:
        _say(f"wrote {chosen.output} ({report.finding_count} findings)")
    return None


def _diagnostics_count(report: ScanReport) -> str:
    """The diagnostics of a report in one line: how many, in how many files, of which kinds."""
    kinds: dict[str, int] = {}
    for diagnostic in report.diagnostics:
        kinds[diagnostic.kind] = kinds.get(diagnostic.kind, 0) + 1
    listed = ", ".join(
        f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda i: (-i[1], i[0]))
    )
    total, files = len(report.diagnostics), len({d.path for d in report.diagnostics})
    counted = f"{total} diagnostic{'s' if total != 1 else ''}"
    counted += f" in {files} file{'s' if files != 1 else ''}"
    return f"{counted}: {listed} (run without --summary to list them)"


def _write(path: Path, text: str) -> None:
    from mockguard.io import write_text

    try:
        write_text(path, text)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


@contextmanager
def _bar(
    total: int, label: str = "Scanning", minimum: int = PROGRESS_MIN_FILES
) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long work on a terminal; nothing otherwise."""
    if total < minimum or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


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
            click.echo(json.dumps(_rule_json(found), indent=2, sort_keys=True))
            return
        click.echo(f"{found.code} ({found.name})\n")
        click.echo(f"{found.summary}. Default severity: {found.severity}.\n")
        for title, body in found.sections().items():
            click.echo(f"## {title}\n{body}\n")
        return
    if output_format == "json":
        click.echo(
            json.dumps([_rule_json(rule) for rule in RULES.values()], indent=2, sort_keys=True)
        )
        return
    width = max(len(r.name) for r in RULES.values())
    for code, item in RULES.items():
        default = "" if item.enabled_by_default else "  (off by default)"
        click.echo(f"{code}  {item.name.ljust(width)}  {item.summary}{default}")


def _rule_json(item: Rule) -> dict[str, object]:
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
@ALL_FILES_OPTION
@CONFIG_OPTION
def baseline(
    paths: tuple[str, ...],
    file_: Path | None,
    update: bool,
    force: bool,
    jobs: int | None,
    all_files: bool,
    config: Path | None,
) -> None:
    """Record today's findings in PATHS as the baseline, so CI fails only on new ones."""
    from mockguard import api

    if update and force:
        fail("--update and --force cannot be used together")
    settings = _settings(config, paths, all_files=all_files)
    target = api.baseline_path(file_, settings)
    request = api.ScanRequest(api.targets(paths, settings), jobs=jobs)
    mode: api.BaselineMode = "update" if update else "force" if force else "create"
    from mockguard.report.safe import printable

    done = api.update_baseline(request, settings, target, mode, _bar)
    click.echo(f"mockguard: {printable(done)}")
    _discovery_notes(request.paths, settings, request.discovered)


@main.command()
@CONFIG_OPTION
@TEXT_OR_JSON
def verify(config: Path | None, output_format: str) -> None:
    """Check every factory kind that names a production class against it (drift).

    This imports the modules named in the config's kinds (interface and production), and
    nothing else of the project."""
    from mockguard.factory import KindError, MockFactory
    from mockguard.factory.verify import verify_kinds
    from mockguard.report.safe import json_text, printable

    settings = _settings(config, (), discovers=False)
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
        click.echo(json_text(document, indent=2, sort_keys=True))
    else:
        for drift in drifts:
            click.echo(printable(str(drift)))
        breaking = sum(d.breaking for d in drifts)
        notes = len(drifts) - breaking
        verdict = f"{breaking} drift(s)" if breaking else "no drift"
        verdict += f", {notes} note(s)" if notes else ""
        names = ", ".join(checked) if checked else "none (no kind names a `production` class)"
        click.echo(
            printable(f"Checked {len(checked)} kind(s) against production: {names}; {verdict}.")
        )
    sys.exit(EXIT_FINDINGS if any(d.breaking for d in drifts) else EXIT_CLEAN)


@main.command()
@click.option(
    "--pyproject", is_flag=True, help="Add a [tool.mockguard] section to pyproject.toml instead."
)
@click.option("--force", is_flag=True, help="Overwrite an existing mockguard.toml.")
def init(pyproject: bool, force: bool) -> None:
    """Write a commented starter configuration (mockguard.toml) in the current folder,
    listing the project's own mock factories (classes named *MockFactory with create*
    methods) and the conftest fixtures that hand them out."""
    from mockguard.config import CONFIG_FILE, PYPROJECT, ConfigError, read_config_file
    from mockguard.report.safe import printable
    from mockguard.starter import as_pyproject_section, describe, find_in_house, starter_text

    found = find_in_house(Path.cwd())
    starter = starter_text(found)
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
            existing.rstrip("\n") + "\n" + as_pyproject_section(starter)
            if existing
            else as_pyproject_section(starter).lstrip()
        )
    else:
        target = Path(CONFIG_FILE)
        if target.exists() and not force:
            fail(f"{target} already exists (use --force to overwrite it)")
        text = starter
    _write(target, text)
    for line in describe(found):
        click.echo(printable(f"mockguard: {line}"))
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
@ALL_FILES_OPTION
@CONFIG_OPTION
def dupes(
    paths: tuple[str, ...],
    min_size: int,
    similarity: float,
    suggest: bool,
    output_format: str,
    all_files: bool,
    config: Path | None,
) -> None:
    """List copies of the same mock setup in PATHS, largest cluster first."""
    from mockguard import api
    from mockguard.catalog import kind_catalog
    from mockguard.report.safe import json_text, printable
    from mockguard.shapes import suggest_kind

    settings = _settings(config, paths, all_files=all_files)
    request = api.ScanRequest(api.targets(paths, settings))
    clusters = api.dupes(request, settings, min_size=min_size, similarity=similarity)
    _discovery_notes(request.paths, settings, request.discovered, counts=output_format == "text")
    catalog = kind_catalog(settings)
    if output_format == "json":
        document = [
            _cluster_json(c, suggest_kind(c, i, catalog) if suggest else None)
            for i, c in enumerate(clusters, 1)
        ]
        click.echo(json_text({"clusters": document}, indent=2, sort_keys=True))
        return
    for index, group in enumerate(clusters, 1):
        members = ", ".join(f"{m} ({k})" for m, k in sorted(group.shape.members))
        spec = f"spec={group.shape.spec}" if group.shape.spec else ""
        alike = "identical" if group.exact else f"similar (>= {similarity:.2f})"
        click.echo(printable(f"Cluster {index}: {group.size} {alike} setups [{group.category}]"))
        click.echo(printable(f"  {group.shape.constructor}({spec}) configuring {members}"))
        for place in group.places:
            scope = place.scope or "<module>"
            click.echo(printable(f"  {place.path}:{place.line}: {place.name} in {scope}"))
        if suggest:
            click.echo("  factory kind that would serve them:")
            for line in suggest_kind(group, index, catalog).splitlines():
                click.echo(printable(f"    {line}"))
        click.echo()
    total = sum(c.size for c in clusters)
    click.echo(f"{len(clusters)} cluster(s) of {min_size}+ copied setups, {total} setups in all.")


def _cluster_json(group: Cluster, suggested: str | None) -> dict[str, Any]:
    """One cluster of `dupes --format json`."""
    document: dict[str, Any] = {
        "size": group.size,
        "category": group.category,
        "exact": group.exact,
        "constructor": group.shape.constructor,
        "spec": group.shape.spec,
        "members": [{"member": m, "value": k} for m, k in sorted(group.shape.members)],
        "places": [
            {"path": p.path, "line": p.line, "name": p.name, "scope": p.scope} for p in group.places
        ],
    }
    if suggested is not None:
        document["suggested_kind"] = suggested
    return document


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--write", "write_files", is_flag=True, help="Apply the rewrites (default: show the diff)."
)
@click.option("--category", help="Comma-separated categories to rewrite (default: all).")
@click.option(
    "--select",
    help="Comma-separated rules to rewrite: MG101 (a construction and its wiring), MG102 "
    "(a mock wired onto a real object), MG201 (a patch). Default: all three.",
)
@click.option(
    "--check-tests",
    metavar="CMD",
    help="A pytest command to run before and after writing. Each test's outcome is compared "
    "(CMD gets --junitxml through PYTEST_ADDOPTS, or put {junitxml} where the report path "
    "goes); the rewrites that change an outcome are taken back (those its traceback "
    "names first, then file by file). Without a report, only the exit status is compared.",
)
@ALL_FILES_OPTION
@CONFIG_OPTION
@TEXT_OR_JSON
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None, help="Worker processes.")
def fix(
    paths: tuple[str, ...],
    write_files: bool,
    category: str | None,
    select: str | None,
    check_tests: str | None,
    all_files: bool,
    config: Path | None,
    output_format: str,
    quiet: bool,
    jobs: int | None,
) -> None:
    """Rewrite ad-hoc mocks in PATHS into factory calls where a factory kind covers them."""
    from mockguard import api
    from mockguard.report.safe import printable

    settings = _settings(config, paths, all_files=all_files)
    if select is not None:
        from mockguard.fix.runner import FIXED_RULES

        chosen = {c.strip().upper() for c in select.split(",") if c.strip()}
        if not chosen & set(FIXED_RULES):
            fail(
                "fix rewrites MG101 sites (a construction and the wiring after it), MG102 "
                "sites (a mock wired onto a real object) and MG201 sites (a patch); --select "
                "one or more of MG101, MG102, MG201"
            )
        settings = dataclasses.replace(
            settings, select=tuple(c for c in settings.select if c in chosen)
        )
    categories = [c.strip() for c in category.split(",") if c.strip()] if category else None
    request = api.ScanRequest(api.targets(paths, settings), jobs=jobs)
    bars = (None, None) if quiet else (_bar, lambda total: _bar(total, "Rewriting", 1))
    outcomes = api.plan_fix(request, settings, categories, *bars)
    _discovery_notes(request.paths, settings, request.discovered)

    def say(text: str, err: bool = False) -> None:  # names and code come from the files
        click.echo(printable(text, keep="\t"), err=err)

    as_json = output_format == "json"
    if not write_files and not as_json:
        for outcome in outcomes:
            for line in outcome.diff().split("\n")[:-1] if outcome.changed else []:
                say(line)
    for outcome in outcomes:
        if outcome.error or outcome.note:
            problem = outcome.error or f"left as it is: {outcome.note}"
            say(f"mockguard: {outcome.path}: {problem}", err=True)
    if not write_files:
        _fix_report(outcomes, [], as_json)
        return
    done = api.write_fix(outcomes, settings, check_tests)
    if done.check is not None:
        say(f"mockguard: {done.check}", err=as_json)
    for outcome, why in done.reverted:
        say(f"mockguard: reverted {outcome.path}: {why}", err=True)
    for outcome, count, why in done.narrowed:
        kept = len(outcome.rewrites)
        say(
            f"mockguard: kept {kept} of {kept + count} rewrite(s) in {outcome.path}; "
            f"took back {count}: {why}",
            err=True,
        )
    for problem in done.problems:
        say(f"mockguard: {problem}", err=True)
    if not as_json:
        click.echo(f"mockguard: rewrote {len(done.written)} file(s)")
    _fix_report(outcomes, done.reverted, as_json, written=len(done.written))
    if done.problems:
        fail(f"{len(done.problems)} file(s) changed while the tests ran; see above")
    if done.reverted or done.narrowed:
        taken = sum(count for _, count, _ in done.narrowed)
        partly = f" and {taken} rewrite(s) in {len(done.narrowed)} other" if taken else ""
        fail(f"reverted {len(done.reverted)} file(s){partly} whose rewrite changed test outcomes")


# The reasons a fix summary lists one by one; the rest are counted on one line.
FIX_SUMMARY_REASONS = 10


def _fix_report(
    outcomes: list[FileOutcome],
    reverted: Sequence[tuple[FileOutcome, str]],
    as_json: bool,
    written: int | None = None,
) -> None:
    """What fix did, in at most a screen: the sites rewritten, and the skipped ones grouped
    by reason (with their categories), largest group first; or everything, site by site, as
    JSON. The sites of a file reverted by the test check count as skipped."""
    import json

    from mockguard.fix.check import REVERTED
    from mockguard.report.safe import printable

    undone = {id(o): why for o, why in reverted}
    rewritten: dict[str, int] = {}
    groups: dict[str, dict[str, int]] = {}
    files: list[dict[str, Any]] = []
    for outcome in outcomes:
        skips = [(s.category, s.summary, s.reason, s.line) for s in outcome.skips]
        why = undone.get(id(outcome))
        for rewrite in outcome.rewrites:
            if why is not None:
                skips.append((rewrite.category, REVERTED, why, rewrite.line))
            else:
                rewritten[rewrite.category] = rewritten.get(rewrite.category, 0) + 1
        for category, group, _, _ in skips:
            counts = groups.setdefault(group, {})
            counts[category] = counts.get(category, 0) + 1
        entry: dict[str, Any] = {
            "path": outcome.path,
            "rewrites": [
                {
                    "line": r.line,
                    "category": r.category,
                    "kind": r.kind,
                    "target": r.target,
                    "call": r.call,
                }
                for r in (outcome.rewrites if why is None else [])
            ],
            "skips": [
                {"line": line, "category": c, "group": g, "reason": reason}
                for c, g, reason, line in sorted(skips, key=lambda s: s[3])
            ],
        }
        if outcome.error or outcome.note:
            entry["error" if outcome.error else "note"] = outcome.error or outcome.note
        if why is not None:
            entry["reverted"] = why
        files.append(entry)
    total_skipped = sum(sum(c.values()) for c in groups.values())
    total_rewritten = sum(rewritten.values())
    if as_json:
        document: dict[str, Any] = {
            "rewritten": total_rewritten,
            "skipped": total_skipped,
            "by_category": rewritten,
            "skip_reasons": {g: sum(c.values()) for g, c in groups.items()},
            "files": files,
        }
        if written is not None:
            document["files_written"] = written
        click.echo(json.dumps(document, indent=2, sort_keys=True))
        return
    ordered = sorted(groups.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    for group, counts in ordered[:FIX_SUMMARY_REASONS]:
        by_category = ", ".join(
            f"{c} {n}" for c, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
        )
        click.echo(printable(f"{sum(counts.values()):>7} skipped: {group} ({by_category})"))
    rest = ordered[FIX_SUMMARY_REASONS:]
    if rest:
        count = sum(sum(c.values()) for _, c in rest)
        click.echo(f"{count:>7} skipped for {len(rest)} other reasons (--format json lists them)")
    if rewritten:
        by_category = ", ".join(f"{c} {n}" for c, n in sorted(rewritten.items()))
        click.echo(f"{total_rewritten:>7} rewritten ({by_category})")
    click.echo(f"Rewritten {total_rewritten}, skipped {total_skipped}.")


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
@ALL_FILES_OPTION
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
    all_files: bool,
    config: Path | None,
) -> None:
    """Count the ad-hoc test doubles of each commit of REPO (default: .), from git objects."""
    from contextlib import nullcontext

    from mockguard.git import GitError
    from mockguard.history import history as walk
    from mockguard.history import repository_root, select_commits, to_csv, to_json
    from mockguard.report.safe import printable_lines

    started = time.perf_counter()
    try:
        top = repository_root((repo or Path(".")).resolve())
        commits = select_commits(top, branch=branch, since=since, until=until, every=every, by=by)
        settings = _settings(config, (str(top),), all_files=all_files)
        with nullcontext(None) if quiet else _bar(len(commits), "Commits", 2) as advance:
            run = walk(
                top,
                settings,
                commits,
                paths=paths,
                use_cache=not no_cache,
                on_commit=(lambda: advance(1)) if advance is not None else None,
            )
    except GitError as exc:
        fail(str(exc))
    text = to_json(run) if output_format == "json" else to_csv(run.commits, settings.category_names)
    text = printable_lines(text)
    if output is not None:
        _write(output, text)
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
@ALL_FILES_OPTION
@CONFIG_OPTION
def report(
    paths: tuple[str, ...],
    html_path: Path,
    use_baseline: bool,
    baseline_file: str | None,
    history: bool,
    max_commits: int,
    dupes: bool,
    all_files: bool,
    config: Path | None,
) -> None:
    """Write one self-contained HTML report of PATHS: numbers, charts, trend, findings."""
    from mockguard import api
    from mockguard.report import FormatOptions, ReportExtras, get_formatter
    from mockguard.report.safe import printable

    settings = _settings(config, paths, all_files=all_files)
    targets = api.targets(paths, settings)
    request = api.ScanRequest(targets, shapes=dupes)
    scanned = api.scan(request, settings, _bar)
    _discovery_notes(request.paths, settings, request.discovered)
    if use_baseline or baseline_file:
        api.apply_baseline(scanned, api.baseline_path(baseline_file, settings), settings, targets)
    clusters = api.report_clusters(scanned) if dupes else None
    rows = api.history_rows(targets, settings, max_commits) if history else None
    project = api.report_project(targets, settings)
    extras = ReportExtras(clusters, rows, project)
    page = get_formatter("html", FormatOptions(), extras).format(scanned)
    try:
        html_path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        fail(f"cannot write {html_path}: {html_path.parent} is not a folder")
    except OSError as exc:
        fail(f"cannot write {html_path}: {exc.strerror or exc}")
    _write(html_path, page)
    trend = f", {len(rows)} commits of history" if rows else ""
    click.echo(printable(f"mockguard: wrote {html_path} ({len(scanned.census)} findings{trend})"))


@main.group()
def kinds() -> None:
    """Factory kinds drawn from the suite itself."""


@kinds.command("suggest")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--min-size",
    type=click.IntRange(min=2),
    default=2,
    show_default=True,
    help="Smallest cluster of copied setups considered.",
)
@click.option("--write", "write_config", is_flag=True, help="Add the kinds to the config file.")
@TEXT_OR_JSON
@ALL_FILES_OPTION
@CONFIG_OPTION
def kinds_suggest(
    paths: tuple[str, ...],
    min_size: int,
    write_config: bool,
    output_format: str,
    all_files: bool,
    config: Path | None,
) -> None:
    """Suggest a factory kind for each project class that copied mock setups in PATHS
    stand for, with the setups it would cover; --write adds them to the config."""
    from mockguard import api
    from mockguard.fix.suggest import ConfigWriteError, config_target, write_kinds
    from mockguard.report.safe import json_text, printable

    settings = _settings(config, paths, all_files=all_files)
    request = api.ScanRequest(api.targets(paths, settings))
    found = api.suggest_kinds(request, settings, min_size=min_size)
    _discovery_notes(request.paths, settings, request.discovered, counts=output_format == "text")
    if output_format == "json":
        document = {
            "kinds": [
                {
                    "name": k.name,
                    "interface": k.interface,
                    "category": k.category,
                    "setups": k.setups,
                    "covered": k.covered,
                    "clusters": k.clusters,
                    "missing": dict(k.missing.most_common()),
                    "by_name": k.by_name,
                }
                for k in found.kinds
            ],
            "unnamed": [
                {
                    "category": u.category,
                    "setups": u.setups,
                    "members": list(u.members),
                    "spec": u.spec,
                }
                for u in found.unnamed
            ],
            "configured": found.configured,
        }
        click.echo(json_text(document, indent=2, sort_keys=True))
    else:
        for kind in found.kinds:
            click.echo(
                printable(
                    f"{kind.name}: {kind.interface} [{kind.category}] covers {kind.covered} of "
                    f"{kind.setups} copied setups in {kind.clusters} cluster(s)"
                    + (" (the class their names name)" if kind.by_name else "")
                )
            )
            if kind.missing:
                lacking = ", ".join(f"{m} ({n})" for m, n in kind.missing.most_common(5))
                click.echo(printable(f"    the class has no {lacking}"))
        for interface, name in sorted(found.configured.items()):
            click.echo(printable(f"already configured: {name} follows {interface}"))
        if found.unnamed:
            setups = sum(u.setups for u in found.unnamed)
            click.echo(
                f"{setups} copied setups in {len(found.unnamed)} cluster(s) name no class of "
                "the project (give them a spec=, or register a kind by hand); the largest:"
            )
            for unnamed in found.unnamed[:5]:
                spec = f" spec={unnamed.spec}" if unnamed.spec else ""
                click.echo(
                    printable(
                        f"    {unnamed.setups} [{unnamed.category}]{spec} configuring "
                        f"{', '.join(unnamed.members)}"
                    )
                )
        if not found.kinds:
            click.echo("No kind to suggest: no copied setups name a class of the project.")
    if write_config and found.kinds:
        try:
            path = write_kinds(found.kinds, settings)
        except ConfigWriteError as exc:
            fail(str(exc))
        click.echo(f"mockguard: added {len(found.kinds)} kind(s) to {path}", err=True)
    elif write_config:
        path, _ = config_target(settings)
        click.echo(f"mockguard: nothing added to {path}", err=True)


@main.group()
def cache() -> None:
    """Manage the scan cache (.mockguard_cache/ at the project root, or `cache-dir`)."""


@cache.command("clear")
@CONFIG_OPTION
def cache_clear(config: Path | None) -> None:
    """Delete the scan cache."""
    from mockguard.api import clear_cache
    from mockguard.report.safe import printable

    click.echo(f"mockguard: {printable(clear_cache(_settings(config, (), discovers=False)))}")


def run() -> None:
    """The console script: the CLI, every outcome an exit status (see the module docstring)."""
    sys.exit(_run(sys.argv[1:]))


def _run(args: list[str]) -> int:
    try:
        _guard_stdout()
        try:
            # The command line as given, for a record of the run (see _record).
            status = main.main(args, prog_name="mockguard", standalone_mode=False, obj=list(args))
        except SystemExit as exc:
            status = exc.code
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
    except OutputError as exc:
        return _output_failed(exc)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        return EXIT_ERROR
    except click.ClickException as exc:
        context = getattr(exc, "ctx", None)
        hint = f" (see `{context.command_path} --help`)" if context is not None else ""
        _say(f"error: {exc.format_message()}{hint}")
        return EXIT_ERROR
    except (click.Abort, KeyboardInterrupt):
        _say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        debug = os.environ.get(DEBUG_ENV, "").lower() in {"1", "true", "yes", "on"}
        return _internal_error(exc, None, debug or "--debug" in args)
    if status is None or isinstance(status, int):
        return status or EXIT_CLEAN
    _say(str(status))
    return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    run()
