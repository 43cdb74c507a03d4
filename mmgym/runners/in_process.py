"""Envs in the rollout's own process: stepped inline when steps are cheap, else on a simulator thread.

A simulator step takes milliseconds and may hang. Every env of one id (one simulator) is built and
stepped on one daemon thread of its own: OpenGL libraries such as pyglet must not be driven from
several threads at once, the event loop stays free for other episodes while a frame renders, and a
call still running after `step_timeout_s` ends its episode as an error (`EnvStepTimeout`) instead
of stalling the run. A Python thread cannot be killed: the hung thread is abandoned with its envs,
the episodes waiting behind the hung call on the same thread time out too, and the envs built after
that get a fresh thread. (`runner=ray` replays such episodes on a new worker instead.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from mmgym.core.agent import ExpertAdvice
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import MmgymError
from mmgym.runners.env_session import (
    EnvDescription,
    EnvFactory,
    EnvSession,
    StepResult,
    describe_env,
    env_key,
    expert_plan,
    is_reusable,
    make_env,
    steps_are_cheap,
)

CLOSE_TIMEOUT_S = 10.0  # an idle env's close at the end of a run


class EnvStepTimeout(MmgymError):
    """An env call outlived the runner's `step_timeout_s`; its episode ends as an error."""


class InProcessSession:
    """An env in the rollout's process: its calls run inline (envs that cost microseconds per step)."""

    def __init__(self, env: gym.Env, release: Callable[[gym.Env], None] | None = None) -> None:
        self.env = env
        self._release = release
        self.failed = False  # a reset or step raised: the env's state is unknown, so it is not reused

    async def reset(self, seed: int, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        with _marks_failure(self):
            return self.env.reset(seed=seed, options=options)

    async def describe(self) -> EnvDescription:
        return describe_env(self.env)

    async def step(self, action: str) -> StepResult:
        with _marks_failure(self):
            return self.env.step(action)

    async def render(self) -> Any:
        return self.env.render()

    async def expert_plan(self) -> ExpertAdvice:
        return expert_plan(self.env)

    async def close(self) -> None:
        """Hand the env back for the next episode when it is reusable and no call of it failed, else close it."""
        if self._release is not None and not self.failed:
            self._release(self.env)
        else:
            self.env.close()


@contextlib.contextmanager
def _marks_failure(session: InProcessSession | ThreadedSession) -> Any:
    """Mark the session failed when the call raises. An env whose reset or step raised may be half-changed
    (Gymnasium's own checker wrapper, for one, keeps the failed reset's empty result), so it is closed
    rather than handed to the next episode."""
    try:
        yield
    except BaseException:
        session.failed = True
        raise


class InProcessEnvs:
    """Opens episodes' envs in this process, keeping reusable ones for the next episode with the same env.

    A simulator that takes seconds to start is built once per concurrent slot, not once per episode.
    With `step_timeout_s`, an env whose steps are not cheap is built and stepped on a thread of its
    own (see the module docstring); without it, every env is stepped inline.
    """

    def __init__(self, env_factory: EnvFactory = make_env, step_timeout_s: float | None = None) -> None:
        self.env_factory = env_factory
        self.step_timeout_s = step_timeout_s
        self.idle: dict[str, list[Pooled]] = {}
        self.threads: dict[str, EnvThread] = {}  # env id -> the thread its envs are built and stepped on
        self.built = 0  # envs constructed, for tests and benchmarks

    async def __call__(self, spec: EpisodeSpec) -> EnvSession:
        key = env_key(spec)
        pool = [item for item in self.idle.get(key, []) if item.thread is None or not item.thread.hung]
        self.idle[key] = pool
        pooled = pool.pop() if pool else await self._build(spec)
        release = (lambda item: self._release(key, item)) if is_reusable(pooled.env) else None
        if pooled.thread is None:
            return InProcessSession(pooled.env, None if release is None else lambda env: release(Pooled(env)))
        assert self.step_timeout_s is not None  # a thread is only made with a timeout
        return ThreadedSession(pooled.env, pooled.thread, self.step_timeout_s, release)

    async def _build(self, spec: EpisodeSpec) -> Pooled:
        if self.step_timeout_s is None or steps_are_cheap(spec.env_id):
            env = self.env_factory(spec)
            self.built += 1
            return Pooled(env)
        thread = self.threads.get(spec.env_id)
        if thread is None or thread.hung:
            thread = self.threads[spec.env_id] = EnvThread()
        env = await thread.call(self.env_factory, spec)  # built on its thread: OpenGL contexts stay there
        self.built += 1
        return Pooled(env, thread)

    def _release(self, key: str, item: Pooled) -> None:
        self.idle.setdefault(key, []).append(item)

    def close(self) -> None:
        """Close every idle env (call when the run ends), each on its own thread if it has one."""
        for items in self.idle.values():
            for item in items:
                if item.thread is None:
                    item.env.close()
                elif not item.thread.hung:  # a simulator that will not close: its daemon thread ends with the process
                    with contextlib.suppress(concurrent.futures.TimeoutError):
                        item.thread.submit(item.env.close).result(CLOSE_TIMEOUT_S)
        self.idle.clear()
        for thread in self.threads.values():
            thread.stop()
        self.threads.clear()


def in_process(env_factory: EnvFactory = make_env, step_timeout_s: float | None = None) -> InProcessEnvs:
    """An opener that builds (or reuses) each episode's env in this process with `env_factory`."""
    return InProcessEnvs(env_factory, step_timeout_s)


class EnvThread:
    """One daemon thread that runs every call of one simulator's envs, in order."""

    _names = itertools.count()

    def __init__(self) -> None:
        self.hung = False  # a call outlived its timeout: nothing more is sent here
        self._calls: queue.SimpleQueue[tuple[concurrent.futures.Future, Callable[..., Any], tuple] | None]
        self._calls = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=f"mmgym-env-{next(self._names)}", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (item := self._calls.get()) is not None:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the awaiting episode, which records it
                future.set_exception(exc)

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._calls.put((future, fn, args))
        return future

    async def call(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """`fn(*args)` on the thread; `asyncio.TimeoutError` after `timeout` seconds (the call itself runs on)."""
        return await asyncio.wait_for(asyncio.wrap_future(self.submit(fn, *args)), timeout)

    def stop(self) -> None:
        """Let the thread end once its current call (if any) returns."""
        self._calls.put(None)


@dataclass
class Pooled:
    """An idle env kept for the next episode with the same key, with its thread if it has one."""

    env: gym.Env
    thread: EnvThread | None = None


class ThreadedSession:
    """An env whose calls run on its own `EnvThread`, each bounded by `timeout_s`."""

    def __init__(
        self, env: gym.Env, thread: EnvThread, timeout_s: float, release: Callable[[Pooled], None] | None
    ) -> None:
        self.env = env
        self.thread = thread
        self.timeout_s = timeout_s
        self._release = release
        self.failed = False  # a reset or step raised: the env's state is unknown, so it is not reused

    async def _call(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return await self.thread.call(fn, *args, timeout=self.timeout_s)
        except asyncio.TimeoutError:
            self.thread.hung = True
            raise EnvStepTimeout(
                f"the env's {what} did not finish within {self.timeout_s:g} s (runner.step_timeout_s); "
                "the episode ends as an error and the env is dropped"
            ) from None

    async def reset(self, seed: int, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        with _marks_failure(self):
            return await self._call("reset", lambda: self.env.reset(seed=seed, options=options))

    async def describe(self) -> EnvDescription:
        return await self._call("description", describe_env, self.env)

    async def step(self, action: str) -> StepResult:
        with _marks_failure(self):
            return await self._call("step", self.env.step, action)

    async def render(self) -> Any:
        return await self._call("render", self.env.render)

    async def expert_plan(self) -> ExpertAdvice:
        return await self._call("expert plan", expert_plan, self.env)

    async def close(self) -> None:
        """Hand a healthy reusable env back for the next episode; close any other (a hung one is just dropped)."""
        if self.thread.hung:
            return  # the thread is stuck in a call: the env stays with it
        if self._release is not None and not self.failed:
            self._release(Pooled(self.env, self.thread))
        else:
            await self._call("close", self.env.close)
