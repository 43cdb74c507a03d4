"""Capability subsets of EB-Navigation-style scenes and their frozen episode sets.

Each subset generates scenes that isolate one capability, as EB-Navigation's do:

- `base`: one room, three or four objects of different kinds; "Navigate to the red box."
- `common_sense`: the target is named by its use ("something to sit on") among other objects.
- `complex_instruction`: the target is named by its relation to another object ("the box
  closest to the blue ball"), with a look-alike of the target elsewhere.
- `visual_appearance`: three or four objects of one kind in different colours; only the colour
  tells the target apart.
- `long_horizon`: two rooms joined by a doorway; the target is in the other room, out of view at
  the start.

A scene is kept only if the expert (`planner`, on the simulator's own collision test) reaches the
target within `MAX_PLAN` actions, so every frozen episode can be solved inside EB-Navigation's 20
steps; the plan's length is stored with it. Regenerate with
`python -m mmgym.envs.miniworld.episodes [subset ...]`; `--check` replays the committed sets
through the env instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mmgym.envs.miniworld.frozen import (
    FINGERPRINTS,
    SETS,
    SUBSETS,
    Episode,
    EpisodeSet,
    check_subset,
    load_subset,
)
from mmgym.envs.miniworld.scene import GRID, Doorway, Room, Scene, Thing
from mmgym.envs.miniworld.things import COLOURED, COLOURS, KINDS
from mmgym.envs.miniworld.view import in_view

SET_SEED = 2025
EPISODES_PER_SUBSET = 50
MAX_PLAN = 16  # actions; leaves 4 of EB-Navigation's 20 steps for mistakes
MIN_START_DISTANCE = 1.75  # metres from the agent to the target at the start: never reached by standing still
CLEARANCE = 0.2  # metres kept free between objects, and between objects and walls
AGENT_RADIUS = 0.4


# ---- generation ----------------------------------------------------------------------------
class Draw:
    """Random choices for one scene."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def pick(self, options: tuple[Any, ...] | list[Any], count: int | None = None) -> Any:
        if count is None:
            return options[int(self.rng.integers(len(options)))]
        return [options[i] for i in self.rng.choice(len(options), size=count, replace=False)]

    def room(
        self, x0: float = 0.0, sizes: tuple[float, ...] = (4.0, 4.5, 5.0, 5.5, 6.0), depth: float | None = None
    ) -> Room:
        width = float(self.pick(sizes))
        return Room(x0=x0, x1=x0 + width, z0=0.0, z1=depth if depth is not None else float(self.pick(sizes)))

    def agent(self, room: Room) -> tuple[float, float, int]:
        xs = np.arange(room.x0 + 0.5, room.x1 - 0.5 + 1e-9, GRID)
        zs = np.arange(room.z0 + 0.5, room.z1 - 0.5 + 1e-9, GRID)
        return float(self.pick(list(xs))), float(self.pick(list(zs))), 90 * int(self.rng.integers(4))

    def place(self, kind: str, colour: str | None, room: Room, taken: list[tuple[float, float, float]]) -> Thing | None:
        """A thing somewhere free in `room`, clear of `taken` (x, z, radius) circles; None if no room is left."""
        radius = KINDS[kind].radius
        margin = radius + CLEARANCE
        for _ in range(200):
            x = float(self.rng.uniform(room.x0 + margin, room.x1 - margin))
            z = float(self.rng.uniform(room.z0 + margin, room.z1 - margin))
            if all(np.hypot(x - tx, z - tz) >= radius + tr + CLEARANCE for tx, tz, tr in taken):
                taken.append((x, z, radius))
                return Thing(
                    kind=kind, colour=colour, x=round(x, 2), z=round(z, 2), heading=float(self.rng.integers(360))
                )
        return None

    def colour(self) -> str:
        return self.pick(COLOURS)


def _single_room(draw: Draw, things: list[tuple[str, str | None]], target: int, instruction: str) -> Scene | None:
    room = draw.room()
    x, z, heading = draw.agent(room)
    taken = [(x, z, AGENT_RADIUS + 0.1)]
    placed = [draw.place(kind, colour, room, taken) for kind, colour in things]
    if any(thing is None for thing in placed):
        return None
    return Scene(rooms=(room,), things=tuple(placed), agent_x=x, agent_z=z, agent_heading=heading, target=target,
                 instruction=instruction)  # fmt: skip


def _distinct_kinds(draw: Draw, count: int, kinds: tuple[str, ...] = tuple(KINDS)) -> list[tuple[str, str | None]]:
    return [(kind, draw.colour() if KINDS[kind].coloured else None) for kind in draw.pick(kinds, count)]


def base(draw: Draw) -> Scene | None:
    things = _distinct_kinds(draw, int(draw.rng.integers(3, 5)))
    target = int(draw.rng.integers(len(things)))
    kind, colour = things[target]
    return _single_room(draw, things, target, f"Navigate to the {Thing(kind=kind, colour=colour, x=0, z=0).label}.")


def common_sense(draw: Draw) -> Scene | None:
    things = _distinct_kinds(draw, int(draw.rng.integers(3, 5)))
    target = int(draw.rng.integers(len(things)))
    return _single_room(draw, things, target, f"Navigate to {KINDS[things[target][0]].use}.")


def visual_appearance(draw: Draw) -> Scene | None:
    kind = draw.pick(COLOURED)
    colours = draw.pick(COLOURS, int(draw.rng.integers(3, 5)))
    target = int(draw.rng.integers(len(colours)))
    return _single_room(draw, [(kind, c) for c in colours], target, f"Navigate to the {colours[target]} {kind}.")


