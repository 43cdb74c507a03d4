"""ALFRED's goal conditions for its seven task types, checked on the controller's object metadata.

Each task type counts conditions met out of a total (its `goal_conditions_met`): the target in
its receptacle, heated/cooled/cleaned, sliced, the lamp on while holding the object... Success is
all of them; EB-ALFRED's progress is the share. Objects match a target by substring of their
`objectId`, as ALFRED matches them (so `AppleSliced` finds `Apple|...|AppleSliced_0`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Objects = Sequence[Mapping[str, Any]]
TASK_TYPES = (
    "pick_and_place_simple",
    "pick_two_obj_and_place",
    "look_at_obj_in_light",
    "pick_heat_then_place_in_recep",
    "pick_cool_then_place_in_recep",
    "pick_clean_then_place_in_recep",
    "pick_and_place_with_movable_recep",
)


@dataclass
class Changed:
    """Objects heated, cooled or cleaned so far in the episode (ALFRED tracks these outside the simulator)."""

    heated: set[str] = field(default_factory=set)
    cooled: set[str] = field(default_factory=set)
    cleaned: set[str] = field(default_factory=set)


def matching(name: str, prop: str, objects: Objects) -> list[Mapping[str, Any]]:
    return [o for o in objects if name and name in o["objectId"] and o[prop]]


def _holds(receptacle: Mapping[str, Any], obj: Mapping[str, Any]) -> bool:
    return obj["objectId"] in (receptacle["receptacleObjectIds"] or ())


def conditions_met(
    task_type: str, params: Mapping[str, Any], metadata: Mapping[str, Any], changed: Changed
) -> tuple[int, int]:
    """(conditions met, conditions in all) for the episode's task in the state `metadata` describes."""
    objects: Objects = metadata["objects"]
    target = params.get("object_target") or ""
    if params.get("object_sliced"):
        target += "Sliced"
    receptacles = matching(params.get("parent_target") or "", "receptacle", objects)
    pickables = matching(target, "pickupable", objects)
    met, total = 0, 0
    sliced = [p for p in pickables if "Sliced" in p["objectId"]]
    if "Sliced" in target:
        per = 2 if task_type == "pick_two_obj_and_place" else 1
        total += per
        met += min(len(sliced), per)
    in_place = [p["objectId"] for p in pickables for r in receptacles if _holds(r, p)]
    if task_type == "pick_and_place_simple":
        total += 1
        met += bool(in_place)
    elif task_type == "pick_two_obj_and_place":
        total += 2
        met += min(max((sum(_holds(r, p) for p in pickables) for r in receptacles), default=0), 2)
    elif task_type == "look_at_obj_in_light":
        total += 2
        lamps = matching(params.get("toggle_target") or "", "toggleable", objects)
        held = metadata["inventoryObjects"]
        met += bool(held) and held[0]["objectId"] in {p["objectId"] for p in pickables}
        met += any(lamp["isToggled"] and lamp["visible"] for lamp in lamps)
    elif task_type in (
        "pick_heat_then_place_in_recep",
        "pick_cool_then_place_in_recep",
        "pick_clean_then_place_in_recep",
    ):
        done = {"heat": changed.heated, "cool": changed.cooled, "clean": changed.cleaned}[task_type.split("_")[1]]
        treated = [p["objectId"] for p in pickables if p["objectId"] in done]
        total += 3
        met += bool(in_place) + bool(treated) + any(oid in treated for oid in in_place)
    elif task_type == "pick_and_place_with_movable_recep":
        movables = matching(params.get("mrecep_target") or "", "pickupable", objects)
        total += 3
        met += any(_holds(m, p) for p in pickables for m in movables)
        met += any(_holds(r, m) for m in movables for r in receptacles)
        met += any(
            any(_holds(m, p) for p in pickables)
            and any(r["objectId"] in (m["parentReceptacles"] or ()) for r in receptacles)
            for m in movables
        )
    else:
        raise ValueError(f"unknown ALFRED task type {task_type!r}; valid: {', '.join(TASK_TYPES)}")
    return int(met), total


FAUCET_STEPS = ("find a Faucet", "turn on the Faucet", "turn off the Faucet")


def with_goal_steps(task_type: str, plan: Sequence[str]) -> list[str]:
    """A reference plan with the steps its task's goal needs and the plan leaves out.

    Only cleaning has such a gap: an object is cleaned when the faucet over the basin it lies in is
    turned on (ALFRED's and EmbodiedBench's rule), but EB-ALFRED's `NL Steps` only put it into the
    sink. The faucet steps go right after that put-down; a plan that turns a faucet on is kept as is.
    """
    steps = list(plan)
    if task_type != "pick_clean_then_place_in_recep" or any("faucet" in s.lower() for s in steps if "turn on" in s):
        return steps
    at_sink = False
    for i, step in enumerate(steps):
        text = step.lower()
        if text.startswith("find "):
            at_sink = "sink" in text
        elif at_sink and text.startswith("put down"):
            return steps[: i + 1] + list(FAUCET_STEPS) + steps[i + 1 :]
    return steps
