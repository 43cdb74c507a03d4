"""The domestic robot's world as plain data, and the shortest plans through it (no minigrid needed).

A decision item is only as good as its answer, so the answer comes from an exhaustive search,
not from BabyAI's bot (which is not always optimal): breadth-first search over the full state
(agent cell and heading, what it carries, where every object lies, every door's state), with
minigrid's own rules for the six primitive actions and the BabyAI verifier's test for the
mission. An action is acceptable when it starts some shortest plan; every other action wastes
a step, does nothing or spoils the task.

Directions are minigrid's: 0 east (+x), 1 south (+y), 2 west, 3 north; "left" turns to
(dir - 1) % 4. Actions are minigrid's numbers (left 0 ... toggle 5).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import NamedTuple

LEFT, RIGHT, FORWARD, PICKUP, DROP, TOGGLE = range(6)
ACTIONS = (LEFT, RIGHT, FORWARD, PICKUP, DROP, TOGGLE)
VECTORS = ((1, 0), (0, 1), (-1, 0), (0, -1))
OPEN, CLOSED, LOCKED = range(3)
MAX_STATES = 200_000  # a search past this many states gives up (the level is too open to decide exactly)

Cell = tuple[int, int]


@dataclass(frozen=True)
class Thing:
    """An object or door: what the mission and the reasoning call it."""

    kind: str  # ball, box, key, door
    color: str

    @property
    def name(self) -> str:
        return f"{self.color} {self.kind}"


@dataclass(frozen=True)
class Goal:
    """The mission as the verifier checks it (`kind`: goto, pickup, open, putnext).

    goto: `cells` are the positions the verifier tracks (facing one completes); pickup: picking up
    one of `objects`; open: toggling one of `doors` open; putnext: dropping one of `objects` next to
    one of `fixed`.
    """

    kind: str
    cells: frozenset[Cell] = frozenset()
    objects: frozenset[int] = frozenset()
    doors: frozenset[int] = frozenset()
    fixed: frozenset[int] = frozenset()


@dataclass(frozen=True)
class World:
    """What does not change: walls, door positions, the objects' identities, the mission."""

    walls: frozenset[Cell]
    objects: tuple[Thing, ...]  # balls, boxes and keys (they move)
    doors: tuple[tuple[Cell, Thing], ...]  # doors stay put; their states live in `State`
    goal: Goal

    @property
    def door_at(self) -> dict[Cell, int]:
        return {cell: index for index, (cell, _) in enumerate(self.doors)}


class State(NamedTuple):
    """What actions change. `places[i]` is None while object i is carried or after a box was opened."""

    pos: Cell
    dir: int
    carrying: int  # index into World.objects, -1 for empty hands
    places: tuple[Cell | None, ...]
    doors: tuple[int, ...]  # OPEN, CLOSED or LOCKED per World.doors

    @property
    def front(self) -> Cell:
        dx, dy = VECTORS[self.dir]
        return (self.pos[0] + dx, self.pos[1] + dy)


def step(world: World, state: State, action: int, door_at: dict[Cell, int] | None = None) -> tuple[State, bool]:
    """The state after `action` (the same state when it does nothing) and whether it completes the mission."""
    door_at = world.door_at if door_at is None else door_at
    front = state.front
    if action in (LEFT, RIGHT):
        after = state._replace(dir=(state.dir + (1 if action == RIGHT else -1)) % 4)
    elif action == FORWARD:
        free = front not in world.walls and front not in state.places
        door = door_at.get(front)
        after = state._replace(pos=front) if free and (door is None or state.doors[door] == OPEN) else state
    elif action == PICKUP:
        after = _pickup(state, front)
    elif action == DROP:
        empty = front not in world.walls and front not in state.places and front not in door_at
        after = state
        if state.carrying >= 0 and empty:
            after = state._replace(carrying=-1, places=_moved(state.places, state.carrying, front))
    else:
        after = _toggle(world, state, front, door_at)
    return after, completes(world, state, action, after)


def _moved(places: tuple[Cell | None, ...], index: int, cell: Cell | None) -> tuple[Cell | None, ...]:
    return (*places[:index], cell, *places[index + 1 :])


def _pickup(state: State, front: Cell) -> State:
    if state.carrying >= 0 or front not in state.places:
        return state
    index = state.places.index(front)
    return state._replace(carrying=index, places=_moved(state.places, index, None))


