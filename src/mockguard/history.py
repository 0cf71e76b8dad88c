"""The history of a repository's mocks: counts per commit, read straight from git objects.

Nothing is checked out. For each chosen commit, `git ls-tree` lists the Python blobs;
each distinct blob is read once through one `git cat-file --batch` process and scanned
once. Its counts are kept by blob id (in memory, and in the project's cache folder), so a
long history costs little more than the distinct blobs it contains.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mockguard.config import Settings
from mockguard.git import BlobReader, refuse_option, run_git, toplevel, tree_blobs
from mockguard.scan.files import PYTHON_SUFFIXES
from mockguard.scan.ignore import Ignores

PERIODS = ("day", "week", "month")


@dataclass
class CommitCounts:
    """The mock census of one commit."""

    commit: str
    date: str
    counts: dict[str, int] = field(default_factory=dict)
    compliant: int = 0
    files: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def adoption(self) -> float | None:
        doubles = self.total + self.compliant
        return round(self.compliant / doubles, 4) if doubles else None

    def add(self, entry: dict[str, Any]) -> None:
        """Count one file, from its blob's entry."""
        self.files += 1
        for category, count in entry["counts"].items():
            self.counts[category] = self.counts.get(category, 0) + int(count)
        self.compliant += int(entry["compliant"])

    def as_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "date": self.date,
            "counts": dict(sorted(self.counts.items())),
            "total": self.total,
            "compliant": self.compliant,
            "adoption": self.adoption,
            "files": self.files,
        }


@dataclass
class HistoryRun:
    """The counts, and what it took to get them."""

    commits: list[CommitCounts]
    blobs_seen: int = 0
    blobs_scanned: int = 0


def select_commits(
    repo: Path,
    *,
    branch: str = "HEAD",
    since: str | None = None,
    until: str | None = None,
    every: int = 1,
    by: str | None = None,
) -> list[tuple[str, str]]:
    """(commit, ISO date) oldest first: every Nth commit, or the last one of each period
    (the newest commit is always kept)."""
    args = ["rev-list", "--reverse", "--first-parent", "--format=%H %cI", "--no-commit-header"]
    if since:
        args.append(f"--since={refuse_option(since, '--since')}")
    if until:
        args.append(f"--until={refuse_option(until, '--until')}")
    args += ["--end-of-options", refuse_option(branch, "branch"), "--"]
    lines = run_git(args, repo).decode("ascii", "replace").splitlines()
    chosen = [(line.split(" ")[0], line.split(" ")[1]) for line in lines if " " in line]
    if by is not None:
        width = {"day": 10, "month": 7}.get(by)
        last: dict[str, tuple[str, str]] = {}
        for commit, date in chosen:
            if by == "week":
                year, week, _ = datetime.fromisoformat(date).isocalendar()
                period = f"{year}-W{week:02}"
            else:
                period = date[:width]
            last[period] = (commit, date)
        return sorted(last.values(), key=lambda item: item[1])
    if every > 1 and chosen:
        picked = chosen[::every]
        if picked[-1] != chosen[-1]:
            picked.append(chosen[-1])
        return picked
    return chosen


def python_blobs(repo: Path, commit: str, paths: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(path, blob id) of every Python file in a commit's tree, under `paths` if given."""
    return [(p, blob) for p, blob in tree_blobs(repo, commit, paths) if p.endswith(PYTHON_SUFFIXES)]


class BlobCounts:
    """Counts per blob id, kept in the cache folder across runs."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self.counts: dict[str, dict[str, Any]] = {}
        self.dirty = False
        if file is not None:
            from mockguard.scan.cachedir import read_signed

            loaded = read_signed(file)  # None unless this machine wrote it
            if isinstance(loaded, dict):
                self.counts = {k: v for k, v in loaded.items() if _valid(v)}

    def save(self) -> None:
        """Write the counts back, signed, when something was added (never fails a run)."""
        if self.file is None or not self.dirty:
            return
        from mockguard.scan.cachedir import CacheDirError, write_signed

        try:
            write_signed(self.file.parent, self.file.name, self.counts)
        except (OSError, CacheDirError):
            pass


def _valid(entry: Any) -> bool:
    """Whether a cached entry has the shape `history` writes."""
    if not isinstance(entry, dict) or type(entry.get("compliant")) is not int:
        return False
    counts = entry.get("counts")
    return isinstance(counts, dict) and all(
        isinstance(k, str) and type(v) is int for k, v in counts.items()
    )


def _blob_entry(data: bytes | None, path: str, settings: Settings) -> dict[str, Any]:
    """The counts of one blob's contents (none for a blob over max-file-size)."""
    from mockguard.scan.engine import scan_source

    if data is None:
        return {"counts": {}, "compliant": 0}
    result = scan_source(data, path, settings)
    counts: dict[str, int] = {}
    for finding in result.findings:
        if not finding.suppressed:
            counts[finding.category] = counts.get(finding.category, 0) + 1
    return {"counts": counts, "compliant": sum(result.compliant.values())}


def history(
    repo: Path,
    settings: Settings,
    commits: list[tuple[str, str]],
    *,
    paths: Iterable[str] = (),
    use_cache: bool = True,
    on_commit: Callable[[], None] | None = None,
) -> HistoryRun:
    """The census of each commit, oldest first."""
    from mockguard.scan.cache import settings_key
    from mockguard.scan.cachedir import CACHE_DIR

    ignores = Ignores(settings)
    cache_file = (
        settings.root / (settings.cache_dir or CACHE_DIR) / f"history-{settings_key(settings)}.json"
    )
    blobs = BlobCounts(cache_file if use_cache else None)
    run = HistoryRun([])
    seen: set[str] = set()
    excluded: dict[str, bool] = {}
    try:
        with BlobReader(repo) as reader:
            for commit, date in commits:
                row = CommitCounts(commit, date)
                for path, blob in python_blobs(repo, commit, paths):
                    if path not in excluded:
                        excluded[path] = ignores.excluded_path(path)
                    if excluded[path]:
                        continue
                    seen.add(blob)
                    entry = blobs.counts.get(blob)
                    if entry is None:
                        data = reader.read(blob, settings.max_file_size)
                        entry = blobs.counts[blob] = _blob_entry(data, path, settings)
                        blobs.dirty = True
                        run.blobs_scanned += 1
                    row.add(entry)
                run.commits.append(row)
                if on_commit:
                    on_commit()
    finally:
        blobs.save()
    run.blobs_seen = len(seen)
    return run


def to_json(run: HistoryRun) -> str:
    """The run as a JSON document: the counts of each commit and the blobs read."""
    document = {
        "commits": [row.as_json() for row in run.commits],
        "blobs": {"distinct": run.blobs_seen, "scanned": run.blobs_scanned},
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def to_csv(rows: list[CommitCounts], categories: Iterable[str]) -> str:
    """One line per commit: commit, date, each category, total, compliant, adoption."""
    import csv
    import io

    names = list(categories)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["commit", "date", *names, "total", "compliant", "adoption", "files"])
    for row in rows:
        adoption = "" if row.adoption is None else f"{row.adoption:.4f}"
        writer.writerow(
            [
                row.commit,
                row.date,
                *(row.counts.get(c, 0) for c in names),
                row.total,
                row.compliant,
                adoption,
                row.files,
            ]
        )
    return buffer.getvalue()


def repository_root(path: Path) -> Path:
    """The top of the git repository holding `path`."""
    return toplevel(path if path.is_dir() else path.parent)
