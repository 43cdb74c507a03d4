"""High-level skills (EB-ALFRED style): named objects, skill parsing, and the planner behind them.

A skill names an object by colour and type, e.g. "pick up the red ball". When a level holds
several objects of one colour and type, each gets a number ("the red ball 1", "the red ball 2"),
as EmbodiedBench numbers duplicate instances: numbers follow where the objects lay when the
episode began, in reading order (top row first, left to right on the full map), and stay with
an object when it moves. A name without its number means the closest reachable one.

The planner works on the true grid and turns a skill into primitive actions, all executed
within one env step: it navigates by the shortest path (in primitive steps), opening closed
unlocked doors on the way; locked doors and objects stop it (it never moves things out of the
way by itself). "pick up", "open", "close" and "put ... next to ..." navigate too, so no
"go to" is needed before them. A skill that cannot succeed is refused with the reason and
changes nothing.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from minigrid.core.actions import Actions
from minigrid.core.constants import COLOR_NAMES, DIR_TO_VEC
from minigrid.core.world_object import WorldObj

NAME_ATTR = "_mmgym_name"  # set on each minigrid object at reset; travels with deep copies
OBJECT_TYPES = ("ball", "box", "key", "door")

SKILL_RULES = """\
You are in a grid world of rooms joined by doors, seen from your own point of view: you stand at \
the bottom middle of the view, facing up; walls and closed doors hide what lies behind them. \
Objects are balls, boxes and keys in six colours; when several share a colour and type they are \
numbered (red ball 1, red ball 2) and the text names them so. You can carry one object. You act \
with skills that walk you there by the shortest path, opening closed doors on the way; locked \
doors and objects in the way stop them. A locked door opens only while you carry the key of its \
colour. Locations in the mission ("on your left", "behind you") are relative to where you stood \
and faced when the episode began. The mission is checked after every move a skill makes: \
"go to X" means facing X from the cell next to it. A skill that cannot succeed is refused, with \
the reason, and changes nothing."""

SKILL_GRAMMAR = """\
One skill per step, where <object> is a colour, a type and a number when several share both \
(e.g. red ball, blue key, grey door 2) and <door> is a door named the same way:
go to the <object>: walk up to the object and face it
pick up the <object>: walk to the object and pick it up (hands must be empty)
open the <door>: walk to the door and open it (a locked door needs its key in your hands)
close the <door>: walk to the door and close it
drop: put what you carry down on a nearby free cell where it blocks no passage
put the <object> next to the <object>: carrying the first, walk to the second and put it down beside it"""

_COLOUR = "|".join(COLOR_NAMES)
_REF = rf"(?:(?:the|a|an)\s+)?({_COLOUR})\s+({'|'.join(OBJECT_TYPES)})(?:\s+(\d+))?"
_PATTERNS = {
    "go to": re.compile(rf"go\s+to\s+{_REF}"),
    "pick up": re.compile(rf"pick\s+up\s+{_REF}"),
    "open": re.compile(rf"open\s+{_REF}"),
    "close": re.compile(rf"close\s+{_REF}"),
    "drop": re.compile(rf"drop(?:\s+{_REF})?"),
    "put": re.compile(rf"put\s+{_REF}\s+next\s+to\s+{_REF}"),
}


# ---- names -----------------------------------------------------------------------------------


def name_objects(env) -> None:
    """Give every object in the level its skill name (see the module docstring)."""
    found = [obj for _, obj in _grid_objects(env)]
    if env.carrying is not None:
        found.append(env.carrying)
    groups: dict[tuple[str, str], list[WorldObj]] = {}
    for obj in found:
        groups.setdefault((obj.color, obj.type), []).append(obj)
    for (color, kind), objs in groups.items():
        for number, obj in enumerate(objs, start=1):
            setattr(obj, NAME_ATTR, f"{color} {kind}" + (f" {number}" if len(objs) > 1 else ""))


def name_of(obj: WorldObj) -> str:
    return getattr(obj, NAME_ATTR, None) or f"{obj.color} {obj.type}"


def label_of(obj: WorldObj) -> str | None:
    """The name to show beside an object's description: only numbered names say more."""
    name = getattr(obj, NAME_ATTR, None)
    return name if name and name[-1].isdigit() else None


def named_objects(env) -> list[WorldObj]:
    """Every named object now in the level (on the grid or carried), sorted by name."""
    objs = [obj for _, obj in _grid_objects(env)]
    if env.carrying is not None:
        objs.append(env.carrying)
    return sorted((obj for obj in objs if hasattr(obj, NAME_ATTR)), key=_name_key)


