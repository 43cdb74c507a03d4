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

  var el = MmgymEpisode.el;

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
    loadEpisode(n, function (ep) { MmgymEpisode.show(ep, String); });
  }

  fillSelect("f-run", index.runs.map(function (_, i) { return i; }), index.runs);
  index.filters.forEach(function (name) { fillSelect("f-" + name, distinct(name)); });
  document.getElementById("f-success").addEventListener("change", function () { state.page = 0; applyFilters(); });
  document.getElementById("prev").addEventListener("click", function () { state.page = Math.max(0, state.page - 1); render(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; render(); });
  render();
})();
