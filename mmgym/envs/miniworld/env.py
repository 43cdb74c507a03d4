"""EB-Navigation-style object navigation in MiniWorld's 3D rooms, with the mmgym language contract."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.fingerprints import digest
from mmgym.envs.miniworld import planner
from mmgym.envs.miniworld.actions import ACTIONS, GRAMMAR, PITCH_RANGE, RULES, parse_action
from mmgym.envs.miniworld.frozen import FINGERPRINTS, SETS
from mmgym.envs.miniworld.scene import GRID, Scene
from mmgym.envs.miniworld.view import Segment, describe


class EBNavEnv(LanguageEnvBase):
    """Walk to a named object in one or more rooms, seeing through the agent's camera.

    `reset(options={"scene": ...})` builds a `Scene` (a dict or the model); the suite's episodes are
    frozen scenes (`episodes`). Without a scene, the seed picks one of the frozen base episodes. A
    frozen scene is checked against its fingerprint (`frozen`): `EpisodeChanged` if MiniWorld now
    builds it differently.

    Observations: `image`, the egocentric RGB view (`image_size` pixels square; left out when
    `observe_image=False`); `text`, the objects in view with distance and bearing (an mmgym
    extension); `instruction`. Actions: EB-Navigation's eight, in words
    (`actions`). A blocked move or a tilt past the camera's range is refused (`valid` False,
    `feedback` says why) and changes nothing. The episode succeeds, and ends, when the agent is
    within 1 m of the target. Beyond the contract, `info` holds `distance` (metres to the target).
    `progress` is 1 - distance / starting distance, floored at 0 (EB-Navigation reports success
    only). `render()` draws the map from above.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 4}
    traits: ClassVar[EnvTraits] = EnvTraits(reusable=True, full_render=True)  # a 3D render per step: not cheap
    RULES: ClassVar[str] = RULES
    GRAMMAR: ClassVar[str] = GRAMMAR
    SUMMARY: ClassVar[str] = (
        "EB-Navigation-style object navigation in MiniWorld 3D rooms: egocentric view; move, rotate, tilt"
    )

    def __init__(
        self,
        image_size: int = 256,
        observe_image: bool = True,
        map_size: int = 256,
        samples: int = 1,
        render_mode: str | None = "rgb_array",
    ) -> None:
        super().__init__(image_size, observe_image, render_mode, map_size=map_size)
        from mmgym.envs.miniworld.world import SceneWorld  # imports MiniWorld (one line if missing)

        self.world = SceneWorld(image_size, map_size, samples)
        self.scene: Scene | None = None
        self.pose: planner.Pose = (0, 0, 0)
        self.pitch = 0
        self.start_distance = 1.0
        self._over = False
        self._walls: list[Segment] = []
        self._blockers: dict[tuple[int, int], str | None] = {}
        self._plan: list[str] = []  # the expert's last plan, and the pose before each of its actions
        self._plan_poses: list[planner.Pose] = []

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.scene = SETS.scene_for_reset(options, seed)
        self.world.build(self.scene)
        FINGERPRINTS.verify(self.scene, lambda: digest(self.world.layout()))
        self._blockers, self._plan, self._plan_poses = {}, [], []
        self._walls = self.world.walls()
        self.pose = planner.pose_of(self.scene.agent_x, self.scene.agent_z, self.scene.agent_heading)
        self.pitch = 0
        self._over = False
        self.start_distance = max(self._distance(), 1e-6)
        return self._observation(), self._info(True, f"Task: {self.scene.instruction}")

    def step(self, action: Any):
        if self.scene is None:
            raise RuntimeError("call reset() before step()")
        if self._over:
            return self._refuse("the episode is over; reset the env to play again", terminated=True)
        name = parse_action(action)
        if name is None:
            shown = action.strip()[:80] if isinstance(action, str) else type(action).__name__
            return self._refuse(f"{shown!r} is not an action; valid: {'; '.join(ACTIONS)}")
        motion = ACTIONS[name]
        if motion.tilt:
            pitch = self.pitch + motion.tilt
            if not PITCH_RANGE[0] <= pitch <= PITCH_RANGE[1]:
                return self._refuse(f"the camera cannot tilt further {'up' if motion.tilt > 0 else 'down'}")
            self.pitch = pitch
        else:
            pose = planner.apply_action(self.pose, name)
            blocker = self._blocked(pose[0] * GRID, pose[1] * GRID)
            if blocker is not None:
                return self._refuse(f"{blocker} is in the way")
            self.pose = pose
        success = planner.reached(self.pose, self._target())
        self._over = success
        feedback = f"Done: {name}." + (" You reached the target." if success else "")
        return self._observation(), float(success), success, False, self._info(True, feedback)

    def render(self) -> np.ndarray:
        if self.scene is None:
            raise RuntimeError("call reset() before render()")
        self.world.set_pose(self.pose, self.pitch)
        return self.world.top_view()

    # ---- the expert ------------------------------------------------------------------------
    def expert_plan(self) -> list[str]:
        """Privileged: the shortest action sequence from the true pose to the target; empty once over."""
        if self.scene is None or self._over:
            return []
        if self.pose in self._plan_poses:  # still on the last plan's path: the rest of it is still shortest
            return self._plan[self._plan_poses.index(self.pose) :]
        self._plan = planner.shortest_plan(self.pose, self._target(), self._blocked) or []
        self._plan_poses = [self.pose]
        for action in self._plan[:-1]:
            self._plan_poses.append(planner.apply_action(self._plan_poses[-1], action))
        return list(self._plan)

    # ---- helpers ---------------------------------------------------------------------------
    def _blocked(self, x: float, z: float) -> str | None:
        """The simulator's collision test, remembered for the scene (nothing in it moves but the agent)."""
        key = (round(x / GRID), round(z / GRID))
        if key not in self._blockers:
            self._blockers[key] = self.world.blocked(x, z)
        return self._blockers[key]

    def _target(self) -> tuple[float, float]:
        target = self.scene.target_thing
        return target.x, target.z

    def _distance(self) -> float:
        return math.dist((self.pose[0] * GRID, self.pose[1] * GRID), self._target())

    def _observation(self) -> dict[str, Any]:
        x, z, quarter_turns = self.pose[0] * GRID, self.pose[1] * GRID, self.pose[2]
        text = describe(x, z, quarter_turns * 90.0, self.pitch, self.scene.things, self._walls)
        observation: dict[str, Any] = {"text": text, "instruction": self.scene.instruction}
        if self.observe_image:
            self.world.set_pose(self.pose, self.pitch)
            observation["image"] = self.world.render_obs()
        return observation

    def _refuse(self, reason: str, terminated: bool = False):
        return self._observation(), 0.0, terminated, False, self._info(False, f"Invalid action: {reason}.")

    def _info(self, valid: bool, feedback: str) -> dict[str, Any]:
        distance = self._distance()
        return {
            "valid": valid,
            "feedback": feedback,
            "success": self._over,
            "progress": 1.0 if self._over else max(0.0, 1.0 - distance / self.start_distance),
            "distance": round(distance, 3),
        }

    # ---- prompt material -------------------------------------------------------------------
    def candidate_actions(self) -> list[str]:
        return list(ACTIONS)

    def close(self) -> None:
        self.world.close()