def _name_key(obj: WorldObj) -> tuple[str, int]:
    name = name_of(obj)
    base, _, number = name.rpartition(" ")
    return (base, int(number)) if number.isdigit() else (name, 0)


def _grid_objects(env) -> Iterator[tuple[tuple[int, int], WorldObj]]:
    """(position, object) in reading order, walls left out."""
    grid = env.grid
    for y in range(grid.height):
        for x in range(grid.width):
            obj = grid.grid[y * grid.width + x]
            if obj is not None and obj.type != "wall":
                yield (x, y), obj


def candidate_skills(env) -> list[str]:
    """Every skill for the objects of this level, plus "put" skills for what is carried."""
    objs = named_objects(env)
    names = [name_of(obj) for obj in objs]
    skills = [f"go to the {name}" for name in names]
    skills += [f"pick up the {name_of(obj)}" for obj in objs if obj.type != "door"]
    skills += [f"{verb} the {name_of(obj)}" for verb in ("open", "close") for obj in objs if obj.type == "door"]
    skills.append("drop")
    if env.carrying is not None:
        held = name_of(env.carrying)
        skills += [f"put the {held} next to the {name}" for name in names if name != held]
    return skills


# ---- parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    color: str
    kind: str
    number: int | None = None

    def __str__(self) -> str:
        return f"{self.color} {self.kind}" + (f" {self.number}" if self.number is not None else "")


@dataclass(frozen=True)
class Skill:
    verb: str  # one of _PATTERNS
    target: Ref | None = None
    other: Ref | None = None


def parse_skill(text: str) -> Skill | None:
    words = " ".join(text.lower().replace("gray", "grey").split()).rstrip(".!").strip()
    for verb, pattern in _PATTERNS.items():
        match = pattern.fullmatch(words)
        if match:
            groups = match.groups()
            refs = [_ref(*groups[i : i + 3]) for i in range(0, len(groups), 3)]
            return Skill(verb, *refs)
    return None


def _ref(color: str | None, kind: str | None, number: str | None) -> Ref | None:
    return Ref(color, kind, int(number) if number else None) if color and kind else None


# ---- planning --------------------------------------------------------------------------------


class Refused(Exception):
    """The skill cannot succeed here; the message is the one-sentence reason."""


@dataclass
class Plan:
    """Primitive actions that carry out a skill, and what to say once they have run."""

    actions: list[Actions]
    message: str
    target: WorldObj | None = None
    # Valid only if running it completes part of the mission ("go to" what you already face).
    needs_progress: bool = False
    doors_opened: list[str] = field(default_factory=list)


# What a cell means to the navigator: free, closed door, locked door, object, wall.
FREE, CLOSED, LOCKED, OBJECT, WALL = range(5)
# The cost of passing an object or a locked door in a relaxed search (never taken for real). Moving
# an object only needs free hands, a locked door needs its key, so objects are the lesser detour.
DETOUR_OBJECT, DETOUR_LOCKED = 1_000, 100_000


@dataclass
class Route:
    actions: list[Actions]
    cost: int
    goal: tuple[int, int]  # the cell faced at the end
    cells: list[tuple[int, int]]  # cells entered, in order


def cell_kinds(env) -> list[list[int]]:
    grid = env.grid
    kinds = [[WALL] * grid.height for _ in range(grid.width)]
    for y in range(grid.height):
        for x in range(grid.width):
            obj = grid.grid[y * grid.width + x]
            if obj is None:
                kinds[x][y] = FREE
            elif obj.type == "door":
                kinds[x][y] = FREE if obj.is_open else LOCKED if obj.is_locked else CLOSED
            elif obj.type != "wall":
                kinds[x][y] = OBJECT
    return kinds


