"""A scripted OpenAI-compatible chat server on 127.0.0.1 for testing retry, timeout and concurrency handling.

Each request to `POST /v1/chat/completions` takes the next behaviour from the script (then `default`):
"ok", "hang", "garbage", "garbage_text", or an HTTP status such as "429"/"500"/"503"/"400", or a `Reply`
for more control. It runs its own event loop in a thread, so synchronous tests and `asyncio.run` callers
can both use it, and serves hundreds of concurrent keep-alive connections (asyncio streams, HTTP/1.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

PROMPT_TOKENS = 17
COMPLETION_TOKENS = 3


@dataclass(frozen=True)
class Reply:
    """One scripted behaviour: `text` is the reply (ok) or the error message (status); `delay_s` adds to latency_s."""

    kind: Literal["ok", "status", "hang", "garbage", "garbage_text"] = "ok"
    status: int = 200
    text: str | None = None
    retry_after: float | None = None
    delay_s: float = 0.0

    @classmethod
    def parse(cls, item: str | Reply) -> Reply:
        if isinstance(item, Reply):
            return item
        if item.isdigit():
            return cls("status", status=int(item))
        if item in ("ok", "hang", "garbage", "garbage_text"):
            return cls(item)  # type: ignore[arg-type]
        raise ValueError(f"unknown behaviour {item!r}; valid: ok, hang, garbage, garbage_text, or a status code")


class FaultServer:
    """Use as a context manager; `base_url` ends in /v1 as OpenAI clients expect."""

    def __init__(
        self,
        script: Iterable[str | Reply] = (),
        default: str | Reply = "ok",
        latency_s: float = 0.0,
        reply_text: str | Callable[[dict[str, Any]], str] = "move right",
        hang_s: float = 30.0,
        hold_until: int = 0,
    ) -> None:
        self._script = [Reply.parse(item) for item in script]
        self._default = Reply.parse(default)
        self.latency_s = latency_s
        self.reply_text = reply_text
        self.hang_s = hang_s
        self.hold_until = hold_until  # if set, chat requests are answered only once this many have arrived
        self.requests: list[dict[str, Any]] = []  # JSON bodies of chat requests, in arrival order
        self.bodies: list[bytes] = []  # the same bodies as the bytes that arrived
        self.headers: list[dict[str, str]] = []  # their headers (lower-cased names)
        self.arrivals: list[float] = []  # their arrival times (time.monotonic())
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._all_held = asyncio.Event()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def count(self) -> int:
        """Chat requests received so far."""
        with self._lock:
            return len(self.requests)

    def push(self, *items: str | Reply) -> None:
        """Append behaviours to the script."""
        with self._lock:
            self._script.extend(Reply.parse(item) for item in items)

    def __enter__(self) -> FaultServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def serve() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._on_connection, "127.0.0.1", 0, backlog=4096)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fault-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fault server did not start")

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = self._thread = None

    # --- serving -----------------------------------------------------------------------------------------

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.pop(0) if self._script else self._default

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                method, path, headers, body = request
                keep_alive = await self._respond(reader, writer, method, path, headers, body)
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _respond(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> bool:
        keep_alive = headers.get("connection", "").lower() != "close"
        if method == "GET" and path.rstrip("/").endswith("/v1/models"):
            _write(writer, 200, json.dumps({"object": "list", "data": [{"id": "fault-model", "object": "model"}]}))
            await writer.drain()
            return keep_alive
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            _write(writer, 404, json.dumps({"error": {"message": f"no route {method} {path}"}}))
            await writer.drain()
            return keep_alive
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {"_unparsed": body.decode("utf-8", "replace")}
        with self._lock:
            self.requests.append(payload)
            self.bodies.append(body)
            self.headers.append(headers)
            self.arrivals.append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            arrived = len(self.requests)
        try:
            if self.hold_until:  # hold every request until `hold_until` have arrived (at most hang_s)
                if arrived >= self.hold_until:
                    self._all_held.set()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._all_held.wait(), self.hang_s)
            reply = self._next_reply()
            if reply.kind == "hang":
                await _sleep_unless_closed(reader, self.hang_s)
                return False
            if self.latency_s + reply.delay_s > 0:
                await asyncio.sleep(self.latency_s + reply.delay_s)
            if reply.kind == "status":
                extra = {"Retry-After": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
                message = reply.text if reply.text is not None else f"scripted status {reply.status}"
                error = {"error": {"message": message, "type": "scripted", "code": None}}
                _write(writer, reply.status, json.dumps(error), extra)
            elif reply.kind == "garbage":
                _write(writer, 200, "<html>definitely not json", content_type="application/json")
            elif reply.kind == "garbage_text":
                _write(writer, 200, "<html>definitely not json", content_type="text/html")
            else:
                _write(writer, 200, json.dumps(self._completion(payload, reply)))
            await writer.drain()
            return keep_alive
        finally:
            with self._lock:
                self.in_flight -= 1

    def _completion(self, payload: dict[str, Any], reply: Reply) -> dict[str, Any]:
        if reply.text is not None:
            text = reply.text
        elif callable(self.reply_text):
            text = self.reply_text(payload)
        else:
            text = self.reply_text
        return {
            "id": f"chatcmpl-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(payload.get("model", "fault-model")),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": PROMPT_TOKENS,
                "completion_tokens": COMPLETION_TOKENS,
                "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
            },
        }


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    """One HTTP/1.1 request (Content-Length bodies only), or None when the client closed the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return method, path, headers, body


async def _sleep_unless_closed(reader: asyncio.StreamReader, seconds: float) -> None:
    """Hang for `seconds`, ending early when the client gives up and closes the connection."""
    closed = asyncio.ensure_future(reader.read(1))
    try:
        await asyncio.wait({closed}, timeout=seconds)
    finally:
        closed.cancel()


def _write(
    writer: asyncio.StreamWriter,
    status: int,
    body: str,
    extra_headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> None:
    data = body.encode("utf-8")
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Status"
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}", f"Content-Length: {len(data)}"]
    head += [f"{name}: {value}" for name, value in (extra_headers or {}).items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
