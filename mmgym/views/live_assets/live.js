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

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

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
    getJSON("api/episode/" + run + "/" + n).then(showEpisode, function (error) {
      document.getElementById("status").textContent = "episode not loaded: " + error.message;
    });
  }

  function frameOfStep(video, step) {
    var frame = 0;
    video.frame_steps.forEach(function (s, i) { if (s <= step) frame = i; });
    return frame;
  }

  function showEpisode(ep) {
    var box = document.getElementById("episode");
    box.hidden = false;
    box.dataset.id = ep.id;
    document.getElementById("ep-title").textContent = ep.task + " · " + ep.run;
    var result = ep.status === "error" ? "error: " + ep.error : (ep.success ? "solved" : "not solved" + (ep.stop_reason ? " (" + ep.stop_reason + ")" : ""));
    document.getElementById("ep-meta").textContent = "seed " + ep.seed + " · " + ep.steps.length + " steps · " + result + " · " + ep.instruction;
    var video = document.getElementById("ep-video");
    var statePre = document.getElementById("ep-state");
    var render = document.getElementById("ep-render");
    render.hidden = !ep.render_video;
    if (ep.render_video) render.src = withToken(ep.render_video.src); else render.removeAttribute("src");
    if (ep.video) {
      video.hidden = false;
      statePre.hidden = true;
      video.src = withToken(ep.video.src);
      video.ontimeupdate = function () {
        var frame = Math.min(ep.video.frame_steps.length - 1, Math.floor(video.currentTime * ep.video.fps));
        highlight(ep, ep.video.frame_steps[frame]);
        if (ep.render_video) render.currentTime = video.currentTime;  // same states, same times
      };
    } else {
      video.removeAttribute("src");
      video.ontimeupdate = null;
      video.hidden = true;
      statePre.hidden = false;
    }
    var timeline = document.getElementById("ep-timeline");
    timeline.replaceChildren();
    var start = el("li", "0 · initial state");
    start.dataset.step = 0;
    start.addEventListener("click", function () { selectStep(ep, 0); });
    timeline.appendChild(start);
    ep.steps.forEach(function (step, i) {
      var item = el("li", null, step.valid ? "valid" : "invalid");
      item.dataset.step = i + 1;
      item.appendChild(el("span", (i + 1) + " · "));
      item.appendChild(el("span", step.action || "(no action)", "action"));
      item.appendChild(el("span", step.valid ? "" : "  invalid"));
      item.addEventListener("click", function () { selectStep(ep, i + 1); });
      timeline.appendChild(item);
    });
    selectStep(ep, 0);
  }

  function selectStep(ep, k) {
    if (ep.video) {
      var video = document.getElementById("ep-video");
      video.pause();
      video.currentTime = (frameOfStep(ep.video, k) + 0.5) / ep.video.fps;
    }
    highlight(ep, k);
  }

  function modelInput(turn) {
    return (turn.model_input || []).map(function (m) {
      var parts = (m.content || m.parts || []);
      var text = Array.isArray(parts) ? parts.map(function (p) { return p.text !== undefined ? p.text : "[image " + JSON.stringify(p.shape || p.image || "") + "]"; }).join("\n") : String(parts);
      return m.role + ":\n" + text;
    }).join("\n\n");
  }

  function highlight(ep, k) {
    document.querySelectorAll("#ep-timeline li").forEach(function (item) { item.classList.toggle("current", Number(item.dataset.step) === k); });
    document.getElementById("ep-state").textContent = k === 0 ? ep.initial_text : ep.steps[k - 1].state_text;
    var detail = document.getElementById("ep-step");
    detail.replaceChildren();
    detail.dataset.step = k;
    if (k === 0) { detail.appendChild(el("p", "Initial state.")); return; }
    var step = ep.steps[k - 1];
    detail.appendChild(el("h4", "Step " + k + ": " + (step.action || "(no action)") + (step.valid ? " (valid)" : " (invalid)")));
    detail.appendChild(el("p", "reward " + step.reward + " · progress " + Math.round(step.progress * 100) + "% · " + step.feedback));
    var turn = ep.turns.filter(function (t) { return t.index === step.turn; })[0];
    var reasoning = step.reasoning || (turn ? turn.reasoning : "");
    if (reasoning) { detail.appendChild(el("h5", "Reasoning")); detail.appendChild(el("pre", reasoning, "reasoning")); }
    if (turn) {
      detail.appendChild(el("h5", "Model input (turn " + turn.index + ")"));
      detail.appendChild(el("pre", modelInput(turn), "model-input"));
      detail.appendChild(el("h5", "Model output"));
      detail.appendChild(el("pre", turn.model_output === null ? "(none)" : turn.model_output, "model-output"));
      if (turn.parse_error) detail.appendChild(el("p", "parse error: " + turn.parse_error, "bad"));
    }
  }

  document.getElementById("prev").addEventListener("click", function () { state.page = Math.max(0, state.page - 1); renderRows(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; renderRows(); });
  tick();
})();
