"""Play many episodes concurrently, each with a fresh agent, replaying those whose env worker died."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Sequence

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import SimulatorLost
from mmgym.runners.base import AgentFactory, OnDone
from mmgym.runners.budget import BudgetMeter
from mmgym.runners.env_session import EnvOpener, EnvWorkerLost
from mmgym.runners.observers import EpisodeObserver, Observers
from mmgym.runners.rollout import mark_failed, run_episode

__all__ = ["AgentFactory", "OnDone", "play_all", "play_with_restarts"]


async def play_all(
    specs: Sequence[EpisodeSpec],
    agent_factory: AgentFactory,
    on_done: OnDone,
    open_env: EnvOpener,
    concurrency: int,
    max_restarts: int = 0,
    *,
    observers: Sequence[EpisodeObserver] = (),
    budget: BudgetMeter | None = None,
) -> None:
    """Play every spec with at most `concurrency` in flight; `on_done` gets each record as its episode ends,
    after each of `observers` had it.

    With a `budget`, a spec whose turn comes once a limit is reached is not started (in-flight ones finish).
    """
    limit = asyncio.Semaphore(concurrency)
    if budget is not None:
        agent_factory = _metered(agent_factory, budget)
    observer = Observers(observers) or None

    async def one(spec: EpisodeSpec) -> None:
        async with limit:
            if budget is not None and not budget.may_start():
                return
            record = await play_with_restarts(spec, agent_factory, open_env, max_restarts, observer)
        if observer is not None:  # the next episode starts meanwhile: observers (encoding) and scoring hold no slot
            await observer.on_end(record)
        done = on_done(record)
        if inspect.isawaitable(done):
            await done

    await asyncio.gather(*(one(spec) for spec in specs))


def _metered(agent_factory: AgentFactory, budget: BudgetMeter) -> AgentFactory:
    return lambda: budget.metered(agent_factory())


async def play_with_restarts(
    spec: EpisodeSpec,
    agent_factory: AgentFactory,
    open_env: EnvOpener,
    max_restarts: int,
    observer: EpisodeObserver | None = None,
) -> EpisodeRecord:
    """One episode; if its env worker or simulator process dies, replay it from its seed with a fresh agent, up to
    `max_restarts` times.

    A replay starts from scratch, so the record it yields is the one an undisturbed run would give;
    only `extra["env_restarts"]` tells them apart (and `observer` sees each attempt start over).
    """
    losses = 0
    while True:
        try:
            agent = agent_factory()
        except Exception as exc:  # a failing constructor fails its episode, not the run
            return mark_failed(EpisodeRecord(id=spec.id, spec=spec, started_at=time.time()), exc)
        try:
            record = await run_episode(spec, agent, open_env, observer)
        except (EnvWorkerLost, SimulatorLost) as exc:
            losses += 1
            if losses > max_restarts:
                what = "env worker" if isinstance(exc, EnvWorkerLost) else "simulator"
                reason = EnvWorkerLost(f"{what} died {losses} times (max_restarts={max_restarts}); last: {exc}")
                return mark_failed(EpisodeRecord(id=spec.id, spec=spec, started_at=time.time()), reason)
            continue
        if losses:
            record.extra["env_restarts"] = losses
        return record
