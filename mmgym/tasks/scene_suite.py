"""What the embodied suites built on frozen scene sets share: subsets, play rules, specs and goal scores.

EB-Navigation on MiniWorld and EB-Manipulation on MuJoCo both play frozen scenes
(`mmgym.envs.frozen_scenes`) from capability subsets, with plan-style replies, a step limit, the
embodied goal metrics and results per subset with a macro mean over subsets (EmbodiedBench's
way). A suite names its env, its subsets and what each episode adds to its spec's metadata.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.envs.frozen_scenes import Episode, SceneSets
from mmgym.tasks.scoring import GroupKey, Scores, by_metadata, goal_scores, known_subsets, overall


class SceneSuite(BaseModel):
    """Fields every scene suite has; subclasses give their defaults, `env_id`, `sets` and `hidden_info`."""

    model_config = ConfigDict(extra="forbid")

    name: str
    subsets: list[str]
    observation: str
    history: bool = True
    episodes: int | None = None
    max_steps: int
    image_size: int = 256

    env_id: ClassVar[str]
    sets: ClassVar[SceneSets]
    hidden_info: ClassVar[tuple[str, ...]]  # info keys the agent is not told
    step_data: ClassVar[tuple[str, ...]]
    macro_over: ClassVar[tuple[str, ...]] = ("subset",)
    actions_per_reply: ClassVar[str] = "plan"  # a reply's plan runs until an action is refused

    @field_validator("subsets")
    @classmethod
    def _known_subsets(cls, subsets: list[str]) -> list[str]:
        return known_subsets(subsets, tuple(cls.sets.subsets))

    def rules(self) -> PlayRules:
        return PlayRules(
            actions_per_reply=self.actions_per_reply,
            observation=self.observation,
            history=self.history,
            max_steps=self.max_steps,
            hidden_info=self.hidden_info,
        )

    def episode_metadata(self, episode: Episode[Any], rules: PlayRules) -> dict[str, Any]:
        """What a spec's metadata holds beyond its subset and the expert's plan length."""
        return {"instruction": episode.scene.instruction}

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        """The env's constructor arguments, the same for every episode (so one env serves them all)."""
        return {"image_size": self.image_size, "observe_image": rules.sees_image}

    def episode_tags(self, episode: Episode[Any]) -> tuple[str, ...]:
        """Tags beyond the subset's name."""
        return ()

    def specs(self) -> list[EpisodeSpec]:
        rules = self.rules()
        specs = []
        for subset in self.subsets:
            for episode in self.sets.load(subset).episodes[: self.episodes]:
                metadata = {"subset": subset, **self.episode_metadata(episode, rules)}
                specs.append(
                    EpisodeSpec(
                        suite=self.name,
                        task=f"{subset}/{episode.index:03d}",
                        env_id=self.env_id,
                        env_kwargs=self.env_kwargs(rules),
                        reset_options={"scene": episode.scene.model_dump(mode="json")},
                        seed=0,
                        rules=rules,
                        metadata=metadata | {"expert_plan_length": episode.plan_length},
                        step_data=self.step_data,
                        tags=(subset, *self.episode_tags(episode)),
                    )
                )
        return specs

    async def score(self, record: EpisodeRecord) -> Scores:
        return goal_scores(record)

    def groupings(self) -> dict[str, GroupKey]:
        return {"overall": overall, "subset": by_metadata("subset")}
