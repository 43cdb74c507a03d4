"""A run's `results.json` from its episode records: per grouping and group, macro means, usage and errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results.aggregate import aggregate, bucket, macro_summaries
from mmgym.results.summary import MetricInfo, RunResults

if TYPE_CHECKING:
    from mmgym.tasks.suite import Suite

MOST_COMMON_ERRORS = 5
ERROR_LINE_CHARS = 300


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
        return cls(record.status, dict(record.metrics), record_usage(record), groups, one_line(record.error))


def summarize_run(suite: Suite, records: Iterable[EpisodeRecord]) -> RunResults:
    """The run's aggregates: per declared grouping and group, and macro means over the `macro_over` groupings."""
    groupings = suite.groupings()
    return summarize_scored(suite, [ScoredEpisode.of(record, groupings) for record in records])


def summarize_stored(suite: Suite, specs: Sequence[EpisodeSpec], records: Iterable[EpisodeRecord]) -> RunResults:
    """`summarize_run` over a run directory's records (each id's latest), taken in the order of `specs`.

    Only what the aggregates need is kept of each record (a whole run's steps would not fit in memory),
    in the suite's order, not completion order: the bootstrap CIs must not depend on scheduling.
    """
    groupings = suite.groupings()
    by_id = {record.id: ScoredEpisode.of(record, groupings) for record in records}
    return summarize_scored(suite, [by_id[spec.id] for spec in specs if spec.id in by_id])


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


def record_usage(record: EpisodeRecord) -> dict[str, float]:
    """The episode's usage, with `human_seconds` when a person answered its turns (`mmgym play`): it marks
    the run as a person's, whose tables show time per answer instead of tokens."""
    usage = dict(record.usage)
    seconds = [turn.usage["human_seconds"] for turn in record.turns if "human_seconds" in turn.usage]
    if seconds:
        usage["human_seconds"] = float(sum(seconds))
    return usage


def total_usage(records: Iterable[EpisodeRecord | ScoredEpisode]) -> dict[str, float]:
    """Model calls, parse failures, invalid actions, tokens, latency and cost (and a person's seconds) summed
    over the run."""
    totals: dict[str, float] = {}
    for record in records:
        usage = record_usage(record) if isinstance(record, EpisodeRecord) else record.usage
        for name, value in usage.items():
            totals[name] = totals.get(name, 0.0) + value
    return totals


def one_line(error: str | None) -> str | None:
    """An error message as the summary shows it: on one line, cut short (tracebacks stay in the record).

    A simulator's message may span lines (`Scene ... not contained in build` and the list of scenes)."""
    if error is None:
        return None
    line = " ".join(error.split()) or "error"
    return line if len(line) <= ERROR_LINE_CHARS else line[: ERROR_LINE_CHARS - 3] + "..."


def _group_in(grouping: str) -> Callable[[ScoredEpisode], str | None]:
    return lambda episode: episode.groups[grouping]
