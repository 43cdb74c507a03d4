"""Aggregate per-episode metrics: micro means per group and macro means over groups, with bootstrap 95% CIs.

Intervals are percentile bootstraps, seeded, so the same records always give the same intervals.
A resample draws whole episodes, so the metrics of one episode stay together. A macro mean's
interval resamples within each group (a stratified bootstrap): the groups are fixed by design
(subsets of a benchmark), only their episodes are a sample.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from mmgym.results.summary import Summary

CONFIDENCE = 0.95
RESAMPLES = 2000

Buckets = dict[str, dict[str, dict[str, list[float]]]]  # grouping -> group -> metric -> values


def bootstrap_ci(values: Sequence[float], confidence: float = CONFIDENCE, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean."""
    (interval,) = bootstrap_cis([values], confidence, seed=seed)
    return interval


def bootstrap_cis(
    columns: Sequence[Sequence[float]], confidence: float = CONFIDENCE, resamples: int = RESAMPLES, seed: int = 0
) -> list[tuple[float, float]]:
    """Intervals of several metrics of the same episodes, sharing one set of resamples."""
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


def summarize_metrics(metrics: Mapping[str, Sequence[float]]) -> dict[str, Summary]:
    """Mean and bootstrap interval of each metric; all metrics must cover the same episodes."""
    intervals = bootstrap_cis(list(metrics.values()))
    return {
        name: Summary(mean=float(np.mean(v)) if len(v) else float("nan"), low=low, high=high, n=len(v))
        for (name, v), (low, high) in zip(metrics.items(), intervals, strict=True)
    }


def macro_summaries(
    groups: Mapping[str, Mapping[str, Sequence[float]]], resamples: int = RESAMPLES, seed: int = 0
) -> dict[str, Summary]:
    """Per metric, the equal-weight mean of the groups' means, with a stratified bootstrap interval."""
    metrics = list(dict.fromkeys(m for group in groups.values() for m in group))
    rng = np.random.default_rng(seed)
    sums = {m: np.zeros(resamples) for m in metrics}
    means: dict[str, list[float]] = {m: [] for m in metrics}
    counts = {m: 0 for m in metrics}
    for group in groups.values():
        sizes = {len(values) for values in group.values() if len(values)}
        picks = {size: rng.integers(0, size, size=(resamples, size)) for size in sorted(sizes)}
        for metric, values in group.items():
            data = np.asarray(values, dtype=float)
            if data.size == 0:
                continue
            means[metric].append(float(data.mean()))
            sums[metric] += data[picks[data.size]].mean(axis=1)
            counts[metric] += data.size
    alpha = (1.0 - CONFIDENCE) / 2
    result = {}
    for metric in metrics:
        if not means[metric]:
            continue
        boot = sums[metric] / len(means[metric])
        low, high = np.quantile(boot, [alpha, 1.0 - alpha])
        result[metric] = Summary(mean=float(np.mean(means[metric])), low=float(low), high=float(high), n=counts[metric])
    return result


def bucket(items: Iterable[tuple[object, Mapping[str, float]]], groupings: Mapping[str, Callable]) -> Buckets:
    """Each episode's scores filed under its group in every grouping (a group of None leaves it out)."""
    buckets: Buckets = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for episode, scores in items:
        for grouping, key_of in groupings.items():
            group = key_of(episode)
            if group is None:
                continue
            for metric, value in scores.items():
                buckets[grouping][group][metric].append(value)
    return buckets


def aggregate(
    items: Iterable[tuple[object, Mapping[str, float]]], groupings: Mapping[str, Callable]
) -> dict[str, dict[str, dict[str, Summary]]]:
    """Micro summaries per grouping (in the given order), per group (sorted), per metric."""
    buckets = bucket(items, groupings)
    return {
        grouping: {group: summarize_metrics(metrics) for group, metrics in sorted(buckets[grouping].items())}
        for grouping in groupings
        if grouping in buckets
    }
