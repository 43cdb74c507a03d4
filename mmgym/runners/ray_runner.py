"""Run episodes on Ray: envs in worker actors, local models in one model actor, rollouts in the driver.

The driver keeps the asyncio rollouts (cheap: they wait on envs and models) and the results
store; heavy work runs in actors that Ray places on any node of the cluster. Episodes whose env
worker dies are replayed from their seeds, so a disturbed run records what an undisturbed one
would. With `address` unset, a local Ray instance starts and stops with the run.
"""

from __future__ import annotations

import logging
import math
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from mmgym.agents.models.registry import built_by, close_all
from mmgym.errors import ConfigError
from mmgym.runners.env_session import EnvFactory, in_process, make_env
from mmgym.runners.ray_envs import EnvWorkerPool
from mmgym.runners.ray_models import actor_builder
from mmgym.runners.schedule import AgentFactory, OnDone, play_all
from mmgym.tasks.spec import EpisodeSpec

INSTALL_HINT = 'pip install "mmgym[ray]" (or: pip install ray)'


class RayRunner(BaseModel):
    """Episodes as asyncio tasks in the driver, stepping envs that live in Ray actors."""

    model_config = ConfigDict(extra="forbid")

    name: str = "ray"
    address: str | None = None
    num_cpus: int | None = Field(default=None, ge=1)
    concurrency: int = Field(default=64, ge=1)
    env_workers: NonNegativeInt | Literal["auto"] = "auto"
    envs_per_worker: int = Field(default=1, ge=1)
    env_worker_cpus: float = Field(default=1.0, ge=0)
    max_restarts: int = Field(default=3, ge=0)
    model_actor: Literal["auto", "always", "never"] = "auto"
    model_actor_cpus: float = Field(default=0.0, ge=0)
    model_actor_gpus: float | Literal["auto"] = "auto"
    model_restarts: int = Field(default=3, ge=0)
    log_to_driver: bool = False

    async def run(
        self,
        specs: Sequence[EpisodeSpec],
        agent_factory: AgentFactory,
        on_done: OnDone,
        env_factory: EnvFactory = make_env,
    ) -> None:
        """Play every spec; `on_done` receives each record as soon as its episode ends."""
        with ray_session(self.address, self.num_cpus, self.log_to_driver) as resources:
            await close_all()  # backends built while checking the config belong to no run
            workers = self.worker_count(resources, len(specs))
            pool = EnvWorkerPool(env_factory, workers, self.envs_per_worker, self.env_worker_cpus) if workers else None
            open_env = pool.open if pool else in_process(env_factory)
            gpus = self.model_actor_gpus
            if gpus == "auto":
                gpus = 1.0 if resources.get("GPU", 0) >= 1 else 0.0
            builder = actor_builder(self.model_actor, self.model_actor_cpus, gpus, self.model_restarts)
            try:
                with built_by(builder):
                    await play_all(specs, agent_factory, on_done, open_env, self.concurrency, self.max_restarts)
            finally:
                await close_all()
                if pool:
                    pool.close()

    def worker_count(self, resources: dict[str, float], episodes: int) -> int:
        """Env workers to start: as configured, or (`auto`) one per CPU the cluster has, never more than useful."""
        if self.env_workers == "auto":
            per_worker = self.env_worker_cpus or 1.0
            wanted = max(1, int(resources.get("CPU", 1) // per_worker))
        else:
            wanted = self.env_workers
        useful = math.ceil(min(self.concurrency, episodes) / self.envs_per_worker)
        return min(wanted, useful)


@contextmanager
def ray_session(address: str | None, num_cpus: int | None, log_to_driver: bool) -> Iterator[dict[str, float]]:
    """Connect to `address` (or start a local instance); yields the cluster's resources; disconnects after.

    A Ray that the caller already initialised is used as it is and left running.
    """
    try:
        import ray
    except ImportError:
        raise ConfigError(f"runner=ray needs Ray; {INSTALL_HINT}") from None
    if ray.is_initialized():
        yield ray.cluster_resources()
        return
    if address:
        check_reachable(address)
    try:
        ray.init(
            address=address,
            num_cpus=num_cpus if address is None else None,
            include_dashboard=False,
            log_to_driver=log_to_driver,
            logging_level=logging.WARNING,
        )
    except (ConnectionError, ValueError, RuntimeError) as exc:
        where = f"runner.address={address}" if address else "a local Ray instance"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"cannot start or reach {where} ({reason}); start a head node with `ray start --head`"
        ) from None
    try:
        yield ray.cluster_resources()
    finally:
        ray.shutdown()


_HOST_PORT = re.compile(r"^(?P<host>[^:/]+):(?P<port>\d+)$")


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds, with one line, on a `host:port` nobody listens on (Ray itself retries for minutes)."""
    match = _HOST_PORT.match(address)
    if match is None:
        return  # "auto", "ray://...": Ray resolves those itself
    try:
        with socket.create_connection((match["host"], int(match["port"])), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            f"runner.address={address}: no Ray head answers there ({reason}); "
            "start one with `ray start --head --port=6379` and pass its address"
        ) from None
