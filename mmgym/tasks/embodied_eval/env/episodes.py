"""The frozen task sets of the four categories, made from mmgym's own scenes, each solved by the expert.

- `navigation`: EB-Navigation's frozen MiniWorld scenes (base, common_sense, complex_instruction,
  long_horizon in turn): "Go to the red box.", met by `near(agent, red box)`; and, two tasks in
  every five, "Go to a spot near both the A and the B.", met by `near(agent, A)` and `near(agent, B)`.
- `attribute_qa`: EB-Navigation's long-horizon scenes: the colour of a box, ball or key in the other
  room, out of view at the start; four colours to answer from. One task in every three also asks
  the agent to go to it: `near(agent, X)` and `answered(colour)`.
- `spatial_qa`: single-room scenes (base, visual_appearance): which of two objects is closer to a
  third, when their distances differ by at least `SPATIAL_MARGIN`; every object but the third is an answer.
- `object_interaction`: BabyAI's PutNextLocal rooms, in turn (`GRID_FORMS`): pick up an object
  (`holding`), put it next to another (`near`), move it more than 2 cells closer to another
  (`closer`) or more than 1 further away (`further`), and three two-part tasks: put X next to Y
  then pick up Z, move X closer to Y then go to Z, move X further from Y then pick up Z.

A task is kept only when no predicate holds at the start (so every one takes work, and partial
credit means something) and the expert's options, played through the env, succeed within
`MAX_PLAN` steps (EmbodiedEval allows 24) and number at least `MIN_PLAN`; that number is stored as
the reference path length for SPL. Each category takes its forms' kept tasks in turn, so the
mix of forms is fixed by `generate`, not by chance.
Regenerate with `python -m mmgym.tasks.embodied_eval.env.episodes [category ...]`; `--check` replays the
committed sets instead.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from mmgym.envs.frozen_scenes import Episode, EpisodeSet
from mmgym.envs.miniworld import COLOURS, KINDS, Scene
from mmgym.envs.miniworld import load_subset as load_nav
from mmgym.tasks.embodied_eval.env.env import EmbodiedEvalEnv
from mmgym.tasks.embodied_eval.env.frozen import FINGERPRINTS, SETS
from mmgym.tasks.embodied_eval.env.miniworld_world import thing_names
from mmgym.tasks.embodied_eval.env.predicates import (
    AGENT,
    NEAR_DISTANCE,
    Answered,
    Closer,
    Further,
    Holding,
    Near,
    Predicate,
)
from mmgym.tasks.embodied_eval.env.task import CATEGORIES, GridLevel, Task

SET_SEED = 2026
TASKS_PER_CATEGORY = 20
MAX_PLAN = 20
# Fewest options a kept task needs: a navigation or interaction task is never a step or two from done, and
# an attribute question always needs the agent to move before it can see its object.
MIN_PLAN = {"navigation": 4, "object_interaction": 3, "attribute_qa": 3, "spatial_qa": 2}
SPATIAL_MARGIN = 1.0  # metres between the two distances a spatial question compares
GRID_LEVEL = "BabyAI-PutNextLocal-v0"
NAV_SUBSETS = ("base", "common_sense", "complex_instruction", "long_horizon")
Candidates = Iterator[Task]


def _interleave(*subsets: str, backwards: bool = False) -> Iterator[tuple[str, Scene]]:
    sets = [load_nav(subset).episodes for subset in subsets]
    rows = range(max(len(s) for s in sets))
    for row in reversed(rows) if backwards else rows:
        for subset, episodes in zip(subsets, sets, strict=True):
            if row < len(episodes):
                yield subset, episodes[row].scene


def navigation(rng: np.random.Generator) -> list[Candidates]:
    """EB-Navigation's own instructions and, two in every five tasks, a spot near two objects at once."""
    single, pair = _nav_instructions(), _nav_pairs(rng)
    return [single, pair, single, pair, single]


def _nav_instructions() -> Candidates:
    for _, scene in _interleave(*NAV_SUBSETS):
        name = thing_names(scene)[scene.target]
        text = scene.instruction.replace("Navigate to", "Go to")
        yield Task(
            category="navigation",
            text=text,
            miniworld=scene.model_copy(update={"instruction": text}),
            predicates=(Near(subject=AGENT, object=name),),
        )


