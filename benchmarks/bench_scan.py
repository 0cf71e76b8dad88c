"""Benchmark `mockguard scan` on real, test-heavy projects, side by side with ruff and rg.

Run by hand (never from the test suite), from the repository root:

    .venv/bin/python benchmarks/bench_scan.py                   # 5 runs, copies 1,2,4,8
    .venv/bin/python benchmarks/bench_scan.py --quick           # 3 runs, 1x trees only
    .venv/bin/python benchmarks/bench_scan.py [--runs N] [--copies 1,2,4,8]
        [--projects nova,salt] [--markdown PATH]

Pinned sdists are downloaded from PyPI into benchmarks/.cache/downloads/ (sha256-checked),
unpacked once into benchmarks/.cache/src/, and hard-linked into trees under
benchmarks/.cache/trees/: each project alone, and all of them together copied N times
(`--copies`) for the scale curve. Nothing is fetched or rebuilt when already there; delete
benchmarks/.cache/ to start afresh. For each tree, every pair of commands alternates, and
the medians of `--runs` runs are compared:

- cold: `mockguard scan --no-cache --summary` vs `ruff check --no-cache --select PT --quiet`;
- warm: `mockguard scan --summary` on a primed cache vs `rg -c 'Mock\\('` (2 s after
  priming, and after one untimed warm run: the one that records its output for the next);
- incremental: the warm scan after one test file gained a `MagicMock()` line, vs the warm
  scan path without its record (what a warm run costs when the record does not answer;
  the file is restored afterwards);
- memory: one cold scan vs one ruff run: the peak RSS of the largest process (GNU time's
  %M), and the peak PSS of all processes together (the workers too; sampled in /proc);
- start-up: `mockguard --version` vs `python -c pass`, `mockguard scan <one file>` vs ruff;
- finding counts, from `mockguard scan --format json`: the cached, incremental and copied
  scans must find what the cold scan finds, so a speed-up that loses findings shows.

Every command runs in the tree's folder on `.`, so the mockguard cache is
`<tree>/.mockguard_cache/`. Exit code 1 (findings, or no match for rg) is not a failure.
The Markdown table and the machine come last; `--markdown PATH` writes them to a file too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REPO = HERE.parent
CACHE = HERE / ".cache"
TREES = CACHE / "trees"
MOCKGUARD_CACHE = ".mockguard_cache"
SCAN_PATH = "import mockguard.cli as cli; cli._replayable = lambda *_: False; cli.run()"
from sdists import Project, download, unpack  # noqa: E402

OK_EXIT = (0, 1)  # mockguard and ruff exit 1 on findings, rg on no match
RACY_SECONDS = 2.2  # the scan cache's racy window (2 s), and a little more
SAMPLE_SECONDS = 0.01
# In each tree: the tree is a mockguard project of its own, with the default settings, even
# if a config is ever added above it (the cache then stays in <tree>/.mockguard_cache/).
PROJECT_CONFIG = ("mockguard.toml", "# The default settings (benchmarks/bench_scan.py).\n")
SMALL_TEST = """\
from unittest import mock


def test_small():
    client = mock.MagicMock()
    client.get.return_value = 1
    assert client.get() == 1
"""


NOVA_SHA256 = "4c13bfd6be60ed110c973a8bf94532740ba746bd4d0e1a415e9bf2b6fef5bc24"
SALT_SHA256 = "0259deafd601d783721e5aa8ed10677d8c4d6cc12f5de17499af71590d593315"
PROJECTS = {
    project.name: project
    for project in (Project("nova", "31.0.0", NOVA_SHA256), Project("salt", "3008.5", SALT_SHA256))
}


@dataclass(frozen=True)
class Tools:
    mockguard: str
    ruff: str
    rg: str
    python: str
    time: str  # GNU time


@dataclass(frozen=True)
class Tree:
    label: str
    path: Path
    sources: tuple[Path, ...]
    copies: int
    scaled: bool  # one of the combined trees of the scale curve


@dataclass(frozen=True)
class Place:
    """Where a measurement ran: the tree's label, its Python files and their size."""

    label: str
    files: int
    mb: float


