// The results page: polls the server's JSON every POLL_MS and redraws in place. Data from the tables is untrusted
// text: it only ever goes into the page through textContent, never as markup.
"use strict";
(function () {
  const POLL_MS = 1500;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const state = {
    range: params.get("range") || "auto",
    job: params.get("job") || "all",
    window: params.get("window") || "",
  };
  // For people and tests: the charts drawn, and how many refreshes completed.
  const page = (window.clickflow = { charts: {}, refreshes: 0 });

  $("range").value = state.range;
  $("job").value = state.job;
  $("range").addEventListener("change", () => changed("range", $("range").value));
  $("job").addEventListener("change", () => changed("job", $("job").value));
  $("window").addEventListener("change", () => changed("window", $("window").value));

  function changed(name, value) {
    state[name] = value;
    const q = new URLSearchParams();
    for (const k of ["range", "job", "window"]) {
      if (state[k] && !(k === "range" && state[k] === "auto") && !(k === "job" && state[k] === "all")) {
        q.set(k, state[k]);
      }
    }
    history.replaceState(null, "", q.toString() ? "?" + q : location.pathname);
    showJobs();
    refresh();
  }

  function showJobs() {
    for (const s of document.querySelectorAll("section[data-job]")) {
      s.hidden = state.job !== "all" && s.dataset.job !== state.job;
    }
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function row(tbody, cells) {
    const tr = el("tr");
    for (const c of cells) {
      const td = typeof c === "object" && c !== null ? el(c.head ? "th" : "td", c.text, c.cls) : el("td", c);
      if (c && c.span) td.colSpan = c.span;
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }

  // Rebuilds a table body only when its rows changed, so a selection or a scroll position survives the polls.
  function fill(tbody, rows) {
    const key = JSON.stringify(rows);
    if (tbody.dataset.rows === key) return;
    tbody.dataset.rows = key;
    tbody.replaceChildren();
    rows.forEach((r) => row(tbody, r));
  }

  const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
  const pct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%");
  const secs = (t) => Date.parse(t) / 1000;
  const num = (n) => ({ text: fmt(n), cls: "num" });

  function rangeText(section, range) {
    section.querySelector(".range").textContent = range
      ? range.name + ": " + range.from.replace("T", " ").slice(0, 16) + " – " + range.to.replace("T", " ").slice(0, 16) + " UTC"
      : "";
  }

  // Which job fills each panel and how a person starts one: a panel is empty while its job has not written to the
  // database this server reads (in the analytics demo, attribution and unique users never will).
  const FILLED_BY = {
    attribution: { job: "attribution", command: "./clickflow attribution --jdbc-url <this server's database> ...", demo: "./clickflow demo" },
    uniques: { job: "unique-users", command: "./clickflow uniques --jdbc-url <this server's database> ...", demo: "./clickflow demo uniques" },
    hourly: { job: "hourly analytics", command: "./clickflow analytics --jdbc-url <this server's database> ...", demo: "./clickflow demo analytics" },
  };

  // A section whose table the job has not created yet says which job fills it and how to start that job, and moves
  // after the panels with data; returns true when there is data to show.
  function present(section, answer) {
    const missing = section.querySelector(".missing");
    const body = section.querySelector(".body");
    if (!answer.exists) {
      const f = FILLED_BY[section.id];
      const text = "No results: the " + f.job + " job fills this panel (table " + answer.table + ") and has not written to this database. Start it with ";
      if (missing.dataset.table !== answer.table) {
        missing.dataset.table = answer.table;
        missing.replaceChildren(el("span", text), el("code", f.command), el("span", " (see its --help), or try "), el("code", f.demo), el("span", "."));
      }
      missing.hidden = false;
      body.hidden = true;
      section.classList.add("absent");
      return false;
    }
    missing.hidden = true;
    body.hidden = false;
    section.classList.remove("absent");
    return true;
  }

  function width(container) {
    return Math.max(240, container.clientWidth || container.parentElement.clientWidth - 24);
  }

  // Redraws a chart in place when only its data changed; builds it anew when its series changed. Its time axis spans
  // the data but never less than three steps (seconds: an hour, a window): one hour of data is then an hour in the
  // middle of a three-hour axis, not a point against the edge of an axis spanning years (uPlot's own pick for a
  // single x value counts it in milliseconds, and ignores a range function for x while there is data).
  function chart(name, container, shape, makeOpts, data, step) {
    let u = page.charts[name];
    if (u && u.shape === shape) {
      u.setData(data, data[0].length === 0);
    } else {
      if (u) u.destroy();
      container.replaceChildren();
      u = new uPlot(makeOpts(width(container)), data, container);
      u.shape = shape;
      page.charts[name] = u;
    }
    const xs = data[0];
    if (xs.length) {
      const pad = Math.max(0, (3 * step - (xs[xs.length - 1] - xs[0])) / 2);
      u.setScale("x", { min: xs[0] - pad, max: xs[xs.length - 1] + pad });
    }
  }

  const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC");

  // The value axis is as wide as its longest label (100,000 and more fit).
  const valueAxisSize = (u, values) => (values ? Math.max(40, 16 + 8 * Math.max(...values.map((v) => String(v).length))) : 60);

  function lineOpts(series, extra) {
    return (w) =>
      Object.assign(
        {
          width: w,
          height: 220,
          tzDate: utc,
          series: [{ label: "time (UTC)" }].concat(series),
          axes: [{}, { size: valueAxisSize }],
          legend: { live: true },
        },
        extra || {}
      );
  }

  // Series that may be equal (clicks and unique users, attributed and unattributed) get markers of different sizes
  // and fills, drawn largest first, and different dashes: where they coincide every one of them still shows.
  function marked(label, color, size, hollow, dash) {
    return {
      label: label,
      stroke: color,
      width: 2,
      dash: dash,
      points: { show: true, size: size, width: 2, stroke: color, fill: hollow ? "#fff" : color },
    };
  }

  // Seconds in the attribution series' bucket (minute, hour or day).
  const bucketSeconds = (bucket) => ({ minute: 60, hour: 3600, day: 86400 })[bucket] || 3600;

  function attribution(a) {
    const section = $("attribution");
    if (!present(section, a)) return;
    rangeText(section, a.range);
    $("pageviews").textContent = fmt(a.pageViews);
    $("unattributed-share").textContent = pct(a.unattributedShare);
    const total = a.pageViews || 0;
    const rows = a.campaigns.map((c) => [c.campaign, num(c.final), num(c.provisional), num(c.total), { text: total ? pct(c.total / total) : "–", cls: "num" }]);
    rows.push([{ text: "(unattributed)", cls: "provisional" }, num(a.unattributed.final), num(a.unattributed.provisional), num(a.unattributed.total), { text: pct(a.unattributedShare), cls: "num" }]);
    fill($("campaigns").tBodies[0], rows);
    fill(
      $("latest-attributed").tBodies[0],
      a.latest.map((r) => [r.time.replace("T", " ").replace("Z", ""), r.pageView, r.user, r.campaign === null ? "–" : r.campaign, r.click === null ? "–" : r.click, r.final ? "final" : { text: "provisional", cls: "provisional" }])
    );
    const pts = a.series.points;
    chart(
      "attribution",
      $("attribution-chart"),
      "attribution",
      lineOpts([
        marked("attributed per " + a.series.bucket, "#2a6fdb", 10, true),
        marked("unattributed per " + a.series.bucket, "#777", 5, false, [6, 4]),
      ]),
      [pts.map((p) => secs(p.start)), pts.map((p) => p.attributed), pts.map((p) => p.unattributed)],
      bucketSeconds(a.series.bucket)
    );
  }

  function uniques(u) {
    const section = $("uniques");
    if (!present(section, u)) return;
    rangeText(section, u.range);
    const select = $("window");
    const options = u.windows.map(String);
    const current = Array.from(select.options).map((o) => o.value);
    if (options.join() !== current.join()) {
      select.replaceChildren();
      for (const s of u.windows) {
        const o = el("option", s % 86400 === 0 ? s / 86400 + " d" : s % 3600 === 0 ? s / 3600 + " h" : s % 60 === 0 ? s / 60 + " min" : s + " s");
        o.value = String(s);
        select.appendChild(o);
      }
    }
    if (u.window !== null) select.value = String(u.window);
    const pts = u.points;
    const x = pts.map((p) => secs(p.start));
    const users = pts.map((p) => p.users);
    const provisional = pts.map((p) => (p.final ? null : p.users));
    const series = [
      { label: "unique users", stroke: "#2a6fdb", width: 2 },
      { label: "provisional", stroke: "#e07b00", width: 0, points: { show: true, size: 7, fill: "#e07b00", stroke: "#e07b00" }, paths: () => null },
    ];
    const data = [x, users, provisional];
    let extra = {};
    if (u.bounds) {
      series.push({ label: "upper bound", stroke: "rgba(42,111,219,0.3)", width: 1 });
      series.push({ label: "lower bound", stroke: "rgba(42,111,219,0.3)", width: 1 });
      data.push(pts.map((p) => p.upper), pts.map((p) => p.lower));
      extra = { bands: [{ series: [3, 4], fill: "rgba(42,111,219,0.12)" }] };
    }
    chart("uniques", $("uniques-chart"), "uniques-" + u.bounds, lineOpts(series, extra), data, u.window || 60);
  }

  function hourly(h) {
    const section = $("hourly");
    if (!present(section, h)) return;
    rangeText(section, h.range);
    const c = h.current;
    $("hour-start").textContent = c ? c.hour.replace("T", " ").slice(0, 16) + " UTC" : "–";
    $("hour-final").textContent = c ? (c.final ? "(final)" : "(provisional)") : "";
    $("hour-users").textContent = fmt(c ? c.users : 0);
    $("hour-clicks").textContent = fmt(c ? c.clicks : 0);
    $("hour-impressions").textContent = fmt(c ? c.impressions : 0);
    chart(
      "hourly",
      $("hourly-chart"),
      "hourly",
      lineOpts([
        marked("unique users", "#2a6fdb", 13, true),
        marked("clicks", "#d33", 8, true, [6, 4]),
        marked("impressions", "#393", 4, false, [2, 3]),
      ]),
      [h.hours.map((r) => secs(r.hour)), h.hours.map((r) => r.users), h.hours.map((r) => r.clicks), h.hours.map((r) => r.impressions)],
      3600
    );
  }

  function quality(q) {
    const dead = (id, missingId, answer, rows) => {
      const missing = $(missingId);
      missing.hidden = answer.exists;
      missing.textContent = answer.exists ? "" : "Table " + answer.table + " does not exist yet.";
      fill($(id).tBodies[0] || $(id).appendChild(el("tbody")), answer.exists ? (rows.length ? rows.map((r) => [r.name, num(r.count)]) : [["none", num(0)]]) : []);
    };
    const reasons = (q.rejected.byReason || []).slice();
    if (q.rejected.otherReasons && q.rejected.otherReasons.reasons > 0) {
      reasons.push({ name: "(" + q.rejected.otherReasons.reasons + " other reasons)", count: q.rejected.otherReasons.count });
    }
    dead("rejected", "rejected-missing", q.rejected, reasons);
    dead("late", "late-missing", q.late, q.late.byStream || []);
    const list = $("payloads");
    const key = JSON.stringify(q.rejected.latest || []);
    if (list.dataset.rows === key) return;
    list.dataset.rows = key;
    list.replaceChildren();
    for (const p of q.rejected.latest || []) {
      const li = el("li");
      li.appendChild(el("div", p.stream + " " + p.source + "@" + p.position + ": " + p.reason));
      li.appendChild(el("pre", p.payload === null ? "(no payload)" : p.payload, "payload"));
      list.appendChild(li);
    }
    if (!list.children.length) list.appendChild(el("li", "none"));
  }

  function flink(f) {
    const section = $("flink");
    section.hidden = !f.configured;
    if (!f.configured) return;
    $("flink-address").textContent = f.address;
    const error = $("flink-error");
    error.hidden = !f.error;
    error.textContent = f.error || "";
    const rows = [];
    // The job's name heads its operators' rows instead of filling a column of each: the table fits its panel.
    for (const job of f.jobs || []) {
      rows.push([{ text: job.name, cls: "job", span: 5, head: true }]);
      for (const op of job.operators) {
        for (const s of op.subtasks) {
          rows.push([op.name.slice(0, 60), num(s.subtask), num(s.recordsIn), num(s.recordsOut), { text: s.watermarkLagMillis === null ? "–" : (s.watermarkLagMillis / 1000).toFixed(1) + " s", cls: "num" }]);
        }
      }
    }
    fill($("flink-subtasks").tBodies[0], rows);
  }

  async function json(path) {
    const r = await fetch(path, { cache: "no-store" });
    const body = await r.text();
    if (!r.ok) throw new Error(path + ": " + r.status + " " + body.trim());
    return JSON.parse(body);
  }

  let timer = null;
  let running = false;
  async function refresh() {
    clearTimeout(timer);
    if (running) {
      timer = setTimeout(refresh, 100);
      return;
    }
    running = true;
    const range = encodeURIComponent(state.range);
    const wanted = (job) => state.job === "all" || state.job === job;
    try {
      const jobs = [];
      if (wanted("attribution")) jobs.push(json("/api/attribution?range=" + range).then(attribution));
      if (wanted("uniques")) {
        const w = state.window ? "&window=" + encodeURIComponent(state.window) : "";
        jobs.push(json("/api/uniques?range=" + range + w).then(uniques));
      }
      if (wanted("analytics")) jobs.push(json("/api/hourly").then(hourly));
      jobs.push(json("/api/quality").then(quality));
      jobs.push(json("/api/flink").then(flink));
      const results = await Promise.allSettled(jobs);
      const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
      page.refreshes++;
      const status = $("status");
      status.className = failed.length ? "error" : "";
      status.textContent = failed.length ? failed.join("; ") : "updated " + new Date().toISOString().slice(11, 19) + " UTC (every " + POLL_MS / 1000 + " s)";
    } finally {
      running = false;
      timer = setTimeout(refresh, POLL_MS);
    }
  }

  window.addEventListener("resize", () => {
    for (const name in page.charts) {
      const u = page.charts[name];
      u.setSize({ width: width(u.root.parentElement), height: 220 });
    }
  });
  showJobs();
  refresh();
})();
