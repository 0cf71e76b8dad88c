"""HTML: one self-contained page with the audit table, charts and a searchable findings table.

Everything the page needs is inside it: the styles, the page's own script, the data (one
JSON island) and, when the optional `plotly` package is installed, the plotly.js library
it ships, embedded at generation time. Nothing is fetched when the page is viewed, and a
Content-Security-Policy forbids it. Every path, message and scope reaches the page as JSON
and is shown by the script as text, never parsed as markup; control characters,
bidirectional overrides and undecodable bytes in them are visible escapes (`\u202e`,
`\xff`), so that no name reads otherwise than it is.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import import_module, resources
from typing import Any

from mockguard import __version__
from mockguard.report.base import Formatter
from mockguard.report.model import ScanReport, percent
from mockguard.report.safe import printable
from mockguard.scan.rules import RULES, message
from mockguard.scan.shapes import Cluster

CHARTS_HINT = "pip install mockguard[html]"
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
# Bars in the folder, file and cluster charts.
TOP = 20
# Findings table rows on one page.
PAGE_SIZE = 100
# Diagnostics listed; the rest are counted.
DIAGNOSTICS_SHOWN = 200
# The findings table's columns, in the order of each row of the data island.
FINDING_COLUMNS = ("path", "line", "column", "code", "category", "message", "scope", "status")


# The charts of the page, in order: key -> (title, what it shows).
FIGURES: dict[str, tuple[str, str]] = {
    "by_category": ("Findings by category", "Ad-hoc doubles per category."),
    "by_rule": ("Findings by rule", "Ad-hoc doubles per rule."),
    "top_folders": (
        "Top folders",
        f"The folders holding the most ad-hoc doubles (at most {TOP}).",
    ),
    "top_files": ("Top files", f"The files holding the most ad-hoc doubles (at most {TOP})."),
    "baseline": (
        "Baseline status",
        "Per category: new findings, findings still in the baseline, and baseline "
        "entries that are gone (fixed).",
    ),
    "trend": (
        "Trend",
        "Ad-hoc doubles per commit, in all and per category, with the adoption rate.",
    ),
    "clusters": (
        "Duplicate setups",
        f"Copies of the same mock setup, largest cluster first (at most {TOP}): "
        "each is a candidate for one factory kind.",
    ),
}
# Drawn only when the report has them (a baseline, history, clusters).
OPTIONAL_FIGURES = frozenset({"baseline", "trend", "clusters"})


def _ranked(counter: Mapping[str, int], top: int = TOP) -> dict[str, Any]:
    """The `top` largest counts, largest first (ties by name), with how many there were."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top]
    return {
        "labels": [printable(name) for name, _ in ranked],
        "values": [count for _, count in ranked],
        "total": len(counter),
    }


def _folder(path: str) -> str:
    return posixpath.dirname(path.replace("\\", "/")) or "."


def _baseline_chart(report: ScanReport) -> dict[str, Any] | None:
    if report.baseline is None:
        return None
    table = report.ratchet()
    categories = list(table)
    return {
        "path": printable(report.baseline.path),
        "categories": [printable(c) for c in categories],
        **{state: [table[c][state] for c in categories] for state in ("new", "baselined", "gone")},
    }


