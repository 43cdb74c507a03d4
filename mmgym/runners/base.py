"""What a runner is: the `Runner` protocol that `evaluate` plays a suite's episodes through.

`runner=local` (`local.LocalRunner`) plays them as asyncio tasks in this process, `runner=ray`
(`ray.runner.RayRunner`) with envs and models in Ray actors; a user's `runner._target_` may name
any class that follows the protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar, Protocol, runtime_checkable

from mmgym.core.agent import Agent
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.runners.budget import BudgetMeter
from mmgym.runners.env_session import EnvFactory, make_env
from mmgym.runners.observers import EpisodeObserver

AgentFactory = Callable[[], Agent]
OnDone = Callable[[EpisodeRecord], Awaitable[None] | None]  # receives each finished episode; may be async


@runtime_checkable
class Runner(Protocol):
    """Plays episode specs, handing each finished record to `on_done`."""

    # Whether `run` honours a `budget` (starts no episode once one of its limits is reached). A runner that
    # does not says so here, and a budgeted run refuses it in one line instead of overspending.
    keeps_budget: ClassVar[bool]

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
        """Play every spec, each with a fresh agent from `agent_factory` and an env from `env_factory`.

        `observers` see every episode played (`observers.EpisodeObserver`); each one's `on_end` has the record
        before `on_done` does. `budget` is None for a runner that does not `keeps_budget`.
        """
        ...
