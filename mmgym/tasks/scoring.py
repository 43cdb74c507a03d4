"""How suites score: declared metrics, the embodied goal metrics, and groupings to report them by.

Each metric says its scale (for plots and tables) and whether higher is better; a suite's
`macro_over` names groupings (subsets, domains) whose groups are averaged with equal weight, as
embodied benchmarks report them, next to the micro mean over all episodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from mmgym.core.records import EpisodeRecord
from mmgym.errors import unknown_name

Scores = dict[str, float]
GroupKey = Callable[[EpisodeRecord], str | None]  # an episode's group in a grouping (None: left out)


class Metric(BaseModel):
    """A metric a suite reports: its name, its scale (low, high) and its direction."""

    model_config = ConfigDict(frozen=True)

    name: str
    scale: tuple[float, float] = (0.0, 100.0)
    higher_is_better: bool = True
    description: str = ""


def goal_scores(record: EpisodeRecord) -> Scores:
    """The embodied suites' four metrics: success and progress in percent (a success counts as full
    progress), env steps taken, and invalid actions: steps whose action was refused, and unparseable
    replies that cost no step (play rules `unparseable: free`, as EmbodiedBench counts them)."""
    free_failures = record.usage.get("parse_failures_without_step", 0.0)
    return {
        "success": 100.0 * record.success,
        "progress": 100.0 * (1.0 if record.success else record.progress),
        "steps": float(len(record.steps)),
        "invalid_actions": float(sum(not step.valid for step in record.steps)) + free_failures,
    }


def goal_metrics(max_steps: int, success: str, progress: str) -> tuple[Metric, ...]:
    """The embodied goal metrics, described as the suite defines success and progress; the step scale
    runs to the episode's actual step limit."""
    return (
        Metric(name="success", description=success),
        Metric(name="progress", description=progress),
        Metric(name="steps", scale=(0.0, float(max_steps)), higher_is_better=False, description="env steps taken"),
        Metric(name="invalid_actions", scale=(0.0, 10.0), higher_is_better=False, description="refused actions"),
    )


def known_subsets(subsets: list[str], valid: Sequence[str]) -> list[str]:
    """`subsets` when each is one of `valid`; else one line naming the bad one and the valid ones."""
    for subset in subsets:
        if subset not in valid:
            raise unknown_name("subset", subset, valid)
    return subsets


def overall(record: EpisodeRecord) -> str:
    """The grouping every suite has: all episodes in one group."""
    return "all"


def by_metadata(key: str) -> GroupKey:
    """A grouping by one of the spec's metadata values (a subset, a game, a setting)."""

    def group(record: EpisodeRecord) -> str | None:
        value = record.spec.metadata.get(key)
        return None if value is None else str(value)

    return group
