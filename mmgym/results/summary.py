"""The typed form of `results.json`: what the table, the report and sweeps read."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Summary(BaseModel):
    """Mean of one metric over a group of episodes, with a percentile bootstrap interval."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.1f} [{self.low:.1f}, {self.high:.1f}]"


class MetricInfo(BaseModel):
    """A declared metric as the views need it."""

    name: str
    scale: tuple[float, float] = (0.0, 100.0)
    higher_is_better: bool = True
    description: str = ""


GroupSummaries = dict[str, dict[str, Summary]]  # group -> metric -> summary


class RunResults(BaseModel):
    """A run's aggregates: per declared grouping and group, and macro means over the declared groupings."""

    suite: str
    metrics: list[MetricInfo]
    episodes: int
    errors: int
    usage: dict[str, float] = Field(default_factory=dict)
    groups: dict[str, GroupSummaries] = Field(default_factory=dict)  # grouping -> group -> metric -> summary
    macro: dict[str, dict[str, Summary]] = Field(default_factory=dict)  # grouping -> metric -> macro summary
    notes: dict[str, Any] = Field(default_factory=dict)  # the suite's own findings about the run (a judge's check)
    stopped: str | None = None  # why episodes were left unplayed (a budget reached), or None for a whole run
    group_errors: dict[str, dict[str, int]] = Field(default_factory=dict)  # grouping -> group -> error episodes
    error_kinds: dict[str, int] = Field(default_factory=dict)  # the most common error messages -> episodes
    aborted: str | None = None  # why the run stopped early (its first episodes all failed the same way)

    @property
    def metric_names(self) -> list[str]:
        return [metric.name for metric in self.metrics]

    def overall(self) -> dict[str, Summary]:
        return self.groups.get("overall", {}).get("all", {})

    def error_rate(self) -> float:
        return self.errors / self.episodes if self.episodes else 0.0

    def error_line(self) -> str | None:
        """One line on the run's failed episodes, the most common error first; None when none failed."""
        if not self.errors:
            return None
        if self.aborted:
            return self.aborted
        message, count = max(self.error_kinds.items(), key=lambda item: item[1]) if self.error_kinds else ("?", 0)
        return (
            f"{self.errors} of {self.episodes} episodes ended in an error (most common, {count} episodes: {message}); "
            "rerun the same command to retry them"
        )

    def headline(self) -> float:
        """The first metric's overall mean (what a sweeper optimises)."""
        first = self.overall().get(self.metrics[0].name) if self.metrics else None
        return first.mean if first is not None else 0.0
