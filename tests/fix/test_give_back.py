"""`give_back`: the rewrites of a reverted file that can be given back, found by halves
with as few test runs as the culprits allow, and never one that fails its try."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from mockguard.fix.check import give_back


class Suite:
    """A stand-in for the tests: a try fails when it holds every line of any culprit set
    (a single culprit, or rewrites that only break the tests together)."""

    def __init__(self, *culprits: set[int]) -> None:
        self.culprits = [frozenset(c) for c in culprits]
        self.tries: list[frozenset[int]] = []

    def passes(self, keep: frozenset[int]) -> bool:
        self.tries.append(keep)
        return not any(c <= keep for c in self.culprits)


@pytest.mark.parametrize("culprit", [0, 1, 17, 37, 38])
def test_one_culprit_is_all_that_stays_taken_back(culprit: int) -> None:
    lines = list(range(100, 139))  # 39 rewrites, as many as in a real file
    suite = Suite({lines[culprit]})
    kept = give_back(lines, frozenset(), suite.passes, runs=16)
    assert kept == frozenset(lines) - {lines[culprit]}
    # a halving per level, two tries at most each; one when the first half is kept
    levels = math.ceil(math.log2(len(lines)))
    assert len(suite.tries) <= (levels if culprit == len(lines) - 1 else 2 * levels)


def test_what_is_kept_has_passed_a_try_and_holds_no_culprit() -> None:
    randomness = random.Random(7)
    for _ in range(300):
        lines = sorted(randomness.sample(range(1, 400), randomness.randint(1, 40)))
        culprits = [
            set(randomness.sample(lines, min(len(lines), randomness.choice((1, 1, 2)))))
            for _ in range(randomness.randint(1, 4))
        ]
        suite = Suite(*culprits)
        runs = randomness.randint(0, 20)
        kept = give_back(lines, frozenset(), suite.passes, runs)
        assert len(suite.tries) <= runs
        assert not any(frozenset(c) <= kept for c in culprits)
        assert kept == frozenset() or kept in suite.tries  # the last try that passed
        if runs >= 2 * len(lines):  # enough runs: every single culprit is all that is left
            singles = set().union(*(c for c in culprits if len(c) == 1))
            pairs = [c for c in culprits if len(c) > 1 and not c & singles]
            assert singles <= set(lines) - kept
            assert len(set(lines) - kept) <= len(singles) + len(pairs)


def test_what_was_kept_before_stays_and_is_part_of_every_try() -> None:
    suite = Suite({5})
    kept = give_back([4, 5, 6, 7], frozenset({1, 2}), suite.passes, runs=16)
    assert kept == {1, 2, 4, 6, 7}
    assert all({1, 2} <= t for t in suite.tries)


def test_no_runs_left_gives_nothing_back() -> None:
    suite = Suite({3})
    assert give_back([1, 2, 3, 4], frozenset({9}), suite.passes, runs=0) == {9}
    assert suite.tries == []


def test_a_lone_suspect_is_the_culprit_without_a_try() -> None:
    suite = Suite({3})
    assert give_back([3], frozenset(), suite.passes, runs=16) == frozenset()
    assert suite.tries == []


def test_rewrites_that_break_only_together_lose_one_of_the_pair() -> None:
    for a, b in itertools.combinations(range(8), 2):
        suite = Suite({a, b})
        kept = give_back(list(range(8)), frozenset(), suite.passes, runs=16)
        assert len(set(range(8)) - kept) == 1
        assert not {a, b} <= kept