def _toggle(world: World, state: State, front: Cell, door_at: dict[Cell, int]) -> State:
    """minigrid's toggle: a door opens or closes (a locked one opens with its key); a box vanishes."""
    door = door_at.get(front)
    if door is not None:
        now = state.doors[door]
        if now == LOCKED:
            key = world.objects[state.carrying] if state.carrying >= 0 else None
            if key is None or key.kind != "key" or key.color != world.doors[door][1].color:
                return state
        opened = CLOSED if now == OPEN else OPEN
        return state._replace(doors=(*state.doors[:door], opened, *state.doors[door + 1 :]))
    if front in state.places:
        index = state.places.index(front)
        if world.objects[index].kind == "box":  # an empty box, as in these levels: opening removes it
            return state._replace(places=_moved(state.places, index, None))
    return state


def completes(world: World, before: State, action: int, after: State) -> bool:
    """The verifier's verdict on one action (BabyAI's GoTo, Pickup, Open and PutNext instructions)."""
    goal = world.goal
    if goal.kind == "goto":
        return after.front in goal.cells
    if goal.kind == "pickup":
        return action == PICKUP and before.carrying < 0 and after.carrying in goal.objects
    if goal.kind == "open":
        door = world.door_at.get(after.front)
        return action == TOGGLE and door in goal.doors and after.doors[door] == OPEN
    if goal.kind == "putnext":
        dropped = before.carrying
        if action != DROP or after.carrying >= 0 or dropped not in goal.objects:
            return False
        cell = after.places[dropped]
        return any(_beside(cell, after.places[f]) for f in goal.fixed if after.places[f] is not None)
    raise ValueError(f"unknown goal kind {goal.kind!r}")


def _beside(a: Cell, b: Cell) -> bool:
    return abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1


@dataclass(frozen=True)
class Solution:
    """The shortest plans from a state: their length, the actions that start one, and one of them."""

    steps: int
    acceptable: frozenset[int]
    plan: tuple[int, ...]


def solve(world: World, start: State, max_states: int = MAX_STATES) -> Solution | None:
    """The shortest plans from `start`; None when the mission cannot be completed (or the search gives up).

    One A* search finds the length; an action is acceptable when the state it leads to is one
    step closer, which a search bounded by that length decides (cheap: it gives up as soon as
    every open state is estimated to need more).
    """
    found = shortest(world, start, None, max_states)
    if found is None:
        return None
    steps, plan = found
    door_at, acceptable = world.door_at, set()
    for action in ACTIONS:
        after, done = step(world, start, action, door_at)
        if done or (after != start and steps > 1 and _within(world, after, steps - 1, max_states)):
            acceptable.add(action)
    return Solution(steps, frozenset(acceptable), plan)


def _within(world: World, state: State, steps: int, max_states: int) -> bool:
    found = shortest(world, state, steps, max_states)
    return found is not None and found[0] == steps


def shortest(
    world: World, start: State, bound: int | None = None, max_states: int = MAX_STATES
) -> tuple[int, tuple[int, ...]] | None:
    """A*: (length, actions) of a shortest plan from `start`, or None if none is `bound` steps or shorter.

    `estimate` never overestimates, and states are reopened when reached sooner, so the plan is a
    shortest one even where the estimate is not consistent.
    """
    door_at = world.door_at
    guess = estimate(world, start)
    if guess is None or (bound is not None and guess > bound):
        return None
    frontier: list[tuple[int, int, int, State | None]] = [(guess, 0, 0, start)]
    best: dict[State, int] = {start: 0}
    parent: dict[State, tuple[State, int] | None] = {start: None}
    finish: tuple[State, int] | None = None
    finish_cost, pushed = 0, 0
    while frontier and len(best) <= max_states:
        total, negative_g, _, state = heapq.heappop(frontier)
        if bound is not None and total > bound:
            return None
        if state is None:  # the goal: its estimate is exact
            return total, _path(parent, *finish)
        g = -negative_g
        if g > best[state]:
            continue
        for action in ACTIONS:
            after, done = step(world, state, action, door_at)
            pushed += 1
            if done:
                if finish is None or g + 1 < finish_cost:
                    finish, finish_cost = (state, action), g + 1
                    heapq.heappush(frontier, (g + 1, -(g + 1), pushed, None))
                continue
            if after in best and best[after] <= g + 1:
                continue
            guess = estimate(world, after)
            if guess is None:
                continue
            best[after], parent[after] = g + 1, (state, action)
            heapq.heappush(frontier, (g + 1 + guess, -(g + 1), pushed, after))
    return None


