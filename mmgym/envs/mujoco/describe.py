"""The text observation: the gripper's pose and every object's true position, in action coordinates.

EB-Manipulation gives the model the objects' positions in the same voxel coordinates as its
actions; that information is privileged (a real robot would have to estimate it), and the suite
flags it in each spec's metadata.
"""

from __future__ import annotations

from mmgym.envs.mujoco.geometry import metres_to_voxel, yaw_bin
from mmgym.envs.mujoco.scene import Scene
from mmgym.envs.mujoco.things import SHAPES
from mmgym.envs.mujoco.world import Tabletop


def describe(world: Tabletop, scene: Scene, names: list[str], fixtures: list[str], gripper: list[int]) -> str:
    held = next((thing.label for thing, name in zip(scene.things, names, strict=True) if name == world.held), None)
    state = "open" if gripper[6] else "closed"
    lines = [f"Gripper pose: {gripper} ({state}, {'holding the ' + held if held else 'holding nothing'})."]
    lines.append("Objects (voxel coordinates of their centres; yaw in 3-degree bins):")
    for thing, name in zip(scene.things, names, strict=True):
        voxel = metres_to_voxel(world.body_position(name))
        symmetry = SHAPES[thing.shape].grasp_symmetry
        lines.append(f"- {thing.label}: {voxel}, yaw {yaw_bin(world.body_yaw(name), symmetry)}")
    for fixture, name in zip(scene.fixtures, fixtures, strict=True):
        lines.append(f"- {fixture.label}: centre {metres_to_voxel(world.body_position(name))}")
    return "\n".join(lines)
