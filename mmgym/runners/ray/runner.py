"""Run episodes on Ray: envs in worker actors, local models in one model actor, rollouts in the driver.

The driver keeps the asyncio rollouts (cheap: they wait on envs and models) and the results
store; heavy work runs in actors that Ray places on any node of the cluster. Episodes whose env
worker dies are replayed from their seeds, so a disturbed run records what an undisturbed one
would. With `address` unset, a local Ray instance starts and stops with the run.
"""

from __future__ import annotations

import logging
import math
import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt

from mmgym.agents.models.registry import BackendRegistry, close_all
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import ConfigError
from mmgym.runners.base import AgentFactory, OnDone
from mmgym.runners.budget import BudgetMeter
from mmgym.runners.env_session import EnvFactory, make_env, steps_are_cheap
from mmgym.runners.in_process import in_process
from mmgym.runners.observers import EpisodeObserver
from mmgym.runners.ray.env_workers import EnvWorkerPool
from mmgym.runners.ray.model_actors import actor_builder
from mmgym.runners.schedule import play_all

INSTALL_HINT = 'pip install "mmgym[ray]" (or: pip install ray)'


class RayRunner(BaseModel):
    """Episodes as asyncio tasks in the driver, stepping envs that live in Ray actors."""

    # Fields named model_* are ours; pydantic before 2.10 warns about them on stderr unless told.
    model_config = ConfigDict(extra="forbid", protected_namespaces=())
    keeps_budget: ClassVar[bool] = True

    name: str = "ray"
    address: str | None = None
    num_cpus: int | None = Field(default=None, ge=1)
    concurrency: int = Field(default=64, ge=1)
    env_workers: NonNegativeInt | Literal["auto"] = "auto"
    envs_per_worker: PositiveInt | Literal["auto"] = "auto"
    env_worker_cpus: float = Field(default=1.0, ge=0)
    env_worker_gpus: float = Field(default=0.0, ge=0)  # for simulators that render on a GPU
    start_timeout_s: float = Field(default=120.0, gt=0)
    step_timeout_s: float | None = Field(default=300.0, gt=0)  # an env call still running then is a hung simulator
    max_restarts: int = Field(default=3, ge=0)
    model_actor: Literal["auto", "always", "never"] = "auto"
    model_actor_cpus: float = Field(default=0.0, ge=0)
    model_actor_gpus: float | Literal["auto"] = "auto"
    model_restarts: int = Field(default=3, ge=0)
    model_actors: PositiveInt = 1
    log_to_driver: bool = False

    async def run(
        self,
        specs: Sequence[EpisodeSpec],
        agent_factory: AgentFactory,
        on_done: OnDone,
        env_factory: EnvFactory = make_env,
        *,
        observers: Sequence[EpisodeObserver] = (),
        budget: BudgetMeter | None = None,
    ) -> None:
        """Play every spec (`base.Runner`); `on_done` receives each record as soon as its episode ends, after the
        `observers` (with its video, if recorded).

        With a `budget`, episodes stop starting once one of its limits is reached (counted here, in the driver).
        The run's model backends are built by a registry of its own, which places them (`model_actor`).
        """
        with ray_session(self.address, self.num_cpus, self.log_to_driver) as resources:
            await close_all()  # backends built while checking the config belong to no run
            layout = self.env_layout(resources, specs)
            pool: EnvWorkerPool | None = None
            local_envs = None
            backends = self.model_backends(resources)
            try:
                if layout.workers:
                    pool = EnvWorkerPool(
                        env_factory,
                        layout.workers,
                        layout.envs_per_worker,
                        self.env_worker_cpus,
                        self.env_worker_gpus,
                        self.step_timeout_s,
                        self.start_timeout_s,
                    )
                    await pool.ready(self.start_timeout_s)
                local_envs = None if pool else in_process(env_factory, self.step_timeout_s)
                open_env = pool.open if pool else local_envs
                with backends.in_effect():
                    await play_all(
                        specs,
                        agent_factory,
                        on_done,
                        open_env,
                        self.concurrency,
                        self.max_restarts,
                        observers=observers,
                        budget=budget,
                    )
            finally:
                if pool:
                    pool.close()
                if local_envs is not None:
                    local_envs.close()
                try:
                    await backends.close_all()
                finally:
                    await close_all()

    def env_layout(self, resources: dict[str, float], specs: Sequence[EpisodeSpec]) -> EnvLayout:
        """How many env workers, with how many env slots each, this run gets.

        `auto` workers: none when every env says its steps are cheap (they stay in the driver),
        else one per CPU the cluster can give. `auto` slots: enough for `concurrency` episodes in
        flight. Never more workers than the episodes can use, nor than the cluster can place.
        """
        in_flight = min(self.concurrency, len(specs))
        per_worker = self.env_worker_cpus
        reserved = self.model_actor_cpus * self.model_actors if self.model_actor != "never" else 0.0
        capacity = math.inf if per_worker == 0 else int((resources.get("CPU", 0) - reserved) // per_worker)
        if self.env_workers == "auto":
            cheap = all(steps_are_cheap(env_id) for env_id in {spec.env_id for spec in specs})
            workers = 0 if cheap or not in_flight else max(1, min(capacity, in_flight))
        else:
            workers = self.env_workers
            if workers > capacity:
                raise ConfigError(
                    f"runner.env_workers={workers} at runner.env_worker_cpus={per_worker:g} needs "
                    f"{workers * per_worker:g} CPUs; the cluster has {resources.get('CPU', 0) - reserved:g} free "
                    "for env workers; lower either"
                )
        if not workers or not in_flight:
            return EnvLayout(0, 0)
        slots = self.envs_per_worker if self.envs_per_worker != "auto" else math.ceil(in_flight / workers)
        return EnvLayout(min(workers, math.ceil(in_flight / slots)), slots)

    def model_backends(self, resources: dict[str, float]) -> BackendRegistry:
        """The run's backend registry: backends that hold weights (`model_actor=auto`), all or none in actors."""
        gpus = self.model_actor_gpus
        if gpus == "auto":
            gpus = 1.0 if resources.get("GPU", 0) >= 1 else 0.0
        builder = actor_builder(self.model_actor, self.model_actor_cpus, gpus, self.model_restarts, self.model_actors)
        return BackendRegistry(builder)


@dataclass(frozen=True)
class EnvLayout:
    workers: int
    envs_per_worker: int


# A local instance passes observations of up to 4 MiB straight back from the env workers: above Ray's default
# of 100 KiB, a 256 px frame went through the shared-memory object store, at 4.0 ms a call instead of 1.1 ms.
# Ray reads its settings from `RAY_<name>` variables in the processes it starts (the public way; `ray.init`'s
# `_system_config` is private). A cluster sets this when it starts (see the README).
LOCAL_RAY_SETTINGS = {"RAY_max_direct_call_object_size": str(4 * 1024 * 1024)}


@contextmanager
def local_ray_settings() -> Iterator[None]:
    """Put mmgym's settings for a local instance into the environment its processes inherit; the user's win."""
    added = [name for name in LOCAL_RAY_SETTINGS if name not in os.environ]
    os.environ.update({name: LOCAL_RAY_SETTINGS[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


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
    with local_ray_settings() if address is None else nullcontext():  # workers start all session long
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
