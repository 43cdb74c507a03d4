"""A model backend hosted in one Ray actor, shared by every episode of a run.

Weights load once, in the actor, on its own resources (a GPU when the cluster has one); the
actor is async, so concurrent requests from all episodes reach the backend together and its
batcher still batches them. If the actor dies, Ray restarts it and resubmits the requests that
were in flight, so an episode sees a slow reply, not an error.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from mmgym.agents.models.base import GenerationConfig, Message, ModelBackend, ModelResponse
from mmgym.agents.models.registry import BackendBuilder, build_here
from mmgym.construct import locate


class ModelHost:
    """The actor's body: one backend built from its config, inside the actor's process."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.backend = build_here(config)
        self.requests = 0

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        self.requests += 1
        return await self.backend.generate(messages, config)

    async def close(self) -> None:
        await self.backend.close()

    async def stats(self) -> dict[str, Any]:
        """The actor's process id, requests served, and its backend's batch sizes when it keeps them."""
        batch_sizes = list(getattr(self.backend, "batch_sizes", []))
        return {"pid": os.getpid(), "requests": self.requests, "batch_sizes": batch_sizes}


class RemoteBackend:
    """`ModelBackend` that forwards each request to the least busy of its `ModelHost` actors."""

    def __init__(self, actors: list[Any], name: str) -> None:
        self.actors = actors
        self.name = name
        self.in_flight = [0] * len(actors)
        self.final_stats: list[dict[str, Any]] = []  # each live actor's `stats()` when it was closed

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        index = self.in_flight.index(min(self.in_flight))
        self.in_flight[index] += 1
        try:
            return await self.actors[index].generate.remote(messages, config)
        finally:
            self.in_flight[index] -= 1

    async def close(self) -> None:
        """Close every live actor's backend; an actor that died for good (restarts used up) has nothing to close."""
        import ray
        from ray.exceptions import RayActorError

        try:
            stats = await asyncio.gather(*(actor.stats.remote() for actor in self.actors), return_exceptions=True)
            failed = [s for s in stats if isinstance(s, BaseException) and not isinstance(s, RayActorError)]
            if failed:
                raise failed[0]
            live = [actor for actor, s in zip(self.actors, stats, strict=True) if not isinstance(s, RayActorError)]
            self.final_stats = [s for s in stats if not isinstance(s, RayActorError)]
            await asyncio.gather(*(actor.close.remote() for actor in live))
        finally:
            for actor in self.actors:
                ray.kill(actor)


def actor_builder(
    placement: str, num_cpus: float, num_gpus: float, max_restarts: int, replicas: int = 1
) -> BackendBuilder:
    """A registry builder that hosts backends in `replicas` actors each: those holding weights (`auto`), all, or none.

    Replicas spread one model's requests over processes (or GPUs): one process's HTTP client tops
    out at a few hundred requests a second, and one GPU at its batch throughput.
    """

    def build(config: dict[str, Any]) -> ModelBackend:
        backend_cls = locate(str(config.get("_target_", "")), "model")
        if placement == "never" or (placement == "auto" and not getattr(backend_cls, "holds_weights", False)):
            return build_here(config)
        import ray

        host = ray.remote(ModelHost).options(
            num_cpus=num_cpus,
            num_gpus=num_gpus,
            max_restarts=max_restarts,
            max_task_retries=-1,  # resubmit in-flight requests after a restart
            max_concurrency=1024,  # async actor: all episodes' requests at once, for the batcher
        )
        return RemoteBackend([host.remote(config) for _ in range(replicas)], str(config.get("name", "model")))

    return build
