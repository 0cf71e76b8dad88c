/* mockguard HTML report: the paged findings table, the per-file index, the diagnostics and
   the charts (drawn as SVG by this script), all from the JSON data island. Every value from
   the data is shown as text (textContent, or an SVG text node), never parsed as HTML.
   The findings table is drawn first; the charts follow in the next frame. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mockguard-data").textContent);
  var body = document.body;
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function pct(rate) {
    return rate === null || rate === undefined ? "-" : (rate * 100).toFixed(1) + "%";
  }

  /* A long label loses its middle, so that both a path's start and its file name show. */
  function elide(text, max) {
    text = String(text);
    if (text.length <= max) return text;
    var keep = Math.max(1, max - 1);
    var head = Math.ceil(keep * 0.4);
    return text.slice(0, head) + "…" + text.slice(text.length - (keep - head));
  }

  /* A path as text that may break only after a `/`. */
  function pathNode(parent, path, suffix) {
    var parts = String(path).split("/");
    parts.forEach(function (part, i) {
      parent.appendChild(document.createTextNode(part + (i < parts.length - 1 ? "/" : "")));
      if (i < parts.length - 1) parent.appendChild(document.createElement("wbr"));
    });
    if (suffix) parent.appendChild(el("span", suffix, "at"));
    return parent;
  }

  /* ---- Pagers: every pager of a name moves the same list ---- */
  function pager(name, onMove) {
    var navs = document.querySelectorAll('[data-pager="' + name + '"]');
    navs.forEach(function (nav) {
      nav.querySelectorAll("button").forEach(function (button) {
        button.addEventListener("click", function () { onMove(button.getAttribute("data-page")); });
      });
    });
    return function update(page, pages) {
      navs.forEach(function (nav) {
        nav.querySelector(".page-info").textContent = "Page " + (page + 1) + " of " + pages;
        nav.querySelectorAll("button").forEach(function (button) {
          var move = button.getAttribute("data-page");
          var back = move === "first" || move === "prev";
          button.disabled = back ? page === 0 : page >= pages - 1;
        });
      });
    };
  }

  function moved(move, page, pages) {
    return move === "first" ? 0 : move === "last" ? pages - 1
      : Math.min(pages - 1, Math.max(0, page + (move === "next" ? 1 : -1)));
  }

  /* ---- Findings table ---- */
  var table = data.findings;
  var rows = table.rows; // [path, line, column, code, category, message, scope, status]
  var COLUMN = { code: 3, category: 4, message: 5, scope: 6, status: 7 };
  var STATUSES = { new: true, baselined: true, suppressed: true };
  var FACETS = ["path", "category", "rule"];
  var state = { filter: "", sort: "location", dir: 1, page: 0, path: "", category: "", rule: "" };
  var haystack = null;
  var shown = [];
  var tbody = document.querySelector("#findings-table tbody");
  var filterBox = document.getElementById("filter");
  var columns = table.baseline ? 6 : 5;

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

  function inPath(path) {
    if (!state.path) return true;
    return state.path.slice(-1) === "/" ? path.indexOf(state.path) === 0 : path === state.path;
  }

  function select() {
    var words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    shown = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (!inPath(r[0])) continue;
      if (state.category && r[4] !== state.category) continue;
      if (state.rule && r[3] !== state.rule) continue;
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
    var location = pathNode(el("td", null, "location"), row[0], ":" + row[1] + ":" + row[2]);
    location.title = where(row);
    tr.appendChild(location);
    var rule = el("td", row[3], "rule");
    rule.title = table.rules[row[3]] || "";
    tr.appendChild(rule);
    tr.appendChild(el("td", row[4], "category"));
    tr.appendChild(el("td", row[5], "message"));
    var scope = el("td", elide(row[6], 30), "scope");
    scope.title = row[6];
    tr.appendChild(scope);
    if (table.baseline) {
      tr.appendChild(el("td", row[7], STATUSES[row[7]] ? "status status-" + row[7] : "status"));
    }
    return tr;
  }

  var updatePager = pager("findings", function (move) {
    state.page = moved(move, state.page, pages());
    render();
    remember();
  });

  function renderFacets() {
    var holder = document.getElementById("facets");
    holder.textContent = "";
    FACETS.forEach(function (key) {
      if (!state[key]) return;
      var chip = el("button", null, "facet");
      chip.type = "button";
      chip.setAttribute("data-facet", key);
      chip.title = "Show all again";
      chip.appendChild(document.createTextNode((key === "path" ? "in " : key + " ") + state[key]));
      chip.appendChild(el("span", " ×", "x"));
      chip.addEventListener("click", function () { setFacet(key, ""); });
      holder.appendChild(chip);
    });
  }

  function render() {
    state.page = Math.min(Math.max(state.page, 0), pages() - 1);
    var start = state.page * table.page_size;
    var page = shown.slice(start, start + table.page_size);
    var fragment = document.createDocumentFragment();
    page.forEach(function (i) { fragment.appendChild(renderRow(rows[i])); });
    if (!page.length) {
      var empty = el("td", rows.length ? "No finding matches the filter." : "No findings.");
      empty.colSpan = columns;
      empty.className = "empty";
      fragment.appendChild(el("tr")).appendChild(empty);
    }
    tbody.textContent = "";
    tbody.appendChild(fragment);
    var matched = shown.length === rows.length
      ? rows.length + " findings"
      : shown.length + " of " + rows.length + " findings";
    document.getElementById("match-count").textContent = matched;
    updatePager(state.page, pages());
    document.querySelectorAll("#findings-table th[data-sort]").forEach(function (th) {
      var key = th.getAttribute("data-sort");
      th.setAttribute("aria-sort",
        key !== state.sort ? "none" : state.dir > 0 ? "ascending" : "descending");
    });
    renderFacets();
    var element = document.getElementById("findings-table");
    element.setAttribute("data-matches", String(shown.length));
    element.setAttribute("data-page", String(state.page + 1));
  }

  function remember() {
    var params = new URLSearchParams();
    if (state.filter) params.set("filter", state.filter);
    FACETS.forEach(function (key) { if (state[key]) params.set(key, state[key]); });
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
    FACETS.forEach(function (key) { state[key] = params.get(key) || ""; });
    var sort = params.get("sort");
    if (sort === "location" || Object.prototype.hasOwnProperty.call(COLUMN, sort)) {
      state.sort = sort;
    }
    state.dir = params.get("dir") === "desc" ? -1 : 1;
    state.page = Math.max(0, (parseInt(params.get("page"), 10) || 1) - 1);
    filterBox.value = state.filter;
  }

  function refresh() {
    state.page = 0;
    select();
    render();
    remember();
  }

  /* Narrow the findings to a path (a file, or a folder ending in `/`), category or rule. */
  function setFacet(key, value, reveal) {
    state[key] = value;
    refresh();
    if (key === "path") files.follow(value);
    if (reveal) document.getElementById("findings").scrollIntoView();
  }

  var typing = null;
  filterBox.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () {
      state.filter = filterBox.value;
      refresh();
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

  /* ---- Per-file index: folders to drill into, files to list ---- */
  var files = (function () {
    var index = data.files;
    var list = index.rows; // [path, doubles, factory calls, [doubles per rule]]
    var view = { folder: "", sort: "doubles", dir: -1, flat: false };
    var thead = document.querySelector("#files-table thead tr");
    var tb = document.querySelector("#files-table tbody");
    var flatBox = document.getElementById("files-flat");
    var HEADS = [["name", "Name"], ["files", "Files"], ["doubles", "Doubles"],
      ["compliant", "Factory calls"], ["adoption", "Adoption"]];
    index.rules.forEach(function (code, i) { HEADS.push(["rule" + i, code, index.names[i]]); });

    HEADS.forEach(function (head) {
      var th = el("th");
      th.scope = "col";
      th.setAttribute("data-sort", head[0]);
      if (head[0] !== "name") th.className = "num";
      var button = el("button", head[1]);
      button.type = "button";
      if (head[2]) button.title = head[2];
      button.addEventListener("click", function () {
        view.dir = view.sort === head[0] ? -view.dir : head[0] === "name" ? 1 : -1;
        view.sort = head[0];
        draw();
      });
      th.appendChild(button);
      thead.appendChild(th);
    });

    function adoption(item) {
      var all = item.doubles + item.compliant;
      return all ? item.compliant / all : null;
    }

    function children() {
      var folders = {};
      var items = [];
      list.forEach(function (row) {
        var path = row[0];
        if (path.indexOf(view.folder) !== 0) return;
        var rest = path.slice(view.folder.length);
        var cut = rest.indexOf("/");
        var item;
        if (cut === -1 || view.flat) {
          item = { name: view.flat ? rest : rest, path: path, folder: false, files: 1,
            doubles: row[1], compliant: row[2], rules: row[3].slice() };
          items.push(item);
          return;
        }
        var name = rest.slice(0, cut + 1);
        item = folders[name];
        if (!item) {
          item = folders[name] = { name: name, path: view.folder + name, folder: true, files: 0,
            doubles: 0, compliant: 0, rules: row[3].map(function () { return 0; }) };
          items.push(item);
        }
        item.files += 1;
        item.doubles += row[1];
        item.compliant += row[2];
        row[3].forEach(function (n, i) { item.rules[i] += n; });
      });
      return items;
    }

    function key(item) {
      if (view.sort === "name") return item.name;
      if (view.sort === "adoption") return adoption(item) === null ? -1 : adoption(item);
      if (view.sort.indexOf("rule") === 0) return item.rules[+view.sort.slice(4)];
      return item[view.sort];
    }

    function crumbs() {
      var nav = document.getElementById("crumbs");
      nav.textContent = "";
      var parts = view.folder ? view.folder.slice(0, -1).split("/") : [];
      var link = el("button", data.project.name || "(root)", "crumb");
      link.type = "button";
      link.addEventListener("click", function () { open(""); });
      nav.appendChild(link);
      parts.forEach(function (part, i) {
        nav.appendChild(document.createTextNode(" / "));
        var prefix = parts.slice(0, i + 1).join("/") + "/";
        var step = el("button", part, "crumb");
        step.type = "button";
        step.addEventListener("click", function () { open(prefix); });
        nav.appendChild(step);
      });
    }

    function draw() {
      var items = children();
      /* A folder holding one folder and no file opens straight into it. */
      while (!view.flat && items.length === 1 && items[0].folder) {
        view.folder = items[0].path;
        items = children();
      }
      items.sort(function (a, b) {
        var ka = key(a);
        var kb = key(b);
        var order = ka < kb ? -1 : ka > kb ? 1 : 0;
        return order * view.dir || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      });
      var fragment = document.createDocumentFragment();
      items.forEach(function (item) {
        var tr = el("tr", null, item.folder ? "folder" : "file");
        tr.setAttribute("data-path", item.path);
        var cell = el("td", null, "name");
        var link = el("button", null, "open");
        link.type = "button";
        pathNode(link, item.name);
        link.title = item.folder ? "Open " + item.path : "List the findings of " + item.path;
        link.addEventListener("click", function () {
          if (item.folder) open(item.path);
          else setFacet("path", item.path, true);
        });
        cell.appendChild(link);
        tr.appendChild(cell);
        tr.appendChild(el("td", item.files, "num"));
        tr.appendChild(el("td", item.doubles, "num"));
        tr.appendChild(el("td", item.compliant, "num"));
        var rate = adoption(item);
        var level = rate === null ? "none" : rate < 0.25 ? "low" : rate < 0.75 ? "mid" : "high";
        var ad = el("td", pct(rate), "num adoption");
        ad.setAttribute("data-level", level);
        tr.appendChild(ad);
        item.rules.forEach(function (n) { tr.appendChild(el("td", n || "", "num")); });
        fragment.appendChild(tr);
      });
      if (!items.length) {
        var empty = el("td", "No file has ad-hoc doubles or factory calls.", "empty");
        empty.colSpan = HEADS.length;
        fragment.appendChild(el("tr")).appendChild(empty);
      }
      tb.textContent = "";
      tb.appendChild(fragment);
      document.querySelectorAll("#files-table th[data-sort]").forEach(function (th) {
        var k = th.getAttribute("data-sort");
        th.setAttribute("aria-sort",
          k !== view.sort ? "none" : view.dir > 0 ? "ascending" : "descending");
      });
      document.getElementById("files-table").setAttribute("data-folder", view.folder);
      crumbs();
    }

    /* Open a folder: the index shows it and the findings table lists its findings. */
    function open(folder) {
      view.folder = folder;
      draw();
      if (state.path !== folder) {
        state.path = folder;
        refresh();
      }
    }

    flatBox.addEventListener("change", function () {
      view.flat = flatBox.checked;
      draw();
    });

    return {
      draw: draw,
      /* The findings were narrowed elsewhere: show the same folder. */
      follow: function (path) {
        var folder = path.slice(-1) === "/" || !path ? path
          : path.slice(0, path.lastIndexOf("/") + 1);
        if (folder !== view.folder) {
          view.folder = folder;
          draw();
        }
      },
    };
  })();

  window.addEventListener("hashchange", function () {
    readHash();
    select();
    render();
    files.follow(state.path);
  });
  readHash();
  select();
  render();
  files.follow(state.path);
  files.draw();
  body.setAttribute("data-table", "ready");
  /* Milliseconds from opening the page until the table could be used. */
  body.setAttribute("data-table-ms", String(Math.round(performance.now())));

  /* ---- Diagnostics, paged ---- */
  (function () {
    var list = document.getElementById("diagnostics-list");
    if (!list) return;
    var all = data.diagnostics.rows;
    var size = data.diagnostics.page_size;
    var page = 0;
    var count = Math.max(1, Math.ceil(all.length / size));
    var update = pager("diagnostics", function (move) {
      page = moved(move, page, count);
      draw();
    });
    function draw() {
      list.textContent = "";
      all.slice(page * size, page * size + size).forEach(function (d) {
        var item = el("li");
        item.appendChild(pathNode(el("code"), d[0], d[1] ? ":" + d[1] : ""));
        item.appendChild(document.createTextNode(" " + d[2] + ": " + d[3]));
        list.appendChild(item);
      });
      list.setAttribute("data-page", String(page + 1));
      update(page, count);
    }
    draw();
  })();

  /* ---- Charts: SVG drawn to the width of their box ---- */
  var charts = data.charts;
  var COLORS = charts.colors;
  var INK = "#1f2933";
  var MUTED = "#5f6b7a";
  var GRID = "#e3e7ec";
  var CHAR = 7; // average width of a 12 px character

  function color(category) {
    return COLORS[category] || "#64748b";
  }

  function frame(box, width, height, label) {
    var root = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-label": label, class: "plot" });
    box.appendChild(root);
    return root;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * step >= value) return steps[i] * step;
    }
    return 10 * step;
  }

  /* Horizontal bars: label, bar, value. items: {label, value, color, title, parts, pick} */
  function bars(box, items, label) {
    var width = Math.max(200, box.clientWidth);
    var row = 24;
    var labelWidth = Math.min(Math.round(width * 0.45), 280);
    var valueWidth = 56;
    var plot = width - labelWidth - valueWidth - 8;
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1]));
    var root = frame(box, width, items.length * row + 4, label);
    var chars = Math.floor((labelWidth - 10) / CHAR);
    items.forEach(function (item, n) {
      var y = n * row + 2;
      var g = svg("g", { class: item.pick ? "bar pick" : "bar", "data-label": item.label });
      g.appendChild(svg("title", {}, item.title || item.label + ": " + item.value));
      g.appendChild(svg("rect", { x: 0, y: y, width: width, height: row, fill: "transparent" }));
      g.appendChild(svg("text", { x: labelWidth - 8, y: y + 16, "text-anchor": "end",
        "font-size": 12, fill: INK }, elide(item.label, chars)));
      var x = labelWidth;
      (item.parts || [{ value: item.value, color: item.color }]).forEach(function (part) {
        var w = Math.max(part.value ? 2 : 0, Math.round((part.value / max) * plot));
        g.appendChild(svg("rect", { x: x, y: y + 4, width: w, height: row - 8, rx: 2,
          fill: part.color }));
        x += w;
      });
      g.appendChild(svg("text", { x: x + 6, y: y + 16, "font-size": 12, fill: INK,
        class: "value" }, item.text || item.value));
      if (item.pick) g.addEventListener("click", item.pick);
      root.appendChild(g);
    });
  }

  /* Lines over time: x by commit date, y from zero. */
  function lines(box, dates, series, options) {
    var width = Math.max(240, box.clientWidth);
    var height = 240;
    var m = { l: 48, r: 16, t: 12, b: 28 };
    var times = dates.map(function (d) { return Date.parse(d); });
    var valid = times.filter(function (t) { return !isNaN(t); });
    var lo = Math.min.apply(null, valid);
    var hi = Math.max.apply(null, valid);
    if (!valid.length) { lo = 0; hi = 1; }
    if (hi === lo) { lo -= 86400000; hi += 86400000; }
    var top = 0;
    series.forEach(function (s) {
      s.values.forEach(function (v) { if (v !== null && v > top) top = v; });
    });
    top = options.percent ? Math.min(100, niceMax(top * 1.15)) : niceMax(top * 1.1);
    var root = frame(box, width, height, options.label);
    var px = function (t) { return m.l + ((t - lo) / (hi - lo)) * (width - m.l - m.r); };
    var py = function (v) { return m.t + (1 - v / top) * (height - m.t - m.b); };
    for (var k = 0; k <= 4; k++) {
      var v = (top * k) / 4;
      root.appendChild(svg("line", { x1: m.l, x2: width - m.r, y1: py(v), y2: py(v),
        stroke: GRID }));
      var text = options.percent ? (Math.round(v * 10) / 10) + "%" : String(Math.round(v));
      root.appendChild(svg("text", { x: m.l - 6, y: py(v) + 4, "text-anchor": "end",
        "font-size": 11, fill: MUTED }, text));
    }
    /* Date ticks: as many as fit, each about 90 px wide. */
    var ticks = Math.max(2, Math.min(8, Math.floor((width - m.l - m.r) / 90)));
    var span = hi - lo;
    for (var j = 0; j < ticks; j++) {
      var t = lo + (span * j) / (ticks - 1);
      var iso = new Date(t).toISOString();
      var tickText = span > 400 * 86400000 ? iso.slice(0, 7) : iso.slice(0, 10);
      var anchor = j === 0 ? "start" : j === ticks - 1 ? "end" : "middle";
      root.appendChild(svg("text", { x: px(t), y: height - 8, "text-anchor": anchor,
        "font-size": 11, fill: MUTED }, tickText));
    }
    series.forEach(function (s) {
      var points = [];
      s.values.forEach(function (v, i) {
        if (v === null || isNaN(times[i])) return;
        points.push([px(times[i]), py(v), v, i]);
      });
      var g = svg("g", { class: "series", "data-series": s.name });
      g.appendChild(svg("polyline", { points: points.map(function (p) { return p[0] + "," + p[1]; })
        .join(" "), fill: "none", stroke: s.color, "stroke-width": s.width || 2 }));
      points.forEach(function (p) {
        var dot = svg("circle", { cx: p[0], cy: p[1], r: 3, fill: s.color });
        dot.appendChild(svg("title", {}, s.name + ": " + (options.percent ? p[2] + "%" : p[2]) +
          " at " + charts.trend.labels[p[3]] + " (" + dates[p[3]].slice(0, 10) + ")"));
        g.appendChild(dot);
      });
      root.appendChild(g);
    });
    if (series.length > 1 || options.legend) {
      var legend = el("div", null, "legend");
      series.forEach(function (s) {
        var item = el("span", null, "key");
        var swatch = svg("svg", { width: 12, height: 12, "aria-hidden": "true" });
        swatch.appendChild(svg("rect", { width: 12, height: 12, rx: 2, fill: s.color }));
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(" " + s.name));
        legend.appendChild(item);
      });
      box.appendChild(legend);
    }
  }

  function categoryBars(part, pick) {
    return part.labels.map(function (label, i) {
      return { label: label, value: part.values[i], color: color(label),
        pick: pick ? function () { pick(label); } : null };
    });
  }

  var DRAW = {
    adoption: function (box) {
      var t = charts.trend;
      lines(box, t.dates, [{ name: "adoption", color: charts.adoption_color, width: 2.5,
        values: t.adoption.map(function (a) { return a === null ? null : Math.round(a * 1000) / 10; }) }],
        { percent: true, label: "Adoption over time" });
      return t.dates.length > 0;
    },
    trend: function (box) {
      var t = charts.trend;
      lines(box, t.dates, t.categories.map(function (s) {
        return { name: s.category, color: color(s.category), values: s.values };
      }), { label: "Ad-hoc doubles per category over time", legend: true });
      return t.dates.length > 0;
    },
    by_category: function (box) {
      var items = categoryBars(charts.by_category, function (c) { setFacet("category", c, true); });
      if (!charts.by_category.values.some(Boolean)) return false;
      bars(box, items, "Findings by category");
      return true;
    },
    by_rule: function (box) {
      var p = charts.by_rule;
      if (!p.values.some(Boolean)) return false;
      bars(box, p.labels.map(function (code, i) {
        return { label: code + " " + p.names[i], value: p.values[i], color: "#475569",
          pick: function () { setFacet("rule", code, true); } };
      }), "Findings by rule");
      return true;
    },
    top_folders: function (box) {
      var p = charts.top_folders;
      if (!p.labels.length) return false;
      bars(box, p.labels.map(function (label, i) {
        return { label: label, value: p.values[i], color: "#0e7490",
          pick: function () { setFacet("path", label === "." ? "" : label + "/", true); } };
      }), "Top folders");
      return true;
    },
    top_files: function (box) {
      var p = charts.top_files;
      if (!p.labels.length) return false;
      bars(box, p.labels.map(function (label, i) {
        return { label: label, value: p.values[i], color: "#6d28d9",
          pick: function () { setFacet("path", label, true); } };
      }), "Top files");
      return true;
    },
    baseline: function (box) {
      var p = charts.baseline;
      var STATES = { new: "#dc2626", baselined: "#94a3b8", gone: "#059669" };
      bars(box, p.categories.map(function (c, i) {
        return { label: c, value: p.new[i] + p.baselined[i],
          parts: [{ value: p.new[i], color: STATES.new },
            { value: p.baselined[i], color: STATES.baselined }],
          text: p.new[i] + " new · " + p.baselined[i] + " kept · " + p.gone[i] + " gone",
          title: c + ": " + p.new[i] + " new, " + p.baselined[i] + " baselined, " +
            p.gone[i] + " gone" };
      }), "Baseline status");
      return true;
    },
    clusters: function (box) {
      var groups = charts.clusters.clusters;
      if (!groups.length) return false;
      bars(box, groups.map(function (g) {
        var places = g.places.slice(0, 10).join("\n") +
          (g.places.length > 10 ? "\n… " + (g.places.length - 10) + " more" : "");
        return { label: "#" + g.rank + " " + g.category + ": " + g.constructor +
            "(" + (g.spec ? "spec=" + g.spec : "") + ")",
          value: g.size, color: color(g.category),
          title: g.size + (g.exact ? " identical" : " similar") + " setups configuring " +
            g.members.join(", ") + "\n" + places };
      }), "Duplicate setups");
      return true;
    },
  };

  var EMPTY = {
    adoption: "Nothing to chart: the history has no commits.",
    trend: "Nothing to chart: the history has no commits.",
    clusters: "Nothing to chart: no copied setups.",
  };

  function progressSummary() {
    var holder = document.getElementById("progress-summary");
    var t = charts.trend;
    if (!holder || !t || !t.change) return;
    var c = t.change;
    var text = "Adoption " + pct(c.adoption_to) + " at the last sampled commit";
    if (c.adoption_points !== null) {
      text += ", " + (c.adoption_points >= 0 ? "up " : "down ") + Math.abs(c.adoption_points) +
        " points since " + c.since_date.slice(0, 10) + " (" + c.since_commit + ")";
    }
    text += "; ad-hoc doubles " + c.total_from + " → " + c.total_to + " over " + c.commits +
      " sampled commits.";
    holder.textContent = text;
  }

  function drawCharts() {
    var drawn = 0;
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var name = box.getAttribute("data-chart");
      box.textContent = "";
      if (DRAW[name](box)) {
        box.setAttribute("data-state", "drawn");
        drawn += 1;
      } else {
        box.textContent = "";
        box.appendChild(el("p", EMPTY[name] || "Nothing to chart: no ad-hoc doubles.", "note"));
        box.setAttribute("data-state", "empty");
      }
    });
    return drawn;
  }

  var lastWidth = 0;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(drawCharts.timer);
    drawCharts.timer = setTimeout(drawCharts, 100);
  });

  requestAnimationFrame(function () {
    setTimeout(function () {
      progressSummary();
      lastWidth = window.innerWidth;
      body.setAttribute("data-charts", String(drawCharts()));
      body.setAttribute("data-rendered", "yes");
    }, 0);
  });
})();
