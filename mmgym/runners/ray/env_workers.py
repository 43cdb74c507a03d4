"""Envs in Ray actors: a pool of worker processes, each hosting a fixed number of env slots.

An episode borrows a slot for its whole life and awaits its env's calls across processes. When
a worker dies (simulator crash, OOM kill, lost node), every episode on it gets `EnvWorkerLost`,
the pool replaces the worker once, and the runner replays those episodes from their seeds.
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any

from mmgym.core.agent import ExpertAdvice
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import MmgymError
from mmgym.runners.env_session import (
    EnvDescription,
    EnvFactory,
    EnvWorkerLost,
    StepResult,
    describe_env,
    env_key,
    expert_plan,
    is_reusable,
)


class EnvWorkersUnavailable(MmgymError):
    """The env workers could not start (their env factory fails to load, or the cluster cannot place them)."""


class EnvWorker:
    """The actor's body: envs built by `env_factory`, one per slot, stepped one call at a time.

    A slot keeps a reusable env (`env_traits(env).reusable`) after its episode, and the next episode
    with the same env id and arguments resets it instead of building a new one; an env whose reset or
    step raised is closed instead (its state is unknown).
    """

    def __init__(self, env_factory: EnvFactory) -> None:
        self.env_factory = env_factory
        self.envs: dict[int, Any] = {}
        self.keys: dict[int, str] = {}

    def open(self, slot: int, spec: EpisodeSpec) -> None:
        key = env_key(spec)
        if slot in self.envs and self.keys.get(slot) == key:
            return
        self._drop(slot)
        self.envs[slot] = self.env_factory(spec)
        self.keys[slot] = key

    def reset(self, slot: int, seed: int, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            return self.envs[slot].reset(seed=seed, options=options)
        except BaseException:
            self._drop(slot)  # half-changed by the failed call: the slot's next episode builds a new env
            raise

    def describe(self, slot: int) -> EnvDescription:
        return describe_env(self.envs[slot])

    def step(self, slot: int, action: str) -> StepResult:
        try:
            return self.envs[slot].step(action)
        except BaseException:
            self._drop(slot)
            raise

    def render(self, slot: int) -> Any:
        return self.envs[slot].render()

    def expert_plan(self, slot: int) -> ExpertAdvice:
        return expert_plan(self.envs[slot])

    def close(self, slot: int) -> None:
        """The episode on `slot` ended: keep a reusable env for the next one, close any other."""
        env = self.envs.get(slot)
        if env is not None and not is_reusable(env):
            self._drop(slot)

    def _drop(self, slot: int) -> None:
        env = self.envs.pop(slot, None)
        self.keys.pop(slot, None)
        if env is not None:
            env.close()

    def where(self) -> dict[str, Any]:
        """This worker's process id and Ray node id (for placement checks and chaos tests)."""
        import ray

        return {"pid": os.getpid(), "node_id": ray.get_runtime_context().get_node_id()}


