"""Gather concurrent requests into batches for a local model, so many episodes share one forward pass.

Every episode awaits `submit(request)`; one worker task collects requests for up to `wait_ms`
(or until `max_batch_size` are waiting) and hands the batch to a blocking `run_batch` in a
worker thread, so the event loop keeps stepping other episodes while the model runs. Requests
whose `key_of` differs (e.g. different decoding settings) are never put in the same batch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from mmgym.agents.models.base import ModelError
from mmgym.errors import ConfigError

Req = TypeVar("Req")
Resp = TypeVar("Resp")


_NOT_READY = object()  # not None: None is a valid key (the default one)


def _same_key(_request: object) -> Hashable:
    return None


@dataclass
class _Pending(Generic[Req, Resp]):
    request: Req
    future: asyncio.Future[Resp]
    submitted: float  # time.monotonic() at submit, so time spent queued behind a running batch counts as waiting


class MicroBatcher(Generic[Req, Resp]):
    """Batch concurrent `submit` calls into `run_batch(list[Req]) -> list[Resp]` calls, one at a time.

    `run_batch` must return one response per request, in order; if it raises, every request of
    that batch gets the exception. Batches run one after another (a model is one device), each
    in a thread. `batch_sizes` records the size of every batch run, for tests and benchmarks.
    """

    def __init__(
        self,
        run_batch: Callable[[list[Req]], list[Resp]],
        *,
        max_batch_size: int = 8,
        wait_ms: float = 20.0,
        key_of: Callable[[Req], Hashable] = _same_key,
    ) -> None:
        if max_batch_size < 1:
            raise ConfigError(f"max_batch_size must be >= 1, got {max_batch_size!r}")
        if wait_ms < 0:
            raise ConfigError(f"wait_ms must be >= 0, got {wait_ms!r}")
        self._run_batch = run_batch
        self.max_batch_size = max_batch_size
        self.wait_s = wait_ms / 1000.0
        self._key_of = key_of
        self.batch_sizes: list[int] = []
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[_Pending[Req, Resp] | None] | None = None
        self._worker: asyncio.Task[None] | None = None

    @property
    def batches(self) -> int:
        return len(self.batch_sizes)

    @property
    def requests(self) -> int:
        return sum(self.batch_sizes)

    async def submit(self, request: Req) -> Resp:
        """Queue one request and wait for its response (or its batch's exception)."""
        if self._closed:
            raise ModelError("the batcher is closed; no new requests are accepted")
        loop = asyncio.get_running_loop()
        queue = self._ensure_worker(loop)
        future: asyncio.Future[Resp] = loop.create_future()
        queue.put_nowait(_Pending(request, future, time.monotonic()))
        return await future

    async def close(self) -> None:
        """Refuse new requests, finish those already queued, and stop the worker."""
        self._closed = True
        worker, queue, loop = self._worker, self._queue, self._loop
        self._worker = self._queue = self._loop = None
        if worker is None or queue is None or worker.done():
            return
        if loop is not asyncio.get_running_loop():
            # The worker lives on another loop (e.g. a finished `asyncio.run`); stop it there if it still runs.
            if not loop.is_closed():
                loop.call_soon_threadsafe(worker.cancel)
            return
        queue.put_nowait(None)
        await worker

    def _ensure_worker(self, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[_Pending[Req, Resp] | None]:
        """Start the worker on first use, and again on a new loop (e.g. successive `asyncio.run` calls)."""
        if self._loop is not loop or self._worker is None or self._worker.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._work(self._queue), name="mmgym-micro-batcher")
        assert self._queue is not None
        return self._queue

    async def _work(self, queue: asyncio.Queue[_Pending[Req, Resp] | None]) -> None:
        groups: dict[Hashable, list[_Pending[Req, Resp]]] = {}
        closing = False
        try:
            while True:
                if not groups:
                    if closing:
                        return
                    closing = self._add(groups, await queue.get()) or closing
                closing = self._drain(groups, queue) or closing
                key = self._ready(groups, closing)
                if key is _NOT_READY:
                    closing = await self._wait_for_more(groups, queue) or closing
                    continue
                await self._dispatch(groups, key)
        except BaseException as exc:
            pending = [item for group in groups.values() for item in group]
            while not queue.empty():
                item = queue.get_nowait()
                if item is not None:
                    pending.append(item)
            error = exc if isinstance(exc, Exception) else ModelError("the batcher stopped before this request ran")
            for item in pending:
                if not item.future.done():
                    item.future.set_exception(error)
            raise

    def _add(self, groups: dict[Hashable, list[_Pending[Req, Resp]]], item: _Pending[Req, Resp] | None) -> bool:
        """File a request under its key; True when the item is the close sentinel."""
        if item is None:
            return True
        if item.future.done():  # the caller was cancelled while queued
            return False
        try:
            key = self._key_of(item.request)
            hash(key)
        except Exception as exc:
            item.future.set_exception(exc)
            return False
        groups.setdefault(key, []).append(item)
        return False

    def _drain(self, groups: dict[Hashable, list[_Pending[Req, Resp]]], queue: asyncio.Queue) -> bool:
        closing = False
        while not queue.empty():
            closing = self._add(groups, queue.get_nowait()) or closing
        return closing

    def _ready(self, groups: dict[Hashable, list[_Pending[Req, Resp]]], closing: bool) -> Hashable:
        """The key of the group to run now: a full one, else the oldest whose wait is over (any when closing)."""
        for key, group in list(groups.items()):
            group[:] = [item for item in group if not item.future.done()]
            if not group:
                del groups[key]
        if not groups:
            return _NOT_READY
        for key, group in groups.items():
            if len(group) >= self.max_batch_size:
                return key
        key, group = min(groups.items(), key=lambda kv: kv[1][0].submitted)
        if closing or time.monotonic() - group[0].submitted >= self.wait_s:
            return key
        return _NOT_READY

    async def _wait_for_more(self, groups: dict[Hashable, list[_Pending[Req, Resp]]], queue: asyncio.Queue) -> bool:
        """Wait for the next request, or until the oldest waiting request's time is up."""
        if not groups:
            return False
        oldest = min(group[0].submitted for group in groups.values())
        timeout = max(0.0, oldest + self.wait_s - time.monotonic())
        try:
            item = await asyncio.wait_for(queue.get(), timeout)
        except asyncio.TimeoutError:
            return False
        return self._add(groups, item)

    async def _dispatch(self, groups: dict[Hashable, list[_Pending[Req, Resp]]], key: Hashable) -> None:
        group = groups[key]
        batch, group[:] = group[: self.max_batch_size], group[self.max_batch_size :]
        if not group:
            del groups[key]
        self.batch_sizes.append(len(batch))
        try:
            responses = await asyncio.to_thread(self._run_batch, [item.request for item in batch])
            if len(responses) != len(batch):
                raise ModelError(f"run_batch returned {len(responses)} responses for {len(batch)} requests")
        except Exception as exc:
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(exc)
            return
        except BaseException:  # cancelled mid-batch: the callers must not wait forever
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(ModelError("the batcher stopped while this request was running"))
            raise
        for item, response in zip(batch, responses, strict=True):
            if not item.future.done():
                item.future.set_result(response)
