"""Paired comparison of two runs of one suite: which agent is better, by how much, and how sure.

Two runs of a suite played the same episodes, matched by spec id. For each metric and each
group of each declared grouping, over the episodes both runs have:
- the mean difference (B - A) with a paired bootstrap 95% interval (resampling episodes, so each
  episode's two scores stay together);
- a two-sided paired permutation p-value: the signs of the per-episode differences are flipped at
  random, exactly (all 2^n) for n <= 16 nonzero differences, else by 20,000 seeded draws, with
  the usual (hits + 1) / (draws + 1) so that no p-value is zero;
- the episodes won, lost and tied by B.
Episodes in only one run are counted and named, never silently dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from mmgym.errors import MmgymError
from mmgym.results.aggregate import bootstrap_ci
from mmgym.results.run_dir import RunDir

EXACT_UP_TO = 16  # nonzero differences: 2^16 sign patterns are enumerated exactly
DRAWS = 20_000


class PairedStat(BaseModel):
    """One metric in one group: the runs' means, B - A with its interval and p-value, and B's record."""

    metric: str
    grouping: str
    group: str
    n: int
    mean_a: float
    mean_b: float
    difference: float
    low: float
    high: float
    p_value: float
    wins: int
    losses: int
    ties: int


class Comparison(BaseModel):
    """Run B against run A: the paired statistics, and the episodes only one of them has."""

    run_a: str
    run_b: str
    common: int
    only_a: list[str]
    only_b: list[str]
    stats: list[PairedStat]


def sign_flip_p(differences: Sequence[float], draws: int = DRAWS, seed: int = 0) -> float:
    """Two-sided p-value of a mean paired difference under random sign flips (zeros flip to themselves)."""
    d = np.asarray([x for x in differences if x != 0.0], dtype=float)
    if d.size == 0:
        return 1.0
    observed = abs(d.sum()) - 1e-9 * max(1.0, abs(d).sum())  # ties with the observed sum count as extreme
    if d.size <= EXACT_UP_TO:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
        return float(np.mean(np.abs(signs @ d) >= observed))
    signs = np.random.default_rng(seed).choice((1.0, -1.0), size=(draws, d.size))
    hits = int(np.sum(np.abs(signs @ d) >= observed))
    return (hits + 1) / (draws + 1)


def paired_stat(metric: str, grouping: str, group: str, a: Sequence[float], b: Sequence[float]) -> PairedStat:
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    low, high = bootstrap_ci(diffs)
    return PairedStat(
        metric=metric,
        grouping=grouping,
        group=group,
        n=len(diffs),
        mean_a=float(np.mean(a)),
        mean_b=float(np.mean(b)),
        difference=float(np.mean(diffs)),
        low=low,
        high=high,
        p_value=sign_flip_p(diffs),
        wins=sum(d > 0 for d in diffs),
        losses=sum(d < 0 for d in diffs),
        ties=sum(d == 0 for d in diffs),
    )


def _scored(run_dir: Path) -> dict[str, tuple[Mapping[str, float], Mapping[str, str]]]:
    return {r.id: (r.metrics, r.groups) for r in RunDir.open(run_dir).records()}


def compare_runs(run_a: Path, run_b: Path) -> Comparison:
    """B against A, over the episodes both have, per metric and per group of each grouping."""
    a, b = _scored(Path(run_a)), _scored(Path(run_b))
    common = [i for i in a if i in b]
    if not common:
        raise MmgymError(f"{run_a} and {run_b} share no episode: compare runs of the same suite")
    metrics = [m for m in a[common[0]][0] if m in b[common[0]][0]]
    cells: dict[tuple[str, str], list[str]] = {}
    for episode in common:
        for grouping, group in {"overall": "all", **a[episode][1]}.items():
            if grouping != "overall":
                cells.setdefault((grouping, group), []).append(episode)
    cells = {("overall", "all"): common, **cells}
    stats = []
    for metric in metrics:
        for (grouping, group), episodes in cells.items():
            pairs = [(a[e][0][metric], b[e][0][metric]) for e in episodes if metric in a[e][0] and metric in b[e][0]]
            if pairs:
                stats.append(paired_stat(metric, grouping, group, [x for x, _ in pairs], [y for _, y in pairs]))
    return Comparison(
        run_a=str(run_a),
        run_b=str(run_b),
        common=len(common),
        only_a=sorted(set(a) - set(b)),
        only_b=sorted(set(b) - set(a)),
        stats=stats,
    )