@dataclass(frozen=True)
class Goal:
    text: str
    met: Callable[[float, float], bool]  # (mockguard, anchor) -> met?


COLD = Goal("<= 2.0x ruff", lambda mine, anchor: mine <= 2.0 * anchor)
WARM = Goal("<= 2.0x rg", lambda mine, anchor: mine <= 2.0 * anchor)
INCREMENTAL = Goal("< 3.0x warm", lambda mine, anchor: mine < 3.0 * anchor)
MEMORY = Goal("< ruff", lambda mine, anchor: mine < anchor)
STARTUP = Goal("< 150 ms", lambda mine, anchor: mine < 0.150)


@dataclass(frozen=True)
class Row:
    scenario: str
    place: Place
    mine: str
    anchor: str
    ratio: float
    goal: str
    met: bool
    value: float  # mockguard's, unformatted


@dataclass(frozen=True)
class Counts:
    """The summary of one JSON report."""

    scanned: int
    parsed: int
    with_findings: int
    findings: int
    by_rule: tuple[tuple[str, int], ...]

    def times(self, factor: int) -> Counts:
        return Counts(
            self.scanned * factor,
            self.parsed * factor,
            self.with_findings * factor,
            self.findings * factor,
            tuple((rule, count * factor) for rule, count in self.by_rule),
        )


@dataclass(frozen=True)
class TreeResult:
    tree: Tree
    place: Place
    rows: list[Row]
    counts: Counts
    cache_mb: float
    problems: list[str]


# ------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def mebibytes(kib: float) -> str:
    return f"{kib / 1024:.0f} MB"


