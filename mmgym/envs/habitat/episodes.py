"""EB-Habitat's six capability subsets as symbolic rearrangement scenes, and their frozen episode sets.

Each scene scatters ten objects (one per kind, at most three per receptacle) over the apartment's
open-air receptacles, as EB-Habitat's clutter sampler does with its thirty, and asks for a task
after one of EB-Habitat's instruction templates (`dataset/configs/instructions.yaml`), worded with
its receptacle names ("black table", "fridge") and a sample of its phrasings:

- `base`: move an object from a revealed or hidden place, two objects to one place, swap two,
  clear an object off a place, open or close the fridge;
- `common_sense`: the object is named by its use ("something to pour hot coffee into"); kinds
  that could serve the same use are left out of the scene;
- `complex_instruction`: a distracting clause about an apple on the sofa, or a condition on whether
  the fridge is open (the fridge starts open or closed; the goal keeps it so);
- `spatial_relationship`: the target is "to the left of the right counter" (the sink) and the like;
- `visual_appearance`: the fruit is named by its look ("a purple fruit": the plum);
- `long_horizon`: three objects to three places. In every third scene one of them starts inside the
  closed fridge or a drawer, an mmgym addition (EB-Habitat samples starts on open-air receptacles)
  so that the open skills are needed.

Every scene stores its goal predicates and the subgoals `task_progress` counts (`planner.subgoals`).
Regenerate with `python -m mmgym.envs.habitat.episodes [subset ...]`; `--check` regenerates in
memory and compares with the committed sets.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from mmgym.envs.habitat.frozen import SETS, SUBSETS, Episode, EpisodeSet, check_subset, load_subset
from mmgym.envs.habitat.planner import OPEN_AIR, plan, subgoals
from mmgym.envs.habitat.scene import Goal, Placement, Scene
from mmgym.envs.habitat.skills import BY_NAME
from mmgym.envs.habitat.state import State
from mmgym.envs.habitat.world import CATEGORIES

SET_SEED = 2026
EPISODES_PER_SUBSET = 20
OBJECTS_PER_SCENE = 10
PER_RECEPTACLE = 3
INSIDE = ("refrigerator", "left drawer of the kitchen counter", "right drawer of the kitchen counter")
USES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # kind -> (phrasings, kinds that could serve too)
    "ball": (
        (
            "I want to play a sport, bring something to play with to the {dst}.",
            "Fetch a sports equipment and place it in the {dst}.",
        ),
        (),
    ),
    "screwdriver": (
        (
            "A screw is loose in the {dst}, bring something to fix it.",
            "Retrieve a tool to tighten the loose screw in the {dst}.",
        ),
        ("wrench", "drill"),
    ),
    "scissors": (
        (
            "I need to cut a piece of paper at the {dst}, can you bring something to help?",
            "Bring a cutting tool to the {dst} to help with the paper.",
        ),
        ("knife",),
    ),
    "cleanser": (
        (
            "I spilt something and need to clean it. Can you bring something to the {dst} to help?",
            "There's a spill, and I need an object to clean it up. Could you bring it to the {dst}?",
        ),
        ("sponge",),
    ),
    "mug": (
        (
            "Bring me something to pour hot coffee into at the {dst}",
            "I need a vessel to pour hot coffee into at the {dst}.",
        ),
        ("cup", "bowl"),
    ),
}
LOOKS = {
    "plum": "purple fruit",
    "lemon": "yellow round fruit",
    "banana": "yellow curved fruit",
    "apple": "round red fruit",
}
SPATIAL = (  # (phrase, the receptacle it names, the one it names it by): instructions.yaml's spatial templates
    ("to the left of the right counter", "sink in the kitchen", "right counter in the kitchen"),
    ("to the right of the left counter", "sink in the kitchen", "left counter in the kitchen"),
    ("to the right of the TV stand", "sofa", "TV stand"),
)


def spoken(receptacle: str) -> str:
    """How instructions name a receptacle ("table 1" -> "black table")."""
    return BY_NAME[receptacle].spoken


def a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


class Draw:
    """Random choices for one subset's scenes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def pick(self, options: Any, count: int | None = None) -> Any:
        options = list(options)
        if count is None:
            return options[int(self.rng.integers(len(options)))]
        return [options[i] for i in self.rng.choice(len(options), size=count, replace=False)]

    def clutter(self, fixed: dict[str, str], banned: tuple[str, ...] = ()) -> tuple[Placement, ...]:
        """`fixed` (kind -> receptacle) plus random kinds on open-air receptacles, ten in all, sorted by kind."""
        where = dict(fixed)
        load = {r: sum(at == r for at in where.values()) for r in OPEN_AIR}
        free = [k for k in CATEGORIES if k not in where and k not in banned]
        for kind in self.pick(free, OBJECTS_PER_SCENE - len(where)):
            where[kind] = self.pick([r for r in OPEN_AIR if load[r] < PER_RECEPTACLE])
            load[where[kind]] += 1
        return tuple(Placement(object=k, receptacle=where[k]) for k in CATEGORIES if k in where)

    def places(self, count: int) -> list[str]:
        return self.pick(OPEN_AIR, count)


