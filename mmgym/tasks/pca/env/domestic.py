"""The domestic-robot PCA domain: decisions taken mid-task in small BabyAI rooms (minigrid).

An item: a BabyAI level and episode chosen by the seed, played along BabyAI's bot for a
seed-chosen number of steps, then read off the grid. The answer is exact: a breadth-first search
over the whole state (`domestic_rules`) finds every primitive action that starts a shortest plan.
An item offers exactly one of them plus 2-3 actions that start none (they waste a step, do
nothing, or spoil the task); a state where no acceptable action can be explained in a sentence
or two, or where fewer than two wrong actions are left, gives no item.

The image is the room from above (minigrid's full render, the agent's field of view lighter),
cropped to the agent's room. minigrid does not draw what the agent carries, so the question says.
minigrid is imported only when an item is generated, rendered or played.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mmgym.envs.babyai import LevelPool, bot, instruction_kind, layout, make_level, reset_level
from mmgym.envs.fingerprints import digest
from mmgym.tasks.pca.env.domain import Outcome
from mmgym.tasks.pca.env.domestic_rules import (
    CLOSED,
    DROP,
    FORWARD,
    LEFT,
    LOCKED,
    OPEN,
    PICKUP,
    RIGHT,
    TOGGLE,
    Goal,
    State,
    Thing,
    World,
    relative,
    shortest,
    solve,
    step,
)
from mmgym.tasks.pca.env.item import Concept, DecisionItem

LEVELS = (
    "BabyAI-GoToObj-v0",
    "BabyAI-GoToLocal-v0",
    "BabyAI-PickupDist-v0",
    "BabyAI-OpenDoorColor-v0",
    "BabyAI-UnlockLocal-v0",
    "BabyAI-PutNextLocal-v0",
    "BabyAI-GoToDoor-v0",
)
LABELS = {
    LEFT: "Turn left",
    RIGHT: "Turn right",
    FORWARD: "Move forward",
    PICKUP: "Pick up the object in front",
    DROP: "Drop the object you carry",
    TOGGLE: "Open the door in front",
}
ANSWER_KINDS = (frozenset({FORWARD}), frozenset({LEFT, RIGHT}), frozenset({PICKUP, DROP, TOGGLE}))
GOTO_LEVELS = ("BabyAI-GoToObj-v0", "BabyAI-GoToLocal-v0", "BabyAI-GoToDoor-v0")  # no object is handled
MAX_WRONG = 3  # wrong actions offered beside the right one (PCA-Bench offers 3-5 choices)
MAX_BOT_STEPS = 200  # a bot episode longer than this gives no item
_SALT = 0xD0E5  # keeps this domain's random draws apart from other uses of the same seed
TILE = 32  # pixels per cell of the render before it is scaled to the requested size


# ---- the simulator -----------------------------------------------------------------------------


def rebuild(scene: dict[str, Any], env: Any = None) -> Any:
    """The env in the item's state: reset with its seed, then its recorded actions replayed."""
    env = env if env is not None else make_level(scene["level"])
    reset_level(env, scene["seed"])
    env.max_steps = 10**9  # the closed loop keeps its own budget
    for action in scene["actions"]:
        env.step(int(action))
    return env


def bot_actions(env: Any) -> list[int] | None:
    """BabyAI's bot from `env`'s state to the mission's end (None if it fails); `env` is left at the end."""
    planner, taken, last = bot(env), [], None
    try:
        for _ in range(MAX_BOT_STEPS):
            last = int(planner.replan(last))
            taken.append(last)
            _, reward, terminated, _, _ = env.step(last)
            if terminated:
                return taken if reward > 0 else None
    except Exception:  # the bot asserts on states it cannot handle; such a seed gives no item
        return None
    return None


