/* mockguard HTML report: draws the charts and the paged findings table from the JSON data
   island. Every value from the data is shown as text (textContent, or escaped for plotly's
   label markup), never parsed as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mockguard-data").textContent);
  var body = document.body;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  /* ---- Diagnostics ---- */
  var diagnosticList = document.getElementById("diagnostics-list");
  if (diagnosticList) {
    data.diagnostics.forEach(function (d) {
      var item = el("li");
      item.appendChild(el("code", d[1] ? d[0] + ":" + d[1] : d[0]));
      item.appendChild(document.createTextNode(" " + d[2] + ": " + d[3]));
      diagnosticList.appendChild(item);
    });
  }

  /* ---- Findings table ---- */
  var table = data.findings;
  var rows = table.rows; // [path, line, column, code, category, message, scope, status]
  var COLUMN = { code: 3, category: 4, message: 5, scope: 6, status: 7 };
  var STATUSES = { new: true, baselined: true, suppressed: true };
  var state = { filter: "", sort: "location", dir: 1, page: 0 };
  var haystack = null;
  var shown = [];
  var tbody = document.querySelector("#findings-table tbody");
  var filterBox = document.getElementById("filter");

  function where(row) {
    return row[0] + ":" + row[1] + ":" + row[2];
  }

  function searchText(i) {
    if (haystack === null) {
      haystack = rows.map(function (r) {
        return [where(r), r[3], table.rules[r[3]] || "", r[4], r[5], r[6], r[7]]
          .join(" ")
          .toLowerCase();
      });
    }
    return haystack[i];
  }

  function compare(a, b) {
    var ra = rows[a];
    var rb = rows[b];
    var order = 0;
    if (state.sort === "location") {
      order = ra[0] < rb[0] ? -1 : ra[0] > rb[0] ? 1 : ra[1] - rb[1] || ra[2] - rb[2];
    } else {
      var k = COLUMN[state.sort];
      order = ra[k] < rb[k] ? -1 : ra[k] > rb[k] ? 1 : 0;
    }
    return order * state.dir || a - b;
  }

  function select() {
    var words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    shown = [];
    for (var i = 0; i < rows.length; i++) {
      var text = words.length ? searchText(i) : "";
      if (words.every(function (w) { return text.indexOf(w) !== -1; })) shown.push(i);
    }
    shown.sort(compare);
  }

  function pages() {
    return Math.max(1, Math.ceil(shown.length / table.page_size));
  }

  function renderRow(row) {
    var tr = el("tr");
    tr.setAttribute("data-row", "");
    tr.appendChild(el("td", where(row), "location"));
    var rule = el("td", row[3], "rule");
    rule.title = table.rules[row[3]] || "";
    tr.appendChild(rule);
    tr.appendChild(el("td", row[4], "category"));
    tr.appendChild(el("td", row[5], "message"));
    tr.appendChild(el("td", row[6], "scope"));
    tr.appendChild(el("td", row[7], STATUSES[row[7]] ? "status status-" + row[7] : "status"));
    return tr;
  }

  function render() {
    state.page = Math.min(Math.max(state.page, 0), pages() - 1);
    var start = state.page * table.page_size;
    var page = shown.slice(start, start + table.page_size);
    var fragment = document.createDocumentFragment();
    page.forEach(function (i) { fragment.appendChild(renderRow(rows[i])); });
    if (!page.length) {
      var empty = el("td", rows.length ? "No finding matches the filter." : "No findings.");
      empty.colSpan = 6;
      empty.className = "empty";
      fragment.appendChild(el("tr")).appendChild(empty);
    }
    tbody.textContent = "";
    tbody.appendChild(fragment);
    var matched = shown.length === rows.length
      ? rows.length + " findings"
      : shown.length + " of " + rows.length + " findings";
    document.getElementById("match-count").textContent = matched;
    document.getElementById("page-info").textContent =
      "Page " + (state.page + 1) + " of " + pages();
    document.querySelectorAll(".pager button").forEach(function (button) {
      var back = button.getAttribute("data-page") === "first" ||
        button.getAttribute("data-page") === "prev";
      button.disabled = back ? state.page === 0 : state.page >= pages() - 1;
    });
    document.querySelectorAll("#findings-table th[data-sort]").forEach(function (th) {
      var key = th.getAttribute("data-sort");
      th.setAttribute("aria-sort",
        key !== state.sort ? "none" : state.dir > 0 ? "ascending" : "descending");
    });
    var element = document.getElementById("findings-table");
    element.setAttribute("data-matches", String(shown.length));
    element.setAttribute("data-page", String(state.page + 1));
  }

  function remember() {
    var params = new URLSearchParams();
    if (state.filter) params.set("filter", state.filter);
    if (state.sort !== "location" || state.dir < 0) {
      params.set("sort", state.sort);
      params.set("dir", state.dir > 0 ? "asc" : "desc");
    }
    if (state.page) params.set("page", String(state.page + 1));
    var hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : plainUrl());
    } catch (ignored) {
      /* some viewers forbid it for local files: the table works all the same */
    }
  }

  function plainUrl() {
    return window.location.pathname + window.location.search;
  }

  function readHash() {
    var params = new URLSearchParams(window.location.hash.slice(1));
    state.filter = params.get("filter") || "";
    var sort = params.get("sort");
    if (sort === "location" || Object.prototype.hasOwnProperty.call(COLUMN, sort)) {
      state.sort = sort;
    }
    state.dir = params.get("dir") === "desc" ? -1 : 1;
    state.page = Math.max(0, (parseInt(params.get("page"), 10) || 1) - 1);
    filterBox.value = state.filter;
  }

  var typing = null;
  filterBox.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () {
      state.filter = filterBox.value;
      state.page = 0;
      select();
      render();
      remember();
    }, 150);
  });
  document.querySelectorAll("#findings-table th[data-sort] button").forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.parentNode.getAttribute("data-sort");
      state.dir = state.sort === key ? -state.dir : 1;
      state.sort = key;
      select();
      render();
      remember();
    });
  });
  document.querySelectorAll(".pager button").forEach(function (button) {
    button.addEventListener("click", function () {
      var move = button.getAttribute("data-page");
      state.page = move === "first" ? 0 : move === "last" ? pages() - 1
        : state.page + (move === "next" ? 1 : -1);
      render();
      remember();
    });
  });
  window.addEventListener("hashchange", function () {
    readHash();
    select();
    render();
  });
  readHash();
  select();
  render();

  /* ---- Charts ---- */
  var FONT = {
    family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    size: 13,
    color: "#1f2933",
  };
  var PALETTE = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2",
    "#65a30d", "#dc2626", "#64748b"];
  var CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
  };

  /* plotly reads a few HTML-like tags and entities in labels: escape them to show text. */
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* Long labels keep their end (a file's name); full ones stay in the hover text. */
  function short(labels) {
    var cut = labels.map(function (l) { return l.length > 60 ? "…" + l.slice(-59) : l; });
    return new Set(cut).size === cut.length ? cut : labels;
  }

  function layout(extra) {
    return Object.assign({
      font: FONT,
      height: 320,
      margin: { l: 60, r: 24, t: 32, b: 48 },
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
      showlegend: false,
      bargap: 0.3,
      hoverlabel: { font: FONT },
    }, extra);
  }

  function horizontal(labels, values, hover, color) {
    var names = short(labels);
    var widest = Math.max.apply(null, names.map(function (l) { return l.length; }).concat([0]));
    return {
      traces: [{
        type: "bar",
        orientation: "h",
        y: names.map(esc),
        x: values,
        text: hover,
        textposition: "none",
        hoverinfo: "text",
        marker: { color: color },
      }],
      layout: layout({
        height: 100 + 26 * labels.length,
        margin: { l: Math.min(440, Math.max(60, 16 + 7.5 * widest)), r: 24, t: 32, b: 48 },
        yaxis: { type: "category", autorange: "reversed", automargin: true },
        xaxis: { rangemode: "tozero", title: { text: "ad-hoc doubles" } },
      }),
    };
  }

  function ranked(part, color) {
    var hover = part.labels.map(function (l, i) { return esc(l) + "<br>" + part.values[i]; });
    return horizontal(part.labels, part.values, hover, color);
  }

  var CHARTS = {
    by_category: function (c) {
      var part = c.by_category;
      return {
        traces: [{
          type: "bar",
          x: part.labels.map(esc),
          y: part.values,
          marker: {
            color: part.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }),
          },
          hovertemplate: "%{x}: %{y}<extra></extra>",
        }],
        layout: layout({ xaxis: { type: "category" }, yaxis: { rangemode: "tozero" } }),
      };
    },
    by_rule: function (c) {
      var part = c.by_rule;
      var labels = part.labels.map(function (code, i) { return code + " " + part.names[i]; });
      return ranked({ labels: labels, values: part.values }, "#2563eb");
    },
    top_folders: function (c) { return ranked(c.top_folders, "#0891b2"); },
    top_files: function (c) { return ranked(c.top_files, "#7c3aed"); },
    baseline: function (c) {
      var part = c.baseline;
      var colors = { new: "#dc2626", baselined: "#94a3b8", gone: "#059669" };
      return {
        traces: ["new", "baselined", "gone"].map(function (key) {
          return {
            type: "bar",
            name: key,
            x: part.categories.map(esc),
            y: part[key],
            marker: { color: colors[key] },
            hovertemplate: "%{x}: %{y} " + key + "<extra></extra>",
          };
        }),
        layout: layout({
          barmode: "group",
          showlegend: true,
          legend: { orientation: "h", y: 1.12 },
          margin: { l: 60, r: 24, t: 48, b: 48 },
          xaxis: { type: "category" },
          yaxis: { rangemode: "tozero" },
        }),
      };
    },
    trend: function (c) {
      var part = c.trend;
      var x = part.labels.map(esc);
      var hover = part.commits.map(function (commit, i) {
        return esc(commit) + "<br>" + esc(part.dates[i]);
      });
      function line(name, values, extra) {
        return Object.assign({
          type: "scatter", mode: "lines+markers", name: esc(name), x: x, y: values,
          text: hover, hovertemplate: "%{text}<br>" + esc(name) + ": %{y}<extra></extra>",
        }, extra);
      }
      var traces = [line("total", part.total, { line: { width: 3, color: "#1f2933" } })];
      part.categories.forEach(function (series, i) {
        traces.push(line(series.category, series.values,
          { line: { width: 1.5, color: PALETTE[i % PALETTE.length] } }));
      });
      traces.push(line("adoption", part.adoption.map(function (a) {
        return a === null ? null : Math.round(a * 1000) / 10;
      }), {
        yaxis: "y2",
        line: { dash: "dot", color: "#059669" },
        hovertemplate: "%{text}<br>adoption: %{y}%<extra></extra>",
      }));
      return {
        traces: traces,
        layout: layout({
          height: 380,
          showlegend: true,
          legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
          margin: { l: 60, r: 60, t: 72, b: 60 },
          xaxis: { type: "category", nticks: 12, automargin: true },
          yaxis: { rangemode: "tozero", title: { text: "ad-hoc doubles" } },
          yaxis2: {
            overlaying: "y", side: "right", range: [0, 100], ticksuffix: "%",
            tickmode: "array", tickvals: [0, 25, 50, 75, 100],
            ticktext: ["0%", "25%", "50%", "75%", "100%"],
            showgrid: false, title: { text: "adoption" },
          },
        }),
      };
    },
    clusters: function (c) {
      var groups = c.clusters.clusters;
      var labels = groups.map(function (g) {
        return "#" + g.rank + " " + g.category + ": " + g.constructor +
          "(" + (g.spec ? "spec=" + g.spec : "") + ")";
      });
      var hover = groups.map(function (g) {
        var places = g.places.slice(0, 10).map(esc).join("<br>");
        var more = g.places.length > 10 ? "<br>… " + (g.places.length - 10) + " more" : "";
        return esc(g.size + (g.exact ? " identical" : " similar") + " setups configuring " +
          g.members.join(", ")) + "<br>" + places + more;
      });
      var sizes = groups.map(function (g) { return g.size; });
      var chart = horizontal(labels, sizes, hover, "#d97706");
      chart.layout.xaxis.title.text = "copies";
      return chart;
    },
  };

  var EMPTY = {
    trend: "Nothing to chart: the history has no commits.",
    clusters: "Nothing to chart: no copied setups.",
  };

  function drawCharts() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    if (!boxes.length || typeof Plotly === "undefined") return Promise.resolve(0);
    return Promise.all(boxes.map(function (box) {
      var name = box.getAttribute("data-chart");
      var chart = CHARTS[name](data.charts);
      var empty = chart.traces.every(function (t) {
        return !(t.x || []).length || !(t.y || []).length;
      });
      if (empty) {
        box.appendChild(el("p", EMPTY[name] || "Nothing to chart: no ad-hoc doubles.", "note"));
        box.setAttribute("data-state", "empty");
        return Promise.resolve();
      }
      return Plotly.newPlot(box, chart.traces, chart.layout, CONFIG).then(function () {
        box.setAttribute("data-state", "drawn");
      });
    })).then(function () {
      return document.querySelectorAll("[data-chart][data-state='drawn']").length;
    });
  }

  drawCharts().then(function (drawn) {
    body.setAttribute("data-charts", String(drawn));
    body.setAttribute("data-rendered", "yes");
  }, function (error) {
    body.setAttribute("data-rendered", "failed");
    throw error;
  });
})();
