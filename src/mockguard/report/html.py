"""HTML: one self-contained page for the report's two readers.

The manager reads the top: the project, commit and date, the headline numbers and the
trend (adoption over time, with dates). The engineer reads on: the audit by category, the
charts of where the doubles are, the per-file index (every file, with folder drill-down),
and every finding in a searchable, sortable, paged table.

Everything the page needs is inside it: the styles, the page's own script (which draws the
charts as SVG; no charting library is embedded) and the data (one JSON island). Nothing is
fetched when the page is viewed, and a Content-Security-Policy forbids it; the policy
allows only the page's own script and style elements, by their SHA-256 hashes. Every
path, message and scope reaches the page as JSON and is shown by the script as text, never
parsed as markup; control characters, bidirectional overrides and undecodable bytes in them
are visible escapes (`\\u202e`, `\\xff`), so that no name reads otherwise than it is.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import posixpath
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from mockguard import __version__
from mockguard.report.base import Formatter, ProjectInfo
from mockguard.report.model import ScanReport, percent
from mockguard.report.safe import printable
from mockguard.scan.rules import RULES, message
from mockguard.scan.shapes import Cluster

# Bars in the folder, file and cluster charts.
TOP = 20
# Findings table rows on one page.
PAGE_SIZE = 100
# Diagnostics on one page of their list.
DIAGNOSTICS_PAGE_SIZE = 50
# The findings table's columns, in the order of each row of the data island.
FINDING_COLUMNS = ("path", "line", "column", "code", "category", "message", "scope", "status")

# One colour per category, the same in every chart; categories of the project's own config
# take the next free colour of EXTRA_COLORS in the report's category order.
CATEGORY_COLORS = {
    "agent": "#7c3aed",
    "websocket": "#2563eb",
    "database": "#c2410c",
    "generic": "#64748b",
}
EXTRA_COLORS = ("#0891b2", "#db2777", "#65a30d", "#a16207", "#4338ca", "#be123c", "#0f766e")
# Adoption is drawn in its own colour, never a category's.
ADOPTION_COLOR = "#047857"
# Adoption levels of the headline card: below LOW is low, below HIGH is on its way.
LOW, HIGH = 0.25, 0.75

# The charts of the breakdown section, in order: key -> (title, what it shows).
FIGURES: dict[str, tuple[str, str]] = {
    "by_category": ("By category", "Ad-hoc doubles per category. Click a bar to list them."),
    "by_rule": ("By rule", "Ad-hoc doubles per rule. Click a bar to list them."),
    "top_folders": (
        "Top folders",
        f"The folders holding the most ad-hoc doubles (at most {TOP}). Click to list them.",
    ),
    "top_files": (
        "Top files",
        f"The files holding the most ad-hoc doubles (at most {TOP}). Click to list them.",
    ),
    "baseline": (
        "Baseline status",
        "Per category: new findings, findings still in the baseline, and baseline "
        "entries that are gone (fixed).",
    ),
    "clusters": (
        "Duplicate setups",
        f"Copies of the same mock setup, largest cluster first (at most {TOP}): "
        "each is a candidate for one factory kind. Hover a bar for its places.",
    ),
}
# Drawn only when the report has them (a baseline, clusters).
OPTIONAL_FIGURES = frozenset({"baseline", "clusters"})


def category_colors(categories: Sequence[str]) -> dict[str, str]:
    """A colour per category: the built-ins' own, then the extra colours in turn."""
    colors: dict[str, str] = {}
    extra = 0
    for name in categories:
        if name in CATEGORY_COLORS:
            colors[name] = CATEGORY_COLORS[name]
        else:
            colors[name] = EXTRA_COLORS[extra % len(EXTRA_COLORS)]
            extra += 1
    return colors


def adoption_level(rate: float | None) -> str:
    """How far adoption has come, for the headline card's colour: none, low, mid or high."""
    if rate is None:
        return "none"
    return "low" if rate < LOW else "mid" if rate < HIGH else "high"