def _on(kind: str, place: str) -> Goal:
    return Goal(predicate="on", object=kind, place=place)


NOT_HOLDING = Goal(predicate="not_holding")


# ---- the templates: each returns (template, instruction, objects, opened, goals) ------------
def _move_revealed(d: Draw) -> tuple:
    kind, (src, dst) = d.pick(CATEGORIES), d.places(2)
    line = d.pick(
        (
            "Move {o} from the {src} to the {dst}.",
            "Pick {o} from the {src} and move it to the {dst}.",
            "On the {src} there is {o}, move it to the {dst}.",
            "Hey, on the {src}, I accidentally left my {k}, can you bring it to the {dst}?",
        )
    )
    text = line.format(o=a(kind), k=kind, src=spoken(src), dst=spoken(dst))
    return "move_revealed", text, d.clutter({kind: src}), (), (_on(kind, dst), NOT_HOLDING)


def _move_hidden(d: Draw) -> tuple:
    kind, (src, dst) = d.pick(CATEGORIES), d.places(2)
    line = d.pick(
        ("Move {o} to the {dst}.", "Find {o} and move it to the {dst}.", "I need {o} on the {dst}. Can you help?")
    )
    text = line.format(o=a(kind), dst=spoken(dst))
    return "move_hidden", text, d.clutter({kind: src}), (), (_on(kind, dst), NOT_HOLDING)


def _two_objects(d: Draw) -> tuple:
    kinds, (s1, s2, dst) = d.pick(CATEGORIES, 2), d.places(3)
    line = d.pick(
        (
            "Place {o1} and {o2} on the {dst}.",
            "Bring {o1} and {o2} to the {dst}.",
            "The {dst} needs {o1} and {o2} on it.",
        )
    )
    text = line.format(o1=a(kinds[0]), o2=a(kinds[1]), dst=spoken(dst))
    goals = (_on(kinds[0], dst), _on(kinds[1], dst), NOT_HOLDING)
    return "two_objects", text, d.clutter({kinds[0]: s1, kinds[1]: s2}), (), goals


def _swap(d: Draw) -> tuple:
    kinds, (r1, r2) = d.pick(CATEGORIES, 2), d.places(2)
    line = d.pick(
        (
            "Can you swap the {o1} and the {o2} in the {r1} and {r2}?",
            "I need you to switch the places of {o1} and {o2} in {r1} and {r2}.",
            "Please perform a swap of {o1} and {o2} between the {r1} and {r2}.",
        )
    )
    text = line.format(o1=kinds[0], o2=kinds[1], r1=spoken(r1), r2=spoken(r2))
    goals = (_on(kinds[0], r2), _on(kinds[1], r1), NOT_HOLDING)
    return "swap", text, d.clutter({kinds[0]: r1, kinds[1]: r2}), (), goals


