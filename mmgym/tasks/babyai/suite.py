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

from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import Field

from mmgym.core.spec import PlayRules
from mmgym.envs.babyai import ENV_ID
from mmgym.tasks.babyai.protocol import TRACK
from mmgym.tasks.embodiedbench.protocol import ProtocolChoice, Track
from mmgym.tasks.scene_suite import SubsetSuite
from mmgym.tasks.suite import EpisodePlan, Notes

SUBSETS = ("base", "spatial", "visual_appearance", "complex_instruction", "long_horizon")
# Skill play: EB-ALFRED's 30 steps. Primitive play: room for the slowest expert solution in the
# frozen sets (328 primitive steps, a BossLevel episode of long_horizon).
DEFAULT_MAX_STEPS = {"skill": 30, "primitive": 400}
HIDDEN_INFO = ("progress", "subgoals_done", "subgoals_total")  # the agent is not told how far it got


class BabyAISuite(ProtocolChoice, SubsetSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "babyai"
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    action_level: Literal["skill", "primitive"] = Field(
        default="skill",
        description="skill (go to, pick up, open, put next to; run by a planner) or primitive (BabyAI's own)",
    )
    observation: Literal["image_text", "image", "text"] = "image_text"
    max_steps: int | None = Field(default=None, ge=1, description="null: 30 at the skill level, 400 primitive")
    image_size: int = Field(default=224, ge=32)

    env_id: ClassVar[str] = ENV_ID
    protocol_track: ClassVar[Track] = TRACK
    valid_subsets: ClassVar[tuple[str, ...]] = SUBSETS
    hidden_info: ClassVar[tuple[str, ...]] = HIDDEN_INFO
    group_by: ClassVar[tuple[str, ...]] = ("subset", "level")
    step_data: ClassVar[tuple[str, ...]] = ("subgoals_done", "subgoals_total", "primitive_steps")
    success: ClassVar[str] = "the mission is complete"
    progress: ClassVar[str] = "share of the mission's subgoals met at the end"

    @property
    def step_limit(self) -> int:
        return self.max_steps or DEFAULT_MAX_STEPS[self.action_level]

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        return {"action_level": self.action_level} | super().env_kwargs(rules)

    def rules(self) -> PlayRules:
        return self.under_protocol(super().rules())

    async def notes(self) -> Notes:
        return self.protocol_notes()

    def plans(self) -> Iterable[EpisodePlan]:
        from mmgym.envs.babyai.episodes import load_subset

        for subset in self.subsets:
            for episode in load_subset(subset).episodes[: self.episodes]:
                yield EpisodePlan(
                    task=f"{subset}/{episode.index:03d}",
                    reset_options={"level": episode.level},
                    seed=episode.seed,
                    metadata={"subset": subset, "level": episode.level, "mission": episode.mission},
                    tags=(subset,),
                )
