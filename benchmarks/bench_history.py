"""Benchmark `mockguard history` on a long git history built from a project's releases.

Run by hand (never from the test suite), from the repository root:

    .venv/bin/python benchmarks/bench_history.py                 # the 15 pinned releases
    .venv/bin/python benchmarks/bench_history.py --releases 5    # only the newest 5

No test-heavy project's git repository can be reached from here, only PyPI, so the history
is made of the pinned sdists of nova, one commit per release, in version order: each sdist is
downloaded into benchmarks/.cache/history/downloads/ (sha256-checked), and its Python files
(.py, .pyi, without the `nova-<version>/` top folder) replace the tree of the git repository
benchmarks/.cache/history/repo/, committed with the version as message and the sdist's upload
time as author and committer date. Stable-branch releases are interleaved in version order,
so the dates do not always grow from one commit to the next. Nothing is fetched or rebuilt
when the repository already holds exactly the chosen releases; delete the folder to start
afresh.

The repository gets an untracked `mockguard.toml` (default settings), so it is a mockguard
project of its own and the blob cache lives in its `.mockguard_cache/`. Three timed runs of
`mockguard history --format json -q`: with `--no-cache` (cold: every distinct blob scanned),
then twice with the cache after deleting it (the first fills it, the second is warm). All
three must report the same counts per commit.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache" / "history"
DOWNLOADS = CACHE / "downloads"
REPO = CACHE / "repo"
PROJECT = "nova"
SIMPLE_INDEX = f"https://pypi.org/simple/{PROJECT}/"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
PYTHON_SUFFIXES = (".py", ".pyi")
MOCKGUARD_CACHE = ".mockguard_cache"
CONFIG = ("mockguard.toml", "# The default settings (benchmarks/bench_history.py).\n")
GIT_COMMIT = (
    *("-c", "user.name=bench_history", "-c", "user.email=bench@example.invalid"),
    *("-c", "commit.gpgsign=false", "commit", "--quiet", "--allow-empty", "--no-verify", "-m"),
)


@dataclass(frozen=True)
class Release:
    version: str
    uploaded: str  # the sdist's upload time on PyPI, UTC
    sha256: str

    @property
    def sdist(self) -> str:
        return f"{PROJECT}-{self.version}.tar.gz"


# nova's last 15 releases (`pip index versions nova`), oldest version first: version, the
# sdist's upload time and its sha256, as PyPI's JSON simple index lists them.
PINNED = """
30.3.0 2026-04-22T12:54:43Z 7bbd64729505669a886d861e839dd35363dc74eb065dec4894067cb875b4e91f
31.0.0 2025-04-02T10:59:09Z 4c13bfd6be60ed110c973a8bf94532740ba746bd4d0e1a415e9bf2b6fef5bc24
31.0.1 2025-08-14T09:43:58Z bc4e5f702fc737a2488299c0a018377dab02a0b5670a66ac314ae6ab059e591c
31.1.0 2025-08-25T10:16:45Z 15b0ddedfa38864c326e013c515cee48811cfd38e3c10fdca44b7b45db095c47
31.2.0 2025-10-27T14:42:31Z 238f1327a16e02abde29ea3137b85bd002a28afc21396fffe0100dcbbeac406c
31.3.0 2026-04-22T12:53:07Z d57016f8ea305722cfc4beaf016fddc8864902ac76db50ae8e26a2ec64fcd510
31.3.1 2026-07-01T14:04:11Z 483991f483d72edb3bcb61b4da75199c39da727c7ed255e584ee08aea6162c41
32.0.0 2025-10-01T10:49:22Z 98b543ae5fcc64f2170b43374f70c1d33346383daede1564a442c6457360158a
32.1.0 2025-10-27T14:43:38Z efac78f4b9ecb8b3a2f0167cf06fdab1cff376e28fb871bc507b2c17c3fb3756
32.2.0 2026-04-22T10:54:52Z 7f745909082cf75ab023f99a725aa791ea454a099014da19787788646c599164
32.2.1 2026-07-01T14:04:59Z 576a8890d726bd8ff2205eec456e412ea03519c41fb48b5276ba450308e1e639
33.0.0 2026-04-01T10:54:42Z f8f6750f239c8ad81ad53fe4ceafd0a795257982149c273ae621048bf281c95b
33.0.1 2026-04-22T10:38:12Z edea3b611806a63b6d65f76876ce0eb771835dde16207cc5526bb5370c4da28f
33.0.2 2026-07-01T14:00:32Z 84ab864ced8867f2989f3ba65ead61a7e39891ee7ea693850331636ac9d360ea
34.0.0 2026-09-30T10:53:38Z 919eef77cda4ce0cc4746a5853b5d9341ebd0ae37bc8b1939eb77d17727c00df
"""
RELEASES = tuple(Release(*line.split()) for line in PINNED.strip().splitlines())


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    report: dict[str, Any]

    @property
    def scanned(self) -> int:
        return int(self.report["blobs"]["scanned"])

    @property
    def distinct(self) -> int:
        return int(self.report["blobs"]["distinct"])

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list(self.report["commits"])


# ------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} (in {repo}): {done.stderr.strip()}")
    return done.stdout


def first_line(argv: Sequence[str]) -> str:
    """The first line the command prints, or "" when it prints nothing."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return (done.stdout.strip().splitlines() or [""])[0]


