"""How a suite scores: declared metrics, groupings to report them by, and the async Suite protocol.

Scoring is async so that a scorer may await a model (a judge) without blocking other episodes.
Each metric says its scale (for plots and tables) and whether higher is better; a suite's
`macro_over` names groupings (subsets, domains) whose groups are averaged with equal weight, as
EmbodiedBench reports them, next to the micro mean over all episodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
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
    progress), env steps taken, and steps whose action was refused."""
    return {
        "success": 100.0 * record.success,
        "progress": 100.0 * (1.0 if record.success else record.progress),
        "steps": float(len(record.steps)),
        "invalid_actions": float(sum(not step.valid for step in record.steps)),
    }


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


@runtime_checkable
class Suite(Protocol):
    name: str
    metrics: tuple[Metric, ...]  # in table order
    macro_over: tuple[str, ...]  # groupings whose groups also get an equal-weight mean

    def specs(self) -> list[EpisodeSpec]:
        """Every episode of the suite, in a stable order."""
        ...

    async def score(self, record: EpisodeRecord) -> Scores:
        """The suite's metrics for one finished episode (may await a judge model)."""
        ...

    def groupings(self) -> dict[str, GroupKey]:
        """How results are broken down, in display order; `overall` first."""
        ...

    # Optional: `async def notes(self) -> dict[str, Any]`, the suite's own findings kept in results.json
    # (`RunResults.notes`), awaited once the run's episodes are scored (PCA measures its judge there).
