"""A run's episodes as plain rows for anyone's own analysis (`mmgym export --format jsonl-summary|parquet`).

`summary_row`: one row per episode, as the run counts them (each id's latest record): its id, suite,
task, seed, groups, status and error, success and progress, every metric the suite scored, the
steps taken, the agent's calls, the model usage and the wall time. `step_rows`: one row per step.
Nothing is recomputed: the rows are the records' own figures, so they add up to `results.json`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmgym.core.records import EpisodeRecord
from mmgym.errors import ConfigError
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


def step_rows(record: EpisodeRecord) -> Iterator[dict[str, Any]]:
    """One row per step, with its episode's id, groups and outcome beside it and its turn's model exchange
    (the reply, the parser's verdict and the turn's tokens) on the turn's first step. Plain values only:
    each group is a `group_<grouping>` column and each metric an `episode_<metric>` column, so that a
    table library reads the file without nested types."""
    about = {
        "episode_id": record.id,
        "suite": record.spec.suite,
        "task": record.spec.task,
        "seed": record.spec.seed,
        **{f"group_{name}": group for name, group in record.groups.items()},
        "episode_status": record.status,
        "episode_success": record.success,
        **{f"episode_{name}": value for name, value in record.metrics.items()},
    }
    turns = {turn.index: turn for turn in record.turns}
    first_steps = {}
    for step in record.steps:
        first_steps.setdefault(step.turn, step.index)
    for step in record.steps:
        turn = turns.get(step.turn) if first_steps[step.turn] == step.index else None
        yield {
            **about,
            "step": step.index,
            "turn": step.turn,
            "action": step.action,
            "valid": step.valid,
            "feedback": step.feedback,
            "reward": step.reward,
            "success": step.success,
            "progress": step.progress,
            "state_text": step.state_text,
            "reasoning": step.reasoning,
            "random_fallback": step.random_fallback,
            "model_output": turn.model_output if turn else None,
            "parse_error": turn.parse_error if turn else None,
            "prompt_tokens": turn.usage.get("prompt_tokens") if turn else None,
            "completion_tokens": turn.usage.get("completion_tokens") if turn else None,
            "latency_s": turn.usage.get("latency_s") if turn else None,
            "data": json.dumps(step.data, sort_keys=True, default=str) if step.data else None,
        }


def write_parquet(rows: Iterator[dict[str, Any]], output: Path) -> int:
    """The rows as one Parquet file, written whole or not at all; returns how many."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError('--format parquet needs pyarrow; pip install "mmgym[export]"') from None
    table = pa.Table.from_pylist(list(rows))
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    pq.write_table(table, partial)
    os.replace(partial, output)
    return table.num_rows
