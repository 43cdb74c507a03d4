// mmgym play: shows the open turn from /state and posts the person's answer to /act.
// Every text from the env goes on screen through textContent, never as markup.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const query = token ? "?token=" + encodeURIComponent(token) : "";
// An arrow key plays the listed action that is, or starts with, one of its words (`move forward by 0.25`).
const ARROWS = {
  ArrowUp: ["up", "move forward", "forward", "move ahead"],
  ArrowDown: ["down", "move backward", "backward", "back"],
  ArrowLeft: ["left", "turn left", "rotate left", "rotate to the left"],
  ArrowRight: ["right", "turn right", "rotate right", "rotate to the right"],
};
let shown = null; // the question on screen
let sending = false;
let plan = []; // the actions gathered for a `plan` reply

const $ = (id) => document.getElementById(id);

function setText(id, text) {
  $(id).textContent = text == null ? "" : String(text);
}

async function poll() {
  try {
    const known = shown ? (query ? "&" : "?") + "known=" + shown.number : "";
    const response = await fetch("state" + query + known, { cache: "no-store" });
    if (!response.ok) throw new Error(await response.text());
    render(await response.json());
  } catch (error) {
    setText("progress", "no connection to mmgym play: " + error.message);
  }
}

function render(state) {
  const q = state.question;
  const episode = Math.max(state.episode, 1);
  setText("progress", state.finished ? "finished" : `episode ${episode} of ${state.total}`);
  $("done").hidden = !state.finished;
  $("waiting").hidden = state.finished || Boolean(q);
  $("turn").hidden = !q;
  if (!q) {
    shown = null;
    return;
  }
  if (shown && shown.number === q.number) return; // the same turn: nothing to redraw
  if (q.same) return; // (a reply to a page that has since shown another turn)
  shown = q;
  setText("episode-id", q.episode_id);
  setText("step", q.step);
  setText("max-steps", q.max_steps);
  setText("instruction", q.instruction);
  setText("feedback", q.feedback);
  setText("rules", q.rules);
  setText("grammar", "Actions: " + q.grammar);
  $("image").hidden = !q.image;
  if (q.image) $("image").src = q.image;
  $("text").hidden = q.text == null;
  setText("text", q.text);
  setText("error", "");
  renderHistory(q.history);
  renderControls(q);
}

function renderHistory(history) {
  const list = $("history");
  list.replaceChildren();
  for (const step of history) {
    const item = document.createElement("li");
    item.textContent = `${step.action || "(no action)"}: ${step.feedback}`;
    if (!step.valid) item.className = "invalid";
    list.append(item);
  }
}

function button(label, onClick, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (title) b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

function renderControls(q) {
  const controls = $("controls");
  controls.replaceChildren();
  controls.className = q.kind === "menu" || q.kind === "choice" ? "list" : "";
  const hints = {
    buttons: "Click an action, or use the arrow keys.",
    menu: "Click an option, or press its number.",
    choice: "Click your choice, or press its letter or number.",
    plan: "One reply holds the whole solution: add actions (click, or arrow keys), then send the plan (Enter).",
    vector: "Set each number within its bounds (Tab goes to the next), then send (Enter).",
    text: "Type your reply below.",
  };
  setText("hint", hints[q.kind]);
  if (q.kind === "buttons") {
    q.actions.forEach((action) => controls.append(button(action, () => send("action", action))));
  } else if (q.kind === "plan") {
    renderPlan(controls, q.actions);
  } else if (q.kind === "menu" || q.kind === "choice") {
    q.actions.forEach((action, i) => {
      const label = q.kind === "choice" ? `${String.fromCharCode(65 + i)}. ${action}` : `[${i + 1}] ${action}`;
      const keys = q.kind === "choice" ? `key ${String.fromCharCode(65 + i)} or ${i + 1}` : `key ${i + 1}`;
      controls.append(button(label, () => send("action", action), keys));
    });
  } else if (q.kind === "vector") {
    renderVector(controls, q.vector);
  }
}

function renderPlan(controls, actions) {
  plan = [];
  actions.forEach((action) => controls.append(button(action, () => addToPlan(action))));
  const list = document.createElement("ol");
  list.id = "plan";
  controls.append(list);
  controls.append(button("Undo", () => setPlan(plan.slice(0, -1))));
  controls.append(button("Send plan", sendPlan));
}

function setPlan(actions) {
  plan = actions;
  $("plan").replaceChildren(
    ...plan.map((action) => {
      const item = document.createElement("li");
      item.textContent = action;
      return item;
    }),
  );
}

function addToPlan(action) {
  setPlan([...plan, action]);
}

function sendPlan() {
  if (plan.length) send("text", JSON.stringify({ actions: plan })); // read by the models' parser, as a reply
}

function renderVector(controls, bounds) {
  const form = document.createElement("form");
  form.id = "vector-form";
  const inputs = bounds.map(([low, high], i) => {
    const label = document.createElement("label");
    label.textContent = `#${i + 1} (${low}-${high})`;
    const input = document.createElement("input");
    input.type = "number";
    input.min = low;
    input.max = high;
    input.step = 1;
    input.required = true;
    input.value = Math.round((low + high) / 2);
    label.append(input);
    form.append(label);
    return input;
  });
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.textContent = "Send action";
  form.append(submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send("action", "[" + inputs.map((input) => String(Math.trunc(Number(input.value)))).join(", ") + "]");
  });
  controls.append(form);
  if (inputs.length) {
    inputs[0].focus(); // typed at once: a number, Tab, the next, ..., Enter sends
    inputs[0].select();
  }
}

async function send(kind, text) {
  if (!shown || sending) return;
  sending = true;
  setText("error", "");
  try {
    const response = await fetch("act" + query, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ number: shown.number, kind, text }),
    });
    if (!response.ok && response.status !== 409) setText("error", await response.text());
    if (response.ok && kind === "text") $("reply").value = "";
  } catch (error) {
    setText("error", "not sent: " + error.message);
  } finally {
    sending = false;
  }
  await poll();
}

function onKey(event) {
  if (!shown || event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
  if (event.key in ARROWS && ["buttons", "menu", "plan"].includes(shown.kind)) {
    const wanted = ARROWS[event.key];
    const named = (a, word) => a.toLowerCase() === word || a.toLowerCase().startsWith(word + " ");
    const action = wanted.map((word) => shown.actions.find((a) => named(a, word))).find((a) => a !== undefined);
    if (action !== undefined) {
      event.preventDefault();
      if (shown.kind === "plan") addToPlan(action);
      else send("action", action);
    }
  } else if (shown.kind === "plan" && (event.key === "Enter" || event.key === "Backspace")) {
    event.preventDefault();
    if (event.key === "Enter") sendPlan();
    else setPlan(plan.slice(0, -1));
  } else if (/^[1-9]$/.test(event.key) && (shown.kind === "menu" || shown.kind === "choice")) {
    const action = shown.actions[Number(event.key) - 1];
    if (action !== undefined) send("action", action);
  } else if (/^[a-z]$/i.test(event.key) && shown.kind === "choice") {
    const action = shown.actions[event.key.toUpperCase().charCodeAt(0) - 65];
    if (action !== undefined) send("action", action);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("free-text").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("reply").value;
    if (text.trim()) send("text", text);
  });
  $("reply").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("free-text").requestSubmit();
    }
  });
  document.addEventListener("keydown", onKey);
  poll();
  setInterval(poll, 400);
});