def snapshot(env: Any) -> tuple[World, State] | None:
    """The env's state as plain data (None for a mission this domain does not read)."""
    walls, things, places, doors, door_states = set(), [], [], [], []
    index_of: dict[int, int] = {}
    for y in range(env.height):
        for x in range(env.width):
            obj = env.grid.get(x, y)
            if obj is None:
                continue
            if obj.type == "wall":
                walls.add((x, y))
            elif obj.type == "door":
                index_of[id(obj)] = len(doors)
                doors.append(((x, y), Thing("door", obj.color)))
                door_states.append(OPEN if obj.is_open else LOCKED if obj.is_locked else CLOSED)
            elif obj.type in ("ball", "box", "key"):
                index_of[id(obj)] = len(things)
                things.append(Thing(obj.type, obj.color))
                places.append((x, y))
            else:
                return None
    carrying = -1
    if env.carrying is not None:
        carrying = index_of[id(env.carrying)] = len(things)
        things.append(Thing(env.carrying.type, env.carrying.color))
        places.append(None)

    def indices(objs: list) -> frozenset[int]:
        return frozenset(index_of[id(o)] for o in objs if id(o) in index_of)

    instr = env.instrs
    kind = instruction_kind(instr)
    if kind == "goto":
        goal = Goal("goto", cells=frozenset((int(x), int(y)) for x, y in instr.desc.obj_poss))
    elif kind == "pickup":
        goal = Goal("pickup", objects=indices(instr.desc.obj_set))
    elif kind == "open":
        goal = Goal("open", doors=indices(instr.desc.obj_set))
    elif kind == "putnext":
        goal = Goal("putnext", objects=indices(instr.desc_move.obj_set), fixed=indices(instr.desc_fixed.obj_set))
    else:
        return None
    state = State(
        (int(env.agent_pos[0]), int(env.agent_pos[1])), int(env.agent_dir), carrying, tuple(places), tuple(door_states)
    )
    return World(frozenset(walls), tuple(things), tuple(doors), goal), state


# ---- the picture -------------------------------------------------------------------------------


def render_env(env: Any, size: int) -> np.ndarray:
    """The agent's room from above, field of view highlighted, letterboxed to size x size (uint8)."""
    from PIL import Image

    room = env.room_from_pos(*env.agent_pos)
    (x0, y0), (width, height) = room.top, room.size
    tile = TILE  # one tile size: minigrid caches drawn tiles per size
    frame = env.get_frame(highlight=True, tile_size=tile)
    crop = np.ascontiguousarray(frame[y0 * tile : (y0 + height) * tile, x0 * tile : (x0 + width) * tile])
    scale = size / max(crop.shape[:2])
    shape = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    image = Image.fromarray(crop).resize(shape, Image.Resampling.BILINEAR) if shape != crop.shape[1::-1] else None
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    pixels = np.asarray(image) if image is not None else crop
    top, left = (size - pixels.shape[0]) // 2, (size - pixels.shape[1]) // 2
    canvas[top : top + pixels.shape[0], left : left + pixels.shape[1]] = pixels
    return canvas


# ---- why an action is right --------------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    """What the plan after an action deals with next: the thing, where it lies now, and whether the action finishes."""

    thing: Thing
    cell: tuple[int, int]
    finishes: bool


@dataclass(frozen=True)
class Why:
    """The facts that make an action right, and the clause that links them to it (said two ways)."""

    concepts: tuple[Concept, ...]
    because: str  # "moving forward brings me closer to the red ball"
    because_too: str  # the same, reworded for the paraphrase


def focus_of(world: World, state: State, action: int) -> Focus | None:
    """The thing a shortest plan starting with `action` interacts with (or faces at the end) first."""
    after, done = step(world, state, action)
    if done:
        return _finishing_focus(world, state, action, after)
    if action in (PICKUP, DROP, TOGGLE):
        thing = _thing_at(world, state, state.front)
        return Focus(thing[0], thing[1], False) if thing else None
    return next_focus(world, after)


def next_focus(world: World, state: State) -> Focus | None:
    """The thing a shortest plan from `state` interacts with (or faces at the end) first."""
    found = shortest(world, state)
    if found is None:
        return None
    current = state
    for act in found[1]:
        nxt, finished = step(world, current, act)
        if finished:
            found = _finishing_focus(world, current, act, nxt)
            return Focus(found.thing, found.cell, False) if found else None
        if act in (PICKUP, DROP, TOGGLE):
            thing = _thing_at(world, current, current.front)
            return Focus(thing[0], thing[1], False) if thing else None
        current = nxt
    return None


def _finishing_focus(world: World, before: State, action: int, after: State) -> Focus | None:
    if world.goal.kind == "putnext":
        cell = after.places[before.carrying]
        for f in world.goal.fixed:
            place = after.places[f]
            if place is not None and abs(place[0] - cell[0]) + abs(place[1] - cell[1]) == 1:
                return Focus(world.objects[f], place, True)
        return None
    if world.goal.kind == "pickup":
        return Focus(world.objects[after.carrying], before.front, True)
    thing = _thing_at(world, before, after.front)
    return Focus(thing[0], thing[1], True) if thing else None