def _nav_pairs(rng: np.random.Generator) -> Candidates:
    """Tasks "Go to a spot near both the A and the B." on two objects close enough for one spot to be near both;
    the scenes are walked from the other end, so that the two navigation forms rarely share a room."""
    for _, scene in _interleave(*NAV_SUBSETS, backwards=True):
        names = thing_names(scene)
        spots = {name: (thing.x, thing.z) for name, thing in zip(names, scene.things, strict=True)}
        pairs = [
            (a, b)
            for i, a in enumerate(names)
            for b in names[i + 1 :]
            if not a[-1].isdigit() and not b[-1].isdigit() and math.dist(spots[a], spots[b]) < 2 * NEAR_DISTANCE
        ]
        if not pairs:
            continue
        a, b = pairs[rng.integers(len(pairs))]
        text = f"Go to a spot near both the {a} and the {b}."
        yield Task(
            category="navigation",
            text=text,
            miniworld=scene.model_copy(update={"instruction": text}),
            predicates=(Near(subject=AGENT, object=a), Near(subject=AGENT, object=b)),
        )


def attribute_qa(rng: np.random.Generator) -> list[Candidates]:
    """The question alone and, one in every three tasks, going to the object as well (from the other end of
    the scenes): "Go to the ball in the other room. What colour is it?"."""
    ask, go = _attribute_questions(rng, go=False), _attribute_questions(rng, go=True)
    return [ask, ask, go]


def _attribute_questions(rng: np.random.Generator, go: bool) -> Candidates:
    for _, scene in _interleave("long_horizon", backwards=go):
        names = thing_names(scene)
        kinds = [thing.kind for thing in scene.things]
        for name, thing in zip(names, scene.things, strict=True):
            if (
                not KINDS[thing.kind].coloured
                or kinds.count(thing.kind) > 1
                or not scene.rooms[1].contains(thing.x, thing.z)
            ):
                continue
            others = [c for c in COLOURS if c != thing.colour]
            picked = {thing.colour, *(others[i] for i in rng.choice(len(others), 3, replace=False))}
            if go:
                text = f"Go to the {thing.kind} in the other room. What colour is it?"
                predicates = (Near(subject=AGENT, object=name), Answered(answer=thing.colour))
            else:
                text = f"What colour is the {thing.kind} in the other room?"
                predicates = (Answered(answer=thing.colour),)
            yield Task(
                category="attribute_qa",
                text=text,
                miniworld=scene.model_copy(update={"instruction": text}),
                answers=tuple(c for c in COLOURS if c in picked),
                predicates=predicates,
                look_at=(name,),
            )


def spatial_qa(rng: np.random.Generator) -> list[Candidates]:
    """One form: EmbodiedEval's spatial questions are answers only."""
    return [_spatial_questions(rng)]


def _spatial_questions(rng: np.random.Generator) -> Candidates:
    for _, scene in _interleave("base", "visual_appearance"):
        names = thing_names(scene)
        spots = {name: (thing.x, thing.z) for name, thing in zip(names, scene.things, strict=True)}
        anchor, first, second = (names[i] for i in rng.choice(len(names), 3, replace=False))
        near_first, near_second = (math.dist(spots[name], spots[anchor]) for name in (first, second))
        if abs(near_first - near_second) < SPATIAL_MARGIN:
            continue
        closer = first if near_first < near_second else second
        answers = tuple(f"the {name}" for name in names if name != anchor)
        text = f"Which is closer to the {anchor}: the {first} or the {second}?"
        yield Task(
            category="spatial_qa",
            text=text,
            miniworld=scene.model_copy(update={"instruction": text}),
            answers=answers,
            predicates=(Answered(answer=f"the {closer}"),),
            look_at=(anchor, first, second),
        )


# A BabyAI task form: its words, and its predicates over the objects x, y, z it names.
Form = tuple[str, Callable[[str, str, str], tuple[Predicate, ...]]]
GRID_FORMS: tuple[Form, ...] = (
    ("Pick up the {x}.", lambda x, y, z: (Holding(object=x),)),
    (
        "Put the {x} next to the {y}, then pick up the {z}.",
        lambda x, y, z: (Near(subject=x, object=y), Holding(object=z)),
    ),
    ("Put the {x} next to the {y}.", lambda x, y, z: (Near(subject=x, object=y),)),
    (
        "Move the {x} more than 2 cells closer to the {y}, then go to the {z}.",
        lambda x, y, z: (Closer(subject=x, object=y), Near(subject=AGENT, object=z)),
    ),
    ("Move the {x} more than 2 cells closer to the {y}.", lambda x, y, z: (Closer(subject=x, object=y),)),
    (
        "Move the {x} more than 1 cell further from the {y}, then pick up the {z}.",
        lambda x, y, z: (Further(subject=x, object=y), Holding(object=z)),
    ),
    ("Move the {x} more than 1 cell further from the {y}.", lambda x, y, z: (Further(subject=x, object=y),)),
)


