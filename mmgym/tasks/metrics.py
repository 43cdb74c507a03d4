"""Aggregate per-episode metrics into means with bootstrap 95% confidence intervals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from pydantic import BaseModel


class Summary(BaseModel):
    """Mean of one metric over a group of episodes, with a percentile bootstrap interval."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.1f} [{self.low:.1f}, {self.high:.1f}]"


def bootstrap_ci(
    values: Sequence[float], confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean; seeded so the same results give the same interval."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return (float("nan"), float("nan"))
    if data.size == 1 or np.all(data == data[0]):
        return (float(data[0]), float(data[0]))
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    alpha = (1.0 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return (float(low), float(high))


def summarize(values: Sequence[float]) -> Summary:
    low, high = bootstrap_ci(values)
    mean = float(np.mean(values)) if len(values) else float("nan")
    return Summary(mean=mean, low=low, high=high, n=len(values))


Scores = dict[str, float]
GroupKey = Callable[[object], str | None]


def aggregate(
    items: Iterable[tuple[object, Scores]], groupings: dict[str, GroupKey]
) -> dict[str, dict[str, dict[str, Summary]]]:
    """Summaries per grouping, per group, per metric.

    `items` pairs each episode with its scores; each grouping maps an episode to its group name
    (None leaves it out of that grouping).
    """
    buckets: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for episode, scores in items:
        for grouping, key_of in groupings.items():
            group = key_of(episode)
            if group is None:
                continue
            for metric, value in scores.items():
                buckets[grouping][group][metric].append(value)
    return {
        grouping: {group: {m: summarize(v) for m, v in metrics.items()} for group, metrics in sorted(groups.items())}
        for grouping, groups in buckets.items()
    }