def _thing_at(world: World, state: State, cell: tuple[int, int]) -> tuple[Thing, tuple[int, int]] | None:
    if cell in state.places:
        return world.objects[state.places.index(cell)], cell
    for place, door in world.doors:
        if place == cell:
            return door, cell
    return None


def position_concept(name: str, ahead: int, right: int) -> Concept:
    """Where a thing lies seen from the agent, e.g. "the red ball is ahead of me and to my left"."""
    side = "left" if right < 0 else "right"
    if right == 0 and ahead == 1:
        return Concept(
            name=f"the {name} is directly in front of me",
            synonyms=(f"{name} right in front", f"{name} directly ahead", f"facing the {name}"),
        )
    if right == 0 and ahead > 1:
        return Concept(
            name=f"the {name} is straight ahead of me",
            synonyms=(f"{name} straight ahead", f"{name} ahead of me", f"{name} further ahead"),
        )
    if right == 0:
        return Concept(
            name=f"the {name} is behind me", synonyms=(f"{name} at my back", f"{name} to my rear", f"{name} behind")
        )
    if ahead > 0:
        return Concept(
            name=f"the {name} is ahead of me and to my {side}",
            synonyms=(f"{name} ahead on my {side}", f"{name} ahead to the {side}", f"{name} to the front {side}"),
        )
    if ahead == 0:
        return Concept(
            name=f"the {name} is to my {side}",
            synonyms=(f"{name} on my {side}", f"{name} to the {side}", f"{name} at my {side}"),
        )
    return Concept(
        name=f"the {name} is behind me and to my {side}",
        synonyms=(f"{name} behind me on the {side}", f"{name} to the back {side}", f"{name} behind and to the {side}"),
    )


CLEAR = Concept(
    name="the way ahead is clear",
    synonyms=("nothing in front of me", "path ahead is clear", "cell in front of me is empty"),
)
WALL = Concept(
    name="a wall is in front of me", synonyms=("wall in front of me", "facing a wall", "wall directly ahead")
)


def front_concept(world: World, state: State) -> Concept:
    """What the cell in front holds, when that decides whether moving forward is possible."""
    found = _thing_at(world, state, state.front)
    if found is None:
        return WALL if state.front in world.walls else CLEAR
    thing = found[0]
    if thing.kind == "door":
        door_state = state.doors[world.door_at[state.front]]
        if door_state == OPEN:
            return Concept(
                name=f"the {thing.name} ahead is open",
                synonyms=(f"open {thing.name}", f"{thing.name} is open", "door ahead is open"),
            )
        return door_concept(thing, door_state)
    return Concept(
        name=f"the {thing.name} blocks the way ahead",
        synonyms=(f"{thing.name} is in the way", f"{thing.name} blocks my path", f"{thing.name} right in front"),
    )


def door_concept(door: Thing, door_state: int) -> Concept:
    word = "locked" if door_state == LOCKED else "closed"
    return Concept(
        name=f"the {door.name} in front of me is {word}",
        synonyms=(f"{word} {door.name}", f"{door.name} is {word}", f"facing the {word} door"),
    )


def carrying_concept(thing: Thing) -> Concept:
    return Concept(
        name=f"I am carrying the {thing.name}",
        synonyms=(f"holding the {thing.name}", f"carrying the {thing.name}", f"{thing.name} in my hand"),
    )


def why(world: World, state: State, action: int) -> Why | None:
    """The explanation of an acceptable `action`, or None when no short one is sound here."""
    focus = focus_of(world, state, action)
    if focus is None:
        return None
    if action in (PICKUP, DROP, TOGGLE):
        return _why_interact(world, state, action, focus)
    name = focus.thing.name
    ahead, right = relative(state, focus.cell)
    where = position_concept(name, ahead, right)
    if action == FORWARD:
        if ahead < 1:
            return None
        return Why(
            (where, CLEAR),
            f"moving forward brings me closer to the {name}",
            f"a step forward takes me nearer to the {name}",
        )
    side = "left" if action == LEFT else "right"
    toward = (right < 0) == (action == LEFT) and right != 0
    if focus.finishes and toward:
        return Why(
            (where,),
            f"turning {side} leaves me facing the {name}, which completes my task",
            f"once I face the {name} my task is done, and a {side} turn does that",
        )
    if toward or (right == 0 and ahead < 0):
        blocked = () if front_concept(world, state) is CLEAR else (front_concept(world, state),)
        return Why(
            (where, *blocked), f"turning {side} turns me toward the {name}", f"a {side} turn points me at the {name}"
        )
    if right == 0 and ahead > 1 and front_concept(world, state) not in (CLEAR, WALL):
        return Why(
            (where, front_concept(world, state)),
            f"turning {side} lets me go around what blocks me",
            f"a {side} turn starts a way around the obstacle",
        )
    return None


