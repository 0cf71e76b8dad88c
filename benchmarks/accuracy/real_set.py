"""The real-code accuracy set: hand-labelled sites in test files drawn from real sdists.

    .venv/bin/python benchmarks/accuracy/real_set.py draw     # write drawn.json (done once)
    .venv/bin/python benchmarks/accuracy/real_set.py score    # print the scores (make accuracy)
    .venv/bin/python benchmarks/accuracy/real_set.py score --half dev --misses
    .venv/bin/python benchmarks/accuracy/real_set.py draw --holdout   # the second held-out set
    .venv/bin/python benchmarks/accuracy/real_set.py draw --blind blind    # a later held-out set

`draw` picks test files at random with a fixed seed from each pinned sdist: pytest test
files (`test_*.py`, `*_test.py`) that mention a mock word, at most MAX_LINES lines long,
taken in the shuffled order until the current scanner's count (an estimate only, for the
labelling budget) reaches SITES_PER_PROJECT. Files alternate between the dev half (tuned
on) and the test half (scored only to report). Every site in a drawn file is labelled by
hand in labels/<project>.jsonl, following GUIDE.md, without looking at mockguard's output.

`score` downloads and unpacks the sdists (benchmarks/.cache/), scans each drawn file with
the default settings, and compares the findings with the labels: rule precision and recall
on (line, rule) pairs, and category accuracy on the sites both agree on.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sdists import Project, download, unpack  # noqa: E402

PROJECTS = (
    Project("nova", "31.0.0", "4c13bfd6be60ed110c973a8bf94532740ba746bd4d0e1a415e9bf2b6fef5bc24"),
    Project("salt", "3008.5", "0259deafd601d783721e5aa8ed10677d8c4d6cc12f5de17499af71590d593315"),
    Project(
        "neutron", "29.0.0", "4dc123ed085a4b2cc8af1c4fa8d7162042c4e7cfa5e895f62e99a3b46d92ba31"
    ),
    Project("celery", "5.7.0", "6a5dfcf6662287204f009a02002b9e66c83d4105e47ebabdc7079108772fc6f0"),
)
# A second held-out set, drawn after the classifier was tuned on the dev half and the test
# half had been scored: projects from outside the first four's domains, every file held out.
HOLDOUT_PROJECTS = (
    Project(
        "sentry_sdk", "2.75.0", "c38ac2d4b2435c11da821e173bb9d9088c98f41ae92f559ce0e424170a8e1a29"
    ),
    Project("kombu", "5.7.0", "31e62fdfd2381caa3422f8e02b84a491d9a2180ddda74507b57f4cb1e1c2c2c9"),
)
HOLDOUT_SEED = 20261202
# Later held-out sets, each drawn after a round of tuning: new files of the first four
# projects (none drawn before), labelled before the classifier is run on them, scored once.
# Name -> (seed, sites per project).
BLIND_SETS = {"blind": (20261203, 70), "blind2": (20261204, 100), "blind3": (20261205, 100)}
SEED = 20261201
MAX_LINES = 800
SITES_PER_PROJECT = 130
MOCK_WORDS = (b"mock", b"Mock", b"patch", b"monkeypatch")
DRAWN = HERE / "drawn.json"
LABELS = HERE / "labels"
RULE_BAR, CATEGORY_BAR = 0.99, 0.95


@dataclass(frozen=True)
class Label:
    file: str
    line: int
    rule: str
    category: str
    evidence: str


def source_root(project: Project) -> Path:
    return unpack(project, download(project))


def is_test_file(path: Path) -> bool:
    name = path.name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def candidates(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if not is_test_file(path):
            continue
        data = path.read_bytes()
        if data.count(b"\n") > MAX_LINES or not any(w in data for w in MOCK_WORDS):
            continue
        found.append(path.relative_to(root).as_posix())
    return found


def scan_json(root: Path, files: list[str]) -> list[dict[str, object]]:
    """mockguard's findings for `files` under `root` (all of them, test-file filter off)."""
    if not files:
        return []
    command = [sys.executable, "-m", "mockguard", "scan", "--no-cache", "--format", "json"]
    command += ["--all-files"] if _has_all_files_flag() else []
    result = subprocess.run(
        [*command, *files], cwd=root, capture_output=True, text=True, check=False
    )
    if result.returncode not in (0, 1):
        raise SystemExit(f"mockguard failed on {root}: {result.stderr.strip()}")
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


