"""EB-Manipulation-style tabletop manipulation on MuJoCo, with the mmgym language contract."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mmgym.core.language_env import EnvTraits, LanguageEnvBase
from mmgym.envs.fingerprints import digest, quantised
from mmgym.envs.mujoco import expert
from mmgym.envs.mujoco.actions import BOUNDS, GRAMMAR, RULES, ArmAction, parse_action
from mmgym.envs.mujoco.describe import describe
from mmgym.envs.mujoco.frozen import FINGERPRINTS, SETS
from mmgym.envs.mujoco.geometry import metres_to_voxel, quaternion, rotation, unreachable, voxel_to_metres
from mmgym.envs.mujoco.goals import goals_met
from mmgym.envs.mujoco.scene import Scene


class EBManipEnv(LanguageEnvBase):
    """Pick and place, stack, sort and push objects on a table with a gripper driven by absolute 7-D poses.

    `reset(options={"scene": ...})` builds a `Scene` (a dict or the model); the suite's episodes are
    frozen scenes (`episodes`). Without a scene, the seed picks one of the frozen base episodes. A
    frozen scene is checked against its fingerprint (`frozen`): `EpisodeChanged` if MuJoCo now
    settles it differently.

    Observations: `image`, the front camera (`image_size` pixels square; left out when
    `observe_image=False`); `text`, the gripper's pose and the objects' true positions in action
    coordinates (privileged, as in EB-Manipulation); `instruction`. Actions: strings
    `[x, y, z, roll, pitch, yaw, gripper]` (`actions`, `geometry`). A malformed or unreachable
    action is refused (`valid` False, `feedback` says why) and changes nothing. The episode
    succeeds, and ends, when every goal condition holds after a step; `progress` is the share that
    holds. Beyond the contract, `info` holds `goals_met` and `held`. `render()` is a second camera,
    from the side.
    """

    traits: ClassVar[EnvTraits] = EnvTraits(reusable=True, full_render=True)  # physics and a 3D render per step
    action_vector: ClassVar[tuple[tuple[int, int], ...]] = BOUNDS
    RULES: ClassVar[str] = RULES
    GRAMMAR: ClassVar[str] = GRAMMAR
    SUMMARY: ClassVar[str] = (
        "EB-Manipulation-style tabletop manipulation on MuJoCo: front camera; 7-D gripper poses in voxels"
    )

    def __init__(
        self,
        image_size: int = 256,
        observe_image: bool = True,
        render_size: int = 256,
        render_mode: str | None = "rgb_array",
    ) -> None:
        super().__init__(image_size, observe_image, render_mode, render_size=render_size)
        from mmgym.envs.mujoco.world import Tabletop  # imports MuJoCo (one line if missing)

        self.render_size = render_size
        self.world = Tabletop(image_size, render_size)
        self.scene: Scene | None = None
        self.names: list[str] = []
        self.fixtures: list[str] = []
        self.gripper: list[int] = []
        self.met: list[bool] = []
        self._over = False

    # ---- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.scene = SETS.scene_for_reset(options, seed)
        self.names, self.fixtures = self.scene.body_names()
        world = self.world
        world.reset()
        for thing, name in zip(self.scene.things, self.names, strict=True):
            world.place_object(name, thing.colour, thing.x, thing.y, np.radians(thing.yaw))
        for fixture, name in zip(self.scene.fixtures, self.fixtures, strict=True):
            world.place_fixture(name, fixture.colour, fixture.x, fixture.y)
        world.settle()
        position, _ = world.hand_pose()
        self.gripper = [*metres_to_voxel(position), 0, 0, 0, 1]
        self.met = goals_met(world, self.scene, self.names, self.fixtures)
        self._over = False
        FINGERPRINTS.verify(self.scene, lambda: digest(self.layout()))
        return self._observation(), self._info(True, f"Task: {self.scene.instruction}")

    def step(self, action: Any):
        if self.scene is None:
            raise RuntimeError("call reset() before step()")
        if self._over:
            return self._refuse("the episode is over; reset the env to play again", terminated=True)
        parsed = parse_action(action)
        if isinstance(parsed, str):
            return self._refuse(parsed)
        position, matrix = voxel_to_metres(parsed.voxel), rotation(*parsed.angles)
        reason = unreachable(position, matrix)
        if reason is not None:
            return self._refuse(reason)
        self._execute(parsed, position, matrix)
        self.met = goals_met(self.world, self.scene, self.names, self.fixtures)
        self._over = all(self.met)
        feedback = f"Done: moved to {parsed.as_list()[:6]}, gripper {'open' if parsed.gripper_open else 'closed'}"
        feedback += f"{self._holding()}." + (" The task is complete." if self._over else "")
        return self._observation(), float(self._over), self._over, False, self._info(True, feedback)

    def _execute(self, action: ArmAction, position: np.ndarray, matrix: np.ndarray) -> None:
        world = self.world
        world.move(position, quaternion(matrix))
        if action.gripper_open != world.gripper_open():
            world.grip(action.gripper_open)
        world.settle()
        self.gripper = action.as_list()

    def render(self) -> np.ndarray:
        if self.scene is None:
            raise RuntimeError("call reset() before render()")
        return self.world.render("side", self.render_size)

    # ---- the expert ------------------------------------------------------------------------
    def expert_plan(self) -> list[str]:
        """Privileged: actions that meet the remaining goals from the true state; empty once over."""
        if self.scene is None or self._over:
            return []
        world = self.world
        snapshot = expert.Snapshot(
            things=[world.body_position(name) for name in self.names],
            yaws=[world.body_yaw(name) for name in self.names],
            fixtures=[world.body_position(name) for name in self.fixtures],
            hand=world.hand_pose()[0],
        )
        held = self.names.index(world.held) if world.held is not None else None
        hand = expert.Hand(tuple(self.gripper[:3]), self.gripper[5], bool(self.gripper[6]), held)
        return expert.plan(self.scene, snapshot, hand, self.met)

    def layout(self) -> dict[str, Any]:
        """The state MuJoCo settled the scene into, for its fingerprint: each body's position (mm) and
        orientation (its rotation matrix, in thousandths), the gripper's pose, what is held, which goals hold."""
        world = self.world
        bodies = {name: [quantised(world.body_position(name)), quantised(world.data.body(name).xmat)]
                  for name in (*self.names, *self.fixtures)}  # fmt: skip
        return {"bodies": bodies, "hand": quantised(np.concatenate(world.hand_pose())), "held": world.held,
                "met": self.met}  # fmt: skip

    # ---- helpers ---------------------------------------------------------------------------
    def _holding(self) -> str:
        held = self.world.held
        if held is None:
            return ""
        return f", holding the {self.scene.things[self.names.index(held)].label}"

    def _observation(self) -> dict[str, Any]:
        text = describe(self.world, self.scene, self.names, self.fixtures, self.gripper)
        observation: dict[str, Any] = {"text": text, "instruction": self.scene.instruction}
        if self.observe_image:
            observation["image"] = self.world.render("front", self.image_size)
        return observation

    def _refuse(self, reason: str, terminated: bool = False):
        return self._observation(), 0.0, terminated, False, self._info(False, f"Invalid action: {reason}.")

    def _info(self, valid: bool, feedback: str) -> dict[str, Any]:
        return {
            "valid": valid,
            "feedback": feedback,
            "success": self._over,
            "progress": sum(self.met) / len(self.met),
            "goals_met": sum(self.met),
            "held": self.world.held or "",
        }

    # ---- prompt material -------------------------------------------------------------------
    def candidate_actions(self) -> list[str]:
        return []  # 10^6 positions x 120^3 rotations x 2: described by `action_vector` instead

    def close(self) -> None:
        self.world.close()
