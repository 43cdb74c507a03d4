"""mmgym's own BabyAI levels: minigrid's level generators set up for the suite's version 2.

Version 1 drew most episodes from single-instruction levels ("go to the red ball"), which a random
agent often completes by chance: any skill that walks past the named object does it. Version 2's
levels give missions of several skills in order (pick up and put next to; no "go to" or "open"
parts, which are often done on the way to something else), among distractors, so that a wrong
choice costs steps the episode's budget does not have. Each
level here is one of minigrid's level classes with its parameters (`LEVELS`), so a seed lays out
the rooms that class would with those parameters.

minigrid's *strict* verification (a wrong pick up fails the mission) is not used: in the installed
minigrid it also fails "put next to" on the right pick up, and "A, then pick up B" on A's pick up.

Levels register under their own namespace of Gymnasium's registry, `babyai-mmgym/` (`register()`,
called with the family's): they are minigrid levels, not mmgym envs, so they stay out of `mmgym/`.
They register by name only: minigrid is imported when one is made.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym


@dataclass(frozen=True)
class Level:
    """One of minigrid's BabyAI level classes with its parameters."""

    base: str  # a class of `minigrid.envs.babyai`, as "module.Class" within that package
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)


ONE_ROOM = {"num_rows": 1, "num_cols": 1, "locked_room_prob": 0.0, "implicit_unlock": False, "unblocking": False}
# No "go to" or "open" parts: a go to is often done on the way to something else, and a door opened on the way.
PICK_AND_PLACE = ("pickup", "putnext")

LEVELS: dict[str, Level] = {
    "babyai-mmgym/PickupPutNextLoc-v0": Level(
        "core.levelgen.LevelGen",
        "one room, two of pick up and put next to in order, objects named by where they are",
        {
            **ONE_ROOM,
            "room_size": 8,
            "num_dists": 8,
            "locations": True,
            "action_kinds": PICK_AND_PLACE,
            "instr_kinds": ("seq",),
        },
    ),
    "babyai-mmgym/PickupPutNextLookalike-v0": Level(
        "core.levelgen.LevelGen",
        "one room full of objects, two of pick up and put next to in order",
        {
            **ONE_ROOM,
            "room_size": 8,
            "num_dists": 12,
            "locations": False,
            "action_kinds": PICK_AND_PLACE,
            "instr_kinds": ("seq",),
        },
    ),
    "babyai-mmgym/SeqTwoByTwo-v0": Level(
        "core.levelgen.LevelGen",
        "four open rooms, compound missions of pick up and put next to",
        {
            "num_rows": 2,
            "num_cols": 2,
            "room_size": 6,
            "num_dists": 8,
            "locked_room_prob": 0.0,
            "implicit_unlock": False,
            "locations": False,
            "action_kinds": PICK_AND_PLACE,
            "instr_kinds": ("and", "seq"),
        },
    ),
    "babyai-mmgym/MiniBossCompound-v0": Level(
        "core.levelgen.LevelGen",
        "MiniBossLevel's four small rooms, a locked one at times; compound missions of pick up and put next to",
        {
            "num_rows": 2,
            "num_cols": 2,
            "room_size": 5,
            "num_dists": 7,
            "locked_room_prob": 0.25,
            "action_kinds": PICK_AND_PLACE,
            "instr_kinds": ("and", "seq"),
        },
    ),
    "babyai-mmgym/BossLevelCompound-v0": Level(
        "core.levelgen.LevelGen",
        "BossLevel's nine rooms, locked doors and blockers; compound missions of pick up and put next to",
        {"action_kinds": PICK_AND_PLACE, "instr_kinds": ("and", "seq")},
    ),
}


def make(level_id: str, **kwargs: Any) -> Any:
    """Gymnasium's entry point for the levels above."""
    from mmgym.envs.babyai import deps  # noqa: F401  (one line if minigrid is missing)

    level = LEVELS[level_id]
    module, name = level.base.rsplit(".", 1)
    cls = getattr(importlib.import_module(f"minigrid.envs.babyai.{module}"), name)
    return cls(**level.kwargs, **kwargs)


def register() -> None:
    """Register the levels above once; safe to call again."""
    for level_id in LEVELS:
        if level_id not in gym.registry:
            gym.register(level_id, entry_point=make, kwargs={"level_id": level_id})
