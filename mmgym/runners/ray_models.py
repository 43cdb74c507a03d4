"""A model backend hosted in one Ray actor, shared by every episode of a run.

Weights load once, in the actor, on its own resources (a GPU when the cluster has one); the
actor is async, so concurrent requests from all episodes reach the backend together and its
batcher still batches them. If the actor dies, Ray restarts it and resubmits the requests that
were in flight, so an episode sees a slow reply, not an error.
"""

from __future__ import annotations

import os
from typing import Any

from mmgym.agents.models.base import GenerationConfig, Message, ModelBackend, ModelResponse
from mmgym.agents.models.registry import BackendBuilder, build_here
from mmgym.construct import locate


class ModelHost:
    """The actor's body: one backend built from its config, inside the actor's process."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.backend = build_here(config)

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        return await self.backend.generate(messages, config)

    async def close(self) -> None:
        await self.backend.close()

    async def stats(self) -> dict[str, Any]:
        """The actor's process id, and its backend's batch sizes when it keeps them."""
        return {"pid": os.getpid(), "batch_sizes": list(getattr(self.backend, "batch_sizes", []))}


class RemoteBackend:
    """`ModelBackend` that forwards each request to a `ModelHost` actor."""

    def __init__(self, actor: Any, name: str) -> None:
        self.actor = actor
        self.name = name
        self.final_stats: dict[str, Any] = {}  # the actor's `stats()` when it was closed

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        return await self.actor.generate.remote(messages, config)

    async def close(self) -> None:
        import ray

        try:
            self.final_stats = await self.actor.stats.remote()
            await self.actor.close.remote()
        finally:
            ray.kill(self.actor)


def actor_builder(placement: str, num_cpus: float, num_gpus: float, max_restarts: int) -> BackendBuilder:
    """A registry builder that hosts backends in actors: those holding weights (`auto`), all, or none."""

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
        return RemoteBackend(host.remote(config), str(config.get("name", "model")))

    return build
