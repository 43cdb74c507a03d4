"""The EB-Navigation-style suite on MiniWorld: walk to a named object in 3D rooms, seeing through a camera.

Episodes come from the frozen capability subsets of `mmgym.envs.miniworld.episodes` (base,
common_sense, complex_instruction, visual_appearance, long_horizon), played with EB-Navigation's
eight atomic actions and its limit of 20 steps. What differs from EmbodiedBench's EB-Navigation:
the simulator (MiniWorld's procedurally built rooms instead of AI2-THOR's kitchens and living
rooms), the objects (boxes, balls, keys and ten meshes instead of household objects), and the
frames (256 px by default instead of 500). The optional text observation (objects in view with
distance and bearing) is an mmgym extension; EB-Navigation's model sees only the image.

Metrics per episode, reported per subset and as a macro mean over subsets (EmbodiedBench's way):
- success: 100 when the agent got within 1 m of the target;
- progress: how much of the starting distance to the target was covered, in percent (an mmgym
  addition; EB-Navigation reports success only);
- steps: env steps taken;
- invalid_actions: steps whose action was refused (a blocked move, a tilt too far, not an action).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.envs.miniworld import ENV_ID
from mmgym.envs.miniworld.frozen import SUBSETS as FROZEN_SUBSETS
from mmgym.envs.miniworld.frozen import load_subset
from mmgym.tasks.scoring import GroupKey, Metric, Scores, by_metadata, goal_scores, known_subsets, overall

SUBSETS = tuple(FROZEN_SUBSETS)
HIDDEN_INFO = ("progress", "distance")  # the agent is not told how close it is


class EBNavSuite(BaseModel):
    """Config and logic of the suite; every field can be overridden from the command line."""

    model_config = ConfigDict(extra="forbid")

    name: str = "eb_nav"
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    observation: Literal["image", "image_text", "text"] = "image"
    history: bool = True
    episodes: int | None = Field(default=None, ge=1, description="first N episodes of each subset; null for all")
    max_steps: int = Field(default=20, ge=1, description="EB-Navigation's 20")
    image_size: int = Field(default=256, ge=32)

    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(name="success", description="within 1 m of the target"),
        Metric(name="progress", description="share of the starting distance to the target covered"),
        Metric(name="steps", scale=(0.0, 20.0), higher_is_better=False, description="env steps taken"),
        Metric(name="invalid_actions", scale=(0.0, 10.0), higher_is_better=False, description="refused actions"),
    )
    macro_over: ClassVar[tuple[str, ...]] = ("subset",)
    step_data: ClassVar[tuple[str, ...]] = ("distance",)

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
                            "instruction": scene.instruction,
                            "rooms": len(scene.rooms),
                            "expert_plan_length": episode.plan_length,
                        },
                        step_data=self.step_data,
                        tags=(subset,),
                    )
                )
        return specs

    async def score(self, record: EpisodeRecord) -> Scores:
        return goal_scores(record)

    def groupings(self) -> dict[str, GroupKey]:
        return {"overall": overall, "subset": by_metadata("subset")}
