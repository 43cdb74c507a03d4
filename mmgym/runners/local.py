"""Run many episodes concurrently in this process, with a bounded number in flight."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from mmgym.agents.base import Agent
from mmgym.agents.models.registry import close_all
from mmgym.runners.records import EpisodeRecord
from mmgym.runners.rollout import EnvFactory, make_env, mark_failed, run_episode
from mmgym.tasks.spec import EpisodeSpec

AgentFactory = Callable[[], Agent]
OnDone = Callable[[EpisodeRecord], None]


class LocalRunner(BaseModel):
    """Each episode is one asyncio task; `concurrency` bounds how many are in flight at once."""

    model_config = ConfigDict(extra="forbid")

    name: str = "local"
    concurrency: int = Field(default=16, ge=1)

    async def run(
        self,
        specs: Sequence[EpisodeSpec],
        agent_factory: AgentFactory,
        on_done: OnDone,
        env_factory: EnvFactory = make_env,
    ) -> None:
        """Play every spec; `on_done` receives each record as soon as its episode ends."""
        limit = asyncio.Semaphore(self.concurrency)

        async def one(spec: EpisodeSpec) -> None:
            async with limit:
                try:
                    agent = agent_factory()
                except Exception as exc:  # a failing constructor fails its episode, not the run
                    record = mark_failed(EpisodeRecord(id=spec.id, spec=spec, started_at=time.time()), exc)
                else:
                    record = await run_episode(spec, agent, env_factory)
            on_done(record)

        try:
            await asyncio.gather(*(one(spec) for spec in specs))
        finally:
            await close_all()  # model clients belong to this event loop; the next run builds its own
