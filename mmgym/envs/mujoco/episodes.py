"""Capability subsets of EB-Manipulation-style tabletop scenes and their frozen episode sets.

Every subset mixes the four tasks in turn (pick and place, stack, sort, push); what changes is
how the instruction names things, as in EB-Manipulation's subsets:

- `base`: by colour and shape ("the red cube"), among two or three other objects.
- `common_sense`: by what the colour and shape look like ("the object shaped like a tin can,
  the colour of a banana").
- `complex_instruction`: long, indirect requests; the object is named by its relation to another
  ("the cube nearest the blue cylinder"), with a look-alike of it elsewhere.
- `spatial`: two identical objects; only their place tells them apart ("the red cube on the left").
- `visual_appearance`: distractors share the target's colour or its shape; only both tell it apart.

A scene is kept only if its layout is sound: every object and fixture within the arm's reach,
objects far enough apart for open fingers, a clear path for a push. Scenes are not filtered by
whether the expert succeeds: the expert's success rate on the frozen sets is measured, not made.
Regenerate with `python -m mmgym.envs.mujoco.episodes [subset ...]`; `--check` regenerates in
memory and compares with the committed sets.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from mmgym.envs.mujoco.frozen import FINGERPRINTS, SETS, SUBSETS, TASKS, Episode, EpisodeSet, check_subset, load_subset
from mmgym.envs.mujoco.scene import Fixture, Goal, Scene, Thing
from mmgym.envs.mujoco.things import COLOURS, COMMON_SENSE_COLOURS, POOL_PER_SHAPE, SHAPES

SET_SEED = 2026
EPISODES_PER_SUBSET = 50
AREA = ((-0.2, 0.2), (-0.15, 0.17))  # metres: where things and fixtures are placed
THING_GAP = 0.1  # metres between object centres (open fingers reach 5.7 cm to each side)
FIXTURE_GAP = 0.15  # metres between a container or region centre and anything else
SIDE_GAP = 0.08  # metres: how much farther left (or nearer) one twin must be than the other
STACKABLE = ("cube", "cylinder")  # a triangle's footprint is too small to stack on or with


class Draw:
    """Random choices for one scene."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def pick(self, options: Any, count: int | None = None) -> Any:
        options = list(options)
        if count is None:
            return options[int(self.rng.integers(len(options)))]
        return [options[i] for i in self.rng.choice(len(options), size=count, replace=False)]

    def yaw(self) -> float:
        return float(3 * self.rng.integers(0, 120))