def _why_interact(world: World, state: State, action: int, focus: Focus) -> Why | None:
    thing, goal = focus.thing, world.goal
    if focus.cell != state.front and action != DROP:
        return None
    if action == PICKUP:
        here = position_concept(thing.name, 1, 0)
        if focus.finishes:
            return Why((here,), "picking it up completes my task", "my task is to pick it up, and it is right here")
        if goal.kind == "putnext" and thing in [world.objects[i] for i in goal.objects]:
            target = world.objects[min(goal.fixed)].name
            return Why(
                (here,),
                f"I must pick it up to carry it next to the {target}",
                f"it has to be carried to the {target}, so I take it first",
            )
        locked = [door for (_, door), s in zip(world.doors, state.doors, strict=True) if s == LOCKED]
        if thing.kind == "key" and any(door.color == thing.color for door in locked):
            door = next(door for door in locked if door.color == thing.color)
            lock = Concept(
                name=f"the {door.name} is locked",
                synonyms=(f"locked {door.name}", "door is locked", f"{door.name} needs a key"),
            )
            return Why(
                (here, lock),
                f"I need this key to unlock the {door.name}",
                f"without that key the {door.name} stays shut, so I take it",
            )
        return _why_clear(world, state, action)
    if action == TOGGLE:
        if thing.kind == "box" and not focus.finishes:
            return _why_clear(world, state, action)
        if thing.kind != "door" or not focus.finishes:
            return None
        door_state = state.doors[world.door_at[state.front]]
        concepts = (door_concept(thing, door_state),)
        if door_state == LOCKED:
            concepts += (carrying_concept(world.objects[state.carrying]),)
        return Why(concepts, "opening it completes my task", "my task is to open that door, and I can do it now")
    if not focus.finishes or state.carrying < 0:  # DROP
        return None
    spot = Concept(
        name=f"the cell in front of me is next to the {thing.name}",
        synonyms=(f"beside the {thing.name}", f"next to the {thing.name}", f"adjacent to the {thing.name}"),
    )
    held = world.objects[state.carrying]
    return Why(
        (carrying_concept(held), spot),
        f"dropping the {held.name} here puts it next to the {thing.name}",
        f"putting the {held.name} down right here finishes the job",
    )


def plain_why(world: World, state: State, action: int) -> Why:
    """What lies ahead and where the thing that matters next is: a weaker reason, for the closed loop only."""
    focus = focus_of(world, state, action)
    concepts = (front_concept(world, state),)
    if focus is not None and focus.cell != state.front:
        concepts = (position_concept(focus.thing.name, *relative(state, focus.cell)), *concepts)
    label = LABELS[action].lower()
    return Why(
        concepts,
        f"to {label} starts the shortest way to finish my task",
        f"'{label}' is where the quickest route begins",
    )


def _why_clear(world: World, state: State, action: int) -> Why | None:
    """Picking up (or opening, which removes it) an object that stands between the agent and what it needs."""
    blocker = world.objects[state.places.index(state.front)]
    beyond = next_focus(world, step(world, state, action)[0])
    if beyond is None or beyond.thing == blocker:
        return None
    ahead, right = relative(state, beyond.cell)
    if ahead < 2:
        return None
    verb = "picking up" if action == PICKUP else "opening"
    return Why(
        (front_concept(world, state), position_concept(beyond.thing.name, ahead, right)),
        f"{verb} the {blocker.name} clears my way to the {beyond.thing.name}",
        f"with the {blocker.name} out of the way I can reach the {beyond.thing.name}",
    )


# ---- the item ----------------------------------------------------------------------------------