def object_interaction(rng: np.random.Generator) -> list[Candidates]:
    """One stream per form of `GRID_FORMS`, each on its own level seeds (form k on seeds k, k + 7, ...)."""
    from mmgym.envs.babyai import make_level

    probe = make_level(GRID_LEVEL)
    return [_grid_tasks(probe, form, range(k, 10_000, len(GRID_FORMS)), rng) for k, form in enumerate(GRID_FORMS)]


def _grid_tasks(probe: Any, form: Form, seeds: range, rng: np.random.Generator) -> Candidates:
    from mmgym.envs.babyai import name_objects, name_of, reset_level

    text, predicates = form
    for seed in seeds:
        reset_level(probe, seed)
        name_objects(probe)
        names = sorted(name_of(o) for o in probe.grid.grid if o is not None and o.type not in ("wall", "door"))
        names = [n for n in names if not n[-1].isdigit()]
        if len(names) < 3:
            continue
        x, y, z = (names[i] for i in rng.choice(len(names), 3, replace=False))
        yield Task(
            category="object_interaction",
            text=text.format(x=x, y=y, z=z),
            babyai=GridLevel(level=GRID_LEVEL, seed=seed),
            predicates=predicates(x, y, z),
        )


GENERATORS: dict[str, Callable[[np.random.Generator], list[Candidates]]] = {
    "navigation": navigation,
    "object_interaction": object_interaction,
    "attribute_qa": attribute_qa,
    "spatial_qa": spatial_qa,
}


def solve(env: EmbodiedEvalEnv, task: Task) -> int | None:
    """The expert's number of options to succeed at `task`, played through `env`; None if it fails or a
    predicate holds before any step (so that every predicate, and goal-condition credit, takes work)."""
    env.reset(options={"scene": task})
    if any(env._met()):
        return None
    plan = env.expert_plan()
    for taken, option in enumerate(plan, 1):
        *_, terminated, _, info = env.step(option)
        if terminated:
            return taken if info["success"] and taken == len(plan) else None
    return None


def _accepted(category: str, candidates: Candidates, env: EmbodiedEvalEnv) -> Iterator[tuple[int, Task]]:
    """(the expert's path length, the task) for each candidate worth keeping (see the module docstring)."""
    for task in candidates:
        length = solve(env, task)
        if length is not None and MIN_PLAN[category] <= length <= MAX_PLAN:
            yield length, task


@FINGERPRINTS.unchecked()  # after an upgrade, the scenes drawn may be the frozen ones, changed
def generate(category: str, count: int = TASKS_PER_CATEGORY, env: EmbodiedEvalEnv | None = None) -> EpisodeSet:
    """`count` tasks taken from the category's streams in turn: one kept task from each stream per round
    (a stream listed twice gets two turns), so that the mix of forms is fixed by the list, not by chance."""
    env = env or EmbodiedEvalEnv(image_size=32, observe_image=False)
    rng = np.random.default_rng([SET_SEED, list(CATEGORIES).index(SETS.check(category))])
    streams = [_accepted(category, candidates, env) for candidates in GENERATORS[category](rng)]
    episodes: list[Episode] = []
    while len(episodes) < count:
        stream = streams[len(episodes) % len(streams)]
        found = next(stream, None)
        if found is None:
            raise RuntimeError(f"only {len(episodes)} {category} tasks could be made; wanted {count}")
        episodes.append(Episode(len(episodes), *found))
    return EpisodeSet(category, tuple(episodes))


def main(argv: list[str]) -> None:
    check = "--check" in argv
    categories = [a for a in argv if not a.startswith("--")] or list(CATEGORIES)
    env = EmbodiedEvalEnv(image_size=32, observe_image=False)
    for category in categories:
        if check:
            for episode in SETS.load(category).episodes:
                length = solve(env, episode.scene)
                if length != episode.plan_length:
                    raise SystemExit(f"{category} {episode.index}: expert took {length}, stored {episode.plan_length}")
            print(f"{category}: {len(SETS.load(category).episodes)} tasks replay")
        else:
            episode_set = generate(category, env=env)
            lengths = [e.plan_length for e in episode_set.episodes]
            path = SETS.save(episode_set, SET_SEED)
            print(f"{category}: {len(lengths)} tasks, expert paths of {min(lengths)}-{max(lengths)} options -> {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