class Layout:
    """Places on the table, drawn one by one away from what is already there."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.things: list[tuple[float, float]] = []
        self.fixtures: list[tuple[float, float]] = []

    def place(self, fixture: bool = False) -> tuple[float, float] | None:
        for _ in range(200):
            x = float(self.draw.rng.uniform(*AREA[0]))
            y = float(self.draw.rng.uniform(*AREA[1]))
            gap = FIXTURE_GAP if fixture else THING_GAP
            if all(math.dist((x, y), p) >= gap for p in self.things) and all(
                math.dist((x, y), p) >= FIXTURE_GAP for p in self.fixtures
            ):
                (self.fixtures if fixture else self.things).append((round(x, 3), round(y, 3)))
                return self.fixtures[-1] if fixture else self.things[-1]
        return None


# ---- the objects of a task, before naming ---------------------------------------------------
def _objects(draw: Draw, subset: str, task: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[Goal]]:
    """(shape, colour) of the things, (kind, colour) of the fixtures, and the goals."""
    colours = list(COLOURS)
    shapes = list(SHAPES) if task != "stack" else list(STACKABLE)
    if task == "stack":
        count = 3 if draw.rng.random() < 0.4 else 2
        things = [(draw.pick(STACKABLE), colour) for colour in draw.pick(colours, count)]
        goals = [Goal(relation="on", thing=i + 1, target=i) for i in range(count - 1)]
        fixtures: list[tuple[str, str]] = []
    elif task == "sort":
        by_colour = draw.rng.random() < 0.5
        kinds = draw.pick(shapes, 2)
        tints = draw.pick(colours, 2)
        things = [(kinds[0], tints[0]), (kinds[1], tints[1])]
        first = tints[0] if by_colour else draw.pick(colours)
        second = tints[1] if by_colour else draw.pick([c for c in colours if c != first])
        fixtures = [("container", first), ("container", second)]
        goals = [Goal(relation="inside", thing=0, target=0), Goal(relation="inside", thing=1, target=1)]
    else:
        things = [(draw.pick(("cube", "cylinder") if task == "push" else shapes), draw.pick(colours))]
        kind = "region" if task == "push" else "container"
        fixtures = [(kind, draw.pick([c for c in colours if c != things[0][1]]))]
        goals = [Goal(relation="in_region" if task == "push" else "inside", thing=0, target=0)]
    target = things[goals[0].thing]
    if subset == "visual_appearance":  # look-alikes sharing the target's colour or its shape
        room = min(2, POOL_PER_SHAPE - sum(shape == target[0] for shape, _ in things))
        taken = {colour for _, colour in things}
        things += [(target[0], c) for c in draw.pick([c for c in colours if c not in taken], room)]
        things += [(s, target[1]) for s in draw.pick([s for s in SHAPES if s != target[0]], 1)]
    elif subset in ("spatial", "complex_instruction"):  # a twin of the target
        things.append(target)
    extra = 1 if subset in ("spatial", "complex_instruction", "visual_appearance") else int(draw.rng.integers(1, 3))
    taken = set(things)
    for _ in range(extra):
        options = [(s, c) for s in SHAPES for c in colours if (s, c) not in taken and c != target[1] and s != target[0]]
        things.append(draw.pick(options))
        taken.add(things[-1])
    return things, fixtures, goals


# ---- naming ---------------------------------------------------------------------------------
def _common_sense(things: list[Thing], index: int) -> str:
    thing = things[index]
    shape = f"shaped like {SHAPES[thing.shape].looks_like}"
    colour = COMMON_SENSE_COLOURS[thing.colour]
    if sum(t.shape == thing.shape for t in things) == 1:
        return f"the object {shape}"
    if sum(t.colour == thing.colour for t in things) == 1:
        return f"the object that is {colour}"
    return f"the object {shape} that is {colour}"


def _twin(things: list[Thing], index: int) -> int | None:
    return next((i for i, t in enumerate(things) if i != index and t.label == things[index].label), None)


def _spatial(things: list[Thing], index: int) -> str | None:
    thing, twin = things[index], things[_twin(things, index)]
    if abs(thing.x - twin.x) >= SIDE_GAP:
        return f"the {thing.label} on the {'left' if thing.x < twin.x else 'right'}"
    if abs(thing.y - twin.y) >= SIDE_GAP:
        return f"the {thing.label} {'nearer to' if thing.y < twin.y else 'farther from'} the camera"
    return None


def _relational(things: list[Thing], index: int) -> str | None:
    """`the red cube nearest the blue cylinder`, when exactly one of the look-alikes is clearly nearest."""
    thing, twin = things[index], things[_twin(things, index)]
    for anchor in things:
        if anchor.label == thing.label:
            continue
        near, far = (math.dist((a.x, a.y), (anchor.x, anchor.y)) for a in (thing, twin))
        if far - near >= SIDE_GAP:
            return f"the {thing.label} nearest the {anchor.label}"
    return None


def _name(subset: str, things: list[Thing], index: int) -> str | None:
    if subset == "common_sense":
        return _common_sense(things, index)
    if _twin(things, index) is not None:
        return _spatial(things, index) if subset == "spatial" else _relational(things, index)
    return f"the {things[index].label}"


def _fixture_name(subset: str, fixture: Fixture) -> str:
    if subset == "common_sense":
        return f"the {fixture.kind} that is {COMMON_SENSE_COLOURS[fixture.colour]}"
    return f"the {fixture.label}"


def _instruction(subset: str, task: str, things: list[Thing], fixtures: list[Fixture], goals: list[Goal]) -> str | None:
    names = {}
    for goal in goals:
        for index in (goal.thing, goal.target) if goal.relation == "on" else (goal.thing,):
            names[index] = _name(subset, things, index)
    if None in names.values():
        return None
    a = names[goals[0].thing]
    places = [_fixture_name(subset, f) for f in fixtures]
    wordy = subset == "complex_instruction"
    if task == "pick_place":
        if wordy:
            return (
                f"I am tidying the table and want everything else left where it is. Find {a}, lift it "
                f"carefully, and set it down inside {places[0]}."
            )
        return f"Pick up {a} and place it into {places[0]}."
    if task == "push":
        if wordy:
            return f"Without lifting it, slide {a} across the table until it rests inside {places[0]}."
        return f"Push {a} into {places[0]}."
    if task == "sort":
        b = names[goals[1].thing]
        if wordy:
            return (
                f"The two containers are for sorting. {a[0].upper() + a[1:]} belongs in {places[0]}, while "
                f"{b} belongs in {places[1]}; put each where it belongs."
            )
        return f"Put {a} into {places[0]} and {b} into {places[1]}."
    base = names[goals[0].target]
    tower = f"Stack {a} on top of {base}"
    if len(goals) > 1:
        tower += f", then {names[goals[1].thing]} on top of {a}"
    if wordy:
        return f"Build a small tower: {base} stays where it is as the base. {tower}."
    return f"{tower}."


# ---- scenes ---------------------------------------------------------------------------------
def make_scene(draw: Draw, subset: str, task: str) -> Scene | None:
    """A scene of `task` for `subset`, or None when this draw does not give a sound one."""
    kinds, fixture_kinds, goals = _objects(draw, subset, task)
    layout = Layout(draw)
    fixtures = []
    for kind, colour in fixture_kinds:
        spot = layout.place(fixture=True)
        if spot is None:
            return None
        fixtures.append(Fixture(kind=kind, colour=colour, x=spot[0], y=spot[1]))
    things = []
    for shape, colour in kinds:
        spot = layout.place()
        if spot is None:
            return None
        things.append(Thing(shape=shape, colour=colour, x=spot[0], y=spot[1], yaw=draw.yaw()))
    if task == "push" and not _clear_push(things, fixtures[0]):
        return None
    instruction = _instruction(subset, task, things, fixtures, goals)
    if instruction is None:
        return None
    return Scene(task=task, instruction=instruction, things=tuple(things), fixtures=tuple(fixtures), goals=tuple(goals))


def _clear_push(things: list[Thing], region: Fixture) -> bool:
    """The pushed object's path, from behind it to the region, keeps clear of every other object."""
    start = np.array([things[0].x, things[0].y])
    end = np.array([region.x, region.y])
    direction = (end - start) / np.linalg.norm(end - start)
    behind = start - 0.06 * direction
    if not (
        AREA[0][0] - 0.05 <= behind[0] <= AREA[0][1] + 0.05 and AREA[1][0] - 0.05 <= behind[1] <= AREA[1][1] + 0.05
    ):
        return False
    for other in things[1:]:
        point = np.array([other.x, other.y])
        along = float(np.clip(np.dot(point - behind, direction), 0.0, np.linalg.norm(end - behind)))
        if np.linalg.norm(point - (behind + along * direction)) < 0.08:
            return False
    return True


