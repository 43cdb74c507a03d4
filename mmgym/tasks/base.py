"""The Suite protocol: which episodes to run, and how to score and group them."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results.aggregate import GroupKey, Scores


@runtime_checkable
class Suite(Protocol):
    name: str
    metrics: tuple[str, ...]  # metric names, in table order

    def specs(self) -> list[EpisodeSpec]:
        """Every episode of the suite, in a stable order."""
        ...

    def score(self, record: EpisodeRecord) -> Scores:
        """The suite's own metrics for one finished episode."""
        ...

    def groupings(self) -> dict[str, GroupKey]:
        """How results are broken down (e.g. by game, by setting), on `EpisodeRecord`s."""
        ...
