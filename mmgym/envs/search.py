"""Breadth-first search over a world's poses: the fewest actions from a pose to one that meets a goal.

Shared by the experts that plan over their own action sets (MiniWorld's lattice moves, the
EmbodiedEval-style menus), so each gives only its moves and its goal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

PoseT = TypeVar("PoseT", bound=Hashable)
MAX_DEPTH = 30  # actions; longer than any frozen EmbodiedEval-style task's step limit


def shortest(
    start: PoseT,
    moves: Callable[[PoseT], Iterable[tuple[str, PoseT]]],
    goal: Callable[[PoseT], bool],
    max_depth: int = MAX_DEPTH,
) -> tuple[list[str], PoseT] | None:
    """(the actions' words, the pose reached) of a shortest path to a goal pose; None if none within `max_depth`."""
    parents: dict[PoseT, tuple[PoseT, str] | None] = {start: None}
    frontier = deque([(start, 0)])
    while frontier:
        pose, depth = frontier.popleft()
        if goal(pose):
            return _path(parents, pose), pose
        if depth >= max_depth:
            continue
        for name, following in moves(pose):
            if following not in parents:
                parents[following] = (pose, name)
                frontier.append((following, depth + 1))
    return None


def _path(parents: dict, end: Hashable) -> list[str]:
    names = []
    link = parents[end]
    while link is not None:
        pose, name = link
        names.append(name)
        link = parents[pose]
    return names[::-1]