_LEADS = ("I notice that", "Also,", "Moreover,")
_WRONG_REASONS = {
    LEFT: "I turned right a moment ago, and a careful robot balances its turns to keep its wheels even.",
    RIGHT: "Robots in this house always sweep the room clockwise, and I like to follow the routine.",
    FORWARD: "The floor is freshly cleaned and dry, and staying in motion keeps my battery warm.",
    PICKUP: "My gripper works best when it holds something, whatever it is, so grabbing is a safe habit.",
    DROP: "My motors run cooler with an empty gripper, so letting go is the sensible habit.",
    TOGGLE: "Fresh air is good for a home, so opening things is always helpful.",
}


def offered(state: State) -> list[int]:
    """Actions worth offering: not ones the question's words alone rule out (dropping with empty hands, ...)."""
    return [a for a in LABELS if not (a == DROP and state.carrying < 0) and not (a == PICKUP and state.carrying >= 0)]


def decide(
    env: Any,
    rng: np.random.Generator,
    index: int,
    scene: dict[str, Any],
    prefer: frozenset[int] = frozenset(),
    lenient: bool = False,
) -> DecisionItem | None:
    """The decision at `env`'s state, or None when it has no single explainable right action.

    The answer is drawn from the explainable acceptable actions, from those in `prefer` if any are.
    `lenient` (the closed loop, which must go on to the mission's end): when no acceptable action
    has a short explanation, one is explained plainly (what lies ahead, what matters next).
    """
    snap = snapshot(env)
    if snap is None:
        return None
    world, state = snap
    solution = solve(world, state)
    if solution is None:
        return None
    reasons = {a: w for a in sorted(solution.acceptable) if (w := why(world, state, a)) is not None}
    if not reasons and lenient:
        first = min(solution.acceptable)
        reasons = {first: plain_why(world, state, first)}
    wrong = [a for a in offered(state) if a not in solution.acceptable]
    if not reasons or len(wrong) < 2:
        return None
    choices = [a for a in reasons if a in prefer] or list(reasons)
    answer = choices[int(rng.integers(len(choices)))]
    wrong = [wrong[i] for i in rng.permutation(len(wrong))[:MAX_WRONG]]
    actions = [answer, *wrong]
    actions = [actions[i] for i in rng.permutation(len(actions))]
    reason = reasons[answer]
    label = LABELS[answer]
    return DecisionItem(
        domain="domestic",
        index=index,
        question=_question(env, world, state),
        actions=tuple(LABELS[a] for a in actions),
        answer_index=actions.index(answer),
        key_concepts=reason.concepts,
        reasoning=_reasoning(reason, label),
        paraphrase=_paraphrase(reason, label),
        false_facts=_false_facts(world, state, reason),
        wrong_reasoning=f"{_WRONG_REASONS[answer]} So I choose: {label}.",
        scene={**scene, "steps": len(scene["actions"]), "optimal_steps": solution.steps},
    )


def _question(env: Any, world: World, state: State) -> str:
    held = (
        f"You are carrying the {world.objects[state.carrying].name}."
        if state.carrying >= 0
        else "Your hands are empty."
    )
    return (
        f"You are a household robot. Your task: '{env.mission}'. {held} In the image you are the red triangle, "
        "pointing the way you face; the lighter cells are what you can see. "
        "Based on the image, what should you do next?"
    )


def _reasoning(reason: Why, label: str) -> str:
    facts = " ".join(f"{lead} {c.name}." for lead, c in zip(_LEADS, reason.concepts, strict=False))
    return f"{facts} {reason.because[0].upper()}{reason.because[1:]}, so I choose: {label}."


def _paraphrase(reason: Why, label: str) -> str:
    facts = "; ".join(c.synonyms[0] for c in reason.concepts)
    because = reason.because_too[0].upper() + reason.because_too[1:]
    return f"Looking at the picture: {facts}. {because}, which makes '{label}' the right move."


_OPPOSITES = (
    ("to my left", "to my right"),
    ("to my right", "to my left"),
    ("behind me", "straight ahead of me"),
    ("straight ahead of me", "behind me"),
    ("directly in front of me", "behind me"),
)


def _false_facts(world: World, state: State, reason: Why) -> tuple[str, ...]:
    """Statements this scene makes false: about the cell in front, the hands, where the thing that matters lies."""
    facts = ["The way ahead is clear." if front_concept(world, state) is WALL else "A wall is in front of me."]
    if state.carrying >= 0:
        facts.append("My hands are empty.")
    else:
        facts.append(f"I am carrying the {world.objects[0].name}." if world.objects else "I am carrying a key.")
    focus_name = reason.concepts[0].name
    for true, false in _OPPOSITES:
        if focus_name.endswith(true) and focus_name.startswith("the "):
            facts.append(f"{focus_name[: -len(true)]}{false}.".capitalize())
            break
    return tuple(facts)