def shown_path(report: ScanReport, path: str) -> str:
    """A scanned file's path as the page shows it: relative to the project root, with `/`,
    and :func:`printable`."""
    return printable(report.project_paths.get(path, path).replace("\\", "/"))


def _ranked(counter: Mapping[str, int], top: int = TOP) -> dict[str, Any]:
    """The `top` largest counts, largest first (ties by name), with how many there were."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top]
    return {
        "labels": [name for name, _ in ranked],
        "values": [count for _, count in ranked],
        "total": len(counter),
    }


def _folder(path: str) -> str:
    return posixpath.dirname(path) or "."


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
    """Per-commit series, in the order given (oldest first, as `mockguard history` writes),
    and the change from the first sampled commit to the last."""
    seen: set[str] = set()
    for row in history:
        seen.update(str(name) for name in dict(row.get("counts") or {}))
    order = [c for c in report.category_order if c in seen]
    order += sorted(seen - set(order))
    commits = [printable(str(row.get("commit", ""))) for row in history]
    labels = [commit[:7] for commit in commits]
    if len(set(labels)) != len(labels):
        labels = commits
    series = []
    for category in order:
        values = [int(dict(row.get("counts") or {}).get(category, 0)) for row in history]
        series.append({"category": printable(category), "values": values})
    adoption = [row.get("adoption") for row in history]
    rates = [None if a is None else round(float(a), 4) for a in adoption]
    totals = [int(row.get("total", 0)) for row in history]
    dates = [printable(str(row.get("date", ""))) for row in history]
    change = None
    if history:
        first, last = rates[0], rates[-1]
        change = {
            "since_commit": labels[0],
            "since_date": dates[0],
            "commits": len(history),
            "total_from": totals[0],
            "total_to": totals[-1],
            "adoption_from": first,
            "adoption_to": last,
            "adoption_points": (
                None if first is None or last is None else round((last - first) * 100, 1)
            ),
        }
    return {
        "commits": commits,
        "labels": labels,
        "dates": dates,
        "total": totals,
        "compliant": [int(row.get("compliant", 0)) for row in history],
        "adoption": rates,
        "categories": series,
        "change": change,
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
    history or clusters were given. `colors` holds each category's one colour.
    """
    census = report.census
    counts = report.counts()
    by_rule = report.by_rule()
    paths = [shown_path(report, f.path) for f in census]
    trend = None if history is None else _trend_chart(report, history)
    names = list(counts)
    if trend is not None:
        names += [s["category"] for s in trend["categories"] if s["category"] not in counts]
    return {
        "colors": {printable(c): color for c, color in category_colors(names).items()},
        "adoption_color": ADOPTION_COLOR,
        "by_category": {
            "labels": [printable(c) for c in counts],
            "values": [sum(row.values()) for row in counts.values()],
        },
        "by_rule": {
            "labels": list(by_rule),
            "names": [RULES[code].name if code in RULES else code for code in by_rule],
            "values": list(by_rule.values()),
        },
        "top_folders": _ranked(Counter(_folder(p) for p in paths)),
        "top_files": _ranked(Counter(paths)),
        "baseline": _baseline_chart(report),
        "trend": trend,
        "clusters": None if clusters is None else _cluster_chart(clusters),
    }


def file_index(report: ScanReport) -> dict[str, Any]:
    """The per-file index: every file with ad-hoc doubles or factory calls, by path, with
    its doubles (new and baselined), factory calls and doubles per rule (in `rules` order)."""
    rules = list(report.rules)
    column = {code: i for i, code in enumerate(rules)}
    files: dict[str, list[Any]] = {}

    def entry(path: str) -> list[Any]:
        shown = shown_path(report, path)
        if shown not in files:
            files[shown] = [shown, 0, 0, [0] * len(rules)]
        return files[shown]

    for finding in report.census:
        row = entry(finding.path)
        row[1] += 1
        if finding.code in column:
            row[3][column[finding.code]] += 1
    for call in report.compliant_calls:
        entry(call.path)[2] += 1
    return {
        "rules": rules,
        "names": [RULES[code].name if code in RULES else code for code in rules],
        "rows": [files[path] for path in sorted(files)],
    }


