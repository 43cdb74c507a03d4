// mmgym's episode panel, shared by the static report (`mmgym report`) and the live view (`mmgym view`): an
// episode's video beside its step timeline, and each step's feedback, reasoning and model exchange. Everything
// is put on screen with textContent only, never parsed as HTML, so model output cannot become markup or script.
var MmgymEpisode = (function () {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function frameOfStep(video, step) {
    var frame = 0;
    video.frame_steps.forEach(function (s, i) { if (s <= step) frame = i; });
    return frame;
  }

  // `source` turns a video's path into the URL to load (the live view adds its token).
  function show(ep, source) {
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
    if (ep.render_video) render.src = source(ep.render_video.src); else render.removeAttribute("src");
    if (ep.video) {
      video.hidden = false;
      statePre.hidden = true;
      video.src = source(ep.video.src);
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

  return { show: show, el: el };
})();