def _move_off(d: Draw) -> tuple:
    kind, place = d.pick(CATEGORIES), d.pick(OPEN_AIR)
    line = d.pick(("Move the {k} off the {r}.", "Remove the {k} from the {r}.", "Clear all the {k} from the {r}."))
    goals = (Goal(predicate="off", object=kind, place=place), NOT_HOLDING)
    return "move_off", line.format(k=kind, r=spoken(place)), d.clutter({kind: place}), (), goals


def _close_fridge(d: Draw) -> tuple:
    line = d.pick(
        (
            "Shut the fridge.",
            "I left the fridge open. Can you help?",
            "I made a mistake and left the fridge open. Can you assist me by closing it?",
        )
    )
    goals = (Goal(predicate="closed", place="refrigerator"),)
    return "close_fridge", line, d.clutter({}), ("refrigerator",), goals


def _open_fridge(d: Draw) -> tuple:
    line = d.pick(
        (
            "Can you open the fridge for me?",
            "Please assist me by opening the fridge.",
            "I would appreciate it if you could open the fridge.",
        )
    )
    return "open_fridge", line, d.clutter({}), (), (Goal(predicate="opened", place="refrigerator"),)


def _common_sense(d: Draw, index: int) -> tuple:
    kind = list(USES)[index % len(USES)]
    lines, others = USES[kind]
    src, dst = d.places(2)
    text = d.pick(lines).format(dst=spoken(dst))
    return "common_sense", text, d.clutter({kind: src}, others), (), (_on(kind, dst), NOT_HOLDING)


def _distraction(d: Draw) -> tuple:
    kind = d.pick([k for k in CATEGORIES if k != "apple"])
    src, dst = d.pick([r for r in OPEN_AIR if r != "sofa"], 2)
    line = d.pick(
        (
            "There's an apple on the sofa, but on the {dst} I need you to put {o}.",
            "On the sofa there's an apple, but instead find {o} and move it to the {dst}.",
            "Instead of finding an apple, I need {o} on the {dst}. Can you help?",
        )
    )
    text = line.format(o=a(kind), dst=spoken(dst))
    return "distraction", text, d.clutter({kind: src, "apple": "sofa"}), (), (_on(kind, dst), NOT_HOLDING)


def _conditional(d: Draw, fridge_open: bool) -> tuple:
    kinds, (s1, s2, dst) = d.pick(CATEGORIES, 2), d.places(3)
    line = d.pick(
        (
            "If the fridge is open move {o1} to the {dst}, otherwise move {o2} to the {dst}.",
            "When the fridge is open, relocate {o1} to the {dst}; if it's closed, shift {o2} to the {dst}.",
            "Should the fridge door be open, move {o1} to the {dst}; otherwise, transport {o2} to the {dst}.",
        )
    )
    text = line.format(o1=a(kinds[0]), o2=a(kinds[1]), dst=spoken(dst))
    moved, kept, kept_at = (kinds[0], kinds[1], s2) if fridge_open else (kinds[1], kinds[0], s1)
    state = Goal(predicate="opened" if fridge_open else "closed", place="refrigerator")
    goals = (state, _on(moved, dst), _on(kept, kept_at), NOT_HOLDING)
    opened = ("refrigerator",) if fridge_open else ()
    return (
        f"conditional_{'open' if fridge_open else 'closed'}",
        text,
        d.clutter({kinds[0]: s1, kinds[1]: s2}),
        opened,
        goals,
    )


def _spatial(d: Draw, index: int) -> tuple:
    phrase, dst, landmark = SPATIAL[index % len(SPATIAL)]
    kind, src = d.pick(CATEGORIES), d.pick([r for r in OPEN_AIR if r not in (dst, landmark)])
    text = f"Move {a(kind)} from the {spoken(src)} {phrase}."
    return "spatial", text, d.clutter({kind: src}), (), (_on(kind, dst), NOT_HOLDING)


