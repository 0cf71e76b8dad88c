"""MG401 duplicated-mock-setup: the same mock setup built in several places.

A rule over the whole scan, not one file: the engine gathers each file's setup shapes in
its single pass (:mod:`mockguard.scan.shapes`), and :func:`duplicate_findings` runs once
every file is scanned, before suppressions are applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from mockguard.findings import Finding, Place, Shape
from mockguard.fingerprint import fingerprints
from mockguard.scan.rules.base import Rule

# A setup is duplicated when it is built, identically, in this many places or more.
MIN_COPIES = 3


def duplicate_findings(
    items: Iterable[tuple[Shape, Place]],
    project_path: Callable[[str], str],
    severity: Callable[[str], str],
) -> list[Finding]:
    """One finding per copy of a setup built in MIN_COPIES+ places. `project_path` maps a
    scanned path to the path fingerprints hold; `severity` gives a category's severity."""
    from mockguard.scan.shapes import cluster  # only when MG401 runs (start-up)

    found: list[Finding] = []
    for group in cluster(items, min_size=MIN_COPIES):
        shape = group.shape
        keys = [(project_path(p.path), "MG401", p.scope, shape.key) for p in group.places]
        for place, fingerprint in zip(group.places, fingerprints(keys), strict=True):
            found.append(
                Finding(
                    path=place.path,
                    line=place.line,
                    col=place.col,
                    end_line=place.end_line or place.line,
                    end_col=place.end_col,
                    code="MG401",
                    category=group.category,
                    args=(("constructor", shape.constructor), ("count", str(group.size))),
                    scope=place.scope,
                    fingerprint=fingerprint,
                    snippet=shape.key,
                    severity=severity(group.category),
                    context=place.context,
                )
            )
    return found


RULE = Rule(
    code="MG401",
    name="duplicated-mock-setup",
    summary="The same mock setup is built in several places",
    message="the same {constructor}() setup is built in {count} places",
    severity="warning",
    enabled_by_default=False,
    doc="""
    ## What it does
    Flags each copy of a mock setup that is built, identically, in at least three places:
    the same constructor and spec, configuring the same members with the same kinds of
    value, whatever the variable names, literal values and statement order. Off by default;
    add `MG401` to `select` to turn it on. `mockguard dupes` lists the clusters.

    ## Why is this bad?
    A setup copied across files drifts: each copy is fixed (or not) on its own when the
    real interface changes. One factory kind serves them all.

    ## Example
    ```python
    # in five test files:
    ws = MagicMock()
    ws.send_json = AsyncMock()
    ws.accept = AsyncMock()
    ```

    ## Use instead
    ```python
    ws = SSotMockFactory.create_websocket_mock()
    ```
    """,
    check=duplicate_findings,
)
