"""Carry out EB-ALFRED's skills with AI2-THOR actions, as EmbodiedBench's connector does.

- `find a X`: teleport to the reachable position nearest the chosen X (the closest instance,
  preferring visible ones and ones not shut in a closed receptacle), facing it;
- `pick up the X`, `open/close the X`, `turn on/off the X`, `slice the X`: the AI2-THOR action on
  the chosen instance;
- `put down the object in hand`: into the receptacle last found (a sink's basin for a sink), or
  dropped when nothing was found since;
- `drop the object in hand`.

It also keeps ALFRED's record of what was heated (in a microwave turned on), cooled (in a fridge
closed) and cleaned (in a sink basin when its faucet is turned on), as EmbodiedBench's env does:
putting an object into the basin alone does not clean it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mmgym.envs.thor.alfred_goals import Changed
from mmgym.envs.thor.alfred_skills import DROP, PUT_DOWN
from mmgym.envs.thor.session import ThorSession

CAMERA_OFFSET = 0.675  # metres from the agent's origin up to its camera (ALFRED's)
TELEPORT_TRIES = 20


class SkillExecutor:
    """One episode's skill state: the receptacle last found, whether something was sliced, what changed."""

    def __init__(self, session: ThorSession, names: Mapping[str, str]) -> None:
        self.session = session
        self.names = dict(names)  # numbered instance name -> objectId
        self.found: str | None = None  # objectId of the last `find` target
        self.sliced = False
        self.changed = Changed()
        reachable = session.step({"action": "GetReachablePositions"}).metadata["actionReturn"] or []
        self.reachable = [(p["x"], p["y"], p["z"]) for p in reachable]

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self.session.last_event.metadata

    def run(self, skill: str) -> str:
        """Carry out a listed skill; '' when it worked, else why not (EmbodiedBench's messages)."""
        keep_found = skill == PUT_DOWN or skill.startswith("open ")
        verb, _, name = skill.partition(" the ") if " the " in skill else skill.partition(" a ")
        found = self.found
        if not keep_found:
            self.found = None
        if verb == "find":
            return self.find(name)
        if skill == PUT_DOWN:
            return self.put(found) if found else self.drop()
        if skill == DROP:
            return self.drop()
        action = {
            "pick up": "PickupObject",
            "open": "OpenObject",
            "close": "CloseObject",
            "turn on": "ToggleObjectOn",
            "turn off": "ToggleObjectOff",
            "slice": "SliceObject",
        }[verb]
        return self.interact(action, name)

    # ---- choosing an instance -----------------------------------------------------------------
    def choose(self, name: str, prop: str | None = None) -> Mapping[str, Any] | None:
        """The instance a skill means, as EmbodiedBench picks it: for find, open and close a named instance
        (`Cabinet` is the first, `Cabinet_2` the second), else the nearest of the type, preferring
        visible ones and ones not shut away (and slices once something was sliced)."""
        objects = self.metadata["objects"]
        if name in self.names and prop in (None, "openable"):
            return next((o for o in objects if o["objectId"] == self.names[name]), None)
        by_id = {o["objectId"]: o for o in objects}
        best, best_cost = None, math.inf
        for obj in objects:
            if obj["objectId"].split("|")[0].casefold() != name.casefold() or (prop and not obj[prop]):
                continue
            cost = obj["distance"]
            parents = [by_id.get(p) for p in obj["parentReceptacles"] or ()]
            if any(p and p["openable"] and not p["isOpen"] for p in parents):
                cost += 100000  # shut away: last choice
            if not obj["visible"]:
                cost += 1000
            if self.sliced and "Sliced" in obj["objectId"]:
                cost -= 100
            if cost < best_cost:
                best, best_cost = obj, cost
        return best

    # ---- skills -------------------------------------------------------------------------------
    def find(self, name: str) -> str:
        target = self.choose(name)
        if target is None:
            return (
                f"Cannot find {name}. This object may not exist in this scene. Try to explore other instances instead."
            )
        self.found = target["objectId"]
        p = target["position"]
        spots = sorted(self.reachable, key=lambda r: math.hypot(r[0] - p["x"], r[2] - p["z"]))
        for x, y, z in spots[:TELEPORT_TRIES]:
            yaw = math.degrees(math.atan2(p["x"] - x, p["z"] - z)) % 360.0
            horizon = -0.9 * math.degrees(math.atan2(p["y"] - (y + CAMERA_OFFSET), math.hypot(p["x"] - x, p["z"] - z)))
            event = self.session.step(
                {"action": "TeleportFull", "x": x, "y": y, "z": z, "rotation": {"x": 0, "y": yaw, "z": 0},
                 "horizon": round(horizon, 1), "standing": True}
            )  # fmt: skip
            if event.metadata["lastActionSuccess"]:
                return ""
        return f"Cannot move to {name}"

    def interact(self, action: str, name: str) -> str:
        prop = {"PickupObject": "pickupable", "OpenObject": "openable", "CloseObject": "openable",
                "SliceObject": "sliceable"}.get(action, "toggleable")  # fmt: skip
        target = self.choose(name, prop)
        if target is None:
            return f"Cannot find {name} to {action_verb(action)}. Find the object first."
        if action == "PickupObject" and self.metadata["inventoryObjects"]:
            return f"Robot is currently holding {self.metadata['inventoryObjects'][0]['objectType']}"
        event = self.session.step({"action": action, "objectId": target["objectId"], "forceAction": False})
        if not event.metadata["lastActionSuccess"]:
            return f"{action_verb(action).capitalize()} action failed: {event.metadata['errorMessage']}"
        self._track(action, target)
        if action == "SliceObject":
            self.sliced = True
        return ""

    def put(self, receptacle_id: str) -> str:
        held = self.metadata["inventoryObjects"]
        if not held:
            return "Robot is not holding any object"
        basin = next((o for o in self.metadata["objects"] if o["objectId"].startswith(receptacle_id + "|")), None)
        target = basin["objectId"] if basin and receptacle_id.split("|")[0] in ("Sink", "Bathtub") else receptacle_id
        event = self.session.step({"action": "PutObject", "objectId": target, "forceAction": True})
        if not event.metadata["lastActionSuccess"]:
            name = target.split("|")[0]
            return f"Putting the object on {name} failed. First check whether the receptacle is open or not. " \
                "Also try other instances of the receptacle"  # fmt: skip
        return ""

    def drop(self) -> str:
        if not self.metadata["inventoryObjects"]:
            return "Robot is not holding any object"
        event = self.session.step({"action": "DropHandObject", "forceAction": True})
        return "" if event.metadata["lastActionSuccess"] else f"Drop action failed: {event.metadata['errorMessage']}"

    def _track(self, action: str, target: Mapping[str, Any]) -> None:
        """ALFRED's post-conditions: what a microwave, a fridge or a faucet just changed."""
        objects = self.metadata["objects"]
        kind = target["objectType"]

        def contents(type_name: str) -> set[str]:
            holders = [o for o in objects if o["objectType"] == type_name]
            if not holders:
                return set()
            nearest = min(holders, key=lambda o: _gap(o["position"], target["position"]))
            return set(nearest["receptacleObjectIds"] or ())

        if action == "ToggleObjectOn" and kind == "Faucet":
            self.changed.cleaned |= contents("SinkBasin")
        elif action == "ToggleObjectOn" and kind == "Microwave":
            self.changed.heated |= contents("Microwave")
        elif action == "CloseObject" and kind == "Fridge":
            self.changed.cooled |= contents("Fridge")


def _gap(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    return math.dist((a["x"], a["y"], a["z"]), (b["x"], b["y"], b["z"]))


def action_verb(action: str) -> str:
    return {"PickupObject": "pick up", "OpenObject": "open", "CloseObject": "close", "ToggleObjectOn": "turn on",
            "ToggleObjectOff": "turn off", "SliceObject": "slice"}[action]  # fmt: skip