def solve_bfs(world: World, start: State, max_states: int = MAX_STATES) -> Solution | None:
    """Plain breadth-first search, every first action tracked: the slow reference `solve` is tested against."""
    door_at = world.door_at
    layer: dict[State, int] = {start: 0}  # state -> bit set of first actions reaching it this soon
    parent: dict[State, tuple[State, int] | None] = {start: None}
    depth = 0
    while layer and len(parent) <= max_states:
        depth += 1
        found, winner, following = 0, None, {}
        for state, firsts in layer.items():
            for action in ACTIONS:
                after, done = step(world, state, action, door_at)
                reach = firsts if depth > 1 else 1 << action
                if done:
                    found |= reach
                    winner = winner or (state, action)
                elif after not in parent:
                    parent[after] = (state, action)
                    following[after] = reach
                elif after in following:
                    following[after] |= reach
        if found:
            return Solution(depth, frozenset(a for a in ACTIONS if found >> a & 1), _path(parent, *winner))
        layer = following
    return None


def _path(parent: dict[State, tuple[State, int] | None], state: State, last: int) -> tuple[int, ...]:
    actions = [last]
    link = parent[state]
    while link is not None:
        state, action = link
        actions.append(action)
        link = parent[state]
    return tuple(reversed(actions))


def relative(state: State, cell: Cell) -> tuple[int, int]:
    """(ahead, right): how far `cell` lies in front of the agent and to its right (negative: behind, left)."""
    dx, dy = VECTORS[state.dir]
    vx, vy = cell[0] - state.pos[0], cell[1] - state.pos[1]
    return vx * dx + vy * dy, vx * -dy + vy * dx


def parse(rows: list[str], goal: Goal | None = None, objects: dict[str, Thing] | None = None) -> tuple[World, State]:
    """A world drawn in characters, for tests: `#` wall, `.` floor, `>v<^` the agent, letters objects and doors.

    `objects` maps lower-case letters to things; a door drawn in upper case is locked, in lower
    case closed. The agent carries nothing. `goal` names objects and doors by their index in
    reading order (row by row).
    """
    objects = objects or {}
    walls, things, places, doors, door_states = set(), [], [], [], []
    pos, heading = (0, 0), 0
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            if char == "#":
                walls.add((x, y))
            elif char in ">v<^":
                pos, heading = (x, y), ">v<^".index(char)
            elif char.lower() in objects:
                thing = objects[char.lower()]
                if thing.kind == "door":
                    doors.append(((x, y), thing))
                    door_states.append(LOCKED if char.isupper() else CLOSED)
                else:
                    things.append(thing)
                    places.append((x, y))
    world = World(frozenset(walls), tuple(things), tuple(doors), goal or Goal("goto"))
    return world, State(pos, heading, -1, tuple(places), tuple(door_states))


def _at(state: State, index: int) -> Cell | None:
    return state.pos if state.carrying == index else state.places[index]


def _apart(a: Cell, b: Cell) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def estimate(world: World, state: State) -> int | None:
    """A lower bound on the steps left (at least 1), from distances that ignore walls and turns; None: hopeless."""
    goal, pos = world.goal, state.pos
    if goal.kind == "goto":
        return min((max(1, _apart(pos, cell) - 1) for cell in goal.cells), default=None)
    if goal.kind == "pickup":
        costs = [
            2 if state.carrying == o else max(1, _apart(pos, place))
            for o in goal.objects
            if (place := _at(state, o)) is not None
        ]
        return min(costs, default=None)
    if goal.kind == "open":
        costs = [cost for door in goal.doors if (cost := _open_cost(world, state, door)) is not None]
        return min(costs, default=None)
    return _put_cost(world, state)


def _open_cost(world: World, state: State, door: int) -> int | None:
    cell, thing = world.doors[door]
    near = max(1, _apart(state.pos, cell))
    now = state.doors[door]
    held = world.objects[state.carrying] if state.carrying >= 0 else None
    if now == OPEN:
        return near + 1  # close it, then open it
    if now == CLOSED or (held is not None and held.kind == "key" and held.color == thing.color):
        return near
    keys = [i for i, obj in enumerate(world.objects) if obj.kind == "key" and obj.color == thing.color]
    costs = [_apart(state.pos, place) + _apart(place, cell) - 1 for k in keys if (place := _at(state, k)) is not None]
    return max(near, min(costs)) if costs else None


def _put_cost(world: World, state: State) -> int | None:
    goal, pos = world.goal, state.pos
    fixed = [place for f in goal.fixed if (place := _at(state, f)) is not None]
    if state.carrying in goal.objects:
        return min((max(1, _apart(pos, place) - 1) for place in fixed), default=None)
    costs = [
        _apart(pos, moved) + max(1, _apart(moved, place) - 2)
        for o in goal.objects
        if (moved := _at(state, o)) is not None
        for place in fixed
    ]
    return min(costs, default=None)
