"""The pytest plugin: factory fixtures, and `--mockguard-verify`.

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
        "--mockguard-verify",
        action="store_true",
        default=False,
        help="Before the tests, check every factory kind against its production class; "
        "stop the run on drift.",
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