def _visual(d: Draw, index: int) -> tuple:
    kind = list(LOOKS)[index % len(LOOKS)]
    src, dst = d.places(2)
    line = d.pick(
        (
            "Bring a {v} to the {dst}.",
            "Find a {v} and move it to the {dst}.",
            "Can you pick up a {v} and place it in the {dst}?",
        )
    )
    text = line.format(v=LOOKS[kind], dst=spoken(dst))
    return "visual", text, d.clutter({kind: src}), (), (_on(kind, dst), NOT_HOLDING)


def _long_horizon(d: Draw, index: int) -> tuple:
    kinds = d.pick(CATEGORIES, 3)
    inside = index % 3 == 2
    sources = [d.pick(INSIDE) if inside else d.pick(OPEN_AIR), d.pick(OPEN_AIR), d.pick(OPEN_AIR)]
    targets = [d.pick([r for r in OPEN_AIR if r != s]) for s in sources]
    revealed = max(int(d.rng.integers(0, 4)), 1 if inside else 0)
    parts = []
    for i, (kind, src, dst) in enumerate(zip(kinds, sources, targets, strict=True)):
        origin = f" from the {spoken(src)}" if i < revealed else ""
        parts.append(f"the {kind}{origin} to the {spoken(dst)}")
    text = f"Move {parts[0]}, {parts[1]}, and {parts[2]}."
    objects = d.clutter(dict(zip(kinds, sources, strict=True)))
    goals = (*(_on(k, t) for k, t in zip(kinds, targets, strict=True)), NOT_HOLDING)
    return ("three_objects_inside" if inside else "three_objects"), text, objects, (), goals


TEMPLATES: dict[str, Callable[[Draw, int], tuple]] = {
    "base": lambda d, i: (_move_revealed, _move_hidden, _two_objects, _swap, _move_off, _close_fridge, _open_fridge)[
        i % 7
    ](d),
    "common_sense": _common_sense,
    "complex_instruction": lambda d, i: _distraction(d) if i % 3 == 0 else _conditional(d, fridge_open=i % 3 == 1),
    "spatial_relationship": _spatial,
    "visual_appearance": _visual,
    "long_horizon": _long_horizon,
}


def make_scene(draw: Draw, subset: str, index: int) -> Scene:
    """Scene `index` of a subset, with its subgoals."""
    template, instruction, objects, opened, goals = TEMPLATES[subset](draw, index)
    scene = Scene(template=template, instruction=instruction, objects=objects, opened=opened, goals=goals)
    return Scene.model_validate(scene.model_dump() | {"subgoals": subgoals(scene)})


def generate(subset: str, count: int = EPISODES_PER_SUBSET, seed: int = SET_SEED) -> EpisodeSet:
    draw = Draw(np.random.default_rng([seed, list(SUBSETS).index(check_subset(subset))]))
    episodes = []
    for index in range(count):
        scene = make_scene(draw, subset, index)
        episodes.append(Episode(index, len(plan(State.start(scene), scene.goals)), scene))
    return EpisodeSet(subset, tuple(episodes))


def main(argv: list[str]) -> None:
    check = "--check" in argv
    for subset in [a for a in argv if not a.startswith("--")] or list(SUBSETS):
        episode_set = generate(subset)
        if check:
            if episode_set != load_subset(subset):
                raise SystemExit(f"{subset}: the generator no longer gives the committed episodes")
            print(f"{subset}: {len(episode_set.episodes)} episodes regenerate identically")
        else:
            lengths = [e.plan_length for e in episode_set.episodes]
            path = SETS.save(episode_set, SET_SEED)
            print(f"{subset}: {len(lengths)} episodes, expert plans of {min(lengths)}-{max(lengths)} skills -> {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
