"""A suite's calibration: its floor, its ceiling, and its score as the expert's play worsens.

`mmgym calibrate` measures it (the random agent, the expert, and the noisy expert at each p) and
writes it as `calibration.json`; the report reads it back for its reference rows, its normalised
scores and its plot. The figures per group of each grouping:

- floor and ceiling: the random agent's and the expert's score, with 95% intervals;
- by_epsilon: the noisy expert's score at each p (p = 0 is the expert's run);
- monotone: no score at a larger p whose interval lies wholly above a smaller p's interval;
- resolution: the smallest difference in p whose two scores' intervals do not overlap, the finest
  change in play the suite, at that size, tells apart (None when no two are apart).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from mmgym.errors import ConfigError
from mmgym.results.summary import RunResults, Summary

FILE = "calibration.json"


class Band(BaseModel):
    """A score with its 95% interval and the episodes behind it."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, summary: Summary | None) -> Band | None:
        return None if summary is None else cls(mean=summary.mean, low=summary.low, high=summary.high, n=summary.n)


class GroupCalibration(BaseModel):
    floor: Band | None
    ceiling: Band | None
    by_epsilon: dict[str, Band | None]  # p, written as in `format_epsilon`, -> the noisy expert's score
    monotone: bool
    resolution: float | None


class DeclaredFloor(BaseModel):
    """The suite's own bound on a random agent's score (`FloorBound`), kept beside the floor measured."""

    most: float
    reason: str


class Calibration(BaseModel):
    suite: str
    metric: str
    epsilons: list[float]
    groups: dict[str, dict[str, GroupCalibration]]  # grouping -> group -> figures
    chance_level: dict[str, Any] | None = None  # a single-decision suite's floor computed from its items
    declared_floor: DeclaredFloor | None = None

    def floor_within_bound(self) -> bool | None:
        """Whether the random agent's overall score is within the suite's declared bound (None: nothing to check)."""
        overall = self.overall()
        if self.declared_floor is None or overall is None or overall.floor is None:
            return None
        return overall.floor.mean <= self.declared_floor.most

    def overall(self) -> GroupCalibration | None:
        return self.groups.get("overall", {}).get("all")

    def normalised(self, score: float, grouping: str = "overall", group: str = "all") -> float | None:
        """100 x (score - floor) / (ceiling - floor) for a group; None when it has no floor and ceiling apart."""
        figures = self.groups.get(grouping, {}).get(group)
        if figures is None or figures.floor is None or figures.ceiling is None:
            return None
        return normalise(score, figures.floor.mean, figures.ceiling.mean)


def normalise(score: float, floor: float, ceiling: float) -> float | None:
    """Where a score lies between floor (0) and ceiling (100); None when the two are equal."""
    if ceiling == floor:
        return None
    return 100.0 * (score - floor) / (ceiling - floor)


def format_epsilon(epsilon: float) -> str:
    return f"{epsilon:g}"


def calibrate(
    suite: str,
    metric: str,
    floor: RunResults,
    ceiling: RunResults,
    by_epsilon: dict[float, RunResults],
    declared_floor: DeclaredFloor | None = None,
) -> Calibration:
    """The figures per grouping and group of the expert's run, from the three agents' results."""
    groups: dict[str, dict[str, GroupCalibration]] = {}
    for grouping, members in ceiling.groups.items():
        for group in members:

            def score(results: RunResults) -> Band | None:
                return Band.of(results.groups.get(grouping, {}).get(group, {}).get(metric))  # noqa: B023

            at = {e: score(results) for e, results in by_epsilon.items()}
            groups.setdefault(grouping, {})[group] = GroupCalibration(
                floor=score(floor),
                ceiling=score(ceiling),
                by_epsilon={format_epsilon(e): band for e, band in at.items()},
                monotone=monotone(at),
                resolution=resolution(at),
            )
    return Calibration(
        suite=suite,
        metric=metric,
        epsilons=list(by_epsilon),
        groups=groups,
        chance_level=floor.notes.get("chance_level"),  # PCA computes it from its items' choice counts
        declared_floor=declared_floor,
    )


def monotone(at: dict[float, Band | None]) -> bool:
    """No score at a larger p whose interval lies wholly above the interval of a score at a smaller p."""
    points = sorted((e, band) for e, band in at.items() if band is not None)
    return not any(later.low > earlier.high for (_, earlier), (_, later) in itertools.combinations(points, 2))


def resolution(at: dict[float, Band | None]) -> float | None:
    """The smallest difference in p whose two scores' intervals do not overlap (None: no two are apart)."""
    points = [(e, band) for e, band in at.items() if band is not None]
    gaps = [
        abs(a - b)
        for (a, band_a), (b, band_b) in itertools.combinations(points, 2)
        if band_a.low > band_b.high or band_b.low > band_a.high
    ]
    return round(min(gaps), 6) if gaps else None


def save(calibration: Calibration, folder: Path) -> Path:
    path = folder / FILE
    path.write_text(json.dumps(calibration.model_dump(mode="json"), indent=1) + "\n")
    return path


def load(path: Path) -> Calibration:
    """A `calibration.json`, or the one in a calibration folder; one line when it is missing or not one."""
    file = path / FILE if path.is_dir() else path
    if not file.is_file():
        raise ConfigError(f"no {FILE} at {path}; make one with: mmgym calibrate suite=<name> -o {path}")
    try:
        return Calibration.model_validate_json(file.read_text())
    except ValidationError as error:
        raise ConfigError(f"{file} is not a calibration mmgym wrote ({error.error_count()} problems)") from None
