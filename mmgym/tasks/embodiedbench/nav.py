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

from typing import Any, ClassVar, Literal

from pydantic import Field

from mmgym.core.spec import PlayRules
from mmgym.envs.frozen_scenes import Episode
from mmgym.envs.miniworld import ENV_ID
from mmgym.envs.miniworld.frozen import SETS
from mmgym.tasks.embodiedbench.protocol import TRACKS, ProtocolChoice, Track
from mmgym.tasks.scene_suite import SceneSuite
from mmgym.tasks.suite import FloorBound, Notes

SUBSETS = tuple(SETS.subsets)


class EBNavSuite(ProtocolChoice, SceneSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "eb_nav"
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=5.0,
        reason="a random walk of 20 moves seldom ends within 1 m of a target several metres off: 2.4% of the 250",
    )
    subsets: list[str] = Field(default_factory=lambda: list(SUBSETS))
    observation: Literal["image", "image_text", "text"] = "image"
    max_steps: int = Field(default=20, ge=1, description="EB-Navigation's 20")

    env_id: ClassVar[str] = ENV_ID
    sets: ClassVar = SETS
    protocol_track: ClassVar[Track] = TRACKS["eb_nav"]
    hidden_info: ClassVar[tuple[str, ...]] = ("progress", "distance")  # the agent is not told how close it is
    step_data: ClassVar[tuple[str, ...]] = ("distance",)
    success: ClassVar[str] = "within 1 m of the target"
    progress: ClassVar[str] = "share of the starting distance to the target covered"

    def episode_metadata(self, episode: Episode[Any], rules: PlayRules) -> dict[str, Any]:
        return {"instruction": episode.scene.instruction, "rooms": len(episode.scene.rooms)}

    def rules(self) -> PlayRules:
        return self.under_protocol(super().rules())

    async def notes(self) -> Notes:
        return self.protocol_notes()
