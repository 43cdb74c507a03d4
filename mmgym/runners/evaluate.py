"""Evaluate an agent on a suite into a run directory: resume, run, score, store, aggregate."""

from __future__ import annotations

import asyncio
import inspect
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from mmgym.agents.models.registry import close_all
from mmgym.core.records import EpisodeRecord
from mmgym.errors import ConfigError, MmgymError
from mmgym.results.aggregate import aggregate, bucket, macro_summaries
from mmgym.results.store import ResultsStore
from mmgym.results.summary import MetricInfo, RunResults
from mmgym.runners.budget import Budget, BudgetMeter, Spending
from mmgym.runners.env_session import EnvFactory, make_env
from mmgym.runners.local import AgentFactory, LocalRunner
from mmgym.runners.recorder import RecordConfig, Recorder
from mmgym.tasks.scoring import Suite

RESULTS_FILE = "results.json"


def evaluate(
    suite: Suite,
    agent_factory: AgentFactory,
    run_dir: str | Path,
    runner: Any = None,
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
    store = ResultsStore(run_dir)
    recorder = Recorder(run_dir, record) if record is not None and record.video else None
    specs = suite.specs()
    todo = [spec for spec in specs if spec.id not in store]

    meter = BudgetMeter(budget, Spending.of(store.attempts())) if budget is not None and budget.limited else None
    budget_kwargs = {"budget": meter} if meter else {}  # only a budgeted run needs a runner that takes one
    if meter and "budget" not in inspect.signature(runner.run).parameters:
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
            asyncio.run(runner.run(todo, agent_factory, on_done, env_factory, recorder=recorder, **budget_kwargs))
        except EpisodesFailing as exc:
            aborted = str(exc)
        finally:
            store.sync()
            if recorder:
                recorder.close()

    # Only what the aggregates need is kept of each record (a whole run's steps would not fit in memory),
    # in the suite's order, not completion order: the bootstrap CIs must not depend on scheduling.
    by_id = {record.id: ScoredEpisode.of(record, groupings) for record in store.records()}
    results = summarize_scored(suite, [by_id[spec.id] for spec in specs if spec.id in by_id])
    results.stopped = meter.stop_line() if meter else None
    results.aborted = aborted
    if callable(getattr(suite, "notes", None)):  # e.g. a judged suite measures its judge (`Suite.notes`)
        results.notes = asyncio.run(_closing_models(suite.notes()))
    store.write_json(RESULTS_FILE, results.model_dump(mode="json"))
    return results


@dataclass(frozen=True)
class ScoredEpisode:
    """What aggregation reads of an episode record: its status, metrics, usage and group in each grouping."""

    status: str
    metrics: dict[str, float]
    usage: dict[str, float]
    groups: dict[str, str | None]
    error: str | None = None

    @classmethod
    def of(cls, record: EpisodeRecord, groupings: Mapping[str, Callable[[EpisodeRecord], str | None]]) -> ScoredEpisode:
        groups = {name: key(record) for name, key in groupings.items()}
        return cls(record.status, dict(record.metrics), dict(record.usage), groups, _one_line(record.error))


def summarize_run(suite: Suite, records: Iterable[EpisodeRecord]) -> RunResults:
    """The run's aggregates: per declared grouping and group, and macro means over the `macro_over` groupings."""
    groupings = suite.groupings()
    return summarize_scored(suite, [ScoredEpisode.of(record, groupings) for record in records])


def summarize_scored(suite: Suite, episodes: list[ScoredEpisode]) -> RunResults:
    """`summarize_run` over episodes already reduced to their scores and groups."""
    scored = [(episode, episode.metrics) for episode in episodes]
    groupings = {name: _group_in(name) for name in suite.groupings()}
    buckets = bucket(scored, {name: groupings[name] for name in suite.macro_over})
    failed = [episode for episode in episodes if episode.status == "error"]
    return RunResults(
        suite=suite.name,
        metrics=[MetricInfo(**metric.model_dump()) for metric in suite.metrics],
        episodes=len(episodes),
        errors=sum(episode.status == "error" for episode in episodes),
        usage=total_usage(episodes),
        groups=aggregate(scored, groupings),
        macro={name: macro_summaries(buckets[name]) for name in suite.macro_over if name in buckets},
        group_errors=errors_by_group(failed, groupings),
        error_kinds=dict(Counter(episode.error for episode in failed).most_common(MOST_COMMON_ERRORS)),
    )


def errors_by_group(failed: list[ScoredEpisode], groupings: Mapping[str, Callable]) -> dict[str, dict[str, int]]:
    """Per grouping and group, how many episodes ended in an error (groups without any are left out)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in groupings}
    for episode in failed:
        for name, key in groupings.items():
            if (group := key(episode)) is not None:
                counts[name][group] += 1
    return {name: dict(sorted(count.items())) for name, count in counts.items() if count}


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
                f"(last: {_one_line(self.seen[-1])}); fix the cause and rerun the same command (fail_fast=0 plays on)"
            )


def _error_kind(error: str | None) -> str | None:
    """An error's kind: its exception type (the message may name the episode)."""
    return None if error is None else error.split(":", 1)[0]


MOST_COMMON_ERRORS = 5
ERROR_LINE_CHARS = 300


def _one_line(error: str | None) -> str | None:
    """An error message as the summary shows it: on one line, cut short (tracebacks stay in the record).

    A simulator's message may span lines (`Scene ... not contained in build` and the list of scenes)."""
    if error is None:
        return None
    line = " ".join(error.split()) or "error"
    return line if len(line) <= ERROR_LINE_CHARS else line[: ERROR_LINE_CHARS - 3] + "..."


def _group_in(grouping: str) -> Callable[[ScoredEpisode], str | None]:
    return lambda episode: episode.groups[grouping]


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


def total_usage(records: Iterable[EpisodeRecord | ScoredEpisode]) -> dict[str, float]:
    """Model calls, parse failures, invalid actions, tokens, latency and cost summed over the run."""
    totals: dict[str, float] = {}
    for record in records:
        for name, value in record.usage.items():
            totals[name] = totals.get(name, 0.0) + value
    return totals


async def _closing_models(work: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """Await `work` (which may build model backends), then close them: the run's loop is gone."""
    try:
        return await work
    finally:
        await close_all()
