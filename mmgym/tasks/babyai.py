"""The BabyAI household suite: EmbodiedBench EB-ALFRED's high-level play on BabyAI levels (minigrid).

Episodes come from the frozen capability subsets of `mmgym.envs.babyai.episodes` (base, spatial,
visual_appearance, complex_instruction, long_horizon), played at the `skill` level (go to, pick
up, open, put next to: EB-ALFRED-style skills run by a planner) or the `primitive` level (BabyAI's
own turn/forward/pick up/drop/toggle, as BALROG plays it).

Metrics per episode, reported per subset and as a macro mean over subsets (EmbodiedBench's way):
- success: 100 when the mission is complete;
- progress: the share of the mission's subgoals met at the end, in percent (a half-done
  "pick up X then open Y" scores 50), EB-ALFRED's goal-condition success;
- steps: env steps taken;
- invalid_actions: steps whose action was refused.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.envs.babyai import ENV_ID
from mmgym.tasks.scoring import GroupKey, Metric, Scores, by_metadata, goal_scores, known_subsets, overall

SUBSETS = ("base", "spatial", "visual_appearance", "complex_instruction", "long_horizon")
# Skill play: EB-ALFRED's 30 steps. Primitive play: room for the slowest expert solution in the
# frozen sets (328 primitive steps, a BossLevel episode of long_horizon).
DEFAULT_MAX_STEPS = {"skill": 30, "primitive": 400}
HIDDEN_INFO = ("progress", "subgoals_done", "subgoals_total")  # the agent is not told how far it got


class BabyAISuite(BaseModel):
    """Config and logic of the suite; every field can be overridden from the command line."""

    model_config = ConfigDict(extra="forbid")

    name: str = "babyai"
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    action_level: Literal["skill", "primitive"] = "skill"
    observation: Literal["image_text", "image", "text"] = "image_text"
    history: bool = True
    episodes: int | None = Field(default=None, ge=1, description="first N episodes of each subset; null for all")
    max_steps: int | None = Field(default=None, ge=1, description="null: 30 at the skill level, 400 primitive")
    image_size: int = Field(default=224, ge=32)

    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(name="success", description="the mission is complete"),
        Metric(name="progress", description="share of the mission's subgoals met at the end"),
        Metric(name="steps", scale=(0.0, 30.0), higher_is_better=False, description="env steps taken"),
        Metric(name="invalid_actions", scale=(0.0, 10.0), higher_is_better=False, description="refused actions"),
    )
    macro_over: ClassVar[tuple[str, ...]] = ("subset",)
    step_data: ClassVar[tuple[str, ...]] = ("subgoals_done", "subgoals_total", "primitive_steps")

    @field_validator("subsets")
    @classmethod
    def _known_subsets(cls, subsets: list[str]) -> list[str]:
        return known_subsets(subsets, SUBSETS)

    def rules(self) -> PlayRules:
        return PlayRules(
            actions_per_reply="plan",
            observation=self.observation,
            history=self.history,
            max_steps=self.max_steps or DEFAULT_MAX_STEPS[self.action_level],
            hidden_info=HIDDEN_INFO,
        )

    def specs(self) -> list[EpisodeSpec]:
        from mmgym.envs.babyai.episodes import load_subset

        rules = self.rules()
        specs = []
        for subset in self.subsets:
            episodes = load_subset(subset).episodes
            for episode in episodes[: self.episodes]:
                specs.append(
                    EpisodeSpec(
                        suite=self.name,
                        task=f"{subset}/{episode.index:03d}",
                        env_id=ENV_ID,
                        env_kwargs={
                            "action_level": self.action_level,
                            "image_size": self.image_size,
                            "observe_image": rules.sees_image,
                        },
                        reset_options={"level": episode.level},
                        seed=episode.seed,
                        rules=rules,
                        metadata={"subset": subset, "level": episode.level, "mission": episode.mission},
                        step_data=self.step_data,
                        tags=(subset,),
                    )
                )
        return specs

    async def score(self, record: EpisodeRecord) -> Scores:
        return goal_scores(record)

    def groupings(self) -> dict[str, GroupKey]:
        return {"overall": overall, "subset": by_metadata("subset"), "level": by_metadata("level")}
