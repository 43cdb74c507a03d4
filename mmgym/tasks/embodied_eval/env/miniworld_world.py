"""MiniWorld rooms behind the option menu: move forward (0.5 m), turn left, turn right (90 degrees).

The scenes are EB-Navigation's (`mmgym.envs.miniworld`): the same rooms, objects, renderer and
collision test. The agent stays on the 0.25 m lattice; "move forward" is offered only when both
lattice steps are free, so the menu itself says when the way is blocked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from mmgym.envs.miniworld import GRID, Pose, Scene, Segment, apply_action, describe, in_view, pose_of
from mmgym.envs.search import shortest
from mmgym.tasks.embodied_eval.env.menu import Option
from mmgym.tasks.embodied_eval.env.predicates import Answered, WorldState, check
from mmgym.tasks.embodied_eval.env.task import Task

FORWARD = "move forward"
TURNS = {"turn left": "Rotate to the left by 90 degrees", "turn right": "Rotate to the right by 90 degrees"}
STEP = f"Move forward by {GRID}"
FORWARD_STEPS = 2  # lattice steps per "move forward": 0.5 m
MAP_SIZE = 256


def thing_names(scene: Scene) -> list[str]:
    """Each object's name in predicates and menus: its label, numbered when several share it ('red box 2')."""
    counts = Counter(thing.label for thing in scene.things)
    seen: Counter[str] = Counter()
    names = []
    for thing in scene.things:
        seen[thing.label] += 1
        names.append(thing.label if counts[thing.label] == 1 else f"{thing.label} {seen[thing.label]}")
    return names


class MiniWorldRooms:
    """A MiniWorld scene played through menu options (see `world.World`)."""

    def __init__(self, image_size: int, observe_image: bool) -> None:
        from mmgym.envs.miniworld import SceneWorld  # imports MiniWorld (one line if missing)

        self.world = SceneWorld(image_size, MAP_SIZE)
        self.observe_image = observe_image
        self.scene: Scene | None = None
        self.pose: Pose = (0, 0, 0)
        self.names: list[str] = []
        self._walls: list[Segment] = []
        self._blockers: dict[tuple[int, int], str | None] = {}

    def load(self, task: Task) -> None:
        self.scene = task.miniworld
        self.world.build(self.scene)
        self.names = thing_names(self.scene)
        self._walls = self.world.walls()
        self._blockers = {}
        self.pose = pose_of(self.scene.agent_x, self.scene.agent_z, self.scene.agent_heading)

    # ---- moves -----------------------------------------------------------------------------
    def moves(self, pose: Pose) -> list[tuple[str, Pose]]:
        """(option words, pose after it) for every move possible from `pose`."""
        found = []
        ahead = pose
        for _ in range(FORWARD_STEPS):
            ahead = apply_action(ahead, STEP)
            if self._blocked(ahead):
                break
        else:
            found.append((FORWARD, ahead))
        found += [(words, apply_action(pose, name)) for words, name in TURNS.items()]
        return found

    def options(self) -> list[Option]:
        return [Option(words) for words, _ in self.moves(self.pose)]

    def apply(self, option: Option) -> str:
        self.pose = dict(self.moves(self.pose))[option.text]
        return f"You {option.text.replace('move', 'moved').replace('turn', 'turned')}."

    def _blocked(self, pose: Pose) -> bool:
        key = (pose[0], pose[1])
        if key not in self._blockers:
            self._blockers[key] = self.world.blocked(pose[0] * GRID, pose[1] * GRID)
        return self._blockers[key] is not None

    # ---- state and view --------------------------------------------------------------------
    def state(self, pose: Pose | None = None) -> WorldState:
        i, j, _ = pose or self.pose
        objects = {name: (thing.x, thing.z) for name, thing in zip(self.names, self.scene.things, strict=True)}
        return WorldState(agent=(i * GRID, j * GRID), objects=objects)

    def seen(self, pose: Pose) -> set[str]:
        """The names of the objects in view from `pose`."""
        i, j, k = pose
        visible = in_view(i * GRID, j * GRID, k * 90.0, self.scene.things, self._walls)
        ids = {id(thing) for thing, _, _ in visible}
        return {name for name, thing in zip(self.names, self.scene.things, strict=True) if id(thing) in ids}

    def layout(self) -> dict[str, Any]:
        return self.world.layout()

    def observe(self) -> tuple[np.ndarray | None, str]:
        i, j, k = self.pose
        text = describe(i * GRID, j * GRID, k * 90.0, 0, self.scene.things, self._walls)
        if not self.observe_image:
            return None, text
        self.world.set_pose(self.pose)
        return self.world.render_obs(), text

    def render(self) -> np.ndarray:
        self.world.set_pose(self.pose)
        return self.world.top_view()

    # ---- the expert ------------------------------------------------------------------------
    def expert(self, task: Task, start: WorldState) -> list[str] | None:
        """Fewest options to a pose where every predicate but the answer holds and, for a question, every
        `look_at` object is in view (the env adds the answer)."""
        wanted = set(task.look_at)
        placed = [p for p in task.predicates if not isinstance(p, Answered)]

        def goal(pose: Pose) -> bool:
            return all(check(placed, self.state(pose), start)) and (not wanted or wanted <= self.seen(pose))

        found = shortest(self.pose, self.moves, goal)
        return found[0] if found else None

    def close(self) -> None:
        self.world.close()
