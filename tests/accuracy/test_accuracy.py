"""Precision and recall of the scanner on a labelled set of sites.

Each file in `cases/` labels its sites with a trailing comment on the finding's line,
`# expect: MG102[websocket]` (several per line allowed); every other line must produce no
finding. Lines marked `# ok` are look-alikes that must not be flagged.
"""

from __future__ import annotations

import re
import tokenize
from collections import Counter
from pathlib import Path

import pytest

from mockguard.config import Settings
from mockguard.scan.engine import scan_source

CASES = sorted((Path(__file__).parent / "cases").glob("*.py"))
LABEL = re.compile(r"(MG\d{3})\[(\w+)\]")
RULE_BAR, CATEGORY_BAR = 0.99, 0.95


def labels(path: Path) -> tuple[Counter[tuple[int, str, str]], int]:
    expected: Counter[tuple[int, str, str]] = Counter()
    negatives = 0
    with path.open(encoding="utf-8") as handle:
        for tok in tokenize.generate_tokens(handle.readline):
            if tok.type != tokenize.COMMENT:
                continue
            if "expect:" in tok.string:
                for code, category in LABEL.findall(tok.string.split("expect:", 1)[1]):
                    expected[(tok.start[0], code, category)] += 1
            elif re.match(r"#\s*ok\b", tok.string):
                negatives += 1
    return expected, negatives


def scores(true_positive: int, expected: int, found: int) -> tuple[float, float]:
    precision = true_positive / found if found else 1.0
    recall = true_positive / expected if expected else 1.0
    return precision, recall


def measure() -> dict[str, object]:
    settings = Settings()
    totals = Counter()
    misses: list[str] = []
    problems: list[str] = []
    for path in CASES:
        expected, negatives = labels(path)
        result = scan_source(path.read_bytes(), path.name, settings)
        problems.extend(
            f"{d.path}: {d.kind}: {d.message}"
            for d in result.diagnostics
            if d.kind != "unresolved-mock-name"
        )
        found = Counter((f.line, f.code, f.category) for f in result.findings)
        expected_rules = Counter({(line, code): 0 for line, code, _ in expected})
        for (line, code, _), n in expected.items():
            expected_rules[(line, code)] += n
        found_rules: Counter[tuple[int, str]] = Counter()
        for (line, code, _), n in found.items():
            found_rules[(line, code)] += n
        totals["expected"] += sum(expected.values())
        totals["found"] += sum(found.values())
        totals["rule_tp"] += sum((expected_rules & found_rules).values())
        totals["category_tp"] += sum((expected & found).values())
        totals["negatives"] += negatives
        for key in sorted((expected - found) | (found - expected)):
            side = "missed" if expected[key] > found[key] else "extra"
            misses.append(f"{path.name}:{key[0]}: {side} {key[1]}[{key[2]}]")
    rule_p, rule_r = scores(totals["rule_tp"], totals["expected"], totals["found"])
    cat_p, cat_r = scores(totals["category_tp"], totals["expected"], totals["found"])
    return {
        "totals": totals,
        "rule": (rule_p, rule_r),
        "category": (cat_p, cat_r),
        "misses": misses,
        "problems": problems,
    }


def test_the_set_is_large_enough() -> None:
    sites = sum(sum(labels(p)[0].values()) for p in CASES)
    negatives = sum(labels(p)[1] for p in CASES)
    assert sites >= 200
    assert negatives >= 50


def test_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    outcome = measure()
    rule_p, rule_r = outcome["rule"]  # type: ignore[misc]
    cat_p, cat_r = outcome["category"]  # type: ignore[misc]
    totals = outcome["totals"]
    report = (
        f"accuracy over {totals['expected']} labelled sites and {totals['negatives']} look-alikes: "  # type: ignore[index]
        f"rules precision {rule_p:.3f} recall {rule_r:.3f}; "
        f"categories precision {cat_p:.3f} recall {cat_r:.3f}"
    )
    with capsys.disabled():
        print("\n" + report)
    assert outcome["problems"] == []
    detail = "\n".join(outcome["misses"])  # type: ignore[arg-type]
    assert rule_p >= RULE_BAR and rule_r >= RULE_BAR, f"{report}\n{detail}"
    assert cat_p >= CATEGORY_BAR and cat_r >= CATEGORY_BAR, f"{report}\n{detail}"
