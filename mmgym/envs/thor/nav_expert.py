"""The EB-Navigation expert: a breadth-first search over the scene's reachable positions.

From the agent's true pose it finds the fewest 0.25 m moves (ahead, back, left, right relative to
its heading) that end within the success radius of the target, stepping only onto positions the
simulator reported reachable. Called again after each step, it recovers from any drift.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

STEP = 0.25
MOVES = {  # action text -> angle from the heading
    "Move forward by 0.25": 0.0,
    "Move backward by 0.25": 180.0,
    "Move rightward by 0.25": 90.0,
    "Move leftward by 0.25": -90.0,
}


def plan(
    start: tuple[float, float],
    heading: float,
    target: tuple[float, float],
    reachable: Sequence[tuple[float, float]],
    radius: float,
    tolerance: float = 0.12,
    limit: int = 400,
) -> list[str]:
    """Moves from `start` (x, z) that end within `radius` of `target`; [] when there or unreachable."""

    def near(x: float, z: float) -> tuple[float, float] | None:
        best = min(reachable, key=lambda r: math.hypot(r[0] - x, r[1] - z), default=None)
        if best is None or math.hypot(best[0] - x, best[1] - z) > tolerance:
            return None
        return (round(x, 3), round(z, 3))

    def done(cell: tuple[float, float]) -> bool:
        return math.hypot(cell[0] - target[0], cell[1] - target[1]) <= radius

    origin = (round(start[0], 3), round(start[1], 3))
    if done(origin):
        return []
    parents: dict[tuple[float, float], tuple[tuple[float, float], str] | None] = {origin: None}
    queue = deque([origin])
    while queue and len(parents) < limit * 8:
        cell = queue.popleft()
        for action, angle in MOVES.items():
            a = math.radians(heading + angle)
            nxt = near(cell[0] + STEP * math.sin(a), cell[1] + STEP * math.cos(a))
            if nxt is None or nxt in parents:
                continue
            parents[nxt] = (cell, action)
            if done(nxt):
                actions = []
                while parents[nxt] is not None:
                    nxt, action = parents[nxt]
                    actions.append(action)
                return actions[::-1]
            queue.append(nxt)
    return []
