"""Suites over a data source of capability subsets: frozen scene sets, or any folder of episodes by subset.

Embodied suites play episodes from capability subsets, with plan-style replies, a step limit,
the embodied goal metrics and results per subset with a macro mean over subsets (as embodied
benchmarks report them). `SubsetSuite` is that protocol over any source of episodes by subset;
`SceneSuite` reads the source from a family's frozen scene sets (`mmgym.envs.frozen_scenes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import PlayRules
from mmgym.envs.frozen_scenes import Episode, SceneSets
from mmgym.tasks.scoring import Metric, Scores, goal_metrics, goal_scores, known_subsets
from mmgym.tasks.suite import EpisodePlan, SpecSuite


class SubsetSuite(SpecSuite):
    """Fields every subset suite has; a subclass gives their defaults, its env, subsets and hidden info."""

    subsets: list[str] = Field(description="the capability subsets to play")
    observation: Literal["image_text", "image", "text"] = Field(
        description="what reaches the agent: image, image_text (the image and the view in words) or text"
    )
    history: bool = Field(default=True, description="show the agent its past steps (action, validity, feedback)")
    episodes: int | None = Field(default=None, ge=1, description="first N episodes of each subset; null for all")
    max_steps: int = Field(ge=1, description="env steps before an episode is cut")
    image_size: int = Field(default=256, ge=32, description="frame side in pixels")

    valid_subsets: ClassVar[Sequence[str]]
    hidden_info: ClassVar[tuple[str, ...]]  # info keys the agent is not told
    group_by: ClassVar[tuple[str, ...]] = ("subset",)
    macro_over: ClassVar[tuple[str, ...]] = ("subset",)
    actions_per_reply: ClassVar[Literal["one", "plan"]] = "plan"  # a reply's plan runs until an action is refused
    success: ClassVar[str] = "the task is done"  # the goal metrics' descriptions
    progress: ClassVar[str] = "share of the task done"

    @field_validator("subsets")
    @classmethod
    def _known_subsets(cls, subsets: list[str]) -> list[str]:
        return known_subsets(subsets, cls.subset_names())

    @classmethod
    def subset_names(cls) -> tuple[str, ...]:
        return tuple(cls.valid_subsets)

    @property
    def step_limit(self) -> int:
        """Env steps before an episode is cut (a subclass may derive it when `max_steps` is unset)."""
        return self.max_steps

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return goal_metrics(self.step_limit, self.success, self.progress)

    def rules(self) -> PlayRules:
        return PlayRules(
            actions_per_reply=self.actions_per_reply,
            observation=self.observation,
            history=self.history,
            max_steps=self.step_limit,
            hidden_info=self.hidden_info,
        )

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        return {"image_size": self.image_size, "observe_image": rules.sees_image}

    async def score(self, record: EpisodeRecord) -> Scores:
        return goal_scores(record)


class SceneSuite(SubsetSuite):
    """A subset suite whose episodes are a family's frozen scene sets; a subclass names its `sets`."""

    sets: ClassVar[SceneSets]

    @classmethod
    def subset_names(cls) -> tuple[str, ...]:
        return tuple(cls.sets.subsets)

    def episode_metadata(self, episode: Episode[Any], rules: PlayRules) -> dict[str, Any]:
        """What a spec's metadata holds beyond its subset and the expert's plan length."""
        return {"instruction": episode.scene.instruction}

    def episode_tags(self, episode: Episode[Any]) -> tuple[str, ...]:
        """Tags beyond the subset's name."""
        return ()

    def plans(self) -> Iterable[EpisodePlan]:
        rules = self.rules()
        for subset in self.subsets:
            for episode in self.sets.load(subset).episodes[: self.episodes]:
                metadata = {"subset": subset, **self.episode_metadata(episode, rules)}
                yield EpisodePlan(
                    task=f"{subset}/{episode.index:03d}",
                    reset_options={"scene": episode.scene.model_dump(mode="json")},
                    metadata=metadata | {"expert_plan_length": episode.plan_length},
                    tags=(subset, *self.episode_tags(episode)),
                )
