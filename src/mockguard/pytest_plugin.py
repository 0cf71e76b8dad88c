"""The pytest plugin: factory fixtures, `--mockguard` and `--mockguard-verify`.

Registered through the `pytest11` entry point, so it is active wherever mockguard is
installed. It imports the factory only when a fixture or option needs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mockguard.factory import MockFactory, UserExecutionContext

_SETTINGS = pytest.StashKey[Any]()


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
            report = api.scan(api.ScanRequest(files), settings)
            baseline = Path(settings.root) / settings.baseline
            if baseline.exists():
                api.apply_baseline(report, baseline)
        except api.UsageError as exc:
            raise pytest.UsageError(f"mockguard: {exc}") from None
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
        if self.new and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        from mockguard.scan.rules import message

        write = terminalreporter.write_line
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
        lines = "\n".join(f"  {drift}" for drift in drifts)
        raise pytest.UsageError(
            f"mockguard: {len(drifts)} drift(s) between factory kinds and production:\n{lines}"
        )
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"mockguard: kinds verified against production: {', '.join(checked) or 'none'}"
        )


@pytest.fixture
def mock_factory(request: pytest.FixtureRequest) -> Iterator[MockFactory]:
    """A fresh MockFactory per test, with the project's configured kinds and contract."""
    from mockguard.factory import MockFactory

    factory = MockFactory.from_settings(_settings(request.config))
    yield factory
    violations = list(factory.violations)
    factory.events.clear()
    factory.violations.clear()
    if violations:
        listed = "\n".join(f"  {type(v).__name__}: {v}" for v in violations)
        pytest.fail(
            "mockguard: the factory's doubles refused these during the test "
            "(clear mock_factory.violations if the test provokes them on purpose):\n" + listed,
            pytrace=False,
        )


@pytest.fixture
def mock_user_context() -> UserExecutionContext:
    """A real UserExecutionContext with fresh ids."""
    from mockguard.factory import UserExecutionContext

    return UserExecutionContext()


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
