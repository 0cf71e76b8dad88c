"""`fix --write --check-tests CMD`: each test's outcome before and after the rewrite.

CMD is a pytest run. It gets `--junitxml=<report>` through `PYTEST_ADDOPTS`, or, when CMD
holds `{junitxml}`, that placeholder is replaced by the report's path (for runners that do
not pass the environment on, such as tox). Outcomes are keyed by the report's
`classname::name`. When any outcome changed (a failing test that starts passing included),
the suspected rewrites are taken back in stages, in every written file at once, with one
test run to confirm each (kept when it only brought outcomes back): those the changed
tests' tracebacks pass through (`tests/test_a.py:12`, where line 12 holds a rewrite), again
while that helps; then those inside the changed tests' own functions; then those of their
test classes and of the module's helpers and fixtures. For what still differs, the written
files are reverted one at a time, the files holding a changed test first, and the tests
run again after each: a file whose revert brings outcomes back stays reverted, the others
get their rewrite back. A reverted file is then tried again without the rewrites inside the
tests its revert brought back (and then without those of their test classes and the
module's helpers and fixtures): when the tests agree, the rest of its rewrites stay. What
is still taken back is then given back by halves, a half that changes no outcome staying
(at most _GIVE_BACK_RUNS test runs per file): within that budget, each rewrite left taken
back changes an outcome on top of all that is kept, so a second run takes it back again.
Without a report, the exit statuses are compared instead.
"""

from __future__ import annotations

import ast
import difflib
import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from mockguard.fix.plan import Skip, parse_tree, statement_start
from mockguard.fix.runner import FileOutcome, WriteError

PLACEHOLDER = "{junitxml}"
# A test's outcome, from its <testcase> children: the first of these present wins.
_OUTCOMES = (("error", "error"), ("failure", "failed"), ("skipped", "skipped"))
# How many changed tests a revert line names before "and N more".
_NAMED = 3
# The most test runs spent giving one reverted file's rewrites back.
_GIVE_BACK_RUNS = 16
# The skip group of a rewrite taken back because it changed a test's outcome.
REVERTED = "reverted: it changed test outcomes"


@dataclass(frozen=True)
class TestRun:
    """One run of the test command: its exit status and, when it wrote a JUnit XML report,
    each test's outcome (`classname::name` -> passed, failed, error or skipped)."""

    status: int
    outcomes: dict[str, str] | None
    # The failure or error text of each test that did not pass (its traceback).
    tracebacks: dict[str, str] = field(default_factory=dict)


