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

from typing import Any, ClassVar, Literal

from pydantic import Field

from mmgym.core.spec import PlayRules
from mmgym.envs.frozen_scenes import Episode
from mmgym.envs.mujoco import ENV_ID
from mmgym.envs.mujoco.frozen import SETS
from mmgym.tasks.embodiedbench.protocol import TRACKS, ProtocolChoice, Track
from mmgym.tasks.scene_suite import SceneSuite
from mmgym.tasks.suite import FloorBound, Notes

SUBSETS = tuple(SETS.subsets)


class EBManipSuite(ProtocolChoice, SceneSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "eb_manip"
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=5.0,
        reason="a random 7-integer gripper pose almost never grasps, let alone places, an object: none of 250",
    )
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    observation: Literal["image_text", "image", "text"] = "image_text"
    max_steps: int = Field(default=15, ge=1, description="EB-Manipulation's 15")

    env_id: ClassVar[str] = ENV_ID
    sets: ClassVar = SETS
    protocol_track: ClassVar[Track] = TRACKS["eb_manipulation"]
    hidden_info: ClassVar[tuple[str, ...]] = ("progress", "goals_met")  # not told how many goals it has met
    step_data: ClassVar[tuple[str, ...]] = ("goals_met", "held")
    group_by: ClassVar[tuple[str, ...]] = ("subset", "task")
    success: ClassVar[str] = "every goal condition holds"
    progress: ClassVar[str] = "share of goal conditions met"

    def episode_metadata(self, episode: Episode[Any], rules: PlayRules) -> dict[str, Any]:
        scene = episode.scene
        return {
            "task": scene.task,
            "instruction": scene.instruction,
            "goals": len(scene.goals),
            "privileged_text": rules.sees_text,  # true object positions, as EB-Manipulation gives them
        }

    def episode_tags(self, episode: Episode[Any]) -> tuple[str, ...]:
        return (episode.scene.task,)

    def rules(self) -> PlayRules:
        return self.under_protocol(super().rules())

    async def notes(self) -> Notes:
        return self.protocol_notes()