def run(argv: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(argv, cwd=cwd, capture_output=True)
    if done.returncode not in OK_EXIT:
        error = done.stderr.decode(errors="replace").strip()
        raise SystemExit(f"{' '.join(argv)} (in {cwd}) exited {done.returncode}: {error}")
    return done


def timed(argv: Sequence[str], cwd: Path) -> float:
    started = time.perf_counter()
    run(argv, cwd)
    return time.perf_counter() - started


def side_by_side(
    runs: int, mine: Callable[[], float], anchor: Callable[[], float]
) -> tuple[float, float]:
    """Medians of `runs` alternating runs of the two measurements."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        ours.append(mine())
        theirs.append(anchor())
    return statistics.median(ours), statistics.median(theirs)


def make_row(
    scenario: str,
    place: Place,
    mine: float,
    anchor: float,
    goal: Goal,
    show: Callable[[float], str] = seconds,
) -> Row:
    ratio = mine / anchor if anchor else float("inf")
    met = goal.met(mine, anchor)
    return Row(scenario, place, show(mine), show(anchor), ratio, goal.text, met, mine)


def remove_cache(tree: Path) -> None:
    shutil.rmtree(tree / MOCKGUARD_CACHE, ignore_errors=True)


def size_on_disk(folder: Path, seen: set[tuple[int, int]]) -> int:
    """Bytes allocated under `folder`, each inode counted once across calls (hard links)."""
    total = 0
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            info = os.lstat(os.path.join(root, name))
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_blocks * 512
    return total


def python_files(folder: Path, label: str) -> Place:
    files, size = 0, 0
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != MOCKGUARD_CACHE]
        for name in names:
            if name.endswith(".py"):
                files += 1
                size += os.lstat(os.path.join(root, name)).st_size
    return Place(label, files, size / 1e6)


# ------------------------------------------------------------------------- corpus


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def repository_boundary() -> None:
    """Make trees/ a (empty) git repository of its own. mockguard, like git, applies the
    .gitignore of the enclosing repository, which ignores benchmarks/.cache/, and would
    find no file in the trees; ruff and rg apply no ignore file to the paths they are given."""
    if not (TREES / ".git").exists():
        TREES.mkdir(parents=True, exist_ok=True)
        run(["git", "init", "--quiet", str(TREES)], TREES)


def build(tree: Tree) -> None:
    """Hard-link the sources into copy-1/ .. copy-N/ (cheap on disk), unless already built."""
    if tree.path.is_dir():
        return
    log(f"building {tree.path.name}")
    staging = tree.path.with_name(tree.path.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    for copy in range(1, tree.copies + 1):
        for source in tree.sources:
            target = staging / f"copy-{copy}" / source.name
            shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)
    own_project(staging)
    staging.rename(tree.path)


def own_project(folder: Path) -> None:
    name, text = PROJECT_CONFIG
    (folder / name).write_text(text, encoding="utf-8")


def plan(projects: Sequence[Project], sources: Sequence[Path], copies: Sequence[int]) -> list[Tree]:
    trees: list[Tree] = []
    if len(sources) > 1:
        for project, source in zip(projects, sources, strict=True):
            trees.append(Tree(project.name, TREES / source.name, (source,), 1, scaled=False))
    label = "+".join(project.name for project in projects)
    stem = "+".join(source.name for source in sources)
    for n in copies:
        trees.append(Tree(f"{label} x{n}", TREES / f"{stem}-x{n}", tuple(sources), n, scaled=True))
    return trees


# ------------------------------------------------------------------------- measures


def scan_counts(tools: Tools, tree: Path, *options: str) -> tuple[Counts, list[str]]:
    """The JSON report's summary, and the paths of the files with findings."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder, "report.json")
        command = [tools.mockguard, "scan", "--all-files", "--format", "json", *options]
        run([*command, "-o", str(report), "."], tree)
        data = json.loads(report.read_text(encoding="utf-8"))
    summary, files = data["summary"], data["summary"]["files"]
    counts = Counts(
        files["scanned"],
        files["parsed"],
        files["with_findings"],
        summary["findings"],
        tuple(sorted(summary["by_rule"].items())),
    )
    return counts, sorted({finding["path"] for finding in data["findings"]})


@contextmanager
def one_more_mock(path: Path, tag: str) -> Iterator[None]:
    """Append a fresh `MagicMock()` line to `path`, then restore it. The file is replaced,
    never written in place: it shares its inode with the other copies and the sources."""
    original = path.read_bytes()
    info = path.stat()
    line = f"\n_mockguard_bench_{tag} = MagicMock()\n".encode()
    path.unlink()
    path.write_bytes(original + line)
    try:
        yield
    finally:
        path.unlink()
        path.write_bytes(original)
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def descendants_pss_kib(root: int) -> int:
    """PSS of all the descendants of `root` together, from /proc (0 where there is none)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    family, grown = {root}, True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in family} - family
        family |= children
        grown = bool(children)
    return sum(pss_kib(pid) for pid in family - {root})


def pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def peak_memory(tools: Tools, argv: Sequence[str], cwd: Path) -> tuple[int, int]:
    """KiB at the peak of one run: the RSS of its largest process, as GNU time reports it,
    and the PSS of all its processes together, sampled every 10 ms. Not the rusage of a child
    of this process: a child forked from it inherits its high-water mark, until `exec` and
    after (Linux keeps the larger), and this process holds the large JSON reports."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder, "maxrss")
        command = [tools.time, "-f", "%M", "-o", str(output), *argv]
        child = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        pss = 0
        while child.poll() is None:
            pss = max(pss, descendants_pss_kib(child.pid))
            time.sleep(SAMPLE_SECONDS)
        if child.returncode not in OK_EXIT:
            raise SystemExit(f"{' '.join(argv)} (in {cwd}) exited {child.returncode}")
        rss = int(output.read_text().split()[-1])  # after "Command exited with ..." if any
    return rss, pss


def cold_rows(tools: Tools, tree: Path, place: Place, runs: int) -> list[Row]:
    # --all-files: every file, as ruff checks every file (the default scans test files only)
    scan = [tools.mockguard, "scan", "--no-cache", "--all-files", "--summary", "."]
    ruff = [tools.ruff, "check", "--no-cache", "--select", "PT", "--quiet", "."]

    def mine() -> float:
        remove_cache(tree)
        return timed(scan, tree)

    times = side_by_side(runs, mine, lambda: timed(ruff, tree))
    rss, pss = peak_memory(tools, scan, tree)
    ruff_rss, ruff_pss = peak_memory(tools, ruff, tree)
    return [
        make_row("cold scan vs ruff PT", place, *times, COLD),
        make_row("peak RSS, largest process", place, rss, ruff_rss, MEMORY, mebibytes),
        make_row("peak PSS, all processes", place, pss, ruff_pss, MEMORY, mebibytes),
    ]


def warm_rows(tools: Tools, tree: Path, place: Place, runs: int, target: Path) -> list[Row]:
    scan = [tools.mockguard, "scan", "--all-files", "--summary", "."]
    rg = [tools.rg, "-c", r"Mock\(", "."]
    remove_cache(tree)
    run(scan, tree)  # primes the cache
    # What priming wrote (the cache folder) must be older than the cache's racy window
    # before a rescan trusts it enough to record its output for the next one: a warm
    # rescan is one that finds nothing changed lately.
    time.sleep(RACY_SECONDS)
    run(scan, tree)  # records
    warm, anchor = side_by_side(runs, lambda: timed(scan, tree), lambda: timed(rg, tree))
    # The scan path a warm run takes when its record does not answer (an edit, another
    # command): the command line run with recording switched off.
    unrecorded = [tools.python, "-c", SCAN_PATH, *scan[1:]]
    changed: list[float] = []
    plain: list[float] = []
    for serial in range(runs):
        with one_more_mock(target, str(serial)):
            changed.append(timed(scan, tree))
        plain.append(timed(unrecorded, tree))
    plain_warm = statistics.median(plain)
    return [
        make_row("warm scan vs rg -c", place, warm, anchor, WARM),
        make_row("warm scan path, no record, vs rg -c", place, plain_warm, anchor, WARM),
        make_row(
            "incremental (1 file) vs warm scan path",
            place,
            statistics.median(changed),
            plain_warm,
            INCREMENTAL,
        ),
    ]


def check_cache(tools: Tools, tree: Path, cold: Counts, target: Path) -> list[str]:
    """The cached scan must find what the cold scan finds, and one more mock after an edit."""
    problems: list[str] = []
    warm, _ = scan_counts(tools, tree)
    if warm != cold:
        problems.append(f"warm scan found {warm}, cold scan {cold}")
    with one_more_mock(target, "check"):
        edited, _ = scan_counts(tools, tree)
    if edited.findings != cold.findings + 1:
        problems.append(f"after the edit: {edited.findings} findings, expected {cold.findings + 1}")
    return problems


def bench_tree(tools: Tools, tree: Tree, runs: int) -> TreeResult:
    path = tree.path
    place = python_files(path, tree.label)
    remove_cache(path)
    log(f"{tree.label}: {place.files} Python files, {place.mb:.1f} MB; counting")
    cold, paths = scan_counts(tools, path, "--no-cache")  # also warms the OS file cache
    tests = [p for p in paths if os.path.basename(p).startswith("test_")] or paths
    if not tests:
        raise SystemExit(f"{tree.label}: no findings, nothing to edit for the incremental run")
    target = path / tests[0]
    log(f"{tree.label}: cold and memory")
    rows = cold_rows(tools, path, place, runs)
    log(f"{tree.label}: warm and incremental (edits {tests[0]})")
    rows += warm_rows(tools, path, place, runs, target)
    problems = check_cache(tools, path, cold, target)
    cache_mb = size_on_disk(path / MOCKGUARD_CACHE, set()) / 1e6
    remove_cache(path)
    return TreeResult(tree, place, rows, cold, cache_mb, problems)


def startup_rows(tools: Tools, runs: int) -> list[Row]:
    folder = CACHE / "startup"
    folder.mkdir(parents=True, exist_ok=True)
    small = folder / "test_small.py"
    small.write_text(SMALL_TEST, encoding="utf-8")
    own_project(folder)
    place = Place("1 small file", 1, len(SMALL_TEST) / 1e6)
    runs = max(runs, 10)  # cheap, and noisier than the scans
    version = side_by_side(
        runs,
        lambda: timed([tools.mockguard, "--version"], folder),
        lambda: timed([tools.python, "-c", "pass"], folder),
    )
    scan = [tools.mockguard, "scan", small.name]
    run(scan, folder)  # primes the cache, as in a pre-commit hook
    ruff = [tools.ruff, "check", "--no-cache", "--select", "PT", "--quiet", small.name]
    scanned = side_by_side(runs, lambda: timed(scan, folder), lambda: timed(ruff, folder))
    return [
        make_row("start-up --version vs python -c pass", place, *version, STARTUP),
        make_row("start-up scan 1 file vs ruff", place, *scanned, STARTUP),
    ]


def scale_problems(results: Sequence[TreeResult]) -> list[str]:
    """Copies find copies: xN finds N times what x1 finds, and x1 what the projects alone do."""
    alone = [r for r in results if not r.tree.scaled]
    combined = {r.tree.copies: r for r in results if r.tree.scaled}
    problems: list[str] = []
    one = combined.get(1)
    if one is not None and len(alone) > 1:
        total = sum(r.counts.findings for r in alone)
        if one.counts.findings != total:
            problems.append(f"{one.tree.label}: {one.counts.findings} findings, alone {total}")
    for copies, result in combined.items():
        if one is not None and result.counts != one.counts.times(copies):
            problems.append(
                f"{result.tree.label}: {result.counts}, expected {copies} x {one.counts}"
            )
    return problems


# ------------------------------------------------------------------------- report


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def results_table(rows: Sequence[Row]) -> list[str]:
    header = ["scenario", "tree", "files", "MB", "mockguard", "anchor", "ratio", "goal", "met?"]
    return markdown_table(header, [row_cells(row) for row in rows])


def row_cells(row: Row) -> list[str]:
    place, met = row.place, "yes" if row.met else "**no**"
    size, ratio = f"{place.mb:.1f}", f"{row.ratio:.2f}x"
    return [
        row.scenario,
        place.label,
        str(place.files),
        size,
        row.mine,
        row.anchor,
        ratio,
        row.goal,
        met,
    ]


def counts_table(results: Sequence[TreeResult]) -> list[str]:
    rules = sorted({rule for r in results for rule, _ in r.counts.by_rule})
    header = ["tree", "scanned", "parsed", "with findings", "findings", *rules, "cache MB"]
    cells = []
    for r in results:
        by_rule = dict(r.counts.by_rule)
        c = r.counts
        cells.append(
            [r.tree.label, str(c.scanned), str(c.parsed), str(c.with_findings), str(c.findings)]
            + [str(by_rule.get(rule, 0)) for rule in rules]
            + [f"{r.cache_mb:.1f}"]
        )
    return markdown_table(header, cells)


def growth(results: Sequence[TreeResult]) -> list[str]:
    """How the cold scan's time and memory grow with the copies, against the first tree."""
    scaled = [r for r in results if r.tree.scaled]
    if len(scaled) < 2:
        return []
    base = scaled[0].rows[:3]  # cold time, RSS, PSS: as cold_rows makes them
    first = scaled[0].tree.label
    lines = [f"Growth with the copies, cold scan (mockguard / ruff; x: against {first}):", ""]
    for r in scaled:
        cold, rss, pss = r.rows[:3]
        factors = [row.value / start.value for row, start in zip(r.rows[:3], base, strict=True)]
        lines.append(
            f"- x{r.tree.copies}: time {cold.mine} / {cold.anchor} ({factors[0]:.1f}x),"
            f" RSS of the largest process {rss.mine} / {rss.anchor} ({factors[1]:.1f}x),"
            f" PSS of all processes {pss.mine} / {pss.anchor} ({factors[2]:.1f}x)"
        )
    return lines


def first_line(argv: Sequence[str]) -> str:
    """The first line the command prints, or "" (not installed, or nothing printed)."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return next(iter(done.stdout.splitlines()), "")


def machine(tools: Tools) -> list[str]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = first_line(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"])
    return [
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"os.cpu_count() = {os.cpu_count()}, {platform.machine()}, {memory:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        f"- {first_line([tools.mockguard, '--version'])} at {commit}"
        + (" with uncommitted changes in src/" if dirty else ""),
        f"- {first_line([tools.ruff, '--version'])}; {first_line([tools.rg, '--version'])}",
    ]


def disk(results: Sequence[TreeResult]) -> list[str]:
    seen: set[tuple[int, int]] = set()
    parts = {name: size_on_disk(CACHE / name, seen) for name in ("downloads", "src", "trees")}
    total = sum(parts.values()) + size_on_disk(CACHE, seen)
    apparent = sum(r.place.mb for r in results)
    mb = {name: f"{size / 1e6:.0f} MB" for name, size in parts.items()}
    return [
        f"Disk: benchmarks/.cache/ holds {total / 1e6:.0f} MB: downloads {mb['downloads']},"
        f" unpacked {mb['src']}, trees {mb['trees']} more (hard links; {apparent:.0f} MB of"
        " Python files in them)."
    ]


def report(results: Sequence[TreeResult], startup: Sequence[Row], tools: Tools) -> list[str]:
    rows = [row for r in results for row in r.rows] + list(startup)
    problems = [p for r in results for p in r.problems] + scale_problems(results)
    lines = ["## mockguard scan benchmark", "", *results_table(rows), ""]
    lines += ["Finding counts (cold JSON report):", "", *counts_table(results), ""]
    lines += [f"Count checks: {'all agree' if not problems else 'MISMATCH'}"]
    lines += [f"- {problem}" for problem in problems] + [""]
    growth_lines = growth(results)
    lines += growth_lines + ([""] if growth_lines else [])
    lines += [*disk(results), "", "Machine:", "", *machine(tools)]
    return lines


# ------------------------------------------------------------------------- main


def find_tools() -> Tools:
    def which(name: str, package: str) -> str:
        found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
        if found is None:
            raise SystemExit(f"{name} is not installed ({package})")
        return found

    return Tools(
        which("mockguard", "pip install -e ."),
        which("ruff", "pip install ruff"),
        which("rg", "apt-get install ripgrep"),
        sys.executable,
        which("time", "GNU time: apt-get install time"),
    )


def int_list(text: str) -> list[int]:
    values = sorted({int(part) for part in text.split(",") if part.strip()})
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError("expected positive integers, e.g. 1,2,4,8")
    return values


def name_list(text: str) -> list[Project]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in PROJECTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(PROJECTS)}")
    return [PROJECTS[name] for name in dict.fromkeys(names)]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs, 1x trees only")
    parser.add_argument("--runs", type=int, help="runs per measure (default 5, quick 3)")
    parser.add_argument("--copies", type=int_list, default=[1, 2, 4, 8], help="e.g. 1,2,4,8")
    parser.add_argument("--projects", type=name_list, default=list(PROJECTS.values()))
    parser.add_argument("--markdown", type=Path, help="write the report to this file too")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.quick:
        args.copies = [1]
    return args


def compile_bytecode(tools: Tools) -> None:
    """Compile mockguard's modules, as installing it does: with PYTHONDONTWRITEBYTECODE set
    (or an editable install never imported) every run would compile them again, which
    measures the compiler, not the tool."""
    find = "import mockguard, os; print(os.path.dirname(mockguard.__file__))"
    package = subprocess.run(
        [tools.python, "-c", find], capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run([tools.python, "-m", "compileall", "-q", package], check=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started, load = time.perf_counter(), os.getloadavg()[0]
    tools = find_tools()
    compile_bytecode(tools)
    sources = [unpack(project, download(project)) for project in args.projects]
    repository_boundary()
    trees = plan(args.projects, sources, args.copies)
    for tree in trees:
        build(tree)
    results = [bench_tree(tools, tree, args.runs) for tree in trees]
    log("start-up")
    startup = startup_rows(tools, args.runs)
    lines = report(results, startup, tools)
    took = time.perf_counter() - started
    lines += [
        "",
        f"{args.runs} runs per measure; the benchmark took {took:.0f} s; load average (1 min)"
        f" before it: {load:.2f} (other work on these cores skews the times).",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
