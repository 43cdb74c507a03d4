"""The page where a person plays a suite's episodes (`mmgym play`): a small aiohttp app over a `Desk`.

GET `/` is the page (`play_assets/`: plain HTML and a small script, no build step), GET `/state`
the open turn as JSON (only its number when `?known=` names it: the page polls), POST `/act` an answer
to it. The page shows what the agent would get (the
instruction, the observation as the play rules show it, the feedback on the last action) and offers
controls after the action space: `buttons` for a fixed action set, `menu` for an option menu that
changes per step, `choice` for a single decision, `plan` for a reply that must hold a whole solution,
`vector` for integer-vector actions; a free-text
reply goes to the same parser as a model's. The script writes env text with `textContent` only.

The server runs on its own thread and event loop, so the episodes play on the caller's (through
`evaluate`, which owns its loop). Bound to another address than the loopback, every request must
carry the session's random token (`?token=...`), which the printed URL holds.
"""

from __future__ import annotations

import asyncio
import base64
import io
import secrets
import threading
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import numpy as np
from aiohttp import web

from mmgym.agents.human import Desk, Question

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ASSETS = {"play.js": "text/javascript", "play.css": "text/css"}


def action_kind(question: Question) -> str:
    """How the page offers the actions: `buttons`, `menu`, `choice`, `plan` (actions gathered, then sent as one
    reply), `vector`, or `text` (free text only)."""
    context = question.context
    if context.action_vector:
        return "vector"
    if not question.actions:
        return "text"
    if context.play.actions_per_reply == "solution":  # one reply must carry the whole solution
        return "plan"
    if context.play.single_reply:
        return "choice"
    if question.turn.info.get("candidate_actions"):
        return "menu"
    return "buttons"


def question_state(question: Question) -> dict[str, Any]:
    """The open turn as the page shows it: what the agent sees, and how it may answer."""
    context, turn = question.context, question.turn
    history = [{"index": s.index, "action": s.action, "valid": s.valid, "feedback": s.feedback} for s in turn.history]
    image = turn.observation.get("image")
    return {
        "number": question.number,
        "episode_id": context.episode_id,
        "env_id": context.env_id,
        "instruction": str(turn.observation.get("instruction", "")),
        "text": turn.observation.get("text"),
        "image": png_data_url(image) if image is not None else None,
        "step": max(question.turn_index, len(turn.history)),
        "max_steps": context.max_steps,
        "feedback": str(turn.info.get("feedback", "")),
        "history": history,
        "kind": action_kind(question),
        "actions": list(question.actions),
        "vector": [list(bounds) for bounds in context.action_vector],
        "grammar": context.action_grammar,
        "rules": context.rules,
    }


def png_data_url(image: Any) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def make_app(
    desk: Desk, token: str | None = None, title: str = "mmgym play", on_finished: Callable[[], None] = lambda: None
) -> web.Application:
    """The page's routes over `desk`; with a `token`, a request without `?token=<it>` is refused (403)."""
    cached: dict[int, dict[str, Any]] = {}  # the open question's state, its image encoded once

    @web.middleware
    async def check_token(request: web.Request, handler: Any) -> web.StreamResponse:
        if token is not None and not secrets.compare_digest(request.query.get("token", ""), token):
            raise web.HTTPForbidden(text="this page needs the token from the URL mmgym play printed")
        response = await handler(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def page(request: web.Request) -> web.Response:
        query = f"?token={_escape(token)}" if token else ""
        html = _asset("play.html").replace("{{title}}", _escape(title)).replace("{{query}}", query)
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": CSP})

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.Response(text=_asset(name), content_type=ASSETS[name])

    async def state(request: web.Request) -> web.Response:
        question = desk.question
        body: dict[str, Any] = {"title": title, "episode": desk.episode, "total": desk.total}
        body["finished"] = desk.finished
        if desk.finished:
            on_finished()
        if question is not None and request.query.get("known") == str(question.number):
            body["question"] = {"number": question.number, "same": True}  # the page has it (and its image) already
        elif question is not None:
            if question.number not in cached:
                cached.clear()
                cached[question.number] = question_state(question)
            body["question"] = cached[question.number]
        return web.json_response(body)

    async def act(request: web.Request) -> web.Response:
        try:
            data = await request.json()
            number, kind, text = int(data["number"]), str(data["kind"]), str(data["text"])
        except (ValueError, KeyError, TypeError):
            raise web.HTTPBadRequest(text="expected JSON with number, kind and text") from None
        if kind not in ("action", "text") or len(text) > 10_000:
            raise web.HTTPBadRequest(text="kind must be action or text, and text at most 10,000 characters")
        if not desk.answer(number, kind, text):  # type: ignore[arg-type]
            raise web.HTTPConflict(text="that turn is no longer open")
        return web.json_response({"ok": True})

    app = web.Application(middlewares=[check_token])
    app.router.add_get("/", page)
    app.router.add_get("/assets/{name}", asset)
    app.router.add_get("/state", state)
    app.router.add_post("/act", act)
    return app


CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'self'"


def _asset(name: str) -> str:
    return files("mmgym.views").joinpath("play_assets", name).read_text(encoding="utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class PlayServer:
    """The app served on its own thread; `start` returns the page's URL once it listens."""

    def __init__(self, desk: Desk, host: str = "127.0.0.1", port: int = 0, title: str = "mmgym play") -> None:
        self.host, self.port = host, port
        self.token = None if host in LOCAL_HOSTS else secrets.token_urlsafe(24)
        self.app = make_app(desk, self.token, title, on_finished=lambda: self.seen_finished.set())
        self._ready = threading.Event()
        self.seen_finished = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, name="mmgym-play", daemon=True)

    def start(self) -> str:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    def stop(self, grace_s: float = 0.0) -> None:
        """Stop serving, once an open page has seen that the play is over (waiting at most `grace_s`)."""
        self.seen_finished.wait(grace_s)
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=5)

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            self.port = runner.addresses[0][1]
        except BaseException as exc:  # a port in use, an address not here: said by `start`
            self._error = exc
            self._ready.set()
            await runner.cleanup()
            return
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()