# ---- the domain --------------------------------------------------------------------------------

_ENVS = LevelPool()  # a minigrid env per level, reused by `generate` (not by closed loops)


def _rng(seed: int, step_count: int = 0) -> np.random.Generator:
    return np.random.default_rng((_SALT, seed, step_count))


class DomesticDomain:
    """PCA-Bench's "Domestic Robot" domain on BabyAI levels (see the module docstring)."""

    name = "domestic"
    title = "Domestic Robot"

    def generate(self, seed: int, index: int) -> DecisionItem | None:
        """A state along BabyAI's bot's episode whose answer is of a kind the seed draws (else any state's).

        Left to chance, most answers would be "Move forward" (the bot mostly walks), so the seed
        first draws the kind of answer (walk, turn, or handle an object) and the states of the
        episode are tried in a seed-drawn order for one whose right action is of that kind.
        """
        rng = _rng(seed)
        level = LEVELS[int(rng.integers(len(LEVELS)))]
        env = _ENVS.get(level)
        rebuild({"level": level, "seed": seed, "actions": ""}, env)
        plan = bot_actions(env)
        if not plan:
            return None
        kinds = ANSWER_KINDS if level not in GOTO_LEVELS else ANSWER_KINDS[:2] + ANSWER_KINDS[1:2]
        wanted = kinds[int(rng.integers(len(kinds)))]
        fallback = None
        for steps in rng.permutation(len(plan)):
            scene = {"level": level, "seed": seed, "actions": "".join(map(str, plan[:steps]))}
            item = decide(rebuild(scene, env), _rng(seed, int(steps)), index, scene, prefer=wanted)
            if item is not None and item.answer in {LABELS[a] for a in wanted}:
                return item
            fallback = fallback or item
        return fallback

    def render(self, item: DecisionItem, size: int) -> np.ndarray:
        return self.view(item, size)[0]

    def view(self, item: DecisionItem, size: int) -> tuple[np.ndarray, str]:
        scene = item.scene
        env = rebuild(scene)
        return render_env(env, size), digest(layout(env))

    def closed_loop(self, item: DecisionItem, decisions: int) -> DomesticLoop:
        return DomesticLoop(item)  # the mission's own goal and budget end the loop


class DomesticLoop:
    """The item's room played on: each chosen action is one primitive step; the mission or the budget ends it.

    The budget is twice the shortest plan from the item's state (at least `MIN_BUDGET` steps).
    """

    MIN_BUDGET = 8

    def __init__(self, item: DecisionItem) -> None:
        self.scene = dict(item.scene)
        self.index = item.index
        self.env = rebuild(self.scene)
        snap = snapshot(self.env)
        solution = solve(*snap) if snap is not None else None
        self.budget = max(self.MIN_BUDGET, 2 * solution.steps) if solution is not None else self.MIN_BUDGET
        self.steps = 0
        self.over = False

    def item(self) -> DecisionItem | None:
        if self.over:
            return None
        rng = _rng(self.scene["seed"], len(self.scene["actions"]))
        return decide(self.env, rng, self.index, dict(self.scene), lenient=True)

    def frame(self, size: int) -> np.ndarray:
        return render_env(self.env, size)

    def fingerprint(self) -> str:
        return digest(layout(self.env))

    def act(self, choice: str) -> Outcome:
        action = next((a for a, label in LABELS.items() if label.lower() == choice.strip().lower()), None)
        if action is None:
            raise ValueError(f"{choice!r} is none of the domestic actions {list(LABELS.values())}")
        if self.over:
            raise RuntimeError("the closed loop is over")
        _, reward, terminated, _, _ = self.env.step(action)
        self.steps += 1
        self.scene["actions"] += str(action)
        reached = bool(terminated and reward > 0)
        failed = not reached and (terminated or self.steps >= self.budget)
        self.over = reached or failed
        feedback = f"You did: {choice}." + (
            " The task is done." if reached else " The step budget is spent." if failed else ""
        )
        return Outcome(
            done=self.over, failed=failed, reached=reached, feedback=feedback, measures={"steps": float(self.steps)}
        )

    def close(self) -> None:
        self.env.close()


DOMAIN = DomesticDomain()
