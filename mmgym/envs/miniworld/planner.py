"""The privileged expert: a shortest path on the true map, over the agent's own moves.

A pose is a point of the 0.25 m lattice and one of four headings; breadth-first search over the
six moving actions (tilts change nothing on the map) finds the fewest actions that bring the agent
within the success distance of the target. Collisions are the simulator's own test, so a planned
move is never refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

from mmgym.envs.miniworld.actions import ACTIONS
from mmgym.envs.miniworld.scene import GRID
from mmgym.envs.search import shortest

SUCCESS_DISTANCE = 1.0  # metres, EB-Navigation's
Pose = tuple[int, int, int]  # lattice column (x / GRID), row (z / GRID), heading in quarter turns
# Per heading (quarter turns counter-clockwise from +x): the lattice step of "forward" and of "right".
_FORWARD = {0: (1, 0), 1: (0, -1), 2: (-1, 0), 3: (0, 1)}
_RIGHT = {0: (0, 1), 1: (1, 0), 2: (0, -1), 3: (-1, 0)}
MOVES = tuple((name, motion) for name, motion in ACTIONS.items() if not motion.tilt)


def pose_of(x: float, z: float, heading_degrees: float) -> Pose:
    return round(x / GRID), round(z / GRID), round(heading_degrees / 90) % 4


def apply_action(pose: Pose, name: str) -> Pose:
    """The pose after a moving action (not checked for collisions)."""
    i, j, k = pose
    motion = ACTIONS[name]
    steps_forward, steps_right = round(motion.forward / GRID), round(motion.right / GRID)
    fi, fj = _FORWARD[k]
    ri, rj = _RIGHT[k]
    return (
        i + fi * steps_forward + ri * steps_right,
        j + fj * steps_forward + rj * steps_right,
        (k + motion.turn // 90) % 4,
    )


def reached(pose: Pose, target: tuple[float, float]) -> bool:
    return math.dist((pose[0] * GRID, pose[1] * GRID), target) <= SUCCESS_DISTANCE


def shortest_plan(
    start: Pose, target: tuple[float, float], blocked: Callable[[float, float], object], max_actions: int = 60
) -> list[str] | None:
    """The fewest actions from `start` to within the success distance of `target`; None if none within `max_actions`.

    `blocked(x, z)` may be asked of a lattice point more than once; the env remembers its answers per scene."""

    def moves(pose: Pose) -> Iterator[tuple[str, Pose]]:
        for name, _ in MOVES:
            following = apply_action(pose, name)
            if not blocked(following[0] * GRID, following[1] * GRID):
                yield name, following

    found = shortest(start, moves, lambda pose: reached(pose, target), max_actions)
    return found[0] if found else None
