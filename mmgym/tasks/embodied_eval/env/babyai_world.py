"""A BabyAI grid behind the option menu: move forward, turn left, turn right, and what the cell ahead allows.

The menu offers "pick up the red ball" when the agent faces a ball and holds nothing, "put down
the red ball" when it holds one and faces an empty cell, "open the red door" or "close the red
door" when it faces one. Objects keep the names the BabyAI skills give them ("red ball", "red
ball 2" when several look alike). The level's own mission is ignored: the task's predicates decide.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from mmgym.envs.babyai import (
    NEVER,
    LevelPool,
    describe_view,
    ego_view,
    layout,
    name_objects,
    name_of,
    render_full,
    render_view,
)
from mmgym.tasks.embodied_eval.env.grid_expert import AHEAD, MOVES, GridProblem, GridState
from mmgym.tasks.embodied_eval.env.menu import Option
from mmgym.tasks.embodied_eval.env.predicates import WorldState
from mmgym.tasks.embodied_eval.env.task import Task

Pose = tuple[int, int, int]  # cell x, cell y, direction (minigrid's: 0 east, 1 south, 2 west, 3 north)
EXACT_UP_TO = 20  # options: the longest plan the expert checks against a search in which every object moves


class GridRoom:
    """A BabyAI level played through menu options (see `world.World`)."""

    def __init__(self, image_size: int, observe_image: bool) -> None:
        self.image_size, self.observe_image = image_size, observe_image
        self._levels = LevelPool(max_steps=NEVER)  # minigrid's own step limit out of reach: the suite sets its own
        self.env: Any = None
        self._plan: tuple[GridProblem, list[str], list[GridState]] | None = None  # the expert's last plan

    def load(self, task: Task) -> None:
        self.env = self._levels.reset(task.babyai.level, task.babyai.seed)
        name_objects(self.env)
        self._plan = None

    # ---- the menu --------------------------------------------------------------------------
    def options(self) -> list[Option]:
        env = self.env
        pose = self._pose()
        found = [Option(words) for words, _ in self._moves(pose)]
        ahead = env.grid.get(*env.front_pos)
        if env.carrying is None and ahead is not None and ahead.can_pickup():
            found.append(Option(f"pick up the {name_of(ahead)}", "interact", env.actions.pickup))
        if env.carrying is not None and ahead is None:
            found.append(Option(f"put down the {name_of(env.carrying)}", "interact", env.actions.drop))
        if ahead is not None and ahead.type == "door" and not ahead.is_locked:
            verb = "close" if ahead.is_open else "open"
            found.append(Option(f"{verb} the {name_of(ahead)}", "interact", env.actions.toggle))
        return found

    def apply(self, option: Option) -> str:
        env = self.env
        action = option.payload
        if option.kind == "move":
            action = {"move forward": env.actions.forward, "turn left": env.actions.left}.get(
                option.text, env.actions.right
            )
        env.step(action)
        return f"Done: {option.text}."

    def _pose(self) -> Pose:
        return int(self.env.agent_pos[0]), int(self.env.agent_pos[1]), int(self.env.agent_dir)

    def _free(self, x: int, y: int) -> bool:
        cell = self.env.grid.get(x, y)
        return cell is None or cell.can_overlap()

    def _moves(self, pose: Pose) -> Iterator[tuple[str, Pose]]:
        x, y, d = pose
        dx, dy = AHEAD[d]
        if self._free(x + dx, y + dy):
            yield MOVES[0], (x + dx, y + dy, d)
        yield MOVES[1], (x, y, (d - 1) % 4)
        yield MOVES[2], (x, y, (d + 1) % 4)

    # ---- state and view --------------------------------------------------------------------
    def _objects(self) -> Iterator[tuple[tuple[int, int], Any]]:
        grid = self.env.grid
        for y in range(grid.height):
            for x in range(grid.width):
                obj = grid.get(x, y)
                if obj is not None and obj.type not in ("wall", "door"):
                    yield (x, y), obj

    def state(self) -> WorldState:
        env = self.env
        agent = (float(env.agent_pos[0]), float(env.agent_pos[1]))
        objects = {name_of(obj): (float(x), float(y)) for (x, y), obj in self._objects()}
        holding = name_of(env.carrying) if env.carrying is not None else None
        if holding is not None:
            objects[holding] = agent
        return WorldState(agent=agent, objects=objects, holding=holding)

    def layout(self) -> dict[str, Any]:
        return layout(self.env)

    def observe(self) -> tuple[np.ndarray | None, str]:
        view = ego_view(self.env)
        image = render_view(view, self.image_size) if self.observe_image else None
        return image, describe_view(view)

    def render(self) -> np.ndarray:
        return render_full(self.env)

    # ---- the expert ------------------------------------------------------------------------
    def expert(self, task: Task, start: WorldState) -> list[str] | None:
        """A shortest plan that meets every predicate (see `grid_expert`). The oracle asks again after each
        option; while it stays on the last plan, the rest of that plan is still a shortest one."""
        if self._plan is not None:
            problem, words, states = self._plan
            same, now = self._problem(problem.names)
            if same == problem and now in states:
                return words[states.index(now) :]
        found = self._search(task, start)
        self._plan = found
        return None if found is None else found[1]

    def _search(self, task: Task, start: WorldState) -> tuple[GridProblem, list[str], list[GridState]] | None:
        """Search moving only the named objects (and the carried one); then search again with every object
        free to move, up to one option short of that plan (or `EXACT_UP_TO` options if it found none): what
        this finds is shorter (an object moved out of the way), and if it finds nothing, the first plan is
        a shortest one."""
        carried = [name_of(self.env.carrying)] if self.env.carrying is not None else []
        named = tuple(dict.fromkeys([*(n for p in task.predicates for n in p.names()), *carried]))
        problem, now = self._problem(named)
        found = problem.plan(now, task.predicates, start)
        if found is not None and not 1 < len(found[0]) <= EXACT_UP_TO:
            return problem, *found
        every = tuple(dict.fromkeys([*named, *(name_of(obj) for _, obj in self._objects())]))
        wider, now = self._problem(every)
        limit = EXACT_UP_TO if found is None else len(found[0]) - 1
        shorter = wider.plan(now, task.predicates, start, max_depth=limit)
        if shorter is not None:
            return wider, *shorter
        return None if found is None else (problem, *found)

    def _problem(self, names: tuple[str, ...]) -> tuple[GridProblem, GridState]:
        """The search problem in which the objects `names` may move (the carried one must be among them),
        and the state now."""
        env = self.env
        cells: dict[str, tuple[int, int] | None] = {}
        if env.carrying is not None:
            cells[name_of(env.carrying)] = None
        walls, filled = set(), set()
        for y in range(env.grid.height):
            for x in range(env.grid.width):
                obj = env.grid.get(x, y)
                if obj is not None and obj.type not in ("wall", "door") and name_of(obj) in names:
                    cells[name_of(obj)] = (x, y)
                elif obj is not None:
                    filled.add((x, y))
                    if not obj.can_overlap():
                        walls.add((x, y))
        x, y, d = self._pose()
        return GridProblem(frozenset(walls), frozenset(filled), names), (x, y, d, tuple(cells[n] for n in names))

    def close(self) -> None:
        self._levels.clear()
        self._plan = None
