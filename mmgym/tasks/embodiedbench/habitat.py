"""The EB-Habitat suite: household rearrangement in a ReplicaCAD apartment with 70 high-level skills.

Episodes come from the frozen capability subsets of `mmgym.envs.habitat.episodes` (base,
common_sense, complex_instruction, spatial_relationship, visual_appearance, long_horizon), played
with EB-Habitat's skills (navigate to, pick up, place at, open, close; worded as EBHabEnv words
them), its feedback, and its limits of 30 skills and 10 refused actions. By default
(`simulator=standin`) a symbolic stand-in plays them: the same skills, preconditions, goal
predicates and subgoal progress, with a drawn floor plan for the head camera (see
`mmgym.envs.habitat.standin` for what it leaves out). `simulator=habitat` plays EB-Habitat's own
50 episodes per subset on habitat-lab instead (conda only, with EB-Habitat's data in `./data`;
no expert there). The stand-in's episodes are 20 per subset, made by mmgym after EB-Habitat's
instruction templates, not EB-Habitat's own.

Metrics per episode, reported per subset and as a macro mean over subsets (EmbodiedBench's way):
- success: 100 when every goal predicate holds;
- progress: EB-Habitat's task_progress, the share of the episode's subgoals reached, in percent;
- steps: env steps taken;
- invalid_actions: refused actions (failed skills, and text that is no skill).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import Field

from mmgym.core.spec import PlayRules
from mmgym.envs.frozen_scenes import Episode
from mmgym.envs.habitat import ENV_ID
from mmgym.envs.habitat.env import EPISODES_PER_SUBSET
from mmgym.envs.habitat.frozen import SETS
from mmgym.tasks.embodiedbench.protocol import TRACKS, ProtocolChoice, Track
from mmgym.tasks.scene_suite import SceneSuite
from mmgym.tasks.suite import EpisodePlan, FloorBound, Notes

SUBSETS = tuple(SETS.subsets)


class EBHabitatSuite(ProtocolChoice, SceneSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "eb_habitat"
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=5.0,
        reason="a random skill sequence rarely meets every goal predicate of a rearrangement: none of 120",
    )
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    observation: Literal["image", "image_text", "text"] = "image"
    max_steps: int = Field(default=30, ge=1, description="EB-Habitat's 30")
    image_size: int = Field(default=500, ge=32, description="EB-Habitat's 500 px")
    simulator: Literal["standin", "habitat"] = Field(
        default="standin",
        description="standin (symbolic, runs anywhere) or habitat (habitat-lab with EB-Habitat's data in ./data)",
    )

    env_id: ClassVar[str] = ENV_ID
    sets: ClassVar = SETS
    protocol_track: ClassVar[Track] = TRACKS["eb_habitat"]
    hidden_info: ClassVar[tuple[str, ...]] = ("progress", "subgoals_met")  # EB-Habitat does not tell its progress
    step_data: ClassVar[tuple[str, ...]] = ("held", "subgoals_met")
    group_by: ClassVar[tuple[str, ...]] = ("subset", "template")
    success: ClassVar[str] = "every goal predicate holds"
    progress: ClassVar[str] = "share of the episode's subgoals reached"

    def rules(self) -> PlayRules:
        return self.under_protocol(super().rules())

    async def notes(self) -> Notes:
        return self.protocol_notes()

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        return super().env_kwargs(rules) | {"simulator": self.simulator}

    def plans(self) -> Iterable[EpisodePlan]:
        if self.simulator == "habitat":
            return self._habitat_plans()
        return super().plans()

    def episode_metadata(self, episode: Episode[Any], rules: PlayRules) -> dict[str, Any]:
        scene = episode.scene
        return {"template": scene.template, "instruction": scene.instruction, "subgoals": len(scene.subgoals)}

    def episode_tags(self, episode: Episode[Any]) -> tuple[str, ...]:
        return (episode.scene.template,)

    def _habitat_plans(self) -> list[EpisodePlan]:
        """EB-Habitat's own episodes, by subset and index (their instructions come from habitat at reset)."""
        return [
            EpisodePlan(
                task=f"{subset}/{index:03d}",
                reset_options={"subset": subset, "index": index},
                metadata={"subset": subset, "template": "eb_habitat"},
                tags=(subset,),
            )
            for subset in self.subsets
            for index in range(min(self.episodes or EPISODES_PER_SUBSET, EPISODES_PER_SUBSET))
        ]
