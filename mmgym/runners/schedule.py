"""Play many episodes concurrently, each with a fresh agent, replaying those whose env worker died."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence

from mmgym.core.agent import Agent
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import SimulatorLost
from mmgym.runners.budget import BudgetMeter
from mmgym.runners.env_session import EnvOpener, EnvWorkerLost
from mmgym.runners.recorder import EpisodeFrames, Recorder
from mmgym.runners.rollout import mark_failed, run_episode

AgentFactory = Callable[[], Agent]
OnDone = Callable[[EpisodeRecord], Awaitable[None] | None]  # receives each finished episode; may be async


async def play_all(
    specs: Sequence[EpisodeSpec],
    agent_factory: AgentFactory,
    on_done: OnDone,
    open_env: EnvOpener,
    concurrency: int,
    max_restarts: int = 0,
    recorder: Recorder | None = None,
    budget: BudgetMeter | None = None,
) -> None:
    """Play every spec with at most `concurrency` in flight; `on_done` gets each record as its episode ends.

    With a `budget`, a spec whose turn comes once a limit is reached is not started (in-flight ones finish).
    """
    limit = asyncio.Semaphore(concurrency)
    if budget is not None:
        agent_factory = _metered(agent_factory, budget)

    async def one(spec: EpisodeSpec) -> None:
        frames = recorder.buffer() if recorder else None
        async with limit:
            if budget is not None and not budget.may_start():
                return
            record = await play_with_restarts(spec, agent_factory, open_env, max_restarts, frames)
        if recorder:  # the next episode starts meanwhile: encoding and scoring hold no slot
            await recorder.finish(record, frames)
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
    frames: EpisodeFrames | None = None,
) -> EpisodeRecord:
    """One episode; if its env worker or simulator process dies, replay it from its seed with a fresh agent, up to
    `max_restarts` times.

    A replay starts from scratch, so the record it yields is the one an undisturbed run would give;
    only `extra["env_restarts"]` tells them apart.
    """
    losses = 0
    while True:
        try:
            agent = agent_factory()
        except Exception as exc:  # a failing constructor fails its episode, not the run
            return mark_failed(EpisodeRecord(id=spec.id, spec=spec, started_at=time.time()), exc)
        if frames is not None:
            frames.clear()  # a replay records from its own start
        try:
            record = await run_episode(spec, agent, open_env, frames)
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
