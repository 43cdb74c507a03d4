// mmgym view: polls the server for the runs' aggregates and their new episodes, and opens an episode's replay.
// Everything from a run is put on screen with textContent only, never parsed as HTML, so model output
// cannot become markup or script.
(function () {
  "use strict";
  var POLL_MS = 250;
  var PAGE_SIZE = 100;
  var TOKEN = new URLSearchParams(location.search).get("token");
  var state = { runs: [], rows: [], next: {}, page: 0, open: null, changed: true };

  function withToken(path) {
    if (!TOKEN) return path;
    return path + (path.indexOf("?") < 0 ? "?" : "&") + "token=" + encodeURIComponent(TOKEN);
  }

  function getJSON(path) {
    return fetch(withToken(path), { cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  }

  var el = MmgymEpisode.el;

  function fixed(value, digits) {
    return value === null || value === undefined ? "-" : Number(value).toFixed(digits);
  }

  function statCell(stat) {
    var td = el("td", null, "num");
    if (!stat) { td.textContent = "-"; return td; }
    td.appendChild(el("span", fixed(stat.mean, 1)));
    td.appendChild(el("span", " [" + fixed(stat.low, 1) + ", " + fixed(stat.high, 1) + "]", "ci"));
    return td;
  }

  function fact(parent, key, label, value) {
    var span = el("span");
    span.dataset.key = key;
    span.appendChild(el("b", label + " "));
    span.appendChild(el("span", value, "value"));
    parent.appendChild(span);
  }

  function budgetText(budget) {
    var spent = budget.spent;
    var parts = ["$" + spent.cost_usd.toFixed(2), spent.tokens.toLocaleString() + " tokens", spent.model_calls + " calls"];
    var limits = budget.limits;
    if (limits.max_cost_usd !== undefined) parts[0] += " of $" + Number(limits.max_cost_usd).toFixed(2);
    if (limits.max_tokens !== undefined) parts[1] += " of " + Number(limits.max_tokens).toLocaleString();
    if (limits.max_model_calls !== undefined) parts[2] += " of " + limits.max_model_calls;
    return parts.join(", ");
  }

  function renderRun(run) {
    var box = el("section", null, "run");
    box.dataset.run = run.index;
    var title = el("h3", run.label);
    title.appendChild(el("span", run.suite ? " · " + run.suite : ""));
    title.appendChild(el("span", run.finished ? "finished" : "running", "state " + (run.finished ? "finished" : "running")));
    box.appendChild(title);
    var facts = el("div", null, "facts");
    fact(facts, "episodes", "episodes", run.episodes + (run.attempts > run.episodes ? " (" + run.attempts + " attempts)" : ""));
    fact(facts, "errors", "errors", run.errors);
    fact(facts, "throughput", "episodes/min", fixed(run.episodes_per_min, 1));
    if (run.time) {  // a person played: their time, not a model's calls, tokens and cost
      fact(facts, "answers", "answers", run.time["answers"]);
      fact(facts, "per-answer", "s per answer", run.time["s per answer"]);
      fact(facts, "total-time", "total time", run.time["total time"]);
    } else {
      fact(facts, "model-calls", "model calls", Math.round(run.usage.model_calls));
      fact(facts, "tokens", "tokens in / out", Math.round(run.usage.prompt_tokens).toLocaleString() + " / " + Math.round(run.usage.completion_tokens).toLocaleString());
      fact(facts, "cost", "cost $", run.usage.cost_usd.toFixed(2));
      fact(facts, "budget", "budget spent", budgetText(run.budget));
    }
    if (run.unreadable_lines) fact(facts, "unreadable", "unreadable lines", run.unreadable_lines);
    box.appendChild(facts);
    if (run.error_line) box.appendChild(el("p", run.error_line, "banner"));
    if (run.stopped) box.appendChild(el("p", run.stopped, "banner"));
    if (run.metrics.length) {
      var table = el("table", null, "breakdown");
      var head = el("tr");
      head.appendChild(el("th", run.breakdown || "group"));
      run.metrics.forEach(function (m) { head.appendChild(el("th", m + " [95% CI]")); });
      table.appendChild(el("thead")).appendChild(head);
      var body = table.appendChild(el("tbody"));
      var overall = el("tr");
      overall.dataset.group = "overall";
      overall.appendChild(el("td", "overall"));
      run.metrics.forEach(function (m) { overall.appendChild(statCell(run.overall[m])); });
      body.appendChild(overall);
      Object.keys(run.groups).sort().forEach(function (group) {
        var tr = el("tr");
        tr.dataset.group = group;
        tr.appendChild(el("td", group));
        run.metrics.forEach(function (m) { tr.appendChild(statCell(run.groups[group][m])); });
        body.appendChild(tr);
      });
      box.appendChild(table);
    }
    return box;
  }

  function renderRuns(runs) {
    state.runs = runs;
    var box = document.getElementById("runs");
    box.replaceChildren.apply(box, runs.map(renderRun));
  }

  function addRows(runIndex, page, after) {
    if (page.next < after) {  // the file was rewritten: read this run's episodes again
      state.rows = state.rows.filter(function (row) { return row.run !== runIndex; });
      state.next[runIndex] = 0;
      state.changed = true;
      return;
    }
    page.rows.forEach(function (row) { row.fresh = true; state.rows.push(row); });
    state.next[runIndex] = page.next;
    if (page.rows.length) state.changed = true;
  }

  function outcome(row) {
    return row.status === "error" ? "error" : (row.success ? "solved" : "not solved");
  }

  function renderRows() {
    var body = document.getElementById("episode-rows");
    var newest = state.rows.slice().reverse();
    var pages = Math.max(1, Math.ceil(newest.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    var shown = newest.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE).map(function (row) {
      var tr = el("tr", null, row.fresh ? "fresh" : "");
      tr.dataset.id = row.id;
      tr.dataset.run = row.run;
      tr.dataset.n = row.n;
      var run = state.runs[row.run];
      var group = Object.keys(row.groups).map(function (k) { return row.groups[k]; })[0];
      [row.n, run ? run.label : row.run, row.task, group === undefined ? "" : group, outcome(row), row.steps,
       row.metric === null ? "-" : row.metric, row.video ? "yes" : ""].forEach(function (value) { tr.appendChild(el("td", value)); });
      if (state.open && state.open.run === row.run && state.open.n === row.n) tr.classList.add("selected");
      tr.addEventListener("click", function () { openEpisode(row.run, row.n); });
      return tr;
    });
    body.replaceChildren.apply(body, shown);
    state.rows.forEach(function (row) { row.fresh = false; });
    state.changed = false;
    document.getElementById("episode-count").textContent = state.rows.length + " episode" + (state.rows.length === 1 ? "" : "s");
    document.getElementById("page").textContent = "page " + (state.page + 1) + " of " + pages;
  }

  function tick() {
    getJSON("api/runs").then(function (data) {
      renderRuns(data.runs);
      return Promise.all(data.runs.map(function (run) {
        var after = state.next[run.index] || 0;
        return getJSON("api/episodes?run=" + run.index + "&after=" + after).then(function (page) { addRows(run.index, page, after); });
      }));
    }).then(function () {
      if (state.changed) renderRows();
      document.getElementById("status").textContent = "updated " + new Date().toLocaleTimeString();
    }, function (error) {
      document.getElementById("status").textContent = "not updated: " + error.message;
    }).then(function () { setTimeout(tick, POLL_MS); });
  }

  function openEpisode(run, n) {
    state.open = { run: run, n: n };
    renderRows();
    getJSON("api/episode/" + run + "/" + n).then(function (ep) { MmgymEpisode.show(ep, withToken); }, function (error) {
      document.getElementById("status").textContent = "episode not loaded: " + error.message;
    });
  }

  document.getElementById("prev").addEventListener("click", function () { state.page = Math.max(0, state.page - 1); renderRows(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; renderRows(); });
  tick();
})();