@FINGERPRINTS.unchecked()  # after an upgrade, the scenes drawn may be the frozen ones, changed
def generate(subset: str, count: int = EPISODES_PER_SUBSET, seed: int = SET_SEED, env: Any = None) -> EpisodeSet:
    """`count` scenes of a subset, the four tasks in turn; `env` (an `EBManipEnv`) gives each its expert plan."""
    from mmgym.envs.mujoco.env import EBManipEnv

    env = env or EBManipEnv(image_size=32, render_size=32, observe_image=False)
    draw = Draw(np.random.default_rng([seed, list(SUBSETS).index(check_subset(subset))]))
    episodes: list[Episode] = []
    for index in range(count):
        task = TASKS[index % len(TASKS)]
        for _ in range(1000):
            scene = make_scene(draw, subset, task)
            if scene is not None:
                break
        else:
            raise RuntimeError(f"could not lay out a {task} scene for {subset} in 1000 draws")
        env.reset(options={"scene": scene})
        episodes.append(Episode(index, len(env.expert_plan()), scene))
    return EpisodeSet(subset, tuple(episodes))


def main(argv: list[str]) -> None:
    check = "--check" in argv
    subsets = [a for a in argv if not a.startswith("--")] or list(SUBSETS)
    from mmgym.envs.mujoco.env import EBManipEnv

    env = EBManipEnv(image_size=32, render_size=32, observe_image=False)
    for subset in subsets:
        episode_set = generate(subset, env=env)
        if check:
            if episode_set != load_subset(subset):
                raise SystemExit(f"{subset}: the generator no longer gives the committed episodes")
            print(f"{subset}: {len(episode_set.episodes)} episodes regenerate identically")
        else:
            lengths = [e.plan_length for e in episode_set.episodes]
            path = SETS.save(episode_set, SET_SEED)
            print(f"{subset}: {len(lengths)} episodes, expert plans of {min(lengths)}-{max(lengths)} actions -> {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