class EnvWorkerPool:
    """`workers` actors with `envs_per_worker` slots each; `open` waits for a free slot."""

    def __init__(
        self,
        env_factory: EnvFactory,
        workers: int,
        envs_per_worker: int,
        num_cpus: float,
        num_gpus: float = 0.0,
        call_timeout_s: float | None = None,
        open_timeout_s: float | None = None,
    ) -> None:
        import ray

        self.call_timeout_s = call_timeout_s  # a call still running after this is a hung simulator
        self.open_timeout_s = open_timeout_s  # building an env (in a worker that may be starting) gets this long

        # Software OpenGL (Mesa's llvmpipe) renders with a thread per core of the machine; a worker gets the CPUs it
        # reserves, so that two workers on two cores do not fight over four threads (1.26x for the second worker
        # before, measured on this machine with the MiniWorld env).
        threads = {"LP_NUM_THREADS": str(max(1, round(num_cpus)))}
        self._actor_class = ray.remote(EnvWorker).options(
            num_cpus=num_cpus, num_gpus=num_gpus, max_restarts=0, runtime_env={"env_vars": threads}
        )
        self._env_factory = env_factory
        self.actors = [self._spawn() for _ in range(workers)]
        self._free: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        for slot in range(envs_per_worker):
            for worker in range(workers):
                self._free.put_nowait((worker, slot))

    def _spawn(self) -> Any:
        return self._actor_class.remote(self._env_factory)

    async def ready(self, timeout_s: float) -> None:
        """Wait until every worker answers; stop the run here, with the reason, if they cannot start.

        A worker that cannot be built (its env factory fails to load) stops the run; one that dies
        while starting (killed, OOM) is replaced like any dead worker.
        """
        try:
            await asyncio.wait_for(asyncio.gather(*(self._answer(w) for w in range(len(self.actors)))), timeout_s)
        except asyncio.TimeoutError:
            raise EnvWorkersUnavailable(
                f"env workers did not start within {timeout_s:g} s; the cluster may lack the CPUs they "
                "ask for (runner.env_worker_cpus, runner.env_worker_gpus)"
            ) from None

    async def _answer(self, worker: int, attempts: int = 10) -> None:
        from ray.exceptions import RayActorError

        for _ in range(attempts):
            actor = self.actors[worker]
            try:
                await actor.where.remote()
                return
            except RayActorError as exc:
                if exc.actor_init_failed:
                    raise EnvWorkersUnavailable(f"env workers cannot start: {failure_reason(exc)}") from None
                self.replace(worker, actor)
        raise EnvWorkersUnavailable(f"env worker {worker} died {attempts} times while starting")

    async def open(self, spec: EpisodeSpec) -> RemoteSession:
        worker, slot = await self._free.get()
        session = RemoteSession(self, worker, slot)
        try:
            await session.call("open", spec)
        except BaseException:
            await session.close()
            raise
        return session

    def replace(self, worker: int, actor: Any) -> None:
        """Replace a dead worker's actor, once however many of its episodes report the death."""
        import ray

        if self.actors[worker] is actor:
            ray.kill(actor, no_restart=True)
            self.actors[worker] = self._spawn()

    def release(self, worker: int, slot: int) -> None:
        self._free.put_nowait((worker, slot))

    def close(self) -> None:
        import ray

        for actor in self.actors:
            ray.kill(actor, no_restart=True)


class RemoteSession:
    """One episode's env in a pool slot; implements `EnvSession` by awaiting the worker's methods."""

    def __init__(self, pool: EnvWorkerPool, worker: int, slot: int) -> None:
        self.pool = pool
        self.worker = worker
        self.slot = slot
        self.actor = pool.actors[worker]
        self._open = True

    async def call(self, method: str, *args: Any) -> Any:
        """Await the worker's `method`; its own exceptions arrive as they were, its death (or a call that outlives
        the pool's `call_timeout_s`, after which the worker is killed) as `EnvWorkerLost`."""
        from ray.exceptions import RayActorError, RayTaskError, WorkerCrashedError

        timeout = self.pool.open_timeout_s if method == "open" else self.pool.call_timeout_s
        try:
            return await asyncio.wait_for(getattr(self.actor, method).remote(self.slot, *args), timeout)
        except asyncio.TimeoutError:
            self.pool.replace(self.worker, self.actor)  # a hung simulator: the worker goes, its episodes are replayed
            raise EnvWorkerLost(
                f"env worker {self.worker} did not finish {method} within {timeout:g} s "
                f"(runner.{'start' if method == 'open' else 'step'}_timeout_s); it was replaced"
            ) from None
        except RayTaskError as exc:
            raise exc.cause from None
        except (RayActorError, WorkerCrashedError) as exc:
            self.pool.replace(self.worker, self.actor)
            reason = f"{type(exc).__name__}: {failure_reason(exc)}"
            raise EnvWorkerLost(f"env worker {self.worker} died during {method} ({reason})") from None

    async def reset(self, seed: int, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return await self.call("reset", seed, options)

    async def describe(self) -> EnvDescription:
        return await self.call("describe")

    async def step(self, action: str) -> StepResult:
        return await self.call("step", action)

    async def render(self) -> Any:
        return await self.call("render")

    async def expert_plan(self) -> ExpertAdvice:
        return await self.call("expert_plan")

    async def close(self) -> None:
        if not self._open:
            return
        self._open = False
        try:
            await self.call("close")
        except EnvWorkerLost:
            pass  # the worker is gone, and its envs with it
        finally:
            self.pool.release(self.worker, self.slot)


def failure_reason(exc: BaseException) -> str:
    """One line from Ray's multi-line actor error: the original exception's last line when it has one."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    raised = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b", line)]
    if raised:
        return raised[-1]
    return lines[0] if lines else type(exc).__name__
