"""Goal conditions checked on the simulator's state: inside a container, stacked on, in a region.

A held object meets no goal: it must be let go and come to rest.
"""

from __future__ import annotations

import numpy as np

from mmgym.envs.mujoco.scene import Goal, Scene
from mmgym.envs.mujoco.things import CONTAINER_HALF, CONTAINER_WALL, REGION_HALF, SHAPES
from mmgym.envs.mujoco.world import Tabletop

STACK_XY = 0.02  # metres: how far the upper object's centre may be from the lower one's
STACK_Z = 0.01  # metres: tolerance on the upper object's height above the lower one's


def met(world: Tabletop, scene: Scene, names: list[str], fixtures: list[str], goal: Goal) -> bool:
    name = names[goal.thing]
    if world.held == name:
        return False
    position = world.body_position(name)
    half = SHAPES[scene.things[goal.thing].shape].half_height
    if goal.relation == "on":
        below = world.body_position(names[goal.target])
        lower_half = SHAPES[scene.things[goal.target].shape].half_height
        offset = position - below
        return bool(np.hypot(offset[0], offset[1]) <= STACK_XY and abs(offset[2] - half - lower_half) <= STACK_Z)
    centre = world.body_position(fixtures[goal.target])
    dx, dy = abs(position[0] - centre[0]), abs(position[1] - centre[1])
    if goal.relation == "inside":
        return bool(max(dx, dy) <= CONTAINER_HALF and position[2] <= CONTAINER_WALL + half)
    return bool(max(dx, dy) <= REGION_HALF and position[2] <= half + 0.005)


def goals_met(world: Tabletop, scene: Scene, names: list[str], fixtures: list[str]) -> list[bool]:
    return [met(world, scene, names, fixtures, goal) for goal in scene.goals]