def _trend_chart(report: ScanReport, history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-commit series, in the order given (oldest first, as `mockguard history` writes)."""
    seen: set[str] = set()
    for row in history:
        seen.update(str(name) for name in dict(row.get("counts") or {}))
    order = [c for c in report.category_order if c in seen]
    order += sorted(seen - set(order))
    commits = [str(row.get("commit", "")) for row in history]
    labels = [commit[:7] for commit in commits]
    if len(set(labels)) != len(labels):
        labels = commits
    series = []
    for category in order:
        values = [int(dict(row.get("counts") or {}).get(category, 0)) for row in history]
        series.append({"category": printable(category), "values": values})
    adoption = [row.get("adoption") for row in history]
    return {
        "commits": commits,
        "labels": labels,
        "dates": [str(row.get("date", "")) for row in history],
        "total": [int(row.get("total", 0)) for row in history],
        "compliant": [int(row.get("compliant", 0)) for row in history],
        "adoption": [None if a is None else round(float(a), 4) for a in adoption],
        "categories": series,
    }


def _cluster_chart(clusters: Sequence[Cluster]) -> dict[str, Any]:
    shown = list(clusters)[:TOP]
    return {
        "total": len(clusters),
        "clusters": [
            {
                "rank": rank,
                "size": group.size,
                "category": printable(group.category),
                "exact": group.exact,
                "constructor": printable(group.shape.constructor),
                "spec": printable(group.shape.spec),
                "members": [
                    printable(f"{member} ({kind})") for member, kind in sorted(group.shape.members)
                ],
                "places": [printable(f"{p.path}:{p.line}") for p in group.places],
            }
            for rank, group in enumerate(shown, 1)
        ],
    }


def chart_data(
    report: ScanReport,
    clusters: Sequence[Cluster] | None = None,
    history: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The data behind the page's charts: plain JSON values, in a stable order.

    Counts are of the census (new and baselined findings, as the audit table counts them);
    `baseline`, `trend` and `clusters` are None when the report has no baseline, or no
    history or clusters were given.
    """
    census = report.census
    counts = report.counts()
    by_rule = report.by_rule()
    return {
        "by_category": {
            "labels": [printable(c) for c in counts],
            "values": [sum(row.values()) for row in counts.values()],
        },
        "by_rule": {
            "labels": list(by_rule),
            "names": [RULES[code].name if code in RULES else code for code in by_rule],
            "values": list(by_rule.values()),
        },
        "top_folders": _ranked(Counter(_folder(f.path) for f in census)),
        "top_files": _ranked(Counter(f.path for f in census)),
        "baseline": _baseline_chart(report),
        "trend": None if history is None else _trend_chart(report, history),
        "clusters": None if clusters is None else _cluster_chart(clusters),
    }


def table_data(report: ScanReport) -> dict[str, Any]:
    """The findings table: one row per finding (new, baselined and suppressed)."""
    rows = [
        [
            printable(f.path),
            f.line,
            f.col + 1,
            f.code,
            printable(f.category),
            printable(message(f)),
            printable(f.scope),
            status,
        ]
        for f, status in report.by_status()
    ]
    return {
        "columns": list(FINDING_COLUMNS),
        "rows": rows,
        "rules": {code: RULES[code].name for code in RULES},
        "page_size": PAGE_SIZE,
    }


def embed_json(data: Any) -> str:
    """JSON safe inside a `<script>` element: no `<`, `>` or `&` that could end it."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def plotly_js() -> tuple[str, str] | None:
    """The plotly.js bundle shipped by the `plotly` package, and its version; None when the
    package is not installed."""
    try:
        offline = import_module("plotly.offline")
        version = str(import_module("plotly").__version__)
    except ImportError:
        return None
    script = str(offline.get_plotlyjs())
    # Never so in a release, but either would change where the element ends: `<\/script`
    # and `<\!--` mean the same in the script's strings.
    script = re.sub(r"(?i)<(?=/script|!--)", r"<\\", script)
    return script, version


def _asset(name: str) -> str:
    return (resources.files("mockguard.report") / "html_assets" / name).read_text("utf-8")


def _text(value: object) -> str:
    """Escaped text for the page, :func:`printable` first (an undecodable byte of a path
    shows as `\\xff`)."""
    return html.escape(printable(str(value)), quote=True)


class HtmlFormatter(Formatter):
    """The whole report as one HTML page that works offline.

    The extras' `clusters` (from `mockguard dupes`) and `history` (rows of `mockguard
    history`: commit, date, counts, total, compliant, adoption) add charts that a scan alone
    cannot draw.
    """

    def format(self, report: ScanReport) -> str:
        charts = chart_data(report, self.extras.clusters, self.extras.history)
        plotly = plotly_js()
        data = {
            "charts": charts,
            "findings": table_data(report),
            "diagnostics": [
                [printable(d.path), d.line, d.kind, printable(d.message)]
                for d in report.diagnostics[:DIAGNOSTICS_SHOWN]
            ],
            "plotly": plotly is not None,
        }
        library = (
            f'<script id="plotly-js" data-version="{_text(plotly[1])}">{plotly[0]}</script>\n'
            if plotly is not None
            else ""
        )
        baseline = "no" if report.baseline is None else "yes"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="mockguard ' + _text(__version__) + '">',
            "<title>mockguard report</title>",
            f"<style>\n{_asset('report.css')}</style>",
            "</head>",
            f'<body data-errors="" data-rendered="no" data-baseline="{baseline}">',
            f"<script>\n{_asset('guard.js')}</script>",
            self._header(report),
            "<main>",
            self._summary(report),
            self._audit(report),
            self._charts(report, charts, plotly is not None),
            self._findings(report),
            self._diagnostics(report),
            "</main>",
            f'<script type="application/json" id="mockguard-data">{embed_json(data)}</script>',
            library + f"<script>\n{_asset('report.js')}</script>",
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(parts)

    @staticmethod
    def _header(report: ScanReport) -> str:
        where = (
            f" · compared with the baseline <code>{_text(report.baseline.path)}</code>"
            if report.baseline is not None
            else ""
        )
        return (
            "<header>\n<h1>mockguard report</h1>\n"
            f'<p class="lead">Ad-hoc test doubles in {report.files_scanned} scanned files, '
            f"by mockguard {_text(__version__)}{where}.</p>\n</header>"
        )

    @staticmethod
    def _summary(report: ScanReport) -> str:
        cards: list[tuple[str, str, str]] = [
            ("doubles", str(len(report.census)), "ad-hoc doubles"),
        ]
        if report.baseline is not None:
            cards += [
                ("new", str(len(report.findings)), "new (not in the baseline)"),
                ("baselined", str(len(report.baseline.baselined)), "baselined"),
                ("gone", str(len(report.baseline.gone)), "gone from the baseline"),
            ]
        cards += [
            ("suppressed", str(len(report.suppressed)), "suppressed inline"),
            ("compliant", str(report.total_compliant), "factory calls"),
            ("adoption", percent(report.adoption), "adoption"),
            ("files", str(len({f.path for f in report.census})), "files with doubles"),
            ("diagnostics", str(len(report.diagnostics)), "diagnostics"),
        ]
        items = "\n".join(
            f'<div class="card" data-card="{key}"><span class="number">{_text(value)}</span>'
            f'<span class="label">{_text(label)}</span></div>'
            for key, value, label in cards
        )
        return (
            '<section id="summary" aria-label="Headline numbers">\n'
            f'<div class="cards">\n{items}\n</div>\n</section>'
        )

    @staticmethod
    def _audit(report: ScanReport) -> str:
        names = {code: RULES[code].name if code in RULES else code for code in report.rules}
        head = "".join(
            f'<th scope="col" class="num" title="{_text(names[code])}">{_text(code)}</th>'
            for code in report.rules
        )
        rows: list[str] = []
        for row in report.audit_rows():
            cells = "".join(
                f'<td class="num">{row.by_rule.get(code, 0)}</td>' for code in report.rules
            )
            if row.is_total:
                opening, label, hint = '<tr class="total">', "all", "<td></td>"
            else:
                opening, label = "<tr>", _text(row.category)
                hint = f'<td class="hint">{_text(report.hint(row.category))}</td>'
            rows.append(
                f'{opening}<th scope="row">{label}</th>{cells}'
                f'<td class="num">{row.total}</td><td class="num">{row.compliant}</td>'
                f'<td class="num">{percent(row.adoption)}</td>{hint}</tr>'
            )
        body = "\n".join(rows)
        return (
            '<section id="audit">\n<h2>Audit by category</h2>\n'
            '<p class="explain">Ad-hoc doubles per category and rule (new and baselined), '
            "factory calls (compliant) and adoption: factory calls as a share of all doubles."
            "</p>\n"
            '<div class="scroll"><table class="audit">\n'
            f'<thead><tr><th scope="col">Category</th>{head}<th scope="col" class="num">Total</th>'
            '<th scope="col" class="num">Compliant</th><th scope="col" class="num">Adoption</th>'
            '<th scope="col">Use instead</th></tr></thead>\n'
            f"<tbody>\n{body}\n</tbody>\n</table></div>\n</section>"
        )

    @staticmethod
    def _charts(report: ScanReport, charts: Mapping[str, Any], available: bool) -> str:
        if not available:
            return (
                '<section id="charts">\n<h2>Charts</h2>\n'
                '<p class="note" id="charts-missing">Charts need the plotly package: '
                f"<code>{_text(CHARTS_HINT)}</code>, then write the report again.</p>\n</section>"
            )
        figures = [
            (key, title, explain)
            for key, (title, explain) in FIGURES.items()
            if key not in OPTIONAL_FIGURES or charts[key] is not None
        ]
        blocks = "\n".join(
            f'<figure class="chart-box" id="figure-{key.replace("_", "-")}">'
            f"<h3>{_text(title)}</h3>"
            f'<p class="explain">{_text(explain)}</p>'
            f'<div class="chart" data-chart="{key}" role="img" aria-label="{_text(title)}"></div>'
            "</figure>"
            for key, title, explain in figures
        )
        return (
            '<section id="charts">\n<h2>Charts</h2>\n'
            '<p class="explain">Hover a bar or point for its numbers.</p>\n'
            f'<div class="charts" data-charts-expected="{len(figures)}">\n{blocks}\n</div>\n'
            "</section>"
        )

    @staticmethod
    def _findings(report: ScanReport) -> str:
        headers = [
            ("location", "Location"),
            ("code", "Rule"),
            ("category", "Category"),
            ("message", "Message"),
            ("scope", "Scope"),
            ("status", "Status"),
        ]
        head = "".join(
            f'<th scope="col" data-sort="{key}" aria-sort="none">'
            f'<button type="button">{label}</button></th>'
            for key, label in headers
        )
        states = "new: not in the baseline (every reported finding when there is none)"
        return (
            '<section id="findings">\n<h2>Findings</h2>\n'
            f'<p class="explain">Every finding, {PAGE_SIZE} a page. Type to filter (every word '
            f"must match: path, rule, category, message, scope or status); click a heading to "
            f"sort. {_text(states)}; baselined: recorded in the baseline; suppressed: silenced "
            "by an inline comment.</p>\n"
            '<div class="controls"><label for="filter">Filter</label>'
            '<input type="search" id="filter" placeholder="e.g. websocket new" autocomplete="off">'
            '<span id="match-count" aria-live="polite"></span></div>\n'
            '<div class="scroll"><table id="findings-table" class="findings">\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody></tbody>\n</table></div>\n"
            '<nav class="pager" aria-label="Pages">'
            '<button type="button" data-page="first">First</button>'
            '<button type="button" data-page="prev">Previous</button>'
            '<span id="page-info"></span>'
            '<button type="button" data-page="next">Next</button>'
            '<button type="button" data-page="last">Last</button></nav>\n'
            f'<noscript><p class="note">The findings table needs JavaScript; '
            f"{len(report.census) + len(report.suppressed)} findings are in the data of this "
            "page.</p></noscript>\n</section>"
        )

    @staticmethod
    def _diagnostics(report: ScanReport) -> str:
        if not report.diagnostics:
            return ""
        more = len(report.diagnostics) - DIAGNOSTICS_SHOWN
        rest = f'<p class="note">and {more} more.</p>\n' if more > 0 else ""
        return (
            '<section id="diagnostics">\n<h2>Diagnostics</h2>\n'
            '<p class="explain">What the scan could not read or had to assume; these never '
            "stop a scan.</p>\n"
            f'<ul class="diagnostics" id="diagnostics-list"></ul>\n{rest}</section>'
        )
