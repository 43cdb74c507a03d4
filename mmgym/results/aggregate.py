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
    (interval,) = bootstrap_cis([values], confidence, resamples, seed)
    return interval


def bootstrap_cis(
    columns: Sequence[Sequence[float]], confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> list[tuple[float, float]]:
    """Intervals of several metrics, sharing one set of resamples among metrics of the same
    episodes (a resample draws episodes, so the metrics of an episode stay together)."""
    alpha = (1.0 - confidence) / 2
    picks: dict[int, np.ndarray] = {}
    intervals = []
    for values in columns:
        data = np.asarray(values, dtype=float)
        if data.size == 0:
            intervals.append((float("nan"), float("nan")))
        elif np.all(data == data[0]):
            intervals.append((float(data[0]), float(data[0])))
        else:
            if data.size not in picks:
                picks[data.size] = np.random.default_rng(seed).integers(0, data.size, size=(resamples, data.size))
            low, high = np.quantile(data[picks[data.size]].mean(axis=1), [alpha, 1.0 - alpha])
            intervals.append((float(low), float(high)))
    return intervals


def summarize(values: Sequence[float]) -> Summary:
    return summarize_metrics({"value": values})["value"]


def summarize_metrics(metrics: dict[str, Sequence[float]]) -> dict[str, Summary]:
    """Mean and bootstrap interval of each metric; all metrics must cover the same episodes."""
    intervals = bootstrap_cis(list(metrics.values()))
    return {
        name: Summary(mean=float(np.mean(v)) if len(v) else float("nan"), low=low, high=high, n=len(v))
        for (name, v), (low, high) in zip(metrics.items(), intervals, strict=True)
    }


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
        grouping: {group: summarize_metrics(metrics) for group, metrics in sorted(groups.items())}
        for grouping, groups in buckets.items()
    }
