"""A run's episodes as plain rows for anyone's own analysis (`mmgym export --format jsonl-summary`).

One row per episode, as the run counts them (each id's latest record): its id, suite, task, seed,
groups, status and error, success and progress, every metric the suite scored, the steps taken,
the agent's calls, the model usage and the wall time. Nothing is recomputed: the rows are the
records' own figures, so they add up to `results.json`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mmgym.core.records import EpisodeRecord
from mmgym.results.run_dir import RunDir


@dataclass(frozen=True)
class EpisodeFilter:
    """Which episodes to export: successful ones only, those of one group, and at most N per group."""

    successful: bool = False
    group: tuple[str, str] | None = None  # (grouping, group), e.g. ("subset", "base")
    per_group: int | None = None  # the first N episodes of each group of `group_by`
    group_by: str = "overall"

    def keeps(self, record: EpisodeRecord) -> bool:
        if self.successful and not (record.status == "done" and record.success):
            return False
        return self.group is None or record.groups.get(self.group[0]) == self.group[1]


def summary_row(record: EpisodeRecord) -> dict[str, Any]:
    """One episode as a flat row of plain JSON values."""
    return {
        "id": record.id,
        "suite": record.spec.suite,
        "task": record.spec.task,
        "seed": record.spec.seed,
        "groups": dict(record.groups),
        "status": record.status,
        "error": record.error,
        "success": record.success,
        "progress": record.progress,
        "metrics": dict(record.metrics),
        "steps": len(record.steps),
        "agent_calls": record.agent_calls,
        "usage": dict(record.usage),
        "duration_s": record.duration_s,
    }


def selected_records(run_dir: RunDir, which: EpisodeFilter) -> Iterator[EpisodeRecord]:
    """The run's episodes that `which` keeps, in the order they finished."""
    taken: Counter[str] = Counter()
    for record in run_dir.records():
        if not which.keeps(record):
            continue
        group = "all" if which.group_by == "overall" else record.groups.get(which.group_by, "")
        if which.per_group is not None and taken[group] >= which.per_group:
            continue
        taken[group] += 1
        yield record
