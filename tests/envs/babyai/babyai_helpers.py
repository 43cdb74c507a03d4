"""Hand-built BabyAI states for the tests: an emptied room with objects where a test wants them."""

from __future__ import annotations

from typing import Any

import numpy as np
from minigrid.core.world_object import WorldObj
from minigrid.envs.babyai.core.verifier import GoToInstr, ObjDesc

from mmgym.envs.babyai.env import BabyAIEnv
from mmgym.envs.babyai.skills import name_objects

EAST, SOUTH, WEST, NORTH = range(4)


def room(
    action_level: str = "primitive",
    agent: tuple[int, int] = (3, 4),
    facing: int = NORTH,
    objects: dict[tuple[int, int], WorldObj] | None = None,
    level: str = "BabyAI-GoToLocal-v0",
    seed: int = 0,
    carrying: WorldObj | None = None,
) -> BabyAIEnv:
    """A BabyAI env whose room interior is emptied, then filled with `objects`.

    GoToLocal's room is 8 x 8 cells with walls on the border (x or y = 0 or 7). The mission is
    replaced by one no action completes (going to an object that is not there).
    """
    env = BabyAIEnv(level, action_level=action_level, image_size=224)
    env.reset(seed=seed)
    grid_env = env.grid_env
    for y in range(1, grid_env.height - 1):
        for x in range(1, grid_env.width - 1):
            if grid_env.grid.get(x, y) is not None and grid_env.grid.get(x, y).type != "wall":
                grid_env.grid.set(x, y, None)
    for (x, y), obj in (objects or {}).items():
        grid_env.grid.set(x, y, obj)
        obj.init_pos = obj.cur_pos = (x, y)
    grid_env.agent_pos = agent
    grid_env.agent_dir = facing
    grid_env.carrying = carrying
    name_objects(grid_env)
    never = GoToInstr(ObjDesc("ball", "purple"))
    never.reset_verifier(grid_env)
    never.desc.obj_set, never.desc.obj_poss = [], []
    grid_env.instrs, grid_env.mission = never, "go nowhere"
    return env


def snapshot(env: BabyAIEnv) -> tuple[Any, ...]:
    """Everything an action could change: the agent, the grid, what is carried, the verifier's record."""
    grid_env = env.grid_env
    carrying = grid_env.carrying.encode() if grid_env.carrying is not None else None
    record = [
        (getattr(node, "a_done", None), getattr(node, "b_done", None), getattr(node, "preCarrying", None))
        for node in _nodes(grid_env.instrs)
    ]
    return (
        tuple(int(v) for v in grid_env.agent_pos),
        int(grid_env.agent_dir),
        carrying,
        grid_env.grid.encode().tobytes(),
        record,
        env._over,
    )


def _nodes(instr: Any) -> list[Any]:
    children = [getattr(instr, "instr_a", None), getattr(instr, "instr_b", None)]
    return [instr] + [node for child in children if child is not None for node in _nodes(child)]


def step(env: BabyAIEnv, action: str) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
    return env.step(action)


def front(env: BabyAIEnv) -> WorldObj | None:
    return env.grid_env.grid.get(*env.grid_env.front_pos)


def same_image(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))