@dataclass
class Verdict:
    """What the check decided: the files kept, those reverted (with why), the files it could
    not handle (edited while the tests ran), and a one-line summary."""

    kept: list[FileOutcome]
    reverted: list[tuple[FileOutcome, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    summary: str = ""
    # Files kept with some of their rewrites taken back: the file, how many, and why.
    narrowed: list[tuple[FileOutcome, int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Files:
    """How the check puts a written file back (`restore`) and rewrites it again
    (`reapply`); both raise :class:`WriteError` for a file edited since."""

    restore: Callable[[FileOutcome], None]
    reapply: Callable[[FileOutcome], None]
    # The file's rewrite with only the rewrites at the given lines (None: none is left).
    narrow: Callable[[FileOutcome, frozenset[int]], FileOutcome | None] | None = None

    def revert(self, outcome: FileOutcome, why: str, verdict: Verdict) -> bool:
        """Put the file back and record why; a file that cannot be is recorded as such."""
        verdict.kept.remove(outcome)
        try:
            self.restore(outcome)
        except WriteError as exc:
            verdict.problems.append(str(exc))
            return False
        verdict.reverted.append((outcome, why))
        return True

    def keep(self, outcome: FileOutcome, verdict: Verdict) -> None:
        """Give a file reverted for a try its rewrite back."""
        try:
            self.reapply(outcome)
        except WriteError as exc:
            verdict.problems.append(str(exc))
            return
        verdict.kept.append(outcome)


def run_tests(command: str) -> TestRun:
    """Run the user's test command once, with a fresh JUnit XML report."""
    folder = tempfile.mkdtemp(prefix="mockguard-tests-")
    report = Path(folder) / "report.xml"
    try:
        env = dict(os.environ)
        if PLACEHOLDER in command:
            command = command.replace(PLACEHOLDER, shlex.quote(str(report)))
        else:
            extra = f"--junitxml={shlex.quote(str(report))}"
            env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} {extra}".strip()
        # The tests' own output is a log of the run, never fix's result (JSON on stdout).
        status = subprocess.run(
            command, shell=True, check=False, env=env, stdout=_log_stream()
        ).returncode
        outcomes, tracebacks = read_report_texts(report)
        return TestRun(status, outcomes, tracebacks)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _log_stream() -> int | None:
    """Standard error's descriptor, for the test command's output (None: inherit)."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor
        return None


def read_report(path: Path) -> dict[str, str] | None:
    """Each test's outcome in a JUnit XML report; None when there is no readable report."""
    return read_report_texts(path)[0]


def read_report_texts(path: Path) -> tuple[dict[str, str] | None, dict[str, str]]:
    """Each test's outcome in a JUnit XML report (None when there is no readable report),
    and the failure or error text of those that did not pass."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None, {}
    outcomes: dict[str, str] = {}
    tracebacks: dict[str, str] = {}
    for case in root.iter("testcase"):
        key = f"{case.get('classname', '')}::{case.get('name', '')}"
        tags = {child.tag for child in case}
        outcomes[key] = next((name for tag, name in _OUTCOMES if tag in tags), "passed")
        texts = [
            f"{child.get('message', '')}\n{child.text or ''}"
            for child in case
            if child.tag in ("failure", "error")
        ]
        if texts:
            tracebacks[key] = "\n".join(texts)
    return outcomes, tracebacks


def _changes(before: TestRun, after: TestRun) -> dict[str, tuple[str, str]]:
    """The tests whose outcome differs (a test that appears or disappears included)."""
    old, new = before.outcomes or {}, after.outcomes or {}
    return {
        test: (old.get(test, "absent"), new.get(test, "absent"))
        for test in sorted(old.keys() | new.keys())
        if old.get(test) != new.get(test)
    }


def check(command: str, before: TestRun, written: list[FileOutcome], files: Files) -> Verdict:
    """Run the tests after the write and revert what changed an outcome."""
    after = run_tests(command)
    statuses = f"exit status {before.status} before, {after.status} after"
    verdict = Verdict(list(written))
    if before.outcomes is None or after.outcomes is None:
        verdict.summary = (
            f"`{command}` wrote no JUnit XML report (CMD must run pytest); compared the exit "
            f"status only: {statuses}"
        )
        if before.status == 0 and after.status != 0:
            for outcome in written:
                files.revert(
                    outcome, f"the tests passed before and fail after ({statuses})", verdict
                )
        return verdict
    changed = _changes(before, after)
    if not changed:
        verdict.summary = (
            f"`{command}`: no test outcome changed ({len(after.outcomes)} test(s); {statuses})"
        )
        return verdict
    verdict.summary = f"`{command}`: {len(changed)} test outcome(s) changed ({statuses})"
    latest = after
    for suspects, rounds in _STAGES:
        for _ in range(rounds):
            blamed = _blame(command, before, latest, changed, verdict, files, suspects)
            if blamed is None:
                break
            changed, latest = blamed
            if not changed:
                break
        if not changed:
            break
    if changed:
        _settle(command, before, changed, verdict, files)
    # a file narrowed first and reverted later is a reverted file
    verdict.narrowed = [entry for entry in verdict.narrowed if entry[0] in verdict.kept]
    return verdict


# Which lines of a written file are suspected of changing the tests (`changed`, as seen in
# the run given), and the words that say why a rewrite there was taken back.
Suspects = tuple[
    Callable[[FileOutcome, dict[str, tuple[str, str]], TestRun], set[int]],
    Callable[[str], str],
]


def _traced(outcome: FileOutcome, changed: dict[str, tuple[str, str]], run: TestRun) -> set[int]:
    """The lines the changed tests' tracebacks pass through."""
    texts = [run.tracebacks.get(test, "") for test in changed]
    return _as_read(outcome, _lines_named(outcome.path, texts))


def _in_tests(outcome: FileOutcome, changed: dict[str, tuple[str, str]], _: TestRun) -> set[int]:
    """The lines of the changed tests' own functions (with their decorators)."""
    return next(iter(_suspect_lines(outcome, changed)), set())


def _around_tests(
    outcome: FileOutcome, changed: dict[str, tuple[str, str]], _: TestRun
) -> set[int]:
    """The lines of the changed tests, their classes and the module's helpers and fixtures."""
    return next(itertools.islice(_suspect_lines(outcome, changed), 1, None), set())


# Each stage takes back, across all the written files at once, the rewrites it suspects,
# and runs the tests again, at most this many times while that helps.
_STAGES: tuple[tuple[Suspects, int], ...] = (
    ((_traced, lambda tests: f"its traceback shows in {tests}"), 4),
    ((_in_tests, lambda tests: tests), 2),
    ((_around_tests, lambda tests: tests), 1),
)


def _blame(
    command: str,
    before: TestRun,
    after: TestRun,
    changed: dict[str, tuple[str, str]],
    verdict: Verdict,
    files: Files,
    suspects: Suspects,
) -> tuple[dict[str, tuple[str, str]], TestRun] | None:
    """Take back at once, in every written file, the rewrites at the lines `suspects` names
    (the lines the changed tests' tracebacks pass through, or the tests' own functions),
    run the tests again, and keep that when it only brought outcomes back: what still
    differs, and that run. None when no rewrite is suspected, or taking them back did not
    help."""
    if files.narrow is None:
        return None
    lines_of, said = suspects
    blamed: list[tuple[FileOutcome, set[int]]] = []
    for outcome in list(verdict.kept):
        hit = {r.line for r in outcome.rewrites} & lines_of(outcome, changed, after)
        if hit:
            blamed.append((outcome, hit))
    if not blamed:
        return None
    tried: list[tuple[FileOutcome, FileOutcome | None]] = []
    try:
        for outcome, hit in blamed:
            files.restore(outcome)
            keep = frozenset({r.line for r in outcome.rewrites} - hit)
            partial = files.narrow(outcome, keep) if keep else None
            if partial is not None:
                files.reapply(partial)
            tried.append((outcome, partial))
    except WriteError as exc:
        verdict.problems.append(str(exc))
        _undo(tried, verdict, files)
        return None
    run = run_tests(command)
    now = _changes(before, run) if run.outcomes is not None else None
    if now is None or not (now.keys() < changed.keys()):  # fewer changed, and none new
        _undo(tried, verdict, files)
        return None
    fixed = {t: c for t, c in changed.items() if t not in now}
    for outcome, partial in tried:
        verdict.kept.remove(outcome)
        verdict.reverted.append((outcome, said(_why(_concerning(outcome, fixed, after) or fixed))))
        if partial is not None:
            _take_back(outcome, partial, verdict)
    return now, run


def _concerning(
    outcome: FileOutcome, tests: dict[str, tuple[str, str]], run: TestRun
) -> dict[str, tuple[str, str]]:
    """The tests that a file holds or whose tracebacks name it."""
    lines = {r.line for r in outcome.rewrites}
    return {
        test: change
        for test, change in tests.items()
        if _holds(outcome.path, test.split("::", 1)[0])
        or lines & _as_read(outcome, _lines_named(outcome.path, [run.tracebacks.get(test, "")]))
    }


def _undo(
    tried: list[tuple[FileOutcome, FileOutcome | None]], verdict: Verdict, files: Files
) -> None:
    """Give the files tried by :func:`_blame` their whole rewrite back."""
    for outcome, partial in tried:
        try:
            if partial is not None:
                files.restore(partial)
            files.reapply(outcome)
        except WriteError as exc:
            verdict.problems.append(str(exc))


def _as_read(outcome: FileOutcome, written: set[int]) -> set[int]:
    """The lines of the file as it was read that lines of the written file came from (the
    rewrite adds an import, so the two number their lines apart)."""
    if not written or outcome.updated is None:
        return written
    lines = _line_map(outcome.original, outcome.updated, outcome.encoding)
    return {lines[line] for line in written if line in lines}


@lru_cache(maxsize=64)
def _line_map(original: bytes, updated: bytes, encoding: str) -> dict[int, int]:
    """Each line of the written file (from 1) -> the line of the file as read it came from,
    for the lines kept or replaced; computed once per written text."""
    try:
        old = original.decode(encoding).splitlines()
        new = updated.decode(encoding).splitlines()
    except (LookupError, UnicodeError):
        return {}
    lines: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for line in range(j1 + 1, j2 + 1):
                lines[line] = i1 + min(line - j1, i2 - i1)
    return lines


def _lines_named(path: str, texts: list[str]) -> set[int]:
    """The lines of the file at `path` that the texts name as `<path>:<line>`."""
    name = Path(path).name
    whole = os.path.normcase(os.path.abspath(path))
    found: set[int] = set()
    pattern = re.compile(rf"([^\s\"'()<>]*{re.escape(name)}):(\d+)")
    for text in texts:
        for match in pattern.finditer(text):
            written = os.path.normcase(os.path.normpath(match.group(1)))
            if whole == written or whole.endswith(os.sep + written.lstrip(os.sep)):
                found.add(int(match.group(2)))
    return found


def _settle(
    command: str,
    before: TestRun,
    changed: dict[str, tuple[str, str]],
    verdict: Verdict,
    files: Files,
) -> None:
    """Revert the written files one at a time, running the tests after each, until no
    outcome differs from before; keep the rewrites whose revert changed nothing."""
    for outcome in _suspects_first(verdict.kept, changed):
        if not files.revert(outcome, "", verdict):
            continue
        run = run_tests(command)
        now = _changes(before, run) if run.outcomes is not None else None
        if now is not None and len(now) < len(changed):
            fixed = {t: c for t, c in changed.items() if now.get(t) != c}
            verdict.reverted[-1] = (outcome, _why(fixed))
            changed = now
            _narrow(command, before, outcome, fixed, changed, verdict, files)
            if not changed:
                return
        else:
            verdict.reverted.pop()
            files.keep(outcome, verdict)
    why = f"outcomes still differ with each file reverted alone: {_why(changed)}"
    for outcome in list(verdict.kept):
        files.revert(outcome, why, verdict)


def _narrow(
    command: str,
    before: TestRun,
    outcome: FileOutcome,
    fixed: dict[str, tuple[str, str]],
    changed: dict[str, tuple[str, str]],
    verdict: Verdict,
    files: Files,
) -> None:
    """Give a reverted file back the rewrites that do not change the tests' outcomes.

    First all but those inside the tests its revert fixed, else all but those inside their
    test classes and the module's other functions; then, among the rewrites still taken
    back, halves and quarters are given back while the tests agree (see :func:`give_back`).
    """
    if files.narrow is None:
        return
    lines = frozenset(r.line for r in outcome.rewrites)
    trials = _Trials(command, before, changed, outcome, files)
    kept: frozenset[int] = frozenset()
    suspects = lines
    tried: set[frozenset[int]] = set()
    try:
        for around in _suspect_lines(outcome, fixed):
            keep = lines - around
            if not keep or keep == lines or keep in tried:
                continue
            tried.add(keep)
            if trials.passes(keep):
                kept, suspects = keep, lines & around
                break
        give_back(sorted(suspects), kept, trials.passes, _GIVE_BACK_RUNS - trials.runs)
    except WriteError as exc:
        verdict.problems.append(str(exc))
    if trials.best is not None:
        _take_back(outcome, trials.best, verdict)


@dataclass
class _Trials:
    """Partial rewrites of one reverted file, each written over the file as read and tried
    against the tests. Between trials the file holds the last one that passed (`best`), or
    the file as read."""

    command: str
    before: TestRun
    changed: dict[str, tuple[str, str]]
    outcome: FileOutcome
    files: Files
    best: FileOutcome | None = None
    runs: int = 0  # test runs spent

    def passes(self, keep: frozenset[int]) -> bool:
        """Whether the file with only the rewrites at `keep` gives the outcomes of
        `changed`; if so that rewrite stays written."""
        files, best = self.files, self.best
        if files.narrow is None:
            return False
        if best is not None:
            files.restore(best)  # narrowing starts from the file as read
        partial = files.narrow(self.outcome, keep)
        if partial is None or not partial.changed:
            if best is not None:
                files.reapply(best)
            return False
        files.reapply(partial)
        self.runs += 1
        run = run_tests(self.command)
        if run.outcomes is not None and _changes(self.before, run) == self.changed:
            self.best = partial
            return True
        files.restore(partial)
        if best is not None:
            files.reapply(best)
        return False


def give_back(
    suspects: Sequence[int],
    kept: frozenset[int],
    passes: Callable[[frozenset[int]], bool],
    runs: int,
) -> frozenset[int]:
    """The rewrites (by line) that can be given back on top of `kept`, by adaptive group
    testing: `suspects` together are known to change outcomes; each half is tried on top
    of what is kept so far, a half that passes is kept whole, one that does not is split
    again. When the first half was kept whole, the second must hold the culprit and is
    split without a try. At most `runs` tries; what is kept has passed its try."""
    found = kept

    def search(part: Sequence[int], failing: bool) -> None:
        nonlocal found, runs
        if not failing:
            if runs <= 0:
                return
            runs -= 1
            if passes(found | frozenset(part)):
                found |= frozenset(part)
                return
        if len(part) <= 1:
            return
        middle = len(part) // 2
        first, second = part[:middle], part[middle:]
        search(first, failing=False)
        search(second, failing=found.issuperset(first))

    search(list(suspects), failing=True)
    return found


def _take_back(outcome: FileOutcome, partial: FileOutcome, verdict: Verdict) -> None:
    """Turn the reverted `outcome` into the kept `partial` rewrite: the rewrites it leaves
    out become skips, with the revert's reason."""
    index = next(i for i, (o, _) in enumerate(verdict.reverted) if o is outcome)
    _, why = verdict.reverted.pop(index)
    kept = {r.line for r in partial.rewrites}
    dropped = [r for r in outcome.rewrites if r.line not in kept]
    outcome.skips.extend(Skip(r.line, r.category, why, REVERTED) for r in dropped)
    outcome.rewrites = [r for r in outcome.rewrites if r.line in kept]
    outcome.updated = partial.updated
    verdict.kept.append(outcome)
    earlier = next((i for i, entry in enumerate(verdict.narrowed) if entry[0] is outcome), None)
    if earlier is None:
        verdict.narrowed.append((outcome, len(dropped), why))
    else:  # narrowed again: one line for the file, its first reason
        _, count, first = verdict.narrowed[earlier]
        verdict.narrowed[earlier] = (outcome, count + len(dropped), first)


def _suspect_lines(outcome: FileOutcome, tests: dict[str, tuple[str, str]]) -> Iterator[set[int]]:
    """The lines of the file the changed tests may have been broken from: first the tests'
    own functions (with their decorators), then also their classes and every function of
    the module that is not a test (helpers and fixtures)."""
    try:
        tree = parse_tree(outcome.original.decode(outcome.encoding))
    except (SyntaxError, ValueError, UnicodeError):
        return
    wanted = [_test_place(outcome.path, test) for test in tests]
    places = [place for place in wanted if place is not None]
    if not places:
        return
    functions: set[int] = set()
    classes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(node.name in owners for owners, _ in places):
            classes |= _span(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            node.name == name for _, name in places
        ):
            functions |= _span(node)
    yield functions
    helpers = (
        _span(node)
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and not node.name.startswith("test")
    )
    yield functions | classes | set().union(*helpers)


def _test_place(path: str, test: str) -> tuple[tuple[str, ...], str] | None:
    """The classes and the function name of a `classname::name` test held in the file at
    `path` (None: the test is in another file)."""
    classname, _, name = test.partition("::")
    parts = tuple(classname.split("."))
    tail = Path(os.path.abspath(path)).with_suffix("").parts
    for k in range(len(parts), 0, -1):
        if k <= len(tail) and parts[:k] == tail[-k:]:
            return parts[k:], name.split("[", 1)[0]
    return None


def _span(node: ast.stmt) -> set[int]:
    """The lines a definition covers, its decorators included."""
    return set(range(statement_start(node)[0], (node.end_lineno or node.lineno) + 1))


def _suspects_first(
    written: list[FileOutcome], changed: dict[str, tuple[str, str]]
) -> list[FileOutcome]:
    """The written files, those holding a changed test first."""
    classnames = [test.split("::", 1)[0] for test in changed]
    holding = [o for o in written if any(_holds(o.path, c) for c in classnames)]
    return holding + [o for o in written if o not in holding]


def _holds(path: str, classname: str) -> bool:
    """Whether a JUnit classname (`tests.test_a` or `tests.test_a.TestCase`) names a test in
    the file at `path`."""
    return _test_place(path, f"{classname}::") is not None


def _why(changes: dict[str, tuple[str, str]]) -> str:
    """`a::t passed -> failed, ... and N more`."""
    named = [f"{test} {old} -> {new}" for test, (old, new) in list(changes.items())[:_NAMED]]
    more = len(changes) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")