def _has_all_files_flag() -> bool:
    result = subprocess.run(
        [sys.executable, "-m", "mockguard", "scan", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "--all-files" in result.stdout


def draw(holdout: bool = False, blind: str | None = None) -> None:
    drawn: dict[str, list[dict[str, str]]] = (
        json.loads(DRAWN.read_text(encoding="utf-8")) if holdout or blind else {}
    )
    seed, budget = (HOLDOUT_SEED if holdout else SEED), SITES_PER_PROJECT
    if blind:
        seed, budget = BLIND_SETS[blind]
    for project in HOLDOUT_PROJECTS if holdout else PROJECTS:
        root = source_root(project)
        taken = {d["file"] for d in drawn.get(project.folder, [])}
        order = [file for file in candidates(root) if file not in taken]
        random.Random(f"{seed}:{project.name}").shuffle(order)
        chosen: list[str] = []
        estimate = 0
        for file in order:
            if estimate >= budget:
                break
            chosen.append(file)
            estimate += len(scan_json(root, [file]))
        if blind:
            halves = [blind] * len(chosen)
        else:
            halves = [
                "holdout" if holdout else ("dev" if i % 2 == 0 else "test")
                for i in range(len(chosen))
            ]
        kept = drawn.get(project.folder, []) if blind else []
        drawn[project.folder] = kept + [
            {"file": file, "half": half} for file, half in zip(chosen, halves, strict=True)
        ]
        print(f"{project.folder}: {len(chosen)} files, about {estimate} sites", file=sys.stderr)
    DRAWN.write_text(json.dumps(drawn, indent=1) + "\n", encoding="utf-8")


def read_labels(folder: str) -> list[Label]:
    path = LABELS / f"{folder}.jsonl"
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            labels.append(
                Label(raw["file"], raw["line"], raw["rule"], raw["category"], raw["evidence"])
            )
    return labels


@dataclass
class Tally:
    expected: int = 0
    found: int = 0
    matched: int = 0
    category_right: int = 0

    def add(self, other: Tally) -> None:
        self.expected += other.expected
        self.found += other.found
        self.matched += other.matched
        self.category_right += other.category_right

    def row(self, name: str) -> str:
        precision = self.matched / self.found if self.found else 1.0
        recall = self.matched / self.expected if self.expected else 1.0
        accuracy = self.category_right / self.matched if self.matched else 1.0
        return (
            f"{name:<22} sites {self.expected:>4}  rule precision {precision:.3f}  "
            f"recall {recall:.3f}  category accuracy {accuracy:.3f} "
            f"({self.category_right}/{self.matched})"
        )


def score(half: str, show_misses: bool) -> dict[str, Tally]:
    drawn = json.loads(DRAWN.read_text(encoding="utf-8"))
    tallies: dict[str, Tally] = {}
    misses: list[str] = []
    for project in (*PROJECTS, *HOLDOUT_PROJECTS):
        if project.folder not in drawn:
            continue
        if not (LABELS / f"{project.folder}.jsonl").exists():
            print(f"{project.folder}: no labels yet", file=sys.stderr)
            continue
        root = source_root(project)
        files = [d["file"] for d in drawn[project.folder] if half in ("all", d["half"])]
        if not files:
            continue
        labels = [lab for lab in read_labels(project.folder) if lab.file in files]
        findings = scan_json(root, files)
        tally = Tally(expected=len(labels), found=len(findings))
        wanted: dict[tuple[str, int, str], list[Label]] = {}
        for lab in labels:
            wanted.setdefault((lab.file, lab.line, lab.rule), []).append(lab)
        for f in findings:
            key = (str(f["path"]), int(str(f["line"])), str(f["code"]))
            queue = wanted.get(key)
            if not queue:
                misses.append(f"extra   {project.name}/{key[0]}:{key[1]} {key[2]}[{f['category']}]")
                continue
            lab = queue.pop(0)
            tally.matched += 1
            if lab.category == f["category"]:
                tally.category_right += 1
            else:
                misses.append(
                    f"category {project.name}/{lab.file}:{lab.line} {lab.rule} "
                    f"labelled {lab.category}, found {f['category']} ({lab.evidence})"
                )
        for queue in wanted.values():
            for lab in queue:
                misses.append(
                    f"missed  {project.name}/{lab.file}:{lab.line} {lab.rule}[{lab.category}]"
                )
        tallies[project.name] = tally
    if show_misses:
        print("\n".join(sorted(misses)))
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("draw", "score"))
    parser.add_argument(
        "--half", choices=("dev", "test", "holdout", *BLIND_SETS, "all", "both"), default="both"
    )
    parser.add_argument("--holdout", action="store_true", help="draw the held-out projects")
    parser.add_argument("--blind", choices=tuple(BLIND_SETS), help="draw a later held-out set")
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    options = parser.parse_args()
    if options.action == "draw":
        draw(options.holdout, options.blind)
        return
    every = ("dev", "test", "holdout", *BLIND_SETS)
    halves = every if options.half == "both" else (options.half,)
    for half in halves:
        tallies = score(half, options.misses)
        if not tallies:
            continue
        total = Tally()
        for name, tally in tallies.items():
            total.add(tally)
            print(tally.row(f"{half}: {name}"))
        print(total.row(f"{half}: all projects"))


if __name__ == "__main__":
    main()
