"""The EB-Manipulation-style suite on MuJoCo: pick and place, stack, sort and push with a 7-D gripper action.

Episodes come from the frozen capability subsets of `mmgym.envs.mujoco.episodes` (base,
common_sense, complex_instruction, spatial, visual_appearance), played with EB-Manipulation's
action `[x, y, z, roll, pitch, yaw, gripper]` (voxels 0-99, 3-degree bins, open or closed) and
its limit of 15 steps. The model sees the front camera and, as in EB-Manipulation, the objects'
true positions in the same voxel coordinates (privileged: each spec's metadata says so). What
differs from EmbodiedBench's EB-Manipulation: the simulator (MuJoCo with a floating two-finger
gripper instead of a Franka arm in CoppeliaSim/RLBench), the objects (cubes, cylinders and
triangular prisms in eight colours), and the tasks (push replaces wiping).

Metrics per episode, reported per subset and as a macro mean over subsets (EmbodiedBench's way):
- success: 100 when every goal condition holds (checked on the simulator's state after each step);
- progress: the share of goal conditions met at the end, in percent;
- steps: env steps taken;
- invalid_actions: steps whose action was refused (malformed, out of range, unreachable).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.envs.mujoco import ENV_ID
from mmgym.envs.mujoco.frozen import SUBSETS as FROZEN_SUBSETS
from mmgym.envs.mujoco.frozen import load_subset
from mmgym.tasks.scoring import GroupKey, Metric, Scores, by_metadata, goal_scores, known_subsets, overall

SUBSETS = tuple(FROZEN_SUBSETS)
HIDDEN_INFO = ("progress", "goals_met")  # the agent is not told how many goals it has met


class EBManipSuite(BaseModel):
    """Config and logic of the suite; every field can be overridden from the command line."""

    model_config = ConfigDict(extra="forbid")

    name: str = "eb_manip"
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    observation: Literal["image_text", "image", "text"] = "image_text"
    history: bool = True
    episodes: int | None = Field(default=None, ge=1, description="first N episodes of each subset; null for all")
    max_steps: int = Field(default=15, ge=1, description="EB-Manipulation's 15")
    image_size: int = Field(default=256, ge=32)

    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(name="success", description="every goal condition holds"),
        Metric(name="progress", description="share of goal conditions met"),
        Metric(name="steps", scale=(0.0, 15.0), higher_is_better=False, description="env steps taken"),
        Metric(name="invalid_actions", scale=(0.0, 10.0), higher_is_better=False, description="refused actions"),
    )
    macro_over: ClassVar[tuple[str, ...]] = ("subset",)
    step_data: ClassVar[tuple[str, ...]] = ("goals_met", "held")

    @field_validator("subsets")
    @classmethod
    def _known_subsets(cls, subsets: list[str]) -> list[str]:
        return known_subsets(subsets, SUBSETS)

    def rules(self) -> PlayRules:
        return PlayRules(
            actions_per_reply="plan",
            observation=self.observation,
            history=self.history,
            max_steps=self.max_steps,
            hidden_info=HIDDEN_INFO,
        )

    def specs(self) -> list[EpisodeSpec]:
        rules = self.rules()
        specs = []
        for subset in self.subsets:
            for episode in load_subset(subset).episodes[: self.episodes]:
                scene = episode.scene
                specs.append(
                    EpisodeSpec(
                        suite=self.name,
                        task=f"{subset}/{episode.index:03d}",
                        env_id=ENV_ID,
                        env_kwargs={"image_size": self.image_size, "observe_image": rules.sees_image},
                        reset_options={"scene": scene.model_dump(mode="json")},
                        seed=0,
                        rules=rules,
                        metadata={
                            "subset": subset,
                            "task": scene.task,
                            "instruction": scene.instruction,
                            "goals": len(scene.goals),
                            "expert_plan_length": episode.plan_length,
                            "privileged_text": rules.sees_text,  # true object positions, as EB-Manipulation gives
                        },
                        step_data=self.step_data,
                        tags=(subset, scene.task),
                    )
                )
        return specs

    async def score(self, record: EpisodeRecord) -> Scores:
        return goal_scores(record)

    def groupings(self) -> dict[str, GroupKey]:
        return {"overall": overall, "subset": by_metadata("subset"), "task": by_metadata("task")}