def size_of(folder: Path) -> int:
    """Bytes allocated under `folder`."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size < 10e6 else f"{size / 1e6:.0f} MB"


# ------------------------------------------------------------------------- downloads


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def index_files() -> dict[str, str]:
    """Filename -> URL, from PyPI's JSON simple index (PEP 691)."""
    request = urllib.request.Request(SIMPLE_INDEX, headers={"Accept": SIMPLE_JSON})
    with urllib.request.urlopen(request, timeout=60) as response:
        index = json.load(response)
    return {file["filename"]: file["url"] for file in index["files"]}


def download(release: Release) -> Path:
    target = DOWNLOADS / release.sdist
    if target.exists() and sha256_of(target) == release.sha256:
        return target
    url = index_files().get(release.sdist)
    if url is None:
        raise SystemExit(f"{release.sdist} is not on PyPI")
    log(f"downloading {url}")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with urllib.request.urlopen(url, timeout=300) as response, partial.open("wb") as out:
        shutil.copyfileobj(response, out)
    digest = sha256_of(partial)
    if digest != release.sha256:
        partial.unlink()
        raise SystemExit(f"{release.sdist}: sha256 {digest}, pinned {release.sha256}")
    partial.replace(target)
    return target


# ------------------------------------------------------------------------- the repository


def python_members(archive: Path) -> Iterator[tuple[PurePosixPath, bytes]]:
    """(path below the top folder, contents) of each regular Python file in the sdist."""
    with tarfile.open(archive) as tar:
        for member in tar:
            path = PurePosixPath(member.name)
            if not member.isfile() or path.suffix not in PYTHON_SUFFIXES:
                continue
            inner = PurePosixPath(*path.parts[1:])
            if path.is_absolute() or ".." in path.parts or not inner.parts:
                raise SystemExit(f"{archive.name}: unexpected member {member.name!r}")
            data = tar.extractfile(member)
            if data is not None:
                yield inner, data.read()


def replace_tree(repo: Path, archive: Path) -> None:
    for entry in repo.iterdir():
        if entry.name == ".git":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for inner, data in python_members(archive):
        target = repo.joinpath(*inner.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def commit(repo: Path, release: Release) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": release.uploaded,
        "GIT_COMMITTER_DATE": release.uploaded,
    }
    git(repo, "add", "-A")
    git(repo, *GIT_COMMIT, release.version, env=env)


