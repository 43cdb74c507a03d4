"""Run many episodes concurrently in this process, with a bounded number in flight."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from mmgym.agents.models.registry import close_all
from mmgym.core.spec import EpisodeSpec
from mmgym.runners.base import AgentFactory, OnDone
from mmgym.runners.budget import BudgetMeter
from mmgym.runners.env_session import EnvFactory, make_env
from mmgym.runners.in_process import in_process
from mmgym.runners.observers import EpisodeObserver
from mmgym.runners.schedule import play_all

__all__ = ["AgentFactory", "LocalRunner", "OnDone"]


class LocalRunner(BaseModel):
    """Each episode is one asyncio task; `concurrency` bounds how many are in flight at once."""

    model_config = ConfigDict(extra="forbid")
    keeps_budget: ClassVar[bool] = True

    name: str = "local"
    concurrency: int = Field(default=16, ge=1)
    # A simulator's call still running then ends its episode as an error (envs with cheap steps run inline, untimed).
    step_timeout_s: float | None = Field(default=300.0, gt=0)
    # An episode whose simulator process died (`SimulatorLost`) is replayed from its start, up to this many times.
    max_restarts: int = Field(default=3, ge=0)

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

        With a `budget`, episodes stop starting once one of its limits is reached.
        """
        envs = in_process(env_factory, self.step_timeout_s)
        try:
            await play_all(
                specs,
                agent_factory,
                on_done,
                envs,
                self.concurrency,
                self.max_restarts,
                observers=observers,
                budget=budget,
            )
        finally:
            envs.close()
            await close_all()  # model clients belong to this event loop; the next run builds its own