def table_data(report: ScanReport) -> dict[str, Any]:
    """The findings table: one row per finding (new, baselined and suppressed)."""
    rows = [
        [
            shown_path(report, f.path),
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
        "baseline": report.baseline is not None,
    }


def diagnostics_data(report: ScanReport) -> dict[str, Any]:
    """Every diagnostic (path, line, kind, message), paged like the findings."""
    return {
        "rows": [
            [shown_path(report, d.path), d.line, printable(d.kind), printable(d.message)]
            for d in report.diagnostics
        ],
        "page_size": DIAGNOSTICS_PAGE_SIZE,
    }


def embed_json(data: Any) -> str:
    """JSON safe inside a `<script>` element: no `<`, `>` or `&` that could end it."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def csp_hash(source: str) -> str:
    """A Content-Security-Policy source allowing exactly this element content."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: Sequence[str], styles: Sequence[str]) -> str:
    """Nothing fetched, nothing inline but the page's own scripts and styles (by hash)."""
    script_src = " ".join(csp_hash(s) for s in scripts)
    style_src = " ".join(csp_hash(s) for s in styles)
    return (
        f"default-src 'none'; script-src {script_src}; style-src {style_src}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _asset(name: str) -> str:
    return (resources.files("mockguard.report") / "html_assets" / name).read_text("utf-8")


def _text(value: object) -> str:
    """Escaped text for the page, :func:`printable` first (an undecodable byte of a path
    shows as `\\xff`)."""
    return html.escape(printable(str(value)), quote=True)


def _when(moment: str) -> str:
    """An ISO 8601 time as the header shows it: `2026-11-20 10:00 UTC`."""
    day, _, rest = moment.partition("T")
    if not rest:
        return moment
    clock, zone = rest[:5], rest[8:]
    return f"{day} {clock} {'UTC' if zone in ('+00:00', 'Z') else zone}".strip()


class HtmlFormatter(Formatter):
    """The whole report as one HTML page that works offline.

    The extras' `clusters` (from `mockguard dupes`), `history` (rows of `mockguard
    history`: commit, date, counts, total, compliant, adoption) and `project` (name, commit,
    branch, scan time) add what a scan alone cannot show.
    """

    def format(self, report: ScanReport) -> str:
        charts = chart_data(report, self.extras.clusters, self.extras.history)
        project = self.extras.project or ProjectInfo()
        data = {
            "project": {"name": printable(project.name)},
            "charts": charts,
            "files": file_index(report),
            "findings": table_data(report),
            "diagnostics": diagnostics_data(report),
        }
        style = "\n" + _asset("report.css")
        guard = "\n" + _asset("guard.js")
        script = "\n" + _asset("report.js")
        csp = content_security_policy([guard, script], [style])
        baseline = "no" if report.baseline is None else "yes"
        title = f"{project.name} · mockguard report" if project.name else "mockguard report"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="mockguard ' + _text(__version__) + '">',
            f"<title>{_text(title)}</title>",
            f"<style>{style}</style>",
            "</head>",
            f'<body data-errors="" data-rendered="no" data-baseline="{baseline}">',
            f"<script>{guard}</script>",
            self._header(report, project),
            "<main>",
            self._summary(report, charts),
            self._progress(charts),
            self._audit(report),
            self._charts(charts),
            self._files(),
            self._findings(report),
            self._diagnostics(report),
            "</main>",
            f'<script type="application/json" id="mockguard-data">{embed_json(data)}</script>',
            f"<script>{script}</script>",
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(parts)

    @staticmethod
    def _header(report: ScanReport, project: ProjectInfo) -> str:
        facts: list[str] = []
        if project.commit:
            branch = f" on <code>{_text(project.branch)}</code>" if project.branch else ""
            facts.append(
                f'<span data-fact="commit">commit <code title="{_text(project.commit)}">'
                f"{_text(project.commit[:10])}</code>{branch}</span>"
            )
        if project.scanned_at:
            facts.append(
                f'<span data-fact="date">scanned <time datetime="{_text(project.scanned_at)}">'
                f"{_text(_when(project.scanned_at))}</time></span>"
            )
        facts.append(f'<span data-fact="files">{report.files_scanned} files scanned</span>')
        if report.baseline is not None:
            facts.append(
                f'<span data-fact="baseline">against the baseline '
                f"<code>{_text(report.baseline.path)}</code></span>"
            )
        facts.append(f'<span data-fact="version">mockguard {_text(__version__)}</span>')
        name = _text(project.name) if project.name else "Ad-hoc test doubles"
        return (
            "<header>\n"
            f'<p class="kicker">mockguard report</p>\n<h1 id="project-name">{name}</h1>\n'
            f'<p class="facts">{" · ".join(facts)}</p>\n</header>'
        )

    @staticmethod
    def _summary(report: ScanReport, charts: Mapping[str, Any]) -> str:
        cards: list[tuple[str, str, str, str]] = [
            ("doubles", str(len(report.census)), "ad-hoc doubles", ""),
            ("compliant", str(report.total_compliant), "factory calls", ""),
            (
                "adoption",
                percent(report.adoption),
                "adoption (factory calls of all doubles)",
                adoption_level(report.adoption),
            ),
        ]
        trend = charts.get("trend")
        change = trend["change"] if trend else None
        if change and change["adoption_points"] is not None:
            points = change["adoption_points"]
            date = str(change["since_date"])[:10]
            cards.append(
                (
                    "change",
                    f"{points:+.1f} pts",
                    f"adoption since {date} ({change['commits']} commits)",
                    "up" if points > 0 else "down" if points < 0 else "flat",
                )
            )
        if report.baseline is not None:
            cards += [
                ("new", str(len(report.findings)), "new (not in the baseline)", ""),
                ("baselined", str(len(report.baseline.baselined)), "baselined", ""),
                ("gone", str(len(report.baseline.gone)), "gone from the baseline", ""),
            ]
        cards += [
            ("files", str(len({f.path for f in report.census})), "files with doubles", ""),
            ("suppressed", str(len(report.suppressed)), "suppressed inline", ""),
            ("diagnostics", str(len(report.diagnostics)), "diagnostics", ""),
        ]
        items = "\n".join(
            f'<div class="card" data-card="{key}" data-level="{level}">'
            f'<span class="number">{_text(value)}</span>'
            f'<span class="label">{_text(label)}</span></div>'
            for key, value, label, level in cards
        )
        return (
            '<section id="summary" aria-label="Headline numbers">\n'
            f'<div class="cards">\n{items}\n</div>\n</section>'
        )

    @staticmethod
    def _progress(charts: Mapping[str, Any]) -> str:
        trend = charts.get("trend")
        if trend is None:
            return ""
        if not trend["commits"]:
            return (
                '<section id="progress">\n<h2>Progress</h2>\n'
                '<p class="note">Nothing to chart: the history has no commits.</p>\n</section>'
            )
        return (
            '<section id="progress">\n<h2>Progress</h2>\n'
            '<p class="explain" id="progress-summary"></p>\n'
            '<div class="charts two">'
            '<figure class="chart-box"><h3>Adoption over time</h3>'
            '<p class="explain">Factory calls as a share of all doubles, per sampled commit '
            "(by commit date).</p>"
            '<div class="chart" data-chart="adoption" role="img" '
            'aria-label="Adoption over time"></div></figure>'
            '<figure class="chart-box"><h3>Ad-hoc doubles per category over time</h3>'
            '<p class="explain">Per sampled commit (by commit date).</p>'
            '<div class="chart" data-chart="trend" role="img" '
            'aria-label="Ad-hoc doubles per category over time"></div></figure>'
            "</div>\n</section>"
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
    def _charts(charts: Mapping[str, Any]) -> str:
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
            '<section id="charts">\n<h2>Where the doubles are</h2>\n'
            f'<div class="charts" data-charts-expected="{len(figures)}">\n{blocks}\n</div>\n'
            "</section>"
        )

    @staticmethod
    def _files() -> str:
        return (
            '<section id="files">\n<h2>Files</h2>\n'
            '<p class="explain">Every file with ad-hoc doubles or factory calls, folder by '
            "folder. Click a folder to open it, a file to list its findings; click a heading "
            "to sort.</p>\n"
            '<div class="controls"><nav id="crumbs" aria-label="Folder"></nav>'
            '<label class="flat"><input type="checkbox" id="files-flat"> all files below</label>'
            "</div>\n"
            '<div class="scroll"><table id="files-table" class="files">'
            "<thead><tr></tr></thead><tbody></tbody></table></div>\n</section>"
        )

    @staticmethod
    def _pager(name: str) -> str:
        return (
            f'<nav class="pager" data-pager="{name}" aria-label="Pages">'
            '<button type="button" data-page="first">First</button>'
            '<button type="button" data-page="prev">Previous</button>'
            '<span class="page-info"></span>'
            '<button type="button" data-page="next">Next</button>'
            '<button type="button" data-page="last">Last</button></nav>'
        )

    @classmethod
    def _findings(cls, report: ScanReport) -> str:
        headers = [
            ("location", "Location"),
            ("code", "Rule"),
            ("category", "Category"),
            ("message", "Message"),
            ("scope", "Scope"),
        ]
        if report.baseline is not None:
            headers.append(("status", "Status"))
        cols = "".join(f'<col class="col-{key}">' for key, _ in headers)
        head = "".join(
            f'<th scope="col" data-sort="{key}" aria-sort="none">'
            f'<button type="button">{label}</button></th>'
            for key, label in headers
        )
        states = (
            " Status: new (not in the baseline), baselined (recorded in it), suppressed "
            "(silenced by an inline comment)."
            if report.baseline is not None
            else " Findings silenced by an inline comment are listed too: type suppressed."
        )
        return (
            '<section id="findings">\n<h2>Findings</h2>\n'
            f'<p class="explain">Every finding, {PAGE_SIZE} a page. Type to filter (every word '
            "must match: path, rule, category, message, scope or status); click a heading to "
            f"sort.{_text(states)}</p>\n"
            '<div class="controls"><label for="filter">Filter</label>'
            '<input type="search" id="filter" placeholder="e.g. websocket MG102" '
            'autocomplete="off"><span id="facets"></span>'
            '<span id="match-count" aria-live="polite"></span></div>\n'
            f"{cls._pager('findings')}\n"
            '<div class="scroll"><table id="findings-table" class="findings">\n'
            f"<colgroup>{cols}</colgroup>\n"
            f"<thead><tr>{head}</tr></thead>\n<tbody></tbody>\n</table></div>\n"
            f"{cls._pager('findings')}\n"
            f'<noscript><p class="note">The findings table needs JavaScript; '
            f"{len(report.census) + len(report.suppressed)} findings are in the data of this "
            "page.</p></noscript>\n</section>"
        )

    @classmethod
    def _diagnostics(cls, report: ScanReport) -> str:
        if not report.diagnostics:
            return ""
        return (
            '<section id="diagnostics">\n<h2>Diagnostics</h2>\n'
            f'<p class="explain">What the scan could not read or had to assume '
            f"({len(report.diagnostics)}, {DIAGNOSTICS_PAGE_SIZE} a page); these never "
            "stop a scan.</p>\n"
            f'<ul class="diagnostics" id="diagnostics-list"></ul>\n'
            f"{cls._pager('diagnostics')}\n</section>"
        )
