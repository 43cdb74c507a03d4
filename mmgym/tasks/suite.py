"""What a suite is (the `Suite` protocol) and the base every mmgym suite is composed on (`SpecSuite`).

A suite turns its config into episode specs, scores each finished episode, and says how results
break down. `SpecSuite` owns the one loop that builds specs: a suite names its env, its play rules
and a source of episodes (`plans()`, yielding an `EpisodePlan` each), and declares its metrics,
groupings and scorer. Everything else (ids, env kwargs shared by every episode, step data, notes)
is the base's, so the suites differ only where their benchmarks do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.tasks.scoring import GroupKey, Metric, Scores, by_metadata, overall

Notes = Mapping[str, BaseModel]  # a suite's own findings about a run, by name, kept in results.json


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

    async def notes(self) -> Notes:
        """Findings about the whole run, awaited once its episodes are scored (a judged suite measures its judge)."""
        ...


@dataclass(frozen=True)
class FloorBound:
    """The most a random agent may score on the suite's calibrated metric, and why that much.

    Every suite declares one, so none ships uncalibrated: the tests play a small calibration of each
    suite in the catalogue and fail when the random agent scores above `most`, the expert below
    `ceiling`, or the noisy expert's score rises with p beyond its intervals. `mmgym calibrate`
    calibrates `metric` by default and prints the bound beside the floor it measures.
    """

    most: float
    reason: str  # what keeps a random agent down, with the floor measured at full size
    metric: str | None = None  # the metric calibrated; the suite's first when None
    ceiling: float = 99.0  # the least the expert may score on it


@dataclass(frozen=True)
class EpisodePlan:
    """One episode as a suite's source gives it; the base fills in the rest of its spec.

    `task` is the episode's readable name within the suite; `env_id`, `env_kwargs` and `rules`
    default to the suite's own (a suite whose episodes use several envs or rules sets them here).
    """

    task: str
    reset_options: dict[str, Any]
    seed: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    target: Any = None
    env_id: str | None = None
    env_kwargs: dict[str, Any] | None = None
    rules: PlayRules | None = None


class SpecSuite(BaseModel):
    """The base of mmgym's suites: config fields are pydantic fields, so every one is a CLI override.

    A subclass sets `name` and its fields' defaults, `env_id` (unless each plan names its env),
    `group_by` (spec metadata keys to report by, after `overall`), `step_data`, and implements
    `plans()`, `rules()` and `score()`; `metrics` may be a property when they depend on the config
    (a step-count scale follows the actual `max_steps`).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="the suite's name in results and run folders (runs/<name>-<agent>)")

    env_id: ClassVar[str] = ""
    group_by: ClassVar[tuple[str, ...]] = ()
    macro_over: ClassVar[tuple[str, ...]] = ()
    step_data: ClassVar[tuple[str, ...]] = ()
    floor_bound: ClassVar[FloorBound | None] = None  # every shipped suite declares one (see FloorBound)

    def plans(self) -> Iterable[EpisodePlan]:
        """The suite's episodes, in a stable order."""
        raise NotImplementedError

    def rules(self) -> PlayRules:
        """The play rules of every episode that does not bring its own."""
        raise NotImplementedError

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        """The env's constructor arguments, the same for every episode (so one env serves them all)."""
        return {}

    def specs(self) -> list[EpisodeSpec]:
        shared: tuple[PlayRules, dict[str, Any]] | None = None  # asked for only if a plan lacks its own
        specs = []
        for plan in self.plans():
            if shared is None and (plan.rules is None or plan.env_kwargs is None):
                rules = self.rules()
                shared = (rules, self.env_kwargs(rules))
            specs.append(
                EpisodeSpec(
                    suite=self.name,
                    task=plan.task,
                    env_id=plan.env_id or self.env_id,
                    env_kwargs=plan.env_kwargs if plan.env_kwargs is not None else shared[1],  # type: ignore[index]
                    reset_options=plan.reset_options,
                    seed=plan.seed,
                    rules=plan.rules or shared[0],  # type: ignore[index]
                    target=plan.target,
                    metadata=plan.metadata,
                    step_data=self.step_data,
                    tags=plan.tags,
                )
            )
        return specs

    async def score(self, record: EpisodeRecord) -> Scores:
        raise NotImplementedError

    def groupings(self) -> dict[str, GroupKey]:
        return {"overall": overall, **{key: by_metadata(key) for key in self.group_by}}

    async def notes(self) -> Notes:
        return {}