def built_versions(repo: Path) -> list[str]:
    if not (repo / ".git").is_dir():
        return []
    done = subprocess.run(
        ["git", "log", "--reverse", "--format=%s"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.splitlines() if done.returncode == 0 else []


def build(releases: Sequence[Release], archives: Sequence[Path]) -> None:
    """One commit per release, in a staging repository renamed into place when complete.
    The config and the blob cache stay untracked (.git/info/exclude)."""
    staging = REPO.with_name(REPO.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    git(staging, "init", "--quiet")
    (staging / ".git" / "info").mkdir(exist_ok=True)
    (staging / ".git" / "info" / "exclude").write_text(
        f"/{CONFIG[0]}\n/{MOCKGUARD_CACHE}/\n", encoding="utf-8"
    )
    for release, archive in zip(releases, archives, strict=True):
        log(f"committing {release.version}")
        replace_tree(staging, archive)
        commit(staging, release)
    shutil.rmtree(REPO, ignore_errors=True)
    staging.rename(REPO)


def ensure_repository(releases: Sequence[Release]) -> None:
    wanted = [release.version for release in releases]
    if built_versions(REPO) == wanted:
        log(f"{REPO} already holds the {len(wanted)} releases")
    else:
        archives = [download(release) for release in releases]
        started = time.perf_counter()
        build(releases, archives)
        log(f"built {REPO} in {time.perf_counter() - started:.1f} s")
    name, text = CONFIG
    (REPO / name).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------- measures


def mockguard_command() -> str:
    beside = Path(sys.executable).parent / "mockguard"
    found = str(beside) if beside.exists() else shutil.which("mockguard")
    if found is None:
        raise SystemExit("no mockguard command: run with the project's .venv/bin/python")
    return found


def timed_history(label: str, *options: str) -> Run:
    argv = [mockguard_command(), "history", "--format", "json", *options, "-q", str(REPO)]
    log(f"{label}: {' '.join(argv[1:])}")
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return Run(label, seconds, json.loads(done.stdout))


def measure() -> list[Run]:
    cold = timed_history("cold (--no-cache)", "--no-cache")
    shutil.rmtree(REPO / MOCKGUARD_CACHE, ignore_errors=True)
    filling = timed_history("cache filled")
    warm = timed_history("warm")
    return [cold, filling, warm]


def problems(runs: Sequence[Run]) -> list[str]:
    cold, filling, warm = runs
    found = [
        f"{run.label}: rows differ from the cold run's" for run in runs if run.rows != cold.rows
    ]
    found += [
        f"{run.label}: {run.scanned} blobs scanned, expected {expected}"
        for run, expected in ((cold, cold.distinct), (filling, cold.distinct), (warm, 0))
        if run.scanned != expected
    ]
    return found


# ------------------------------------------------------------------------- report


def runs_table(runs: Sequence[Run]) -> list[str]:
    lines = ["| run | blobs scanned | wall time |", "| --- | ---: | ---: |"]
    lines += [f"| {run.label} | {run.scanned:,} | {run.seconds:.2f} s |" for run in runs]
    return lines


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:,}"


def categories_table(
    first: dict[str, Any], last: dict[str, Any], names: dict[str, str]
) -> list[str]:
    categories = sorted({*first["counts"], *last["counts"]})
    head = [f"{names[row['commit']]} ({row['date'][:10]})" for row in (first, last)]
    lines = [f"| category | {head[0]} | {head[1]} |", "| --- | ---: | ---: |"]
    lines += [
        f"| {name} | {first['counts'].get(name, 0):,} | {last['counts'].get(name, 0):,} |"
        for name in categories
    ]
    for key in ("total", "compliant", "adoption", "files"):
        lines.append(f"| *{key}* | {number(first[key])} | {number(last[key])} |")
    return lines


def disk() -> str:
    downloads = size_of(DOWNLOADS)
    objects = size_of(REPO / ".git")
    blob_cache = size_of(REPO / MOCKGUARD_CACHE)
    tree = size_of(REPO) - objects - blob_cache
    total = downloads + objects + blob_cache + tree
    return (
        f"Disk: benchmarks/.cache/history/ holds {megabytes(total)}: downloads"
        f" {megabytes(downloads)}, .git {megabytes(objects)}, checked-out tree"
        f" {megabytes(tree)}, blob cache {megabytes(blob_cache)}."
    )


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = first_line(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"])
    return (
        f"Machine: Python {platform.python_version()}, os.cpu_count() = {os.cpu_count()},"
        f" {platform.machine()}, {memory:.1f} GiB memory, {platform.system()}"
        f" {platform.release()}; {first_line(['git', '--version'])};"
        f" {first_line([mockguard_command(), '--version'])} at {commit}"
        + (" with uncommitted changes in src/" if dirty else "")
    )


def versions_by_commit() -> dict[str, str]:
    names: dict[str, str] = {}
    for line in git(REPO, "log", "--format=%H %s").splitlines():
        commit, _, version = line.partition(" ")
        names[commit] = version
    return names


def report(releases: Sequence[Release], runs: Sequence[Run]) -> list[str]:
    cold = runs[0]
    rows = cold.rows
    names = versions_by_commit()
    files = sum(int(row["files"]) for row in rows)
    span = f"{releases[0].version} .. {releases[-1].version}"
    lines = [
        f"## mockguard history on {PROJECT}'s last {len(releases)} releases ({span})",
        "",
        f"- commits: {len(rows)}",
        f"- distinct Python blobs: {cold.distinct:,}",
        f"- Python files summed over commits: {files:,}"
        f" ({files / max(cold.distinct, 1):.1f} per distinct blob)",
        "",
        *runs_table(runs),
        "",
        "Totals per category, first and last commit:",
        "",
        *categories_table(rows[0], rows[-1], names),
        "",
    ]
    lines += [f"PROBLEM: {problem}" for problem in problems(runs)] or ["All three runs agree."]
    return [*lines, disk(), machine()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--releases",
        type=int,
        default=len(RELEASES),
        help=f"use only the newest N of the {len(RELEASES)} pinned releases",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.releases <= len(RELEASES):
        parser.error(f"--releases must be between 1 and {len(RELEASES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    releases = RELEASES[-args.releases :]
    ensure_repository(releases)
    runs = measure()
    print("\n".join(report(releases, runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
