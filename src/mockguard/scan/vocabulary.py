"""The mock vocabulary: which modules, classes and functions build or patch a test double.

Only names: :mod:`mockguard.scan.resolve` decides what a name in a module refers to.
"""

from __future__ import annotations

from collections.abc import Iterable

MOCK_MODULES = frozenset({"unittest.mock", "mock", "mock.mock", "asynctest", "asynctest.mock"})

# Callables that build a mock object.
CONSTRUCTORS = frozenset(
    {
        "Mock",
        "MagicMock",
        "AsyncMock",
        "NonCallableMock",
        "NonCallableMagicMock",
        "PropertyMock",
        "create_autospec",
        "mock_open",
        "CoroutineMock",
    }
)
# Mock classes a hand-written double may inherit from.
MOCK_CLASSES = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock", "CoroutineMock"}
)
# Names that mean a mock whatever module they are imported from.
DISTINCTIVE = CONSTRUCTORS - {"Mock"}
PATCHERS = frozenset({"patch", "patch.object", "patch.dict", "patch.multiple"})
# The members of pytest-mock's `mocker` that build or patch.
MOCKER_CONSTRUCTORS = CONSTRUCTORS | {"stub", "async_stub"}
MOCKER_PATCHERS = PATCHERS | {"spy"}
MOCKER_PARAMETERS = frozenset(
    {"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"}
)
MOCKER = "pytest_mock.MockerFixture"
MONKEYPATCH = "_pytest.monkeypatch.MonkeyPatch"
# The `fixtures` library's patch fixtures (`self.useFixture(fixtures.MockPatch("a.b"))`),
# however imported: `fixtures.X`, `fixtures._fixtures.mockpatch.X`...
FIXTURES_MODULE = "fixtures"
FIXTURE_PATCHERS = frozenset({"MockPatch", "MockPatchObject", "MockPatchMultiple", "MonkeyPatch"})
# Words a file must hold to be worth parsing for a patch that no mock name announces
# (`monkeypatch.setattr(x, "y", 5)`, `fixtures.MockPatch(...)`): see scan.files.prefilter.
PATCH_WORDS = FIXTURE_PATCHERS | {"monkeypatch", "MonkeyPatch"}
FACTORY_FIXTURE = "<factory>"
# A name bound to a mock object inside a function (`m = MagicMock()`, `with patch(...) as m`).
MOCK_VALUE = "<mock>"
# Names that, used without any import, are assumed to come from unittest.mock.
UNRESOLVED_MOCK_NAMES = CONSTRUCTORS | {"patch", "mock"}


def mock_member(qualname: str, extra_modules: Iterable[str] = ()) -> str | None:
    """The mock API member a qualified name refers to (`MagicMock`, `patch.object`), or None.

    `unittest.mock.patch.object` -> `patch.object`; `tests.support.mock.MagicMock` ->
    `MagicMock` (distinctive names and modules called `mock` re-export unittest.mock).
    """
    for module in (*MOCK_MODULES, *extra_modules):
        if qualname.startswith(module) and qualname[len(module) : len(module) + 1] == ".":
            return qualname[len(module) + 1 :]
    head, _, last = qualname.rpartition(".")
    if not head:
        return None
    if last in DISTINCTIVE:
        return last
    parts = head.split(".")
    for i, part in enumerate(parts):
        if part in ("mock", "mocks"):
            member = ".".join([*parts[i + 1 :], last])
            if member.split(".")[0] in CONSTRUCTORS | {"patch"}:
                return member
    return None


def fixture_patcher(qualname: str) -> str | None:
    """The `fixtures` patch fixture a qualified name refers to (`MockPatchObject`), or None."""
    head, _, last = qualname.rpartition(".")
    if last in FIXTURE_PATCHERS and head.split(".", 1)[0] == FIXTURES_MODULE:
        return last
    return None


def is_mock_module(qualname: str, extra_modules: Iterable[str] = ()) -> bool:
    """True for a module that re-exports the mock API (`unittest.mock`, a configured one)."""
    return qualname in MOCK_MODULES or qualname in extra_modules