def complex_instruction(draw: Draw) -> Scene | None:
    """Two look-alikes, one near an anchor object and one far from it; the target is named by that relation."""
    kind = draw.pick(COLOURED)
    colour = draw.colour()
    anchor_kind = draw.pick(tuple(k for k in KINDS if k != kind))
    anchor = (anchor_kind, draw.colour() if KINDS[anchor_kind].coloured else None)
    scene = _single_room(draw, [anchor, (kind, colour), (kind, colour)], 1, "")
    if scene is None:
        return None
    anchor_thing, first, second = scene.things
    near = [np.hypot(t.x - anchor_thing.x, t.z - anchor_thing.z) for t in (first, second)]
    if abs(near[0] - near[1]) < 1.5:  # the relation must be plain to see
        return None
    closest = 1 + int(np.argmin(near))
    closest_wanted = bool(draw.rng.integers(2))
    target = closest if closest_wanted else 3 - closest
    relation = "closest to" if closest_wanted else "farthest from"
    instruction = f"Navigate to the {kind} {relation} the {anchor_thing.label}."
    return scene.model_copy(update={"target": target, "instruction": instruction})


def long_horizon(draw: Draw) -> Scene | None:
    depth = float(draw.pick((3.0, 3.5, 4.0)))
    first = draw.room(sizes=(3.0, 3.5, 4.0), depth=depth)
    second = draw.room(x0=first.x1, sizes=(3.0, 3.5, 4.0), depth=depth)
    centre = float(draw.rng.uniform(1.0, depth - 1.0))
    doorway = Doorway(rooms=(0, 1), low=round(centre - 0.75, 2), high=round(centre + 0.75, 2))
    x, z, heading = draw.agent(first)
    taken = [(x, z, AGENT_RADIUS + 0.1), (first.x1, centre, 1.0)]  # keep the doorway clear
    kinds = _distinct_kinds(draw, int(draw.rng.integers(3, 5)))
    rooms = [second] + [draw.pick((first, second)) for _ in kinds[1:]]
    placed = [draw.place(kind, colour, room, taken) for (kind, colour), room in zip(kinds, rooms, strict=True)]
    if any(thing is None for thing in placed):
        return None
    label = placed[0].label
    return Scene(rooms=(first, second), doorways=(doorway,), things=tuple(placed), agent_x=x, agent_z=z,
                 agent_heading=heading, target=0, instruction=f"Navigate to the {label}.")  # fmt: skip


GENERATORS: dict[str, Callable[[Draw], Scene | None]] = {
    "base": base,
    "common_sense": common_sense,
    "complex_instruction": complex_instruction,
    "visual_appearance": visual_appearance,
    "long_horizon": long_horizon,
}


@FINGERPRINTS.unchecked()  # after an upgrade, the scenes drawn may be the frozen ones, changed
def generate(subset: str, count: int = EPISODES_PER_SUBSET, seed: int = SET_SEED, env: Any = None) -> EpisodeSet:
    """`count` solvable scenes of a subset; `env` (an `EBNavEnv`) checks them on the simulator."""
    from mmgym.envs.miniworld.env import EBNavEnv

    env = env or EBNavEnv(image_size=32, observe_image=False)
    episodes: list[Episode] = []
    draw = Draw(np.random.default_rng([seed, list(SUBSETS).index(check_subset(subset))]))
    attempts = 0
    while len(episodes) < count:
        attempts += 1
        if attempts > 100 * count:
            raise RuntimeError(f"could not generate {count} {subset} scenes in {attempts} attempts")
        scene = GENERATORS[subset](draw)
        if scene is None or _start_distance(scene) < MIN_START_DISTANCE:
            continue
        if subset == "long_horizon" and _target_visible(scene):
            continue
        env.reset(options={"scene": scene})
        plan = env.expert_plan()
        if plan and len(plan) <= MAX_PLAN:
            episodes.append(Episode(len(episodes), len(plan), scene))
    return EpisodeSet(subset, tuple(episodes))


def _start_distance(scene: Scene) -> float:
    target = scene.target_thing
    return float(np.hypot(target.x - scene.agent_x, target.z - scene.agent_z))


def _target_visible(scene: Scene) -> bool:
    room = scene.rooms[0]
    walls = [((room.x1, room.z0), (room.x1, door.low)) for door in scene.doorways]
    walls += [((room.x1, door.high), (room.x1, room.z1)) for door in scene.doorways]
    seen = in_view(scene.agent_x, scene.agent_z, scene.agent_heading, scene.things, walls)
    return any(thing == scene.target_thing for thing, _, _ in seen)


# ---- the frozen sets -----------------------------------------------------------------------
def save(episode_set: EpisodeSet, path: Path | None = None) -> Path:
    return SETS.save(episode_set, SET_SEED, path)


def main(argv: list[str]) -> None:
    check = "--check" in argv
    subsets = [a for a in argv if not a.startswith("--")] or list(SUBSETS)
    from mmgym.envs.miniworld.env import EBNavEnv

    env = EBNavEnv(image_size=32, observe_image=False)
    for subset in subsets:
        if check:
            for episode in load_subset(subset).episodes:
                env.reset(options={"scene": episode.scene})
                plan = env.expert_plan()
                if len(plan) != episode.plan_length:
                    raise SystemExit(f"{subset} {episode.index}: plan of {len(plan)}, stored {episode.plan_length}")
            print(f"{subset}: {len(load_subset(subset).episodes)} episodes replay")
        else:
            episode_set = generate(subset, env=env)
            lengths = [e.plan_length for e in episode_set.episodes]
            print(
                f"{subset}: {len(lengths)} episodes, expert plans of {min(lengths)}-{max(lengths)} actions"
                f" -> {save(episode_set)}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
