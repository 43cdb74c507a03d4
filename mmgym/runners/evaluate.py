"""Evaluate an agent on a suite into a run directory: resume, run, score, store, aggregate."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from mmgym.agents.models.registry import close_all
from mmgym.core.records import EpisodeRecord
from mmgym.errors import ConfigError, MmgymError
from mmgym.results.store import ResultsStore
from mmgym.results.summarize import one_line, summarize_stored
from mmgym.results.summary import RunResults
from mmgym.runners.base import AgentFactory, Runner
from mmgym.runners.budget import Budget, BudgetMeter, Spending
from mmgym.runners.env_session import EnvFactory, make_env
from mmgym.runners.local import LocalRunner
from mmgym.runners.observers import EpisodeObserver
from mmgym.runners.recorder import RecordConfig, Recorder
from mmgym.tasks.suite import Notes, Suite


def evaluate(
    suite: Suite,
    agent_factory: AgentFactory,
    run_dir: str | Path,
    runner: Runner | None = None,
    show_progress: bool = True,
    record: RecordConfig | None = None,
    env_factory: EnvFactory = make_env,
    budget: Budget | None = None,
    fail_fast: int = 0,
) -> RunResults:
    """Run every episode of `suite` not yet in `run_dir`, then write and return the aggregates.

    With `record`, each episode's frames are encoded to `run_dir/videos/` (the CLI records by default).
    `env_factory` builds each episode's env (wherever the runner puts it; `EnvMaker` imports user modules).
    Each finished episode is scored by the suite's async `score` (which may await a judge) before
    it is stored, while other episodes go on. A `budget` reached stops new episodes from starting
    (counting what the records already in `run_dir` spent); the results then say so in `stopped`.
    With `fail_fast` = N > 0, a run whose first N episodes all fail with the same error stops there (the
    results say so in `aborted`) instead of failing every other episode the same way.
    """
    runner = runner or LocalRunner()
    if not isinstance(runner, Runner):
        raise ConfigError(
            f"runner {type(runner).__name__} is not an mmgym runner (mmgym.runners.base.Runner: a `keeps_budget` "
            "flag and an async `run`); use runner=local or runner=ray"
        )
    store = ResultsStore(run_dir)
    recorder = Recorder(run_dir, record) if record is not None and record.video else None
    observers: list[EpisodeObserver] = [recorder] if recorder else []
    specs = suite.specs()
    todo = [spec for spec in specs if spec.id not in store]

    meter = BudgetMeter(budget, Spending.of(store.attempts())) if budget is not None and budget.limited else None
    if meter and not runner.keeps_budget:
        raise ConfigError(f"runner {type(runner).__name__} cannot keep a budget; use runner=local or runner=ray")
    groupings = suite.groupings()
    breaker = FailFast(fail_fast if fail_fast < len(todo) else 0)
    aborted = None
    with _progress(show_progress) as progress:
        task = progress.add_task(suite.name, total=len(specs), completed=len(specs) - len(todo))

        async def on_done(record: EpisodeRecord) -> None:
            record.metrics = await suite.score(record)
            record.groups = {name: group for name, key in groupings.items() if (group := key(record)) is not None}
            store.append(record)
            progress.advance(task)
            breaker.observe(record)

        try:
            asyncio.run(runner.run(todo, agent_factory, on_done, env_factory, observers=observers, budget=meter))
        except EpisodesFailing as exc:
            aborted = str(exc)
        finally:
            store.sync()
            if recorder:
                recorder.close()

    results = summarize_stored(suite, specs, store.records())  # in the suite's order, whatever finished first
    results.stopped = meter.stop_line() if meter else None
    results.aborted = aborted
    notes = asyncio.run(_closing_models(suite.notes()))  # e.g. a judged suite measures its judge
    results.notes = {name: finding.model_dump(mode="json") for name, finding in notes.items()}
    store.write_results(results)
    return results


class EpisodesFailing(MmgymError):
    """The run's first episodes all failed the same way: the rest would too (an endpoint down, a wrong path)."""


class FailFast:
    """Stops a run whose first `after` episodes all end in an error of the same kind (0: never)."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.seen: list[str | None] = []

    def observe(self, record: EpisodeRecord) -> None:
        if len(self.seen) >= self.after:
            return
        self.seen.append(record.error if record.status == "error" else None)
        kinds = {_error_kind(error) for error in self.seen}
        if len(self.seen) == self.after and None not in kinds and len(kinds) == 1:
            raise EpisodesFailing(
                f"the first {self.after} episodes all failed with {kinds.pop()}; stopped early "
                f"(last: {one_line(self.seen[-1])}); fix the cause and rerun the same command (fail_fast=0 plays on)"
            )


def _error_kind(error: str | None) -> str | None:
    """An error's kind: its exception type (the message may name the episode)."""
    return None if error is None else error.split(":", 1)[0]


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )


async def _closing_models(work: Awaitable[Notes]) -> Notes:
    """Await `work` (which may build model backends), then close them: the run's loop is gone."""
    try:
        return await work
    finally:
        await close_all()
