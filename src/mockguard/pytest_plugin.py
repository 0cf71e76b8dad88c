"""The pytest plugin: factory fixtures, `--mockguard` and `--mockguard-verify`.

Registered through the `pytest11` entry point, so it is active wherever mockguard is
installed. Every test gets its own factory, made on first use (by `SSotMockFactory`,
`mockguard.factory.create` or the `mock_factory` fixture) and checked at teardown: a refusal
of its doubles or a coroutine of theirs never awaited fails the test. Nothing the factory
records crosses tests. At the end of the session, the members tests used on the facade's
lenient doubles that the real interfaces lack are listed (the migration to-do list).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mockguard.factory import MockFactory, UserExecutionContext

_SETTINGS = pytest.StashKey[Any]()
_BASE = pytest.StashKey[Any]()  # the session's factory, forked for every test
_MIGRATION = pytest.StashKey[Any]()  # the members lenient doubles were used with
LEGACY_MODES = ("record", "fail")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add mockguard's options."""
    group = parser.getgroup("mockguard")
    group.addoption(
        "--mockguard",
        action="store_true",
        default=False,
        help="Scan the collected test files; fail the run if they hold ad-hoc test doubles "
        "that are not in the baseline.",
    )
    group.addoption(
        "--mockguard-report",
        metavar="PATH",
        default=None,
        help="With --mockguard, write the scan's JSON report to PATH.",
    )
    group.addoption(
        "--mockguard-verify",
        action="store_true",
        default=False,
        help="Before the tests, check every factory kind against its production class; "
        "stop the run on drift.",
    )
    group.addoption(
        "--mockguard-legacy",
        choices=LEGACY_MODES,
        default=None,
        help="What SSotMockFactory's doubles do with members the real interface lacks: "
        "'record' (allow them and list them at the end of the session; the default) or "
        "'fail' (refuse them, as strict doubles do). Overrides mockguard_legacy_members.",
    )
    parser.addini(
        "mockguard_legacy_members",
        help="record (default) or fail: see --mockguard-legacy.",
        default="record",
    )
    parser.addini(
        "mockguard_user_id_paths",
        type="linelist",
        help="Where messages carry user ids, for the contamination guard: keys (user_id), "
        "containers ending in a dot (data.), or dotted paths (meta.owner). "
        "Default: user_id userId data. payload. context.",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the scanning plugin only when `--mockguard` asks for it."""
    if config.getoption("--mockguard"):
        config.pluginmanager.register(MockguardScan(config), "mockguard-scan")


class MockguardScan:
    """Scans the collected test files once collection is done; fails the session on new
    ad-hoc test doubles (the configured baseline is honoured when it exists)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.new: list[Any] = []
        self.report: Any = None
        self.baselined = 0
        self.scanned = 0

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        import os
        from pathlib import Path

        from mockguard import api

        settings = _settings(self.config)
        files = sorted(
            {os.path.relpath(item.path) for item in session.items if item.path.suffix == ".py"}
        )
        if not files:
            return
        try:
            request = api.ScanRequest(files, allow_incomplete=settings.allow_incomplete)
            report = api.scan(request, settings)
            baseline = Path(settings.root) / settings.baseline
            if baseline.exists():
                api.apply_baseline(report, baseline, settings, files)
        except api.UsageError as exc:
            from mockguard.report.safe import printable

            raise pytest.UsageError(printable(f"mockguard: {exc}")) from None
        self.report = report
        self.new = report.findings
        self.baselined = len(report.baseline.baselined) if report.baseline else 0
        self.scanned = report.files_scanned
        target = self.config.getoption("--mockguard-report")
        if target:
            from mockguard.io import write_text
            from mockguard.report import FormatOptions, get_formatter

            write_text(Path(target), get_formatter("json", FormatOptions()).format(report))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        incomplete = self.report is not None and self.report.incomplete
        if (self.new or incomplete) and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        from mockguard.report.safe import printable
        from mockguard.scan.rules import message

        def write(line: str) -> None:
            terminalreporter.write_line(printable(line))

        if self.report is not None and self.report.incomplete:
            for diagnostic in self.report.incomplete:
                write(
                    f"mockguard: {diagnostic.path}: {diagnostic.kind}: {diagnostic.message} "
                    "(not scanned through: its findings may be missing)"
                )
        if not self.new:
            write(
                f"mockguard: no new ad-hoc test doubles in {self.scanned} test files "
                f"({self.baselined} baselined)"
            )
            return
        terminalreporter.section("mockguard: new ad-hoc test doubles", sep="=", red=True)
        for finding in self.new:
            write(
                f"{finding.path}:{finding.line}:{finding.col + 1}: {finding.code} "
                f"{message(finding)} [{finding.category}]"
            )
            write(f"    use instead: {self.report.hint(finding.category)}")
        write(
            f"mockguard: {len(self.new)} new ad-hoc test double(s) in the collected test files "
            f"({self.baselined} baselined); replace them with factory doubles, or record them "
            "with `mockguard baseline --force`"
        )


def _settings(config: pytest.Config) -> Any:
    settings = config.stash.get(_SETTINGS, None)
    if settings is None:
        from mockguard.config import load_settings

        settings = load_settings(start=config.rootpath)
        config.stash[_SETTINGS] = settings
    return settings


def pytest_sessionstart(session: pytest.Session) -> None:
    """With `--mockguard-verify`, stop before any test when a kind has drifted."""
    config = session.config
    if not config.getoption("--mockguard-verify"):
        return
    from mockguard.factory import MockFactory
    from mockguard.factory.verify import verify_kinds

    factory = MockFactory.from_settings(_settings(config))
    found, checked = verify_kinds(factory.kind_objects())
    drifts = [drift for drift in found if drift.breaking]
    if drifts:
        from mockguard.report.safe import printable

        lines = "\n".join(printable(f"  {drift}") for drift in drifts)
        raise pytest.UsageError(
            f"mockguard: {len(drifts)} drift(s) between factory kinds and production:\n{lines}"
        )
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        from mockguard.report.safe import printable

        reporter.write_line(
            printable(
                f"mockguard: kinds verified against production: {', '.join(checked) or 'none'}"
            )
        )


def _legacy_mode(config: pytest.Config) -> str:
    mode = config.getoption("--mockguard-legacy") or config.getini("mockguard_legacy_members")
    mode = str(mode).strip() or "record"
    if mode not in LEGACY_MODES:
        raise pytest.UsageError(
            f"mockguard: mockguard_legacy_members must be one of {', '.join(LEGACY_MODES)}, "
            f"not {mode!r}"
        )
    return mode


def _base_factory(config: pytest.Config) -> MockFactory:
    """The session's factory: configured kinds and contract, read once; each test forks it."""
    base = config.stash.get(_BASE, None)
    if base is None:
        from mockguard.factory import DEFAULT_USER_ID_PATHS, MockFactory

        paths = config.getini("mockguard_user_id_paths") or DEFAULT_USER_ID_PATHS
        base = MockFactory.from_settings(
            _settings(config),
            user_id_paths=paths,
            legacy_members=_legacy_mode(config),  # type: ignore[arg-type]
        )
        config.stash[_BASE] = base
    made: MockFactory = base
    return made


def _test_factory(config: pytest.Config) -> MockFactory:
    from mockguard.factory import default_factory

    return _base_factory(config).fork(overlay=default_factory)


@pytest.fixture(autouse=True)
def _mockguard_test_factory(request: pytest.FixtureRequest) -> Iterator[None]:
    """Bind a fresh factory to this test (made on first use): what `SSotMockFactory`,
    `mockguard.factory.create` and `mock_factory` use. At teardown, the test fails on what
    its doubles refused and on coroutines of theirs never awaited; `default_factory` gets
    back the kinds it had, and nothing it recorded is kept."""
    from mockguard.factory import default_factory
    from mockguard.factory.binding import Binding, bind, unbind

    config = request.config
    binding = Binding(lambda: _test_factory(config))
    kinds = default_factory.snapshot()
    token = bind(binding, test=True)
    try:
        yield
    finally:
        unbind(token)
    problems = default_factory.problems()
    default_factory.restore(kinds)
    made = binding.made
    if made is not None:
        problems = made.problems() + problems
        if made.migration:
            log = config.stash.get(_MIGRATION, None)
            if log is None:
                from mockguard.factory import MigrationLog

                log = config.stash[_MIGRATION] = MigrationLog()
            log.merge(made.migration, request.node.nodeid)
        made.events.clear()
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        pytest.fail(
            "mockguard: the factory's doubles refused these during the test, or returned "
            "coroutines it never awaited (clear mock_factory.violations if the test provokes "
            "a refusal on purpose):\n" + listed,
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """List the members tests used on SSotMockFactory's lenient doubles that the real
    interfaces lack: the migration's to-do list."""
    log = config.stash.get(_MIGRATION, None)
    if not log:
        return
    from mockguard.report.safe import printable

    terminalreporter.section("mockguard: members the real interfaces lack", sep="=", yellow=True)
    for line in log.lines():
        terminalreporter.write_line(printable(line))
    terminalreporter.write_line(
        "mockguard: SSotMockFactory's doubles allowed these (lenient migration mode); bind "
        "each kind to the project's class, change the tests, then make them failures with "
        "--mockguard-legacy=fail (ini: mockguard_legacy_members = fail)"
    )


@pytest.fixture
def mock_factory(request: pytest.FixtureRequest) -> MockFactory:
    """This test's MockFactory, with the project's configured kinds and contract: the same
    factory `SSotMockFactory` serves during the test. Fresh for every test, checked at its
    teardown."""
    from mockguard.factory.binding import bound

    found = bound()
    return found if found is not None else _test_factory(request.config)


@pytest.fixture
def mock_user_context(mock_factory: MockFactory) -> UserExecutionContext:
    """The test's user: a real UserExecutionContext with fresh ids. Doubles made without a
    user belong to it."""
    return mock_factory.test_user


@pytest.fixture
def mock_websocket(mock_factory: MockFactory, mock_user_context: UserExecutionContext) -> Any:
    """A strict websocket for `mock_user_context`; what it sends is in `mock_factory.events`."""
    return mock_factory.create("websocket", mock_user_context)


@pytest.fixture
def mock_db_session(mock_factory: MockFactory, mock_user_context: UserExecutionContext) -> Any:
    """A strict AsyncSession double."""
    return mock_factory.create("database_session", mock_user_context)


@pytest.fixture
def mock_agent(mock_factory: MockFactory, mock_user_context: UserExecutionContext) -> Any:
    """A strict agent double (`await mock_agent.run(context, message)`)."""
    return mock_factory.create("agent", mock_user_context)
