"""The BabyAI household suite: EmbodiedBench EB-ALFRED's high-level play on BabyAI levels (minigrid).

Episodes come from the frozen capability subsets of `mmgym.envs.babyai.episodes` (base, spatial,
visual_appearance, complex_instruction, long_horizon), played at the `skill` level (go to, pick
up, open, put next to: EB-ALFRED-style skills run by a planner) or the `primitive` level (BabyAI's
own turn/forward/pick up/drop/toggle, as BALROG plays it).

`suite.version=2` (the default) plays missions of several skills in order, each with a step budget
tied to the expert's solution, as BabyAI ties its levels' limits to their size: `STEP_BUDGET` is
2 x the expert's skills at the skill level, 3 x its primitive steps + 10 at the primitive level. A
random agent then completes at most a few percent of any subset (docs: "Calibrating a suite").
`suite.version=1` plays the first release's episodes with its fixed limits (30 skills, 400 steps),
its episode ids unchanged, so earlier runs can be compared.

Metrics per episode, reported per subset and as a macro mean over subsets (EmbodiedBench's way):
- success: 100 when the mission is complete;
- progress: the share of the mission's subgoals met at the end, in percent (a half-done
  "pick up X then open Y" scores 50), EB-ALFRED's goal-condition success;
- efficiency: success weighted by the expert's path length (SPL, Anderson et al. 2018):
  100 x success x expert steps / max(steps, expert steps);
- steps: env steps taken;
- invalid_actions: steps whose action was refused.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import Field

from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import PlayRules
from mmgym.envs.babyai import ENV_ID
from mmgym.tasks.babyai.protocol import TRACK
from mmgym.tasks.embodiedbench.protocol import ProtocolChoice, Track
from mmgym.tasks.scene_suite import SubsetSuite
from mmgym.tasks.scoring import Metric, Scores
from mmgym.tasks.suite import EpisodePlan, FloorBound, Notes

SUBSETS = ("base", "spatial", "visual_appearance", "complex_instruction", "long_horizon")
# Skill play: EB-ALFRED's 30 steps. Primitive play: room for the slowest expert solution in the
# frozen sets (328 primitive steps, a BossLevel episode of long_horizon).
DEFAULT_MAX_STEPS = {"skill": 30, "primitive": 400}  # version 1's limits
# Version 2: an episode's step limit is ceil(multiple x the expert's steps at the action level) + extra.
STEP_BUDGET: dict[str, tuple[float, int]] = {"skill": (2.0, 0), "primitive": (3.0, 10)}
EFFICIENCY = Metric(
    name="efficiency",
    description="success weighted by the expert's path length (SPL): 100 x success x expert steps / "
    "max(steps, expert steps)",
)
HIDDEN_INFO = ("progress", "subgoals_done", "subgoals_total")  # the agent is not told how far it got


class BabyAISuite(ProtocolChoice, SubsetSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "babyai"
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=5.0,
        reason="version 2's missions take several skills in order within twice the expert's skills (three times "
        "its primitive steps + 10): a random agent completed at most 1 of the 250 at either level",
    )
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    action_level: Literal["skill", "primitive"] = Field(
        default="skill",
        description="skill (go to, pick up, open, put next to; run by a planner) or primitive (BabyAI's own)",
    )
    observation: Literal["image_text", "image", "text"] = "image_text"
    max_steps: int | None = Field(
        default=None,
        ge=1,
        description="null: version 2 ties each episode's limit to the expert's (STEP_BUDGET); version 1 gives "
        "30 at the skill level, 400 primitive",
    )
    version: Literal[1, 2] = Field(
        default=2,
        description="the episode sets: 2, missions of several skills with step budgets (calibrated); "
        "1, the first release's, for comparing earlier runs",
    )
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
        """The longest episode's limit (the step metrics' scale)."""
        if self.max_steps or self.version == 1:
            return self.max_steps or DEFAULT_MAX_STEPS[self.action_level]
        return max(self.budget(episode) for _, episode in self._episodes())

    @property
    def metrics(self) -> tuple[Metric, ...]:
        success, progress, *rest = super().metrics
        return (success, progress, EFFICIENCY, *rest)

    def budget(self, episode: Any) -> int:
        """An episode's step limit under version 2: a multiple of the expert's solution at this action level."""
        multiple, extra = STEP_BUDGET[self.action_level]
        return math.ceil(multiple * expert_steps(episode, self.action_level)) + extra

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        return {"action_level": self.action_level} | super().env_kwargs(rules)

    def rules(self) -> PlayRules:
        return self.under_protocol(super().rules())

    async def notes(self) -> Notes:
        return self.protocol_notes()

    async def score(self, record: EpisodeRecord) -> Scores:
        scores = await super().score(record)
        expert = expert_steps(_episode(self.version, record.spec.reset_options["level"], record.spec.seed),
                              self.action_level)  # fmt: skip
        taken = max(scores["steps"], expert)
        return scores | {"efficiency": 100.0 * record.success * expert / taken}

    def _episodes(self) -> Iterable[tuple[str, Any]]:
        from mmgym.envs.babyai.episodes import load_subset

        for subset in self.subsets:
            for episode in load_subset(subset, self.version).episodes[: self.episodes]:
                yield subset, episode

    def plans(self) -> Iterable[EpisodePlan]:
        rules = self.rules()
        for subset, episode in self._episodes():
            limit = self.max_steps is None and self.version > 1
            yield EpisodePlan(
                task=f"{subset}/{episode.index:03d}",
                reset_options={"level": episode.level},
                seed=episode.seed,
                metadata={"subset": subset, "level": episode.level, "mission": episode.mission},
                tags=(subset,),
                rules=rules.model_copy(update={"max_steps": self.budget(episode)}) if limit else None,
            )


def expert_steps(episode: Any, action_level: str) -> int:
    """The expert's solution length at an action level: skills, or primitive steps."""
    return episode.skill_steps if action_level == "skill" else episode.primitive_steps


@functools.cache
def _episodes_by_key(version: int) -> dict[tuple[str, int], Any]:
    from mmgym.envs.babyai.episodes import SUBSETS, load_subset

    return {(e.level, e.seed): e for subset in SUBSETS for e in load_subset(subset, version).episodes}


def _episode(version: int, level: str, seed: int) -> Any:
    """A frozen episode by its level and seed."""
    return _episodes_by_key(version)[(level, seed)]