def route(
    env, targets: set[tuple[int, int]], relaxed: bool = False, accept: Callable[[tuple[int, int]], bool] | None = None
) -> Route | None:
    """The cheapest way (in primitive steps) to stand facing any of `targets`.

    Closed unlocked doors cost a toggle to pass. `relaxed` lets the path cross locked doors and
    objects at a prohibitive cost, to find out what stands in the way of an unreachable target.
    `accept` filters targets as they are reached, for tests too costly to run on every target.
    Dijkstra over (cell, direction); ties go to the state queued first, forward before turns.
    """
    grid = env.grid
    width, height = grid.width, grid.height
    kinds = cell_kinds(env)
    flat = [kinds[i % width][i // width] for i in range(width * height)]
    wanted = {int(y) * width + int(x) for x, y in targets}
    verdicts: dict[int, bool] = {}
    ahead = [int(dx) + int(dy) * width for dx, dy in DIR_TO_VEC]
    start = (int(env.agent_pos[1]) * width + int(env.agent_pos[0])) * 4 + int(env.agent_dir)
    best = {start: 0}
    parent: dict[int, tuple[int, int]] = {}  # state -> (previous state, index into _STEPS)
    counter = itertools.count()
    queue = [(0, 0, start)]
    while queue:
        cost, _, state = heapq.heappop(queue)
        if cost > best[state]:
            continue
        cell, d = divmod(state, 4)
        front = cell + ahead[d]
        if front in wanted:
            if accept is not None and front not in verdicts:
                verdicts[front] = accept((front % width, front // width))
            if accept is None or verdicts[front]:
                return _unwind(state, parent, cost, front, width)
        moves = [(cell * 4 + (d - 1) % 4, 1, _LEFT), (cell * 4 + (d + 1) % 4, 1, _RIGHT)]
        x, y = cell % width, cell // width
        if 0 < x < width - 1 and 0 < y < height - 1:  # never true of the walls around the grid
            kind = flat[front]
            if kind == FREE:
                moves.insert(0, (front * 4 + d, 1, _FORWARD))
            elif kind == CLOSED:
                moves.insert(0, (front * 4 + d, 2, _OPEN_AND_FORWARD))
            elif relaxed and kind in (LOCKED, OBJECT):
                moves.insert(0, (front * 4 + d, DETOUR_OBJECT if kind == OBJECT else DETOUR_LOCKED, _FORWARD))
        for nxt, step_cost, step in moves:
            new_cost = cost + step_cost
            if new_cost < best.get(nxt, new_cost + 1):
                best[nxt] = new_cost
                parent[nxt] = (state, step)
                heapq.heappush(queue, (new_cost, next(counter), nxt))
    return None


_LEFT, _RIGHT, _FORWARD, _OPEN_AND_FORWARD = range(4)
_STEPS = ([Actions.left], [Actions.right], [Actions.forward], [Actions.toggle, Actions.forward])


def _unwind(state: int, parent: dict[int, tuple[int, int]], cost: int, goal: int, width: int) -> Route:
    actions: list[Actions] = []
    cells: list[tuple[int, int]] = []
    while state in parent:
        previous, step = parent[state]
        actions[:0] = _STEPS[step]
        if step >= _FORWARD:
            cell = state // 4
            cells.insert(0, (cell % width, cell // width))
        state = previous
    return Route(actions, cost, (goal % width, goal // width), cells)


def obstacle(env, targets: set[tuple[int, int]]) -> WorldObj | None:
    """The first locked door or object on the cheapest relaxed path to `targets` (None if none)."""
    relaxed = route(env, targets, relaxed=True)
    if relaxed is None:
        return None
    for x, y in relaxed.cells:
        obj = env.grid.get(x, y)
        if obj is not None and (obj.type != "door" or obj.is_locked):
            return obj
    return None


def unreachable(env, what: str, targets: set[tuple[int, int]]) -> Refused:
    blocker = obstacle(env, targets)
    if blocker is None:
        return Refused(f"no reachable {what}")
    if blocker.type == "door":
        return Refused(f"no reachable {what}: the locked {name_of(blocker)} is in the way")
    return Refused(f"no reachable {what}: the {name_of(blocker)} is in the way")


class Passages:
    """Which cells an object can be put on without blocking anything the agent can reach now.

    Reachable means through empty cells and doors (locked ones too: a key can open them later).
    A cell blocks nothing when, with an object on it, every other reachable cell stays reachable
    and every object the agent can get next to stays so.
    """

    def __init__(self, env) -> None:
        self.kinds = cell_kinds(env)
        self.agent = (int(env.agent_pos[0]), int(env.agent_pos[1]))
        self.doors = {pos for pos, obj in _grid_objects(env) if obj.type == "door"}
        self.region, self.touched = self._reach(None)

    def _reach(self, blocked: tuple[int, int] | None) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        kinds = self.kinds
        start = self.agent
        if blocked == self.agent:  # the agent will have stepped off to put something on its own cell
            x, y = self.agent
            start = next((c for c in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)) if c in self.region), None)
            if start is None:
                return set(), set()
        region, touched, todo = {start}, set(), [start]
        while todo:
            x, y = todo.pop()
            for cell in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if cell in region or cell == blocked:
                    continue
                kind = kinds[cell[0]][cell[1]]
                if kind == OBJECT:
                    touched.add(cell)
                elif kind != WALL:
                    region.add(cell)
                    todo.append(cell)
        return region, touched

    def blocks_nothing(self, cell: tuple[int, int]) -> bool:
        region, touched = self._reach(cell)
        return len(region) == len(self.region) - 1 and touched >= self.touched

    def cuts_off_no_cell(self, cell: tuple[int, int]) -> bool:
        """Weaker: some object may become unreachable, but no cell does."""
        return len(self._reach(cell)[0]) == len(self.region) - 1

    def beside_door(self, cell: tuple[int, int]) -> bool:
        x, y = cell
        return any(c in self.doors for c in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)))

    def tests(self) -> list[Callable[[tuple[int, int]], bool]]:
        """Ever weaker demands on where to put an object down, the first one met wins."""
        return [
            lambda cell: not self.beside_door(cell) and self.blocks_nothing(cell),
            self.blocks_nothing,
            lambda cell: not self.beside_door(cell) and self.cuts_off_no_cell(cell),
            self.cuts_off_no_cell,
        ]


def put_down_route(env, cells: set[tuple[int, int]]) -> Route | None:
    """The way to the nearest of `cells` where an object blocks the least (see `Passages`)."""
    if not cells:
        return None
    for test in Passages(env).tests():
        found = route(env, cells, accept=test)
        if found is not None:
            return found
    return route(env, cells)


def drop_route(env) -> Route | None:
    """Where "drop" puts the carried object: see `put_down_route`."""
    return put_down_route(env, _empty_cells(env))


def resolve(env, ref: Ref) -> list[WorldObj]:
    """The objects a reference names (several when the number is left out); refuse if none."""
    same = [obj for obj in named_objects(env) if obj.color == ref.color and obj.type == ref.kind]
    if not same:
        raise Refused(f"there is no {ref.color} {ref.kind} in this level")
    if ref.number is None:
        return same
    chosen = [obj for obj in same if name_of(obj) == str(ref)]
    if not chosen and len(same) == 1 and ref.number == 1:
        return same
    if not chosen:
        names = ", ".join(name_of(obj) for obj in same)
        raise Refused(f"there is no {ref}; there are: {names}")
    return chosen


def plan_skill(env, skill: Skill) -> Plan:
    """The primitive actions for `skill` in `env`'s current state; raises `Refused` with the reason."""
    if skill.verb == "drop":
        return _plan_drop(env, skill.target)
    if skill.verb == "put":
        return _plan_put(env, skill.target, skill.other)
    assert skill.target is not None
    objs = resolve(env, skill.target)
    what = _what(skill.target, objs)
    if skill.verb == "go to":
        return _plan_goto(env, objs, what)
    if skill.verb == "pick up":
        return _plan_pickup(env, objs, what)
    return _plan_door(env, objs, what, opening=skill.verb == "open")


def _what(ref: Ref, objs: list[WorldObj]) -> str:
    return name_of(objs[0]) if len(objs) == 1 else f"{ref.color} {ref.kind}"


def on_grid(env, objs: list[WorldObj]) -> dict[tuple[int, int], WorldObj]:
    """Where each of `objs` lies on the grid (carried ones are left out)."""
    wanted = {id(obj) for obj in objs}
    return {pos: obj for pos, obj in _grid_objects(env) if id(obj) in wanted}


def _go(env, objs: list[WorldObj], what: str) -> tuple[Route, WorldObj]:
    where = on_grid(env, objs)
    if not where:
        raise Refused(f"you are carrying the {what}")
    found = route(env, set(where))
    if found is None:
        raise unreachable(env, what, set(where))
    return found, where[found.goal]


def _doors_on(env, found: Route) -> list[str]:
    # a toggle followed by forward on the route opens the door entered by that forward
    opened = []
    cells = iter(found.cells)
    for i, action in enumerate(found.actions):
        if action == Actions.forward:
            cell = next(cells)
            if i and found.actions[i - 1] == Actions.toggle:
                opened.append(name_of(env.grid.get(*cell)))
    return opened


def _plan_goto(env, objs: list[WorldObj], what: str) -> Plan:
    found, obj = _go(env, objs, what)
    name = name_of(obj)
    if not found.actions:
        return Plan([Actions.done], f"You already face the {name}.", obj, needs_progress=True)
    return Plan(found.actions, f"You went to the {name} and face it.", obj, doors_opened=_doors_on(env, found))


def _plan_pickup(env, objs: list[WorldObj], what: str) -> Plan:
    if objs[0].type == "door":
        raise Refused("doors cannot be picked up")
    if env.carrying is not None:
        if env.carrying in objs:
            raise Refused(f"you already carry the {name_of(env.carrying)}")
        raise Refused(f"hands full: drop the {name_of(env.carrying)} first")
    found, obj = _go(env, objs, what)
    message = f"You picked up the {name_of(obj)}."
    return Plan([*found.actions, Actions.pickup], message, obj, doors_opened=_doors_on(env, found))


def _plan_door(env, objs: list[WorldObj], what: str, opening: bool) -> Plan:
    if objs[0].type != "door":
        raise Refused(f"only doors can be {'opened' if opening else 'closed'} with this skill")
    key = env.carrying if env.carrying is not None and env.carrying.type == "key" else None
    usable = [door for door in objs if door.is_open != opening]
    if not usable:
        state = "open" if opening else "closed"
        raise Refused(f"the {what} is already {state}" if len(objs) == 1 else f"every {what} is already {state}")
    if opening:
        usable_now = [door for door in usable if not door.is_locked or (key is not None and key.color == door.color)]
        if not usable_now:
            door = usable[0]
            raise Refused(f"the {name_of(door)} is locked and you carry no {door.color} key")
        usable = usable_now
    found, door = _go(env, usable, what)
    verb = "unlocked and opened" if opening and door.is_locked else "opened" if opening else "closed"
    message = f"You {verb} the {name_of(door)}."
    return Plan([*found.actions, Actions.toggle], message, door, doors_opened=_doors_on(env, found))


def _plan_drop(env, ref: Ref | None) -> Plan:
    held = env.carrying
    if held is None:
        raise Refused("you carry nothing to drop")
    if ref is not None and held not in resolve(env, ref):
        raise Refused(f"you carry the {name_of(held)}, not the {ref}")
    found = drop_route(env)
    if found is None:
        raise Refused(f"there is no free cell to put the {name_of(held)} on")
    where = "in front of you" if not found.actions else "on a free cell nearby"
    return Plan([*found.actions, Actions.drop], f"You put the {name_of(held)} down {where}.", held, False)


def _empty_cells(env) -> set[tuple[int, int]]:
    kinds = cell_kinds(env)
    doors = {pos for pos, obj in _grid_objects(env) if obj.type == "door"}
    cells = ((x, y) for x in range(len(kinds)) for y in range(len(kinds[0])))
    return {cell for cell in cells if kinds[cell[0]][cell[1]] == FREE and cell not in doors}


def _plan_put(env, move: Ref | None, fixed: Ref | None) -> Plan:
    assert move is not None and fixed is not None
    held = env.carrying
    moving = resolve(env, move)
    if held is None or held not in moving:
        raise Refused(f"you are not carrying the {_what(move, moving)}: pick it up first")
    anchors = [obj for obj in resolve(env, fixed) if obj is not held]
    if not anchors:
        raise Refused(f"you cannot put the {name_of(held)} next to itself")
    found = put_route(env, anchors)
    if found is None:
        raise Refused(f"no free cell next to the {_what(fixed, anchors)} can be reached")
    way, anchor = found
    return Plan(
        [*way.actions, Actions.drop],
        f"You put the {name_of(held)} next to the {name_of(anchor)}.",
        held,
        False,
        _doors_on(env, way),
    )


def put_spots(env, anchors: list[WorldObj]) -> dict[tuple[int, int], WorldObj]:
    """Free cells beside (not diagonal to) any of `anchors`, each with the anchor it touches."""
    empty = _empty_cells(env)
    spots: dict[tuple[int, int], WorldObj] = {}
    for (x, y), anchor in on_grid(env, anchors).items():
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            if (x + dx, y + dy) in empty:
                spots.setdefault((x + dx, y + dy), anchor)
    return spots


def put_route(env, anchors: list[WorldObj]) -> tuple[Route, WorldObj] | None:
    """How to face a free cell beside one of `anchors`, preferring cells out of the way (`put_down_route`)."""
    spots = put_spots(env, anchors)
    found = put_down_route(env, set(spots))
    return (found, spots[found.goal]) if found is not None else None
