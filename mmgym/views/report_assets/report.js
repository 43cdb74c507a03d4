// mmgym report: episode browser. Data arrives as JSON in script files; it is shown with
// textContent only, never parsed as HTML, so model output cannot become markup or script.
(function () {
  "use strict";
  var PAGE_SIZE = 50;
  var index = window.MMGYM_INDEX || { columns: [], rows: [], runs: [] };
  var col = {};
  index.columns.forEach(function (name, i) { col[name] = i; });
  var state = { page: 0, rows: index.rows, selected: null };
  var loaded = {};
  var waiting = {};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function fillSelect(id, values, labels) {
    var select = document.getElementById(id);
    values.forEach(function (value, i) {
      var option = el("option", labels ? labels[i] : value);
      option.value = String(value);
      select.appendChild(option);
    });
    select.addEventListener("change", function () { state.page = 0; applyFilters(); });
  }

  function distinct(name) {
    var seen = {};
    index.rows.forEach(function (row) { seen[row[col[name]]] = true; });
    return Object.keys(seen).sort();
  }

  function applyFilters() {
    var run = document.getElementById("f-run").value;
    var success = document.getElementById("f-success").value;
    var chosen = index.filters.map(function (name) { return [name, document.getElementById("f-" + name).value]; });
    state.rows = index.rows.filter(function (row) {
      return (run === "" || String(row[col.run]) === run) &&
        chosen.every(function (pair) { return pair[1] === "" || row[col[pair[0]]] === pair[1]; }) &&
        (success === "" || row[col.success] === (success === "yes"));
    });
    render();
  }

  function render() {
    var body = document.getElementById("episode-rows");
    body.replaceChildren();
    var pages = Math.max(1, Math.ceil(state.rows.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    state.rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE).forEach(function (row) {
      var tr = el("tr");
      tr.dataset.n = row[col.n];
      if (state.selected === row[col.n]) tr.className = "selected";
      var cells = [row[col.n], index.runs[row[col.run]], row[col.task]];
      if (index.filters.length) cells.push(row[col[index.filters[0]]]);
      cells.forEach(function (v) { tr.appendChild(el("td", v)); });
      var outcome = row[col.status] === "error" ? "error" : (row[col.success] ? "solved" : "not solved");
      tr.appendChild(el("td", outcome, row[col.success] ? "ok" : "bad"));
      tr.appendChild(el("td", row[col.steps], "num"));
      tr.appendChild(el("td", row[col.metric] === null ? "-" : row[col.metric], "num"));
      tr.appendChild(el("td", row[col.video] ? "yes" : "-"));
      tr.addEventListener("click", function () { openEpisode(row[col.n]); });
      body.appendChild(tr);
    });
    document.getElementById("match-count").textContent = state.rows.length + " of " + index.rows.length + " episodes";
    document.getElementById("page").textContent = "page " + (state.page + 1) + " of " + pages;
  }

  // Episode files call mmgymEpisode(n, data) when they load.
  window.mmgymEpisode = function (n, data) {
    loaded[n] = data;
    (waiting[n] || []).forEach(function (callback) { callback(data); });
    delete waiting[n];
  };

  function loadEpisode(n, callback) {
    if (loaded[n]) return callback(loaded[n]);
    if (waiting[n]) return waiting[n].push(callback);
    waiting[n] = [callback];
    var script = document.createElement("script");
    script.src = "data/episodes/" + Number(n) + ".js";
    document.head.appendChild(script);
  }

  function openEpisode(n) {
    state.selected = n;
    render();
    loadEpisode(n, showEpisode);
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
    var outcome = ep.status === "error" ? "error: " + ep.error : (ep.success ? "solved" : "not solved" + (ep.stop_reason ? " (" + ep.stop_reason + ")" : ""));
    document.getElementById("ep-meta").textContent = "seed " + ep.seed + " · " + ep.steps.length + " steps · " + outcome + " · " + ep.instruction;
    var video = document.getElementById("ep-video");
    var statePre = document.getElementById("ep-state");
    var render = document.getElementById("ep-render");
    render.hidden = !ep.render_video;
    if (ep.render_video) render.src = ep.render_video.src; else render.removeAttribute("src");
    if (ep.video) {
      video.hidden = false;
      statePre.hidden = true;
      video.src = ep.video.src;
      video.ontimeupdate = function () {
        var frame = Math.min(ep.video.frame_steps.length - 1, Math.floor(video.currentTime * ep.video.fps));
        highlight(ep, ep.video.frame_steps[frame]);
        if (ep.render_video) render.currentTime = video.currentTime;  // same states, same times
      };
    } else {
      video.removeAttribute("src");
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
      var frame = frameOfStep(ep.video, k);
      video.pause();
      video.currentTime = (frame + 0.5) / ep.video.fps;
    }
    highlight(ep, k);
  }

  function highlight(ep, k) {
    var items = document.querySelectorAll("#ep-timeline li");
    items.forEach(function (item) { item.classList.toggle("current", Number(item.dataset.step) === k); });
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
      var input = (turn.model_input || []).map(function (m) {
        var parts = (m.content || m.parts || []);
        var text = Array.isArray(parts) ? parts.map(function (p) { return p.text !== undefined ? p.text : "[image " + JSON.stringify(p.shape || p.image || "") + "]"; }).join("\n") : String(parts);
        return m.role + ":\n" + text;
      }).join("\n\n");
      detail.appendChild(el("pre", input, "model-input"));
      detail.appendChild(el("h5", "Model output"));
      detail.appendChild(el("pre", turn.model_output === null ? "(none)" : turn.model_output, "model-output"));
      if (turn.parse_error) detail.appendChild(el("p", "parse error: " + turn.parse_error, "bad"));
    }
  }

  fillSelect("f-run", index.runs.map(function (_, i) { return i; }), index.runs);
  index.filters.forEach(function (name) { fillSelect("f-" + name, distinct(name)); });
  document.getElementById("f-success").addEventListener("change", function () { state.page = 0; applyFilters(); });
  document.getElementById("prev").addEventListener("click", function () { state.page = Math.max(0, state.page - 1); render(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; render(); });
  render();
})();
