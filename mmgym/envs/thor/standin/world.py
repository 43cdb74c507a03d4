"""The stand-in's symbolic world: objects with AI2-THOR's metadata fields, an agent on a 0.25 m grid, and
the actions the EmbodiedBench tracks send, with AI2-THOR's preconditions.

An object is visible when it lies within 1.5 m of the agent (to the nearest point of its
footprint), inside the camera's horizontal field of view, and not in a closed receptacle.
Interactions need the object visible, as AI2-THOR's do without `forceAction`. A failed action
changes nothing and says why in `errorMessage`; an action the world does not know gets
`errorCode="InvalidAction"`, which makes ai2thor's Controller raise `ValueError`.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Any

from mmgym.envs.thor.standin.scenes import (
    DIRTYABLE,
    OPENABLE,
    PICKUPABLE,
    RECEPTACLE,
    ROOMS,
    SLICEABLE,
    SLICERS,
    TOGGLEABLE,
    Room,
)

GRID = 0.25
AGENT_Y = 0.9
VISIBILITY = 1.5  # metres, AI2-THOR's default visibilityDistance
HALF_FOV = 50.0  # degrees either side of the heading
HORIZON_RANGE = (-30.0, 60.0)  # cameraHorizon: negative looks up


class ActionFailed(Exception):
    """The action's preconditions do not hold; the message becomes `errorMessage`."""


class UnknownAction(Exception):
    """Not an action this world offers (AI2-THOR's `InvalidAction`)."""


@dataclass
class Obj:
    """One object's mutable state, written out with AI2-THOR's metadata field names."""

    object_id: str
    type: str
    x: float
    y: float
    z: float
    size: tuple[float, float]
    parent: str | None = None
    is_open: bool = False
    is_toggled: bool = False
    is_sliced: bool = False
    is_dirty: bool = False
    pickupable: bool = False
    enabled: bool = True

    @property
    def name(self) -> str:
        return f"{self.type}_{zlib.crc32(self.object_id.encode()) & 0xFFFFFF:06x}"


def object_id(kind: str, x: float, y: float, z: float) -> str:
    """AI2-THOR's id spelling: `Type|+x.xx|+y.yy|+z.zz`."""
    return f"{kind}|{x:+06.2f}|{y:+06.2f}|{z:+06.2f}"


@dataclass
class World:
    """A loaded room, its objects and the agent; `act` applies one action."""

    room: Room
    objects: dict[str, Obj] = field(default_factory=dict)
    agent: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])  # x, z, rotation, horizon
    held: str | None = None
    reachable: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def load(cls, scene: str) -> World:
        room = ROOMS.get(scene.removesuffix("_physics"))
        if room is None:
            raise ActionFailed(f"Scene {scene} is not in this build; scenes: {', '.join(ROOMS)}")
        world = cls(room)
        ids = [
            object_id("Sink", t.x, t.y, t.z) + "|SinkBasin"
            if t.type == "SinkBasin"
            else object_id(t.type, t.x, t.y, t.z)
            for t in room.things
        ]  # AI2-THOR names a sink's basin after the sink
        for thing, oid in zip(room.things, ids, strict=True):
            parent = ids[thing.inside] if thing.inside is not None else None
            world.objects[oid] = Obj(oid, thing.type, thing.x, thing.y, thing.z, thing.size, parent)
            world.objects[oid].pickupable = thing.type in PICKUPABLE
        world.reachable = world._free_cells()
        x, z, rotation = room.start
        world.agent = [x, z, rotation, 0.0]
        return world

    # ---- geometry ------------------------------------------------------------------------
    def _free_cells(self) -> list[tuple[float, float]]:
        (x0, x1), (z0, z1) = self.room.x_range, self.room.z_range
        cells = []
        for i in range(round((x1 - x0) / GRID) + 1):
            for j in range(round((z1 - z0) / GRID) + 1):
                x, z = x0 + i * GRID, z0 + j * GRID
                inside = x0 + 0.2 <= x <= x1 - 0.2 and z0 + 0.2 <= z <= z1 - 0.2
                if inside and not any(self._blocks(o, x, z) for o in self.objects.values()):
                    cells.append((round(x, 2), round(z, 2)))
        return cells

    @staticmethod
    def _blocks(obj: Obj, x: float, z: float) -> bool:
        w, d = obj.size
        return w > 0 and abs(x - obj.x) < w / 2 + 0.15 and abs(z - obj.z) < d / 2 + 0.15

    def _reachable(self, x: float, z: float) -> bool:
        return any(abs(x - cx) < 0.05 and abs(z - cz) < 0.05 for cx, cz in self.reachable)

    def distance(self, obj: Obj) -> float:
        """From the agent to the nearest point of the object's footprint, in the floor plane."""
        w, d = obj.size
        dx = max(abs(self.agent[0] - obj.x) - w / 2, 0.0)
        dz = max(abs(self.agent[1] - obj.z) - d / 2, 0.0)
        return math.hypot(dx, dz)

    def bearing(self, obj: Obj) -> float:
        """Degrees from the agent's heading to the object (rotation 0 faces +z, 90 faces +x)."""
        heading = math.degrees(math.atan2(obj.x - self.agent[0], obj.z - self.agent[1]))
        return (heading - self.agent[2] + 180.0) % 360.0 - 180.0

    def hidden(self, obj: Obj) -> bool:
        """Inside a closed receptacle, or held."""
        if obj.object_id == self.held or not obj.enabled:
            return True
        parent = self.objects.get(obj.parent) if obj.parent else None
        while parent is not None:
            if parent.type in OPENABLE and not parent.is_open:
                return True
            parent = self.objects.get(parent.parent) if parent.parent else None
        return False

    def visible(self, obj: Obj) -> bool:
        distance = self.distance(obj)
        in_view = distance < 0.3 or abs(self.bearing(obj)) <= HALF_FOV
        return distance <= VISIBILITY and in_view and not self.hidden(obj)

    # ---- actions ---------------------------------------------------------------------------
    def act(self, action: dict[str, Any]) -> Any:
        """Apply one action; its return value is the event's `actionReturn`."""
        name = action.get("action", "")
        handler = getattr(self, f"do_{name}", None)
        if handler is None:
            raise UnknownAction(f"Invalid action: {name!r}")
        return handler(action)

    def do_Pass(self, _: dict[str, Any]) -> None:
        return None

    do_Done = do_Pass
    do_Initialize = do_Pass
    do_ChangeQuality = do_Pass

    def do_GetReachablePositions(self, _: dict[str, Any]) -> list[dict[str, float]]:
        return [{"x": x, "y": AGENT_Y, "z": z} for x, z in self.reachable]

    def do_TeleportFull(self, action: dict[str, Any]) -> None:
        position = action.get("position") or action
        x, z = float(position["x"]), float(position["z"])
        if not self._reachable(x, z):
            raise ActionFailed(f"Teleport failed: ({x:.2f}, {z:.2f}) is not a reachable position")
        rotation = action.get("rotation", self.agent[2])
        rotation = rotation["y"] if isinstance(rotation, dict) else rotation
        horizon = float(action.get("horizon", self.agent[3]))
        self.agent = [x, z, float(rotation) % 360.0, horizon]

    do_Teleport = do_TeleportFull

    def _move(self, action: dict[str, Any], angle: float) -> None:
        magnitude = float(action.get("moveMagnitude", GRID))
        heading = math.radians(self.agent[2] + angle)
        x = round(self.agent[0] + magnitude * math.sin(heading), 2)
        z = round(self.agent[1] + magnitude * math.cos(heading), 2)
        if not self._reachable(x, z):
            raise ActionFailed(f"{action['action']} failed: something is in the way")
        self.agent[0], self.agent[1] = x, z

    def do_MoveAhead(self, action: dict[str, Any]) -> None:
        self._move(action, 0.0)

    def do_MoveBack(self, action: dict[str, Any]) -> None:
        self._move(action, 180.0)

    def do_MoveRight(self, action: dict[str, Any]) -> None:
        self._move(action, 90.0)

    def do_MoveLeft(self, action: dict[str, Any]) -> None:
        self._move(action, -90.0)

    def do_RotateRight(self, action: dict[str, Any]) -> None:
        self.agent[2] = (self.agent[2] + float(action.get("degrees", 90.0))) % 360.0

    def do_RotateLeft(self, action: dict[str, Any]) -> None:
        self.agent[2] = (self.agent[2] - float(action.get("degrees", 90.0))) % 360.0

    def _look(self, action: dict[str, Any], sign: float) -> None:
        horizon = self.agent[3] + sign * float(action.get("degrees", 30.0))
        if not HORIZON_RANGE[0] <= horizon <= HORIZON_RANGE[1]:
            raise ActionFailed(f"{action['action']} failed: the camera cannot tilt that far")
        self.agent[3] = horizon

    def do_LookUp(self, action: dict[str, Any]) -> None:
        self._look(action, -1.0)

    def do_LookDown(self, action: dict[str, Any]) -> None:
        self._look(action, 1.0)

    def _target(self, action: dict[str, Any], key: str = "objectId") -> Obj:
        obj = self.objects.get(action.get(key, ""))
        if obj is None or not obj.enabled:
            raise ActionFailed(f"Object ID appears to be invalid: {action.get(key)!r}")
        if not action.get("forceAction") and not self.visible(obj):
            where = f" because it is in {obj.parent}" if obj.parent and self.hidden(obj) else ""
            raise ActionFailed(f"{obj.object_id} is not visible{where}")
        return obj

    def do_PickupObject(self, action: dict[str, Any]) -> None:
        obj = self._target(action)
        if not obj.pickupable:
            raise ActionFailed(f"{obj.object_id} is not pickupable")
        if self.held is not None:
            raise ActionFailed(f"Agent is already holding {self.held}")
        self.held, obj.parent = obj.object_id, None

    def do_PutObject(self, action: dict[str, Any]) -> None:
        if self.held is None:
            raise ActionFailed("Agent is not holding any object")
        receptacle = self._target(action, "receptacleObjectId" if "receptacleObjectId" in action else "objectId")
        if receptacle.type not in RECEPTACLE or receptacle.object_id == self.held:
            raise ActionFailed(f"{receptacle.object_id} is not a receptacle")
        if receptacle.type in OPENABLE and not receptacle.is_open:
            raise ActionFailed(f"{receptacle.object_id} is closed")
        self._carry(self.objects[self.held], receptacle.x, receptacle.y + 0.05, receptacle.z)
        self.objects[self.held].parent = receptacle.object_id
        self.held = None

    def do_DropHandObject(self, _: dict[str, Any]) -> None:
        if self.held is None:
            raise ActionFailed("Agent is not holding any object")
        self._carry(self.objects[self.held], self.agent[0], 0.05, self.agent[1])
        self.objects[self.held].parent = None
        self.held = None

    def _carry(self, obj: Obj, x: float, y: float, z: float) -> None:
        """Move an object, and what it holds with it (a spoon in a plate)."""
        dx, dy, dz = x - obj.x, y - obj.y, z - obj.z
        moved = [obj] + [o for o in self.objects.values() if o.parent == obj.object_id]
        for each in moved:
            each.x, each.y, each.z = each.x + dx, each.y + dy, each.z + dz

    def _set_open(self, action: dict[str, Any], value: bool) -> None:
        obj = self._target(action)
        if obj.type not in OPENABLE:
            raise ActionFailed(f"{obj.object_id} is not openable")
        if obj.is_open == value:
            raise ActionFailed(f"{obj.object_id} is already {'open' if value else 'closed'}")
        obj.is_open = value

    def do_OpenObject(self, action: dict[str, Any]) -> None:
        self._set_open(action, True)

    def do_CloseObject(self, action: dict[str, Any]) -> None:
        self._set_open(action, False)

    def _toggle(self, action: dict[str, Any], value: bool) -> None:
        obj = self._target(action)
        if obj.type not in TOGGLEABLE:
            raise ActionFailed(f"{obj.object_id} is not toggleable")
        if obj.is_toggled == value:
            raise ActionFailed(f"{obj.object_id} is already {'on' if value else 'off'}")
        obj.is_toggled = value

    def do_ToggleObjectOn(self, action: dict[str, Any]) -> None:
        self._toggle(action, True)

    def do_ToggleObjectOff(self, action: dict[str, Any]) -> None:
        self._toggle(action, False)

    def do_SliceObject(self, action: dict[str, Any]) -> None:
        obj = self._target(action)
        if obj.type not in SLICEABLE or obj.is_sliced:
            raise ActionFailed(f"{obj.object_id} cannot be sliced")
        if self.held is None or self.objects[self.held].type not in SLICERS:
            raise ActionFailed("Slicing needs a knife in hand")
        obj.is_sliced, obj.enabled = True, False
        for k in range(3):  # AI2-THOR replaces a sliced object by its slices
            sid = f"{obj.object_id}|{obj.type}Sliced_{k}"
            piece = Obj(sid, f"{obj.type}Sliced", obj.x, obj.y, obj.z + 0.03 * k, (0.0, 0.0), obj.parent)
            piece.pickupable = True
            self.objects[sid] = piece

    def do_CleanObject(self, action: dict[str, Any]) -> None:
        obj = self._target(action)
        if obj.type not in DIRTYABLE:
            raise ActionFailed(f"{obj.object_id} cannot be cleaned")
        obj.is_dirty = False

    def do_SetObjectPoses(self, action: dict[str, Any]) -> None:
        """AI2-THOR's rules: each listed name moves that object, a name listed again adds a copy, and
        pickupable objects left out of the list are removed."""
        by_name = {o.name: o for o in self.objects.values() if o.pickupable}
        placed: set[str] = set()
        for pose in action.get("objectPoses", []):
            obj = by_name.get(pose.get("objectName", ""))
            if obj is None:
                continue  # AI2-THOR skips names it does not have
            p = {k: float(v) for k, v in pose["position"].items()}
            if obj.object_id in placed:
                copy = Obj(object_id(obj.type, p["x"], p["y"], p["z"]), obj.type, 0, 0, 0, obj.size, pickupable=True)
                self.objects[copy.object_id], obj = copy, copy
            obj.x, obj.y, obj.z = p["x"], p["y"], p["z"]
            obj.parent = self._support(obj)
            placed.add(obj.object_id)
        for obj in list(self.objects.values()):
            if obj.pickupable and obj.object_id not in placed:
                del self.objects[obj.object_id]

    def _support(self, obj: Obj) -> str | None:
        """The smallest receptacle whose footprint holds the object: where physics would rest it."""
        holders = [
            r
            for r in self.objects.values()
            if r.type in RECEPTACLE and r.size[0] > 0 and self._blocks_exactly(r, obj.x, obj.z)
        ]
        return min(holders, key=lambda r: r.size[0] * r.size[1]).object_id if holders else None

    @staticmethod
    def _blocks_exactly(r: Obj, x: float, z: float) -> bool:
        return abs(x - r.x) <= r.size[0] / 2 and abs(z - r.z) <= r.size[1] / 2

    def do_SetObjectToggles(self, action: dict[str, Any]) -> None:
        for toggle in action.get("objectToggles", []):
            for obj in self.objects.values():
                if obj.type == toggle.get("objectType") and obj.type in TOGGLEABLE:
                    obj.is_toggled = bool(toggle.get("isOn"))

    def do_SetStateOfAllObjects(self, action: dict[str, Any]) -> None:
        if action.get("StateChange") == "CanBeDirty":
            for obj in self.objects.values():
                obj.is_dirty = obj.type in DIRTYABLE

    # ---- metadata --------------------------------------------------------------------------
    def object_metadata(self) -> list[dict[str, Any]]:
        children: dict[str, list[str]] = {}
        for obj in self.objects.values():
            if obj.parent and obj.enabled:
                children.setdefault(obj.parent, []).append(obj.object_id)
        listed = []
        for obj in self.objects.values():
            parents, parent = [], obj.parent
            while parent:
                parents.append(parent)
                parent = self.objects[parent].parent
            listed.append(
                {
                    "objectId": obj.object_id,
                    "objectType": obj.type,
                    "name": obj.name,
                    "visible": self.visible(obj),
                    "pickupable": obj.pickupable and obj.enabled,
                    "moveable": False,
                    "isPickedUp": obj.object_id == self.held,
                    "openable": obj.type in OPENABLE,
                    "isOpen": obj.is_open,
                    "toggleable": obj.type in TOGGLEABLE,
                    "isToggled": obj.is_toggled,
                    "sliceable": obj.type in SLICEABLE,
                    "isSliced": obj.is_sliced,
                    "dirtyable": obj.type in DIRTYABLE,
                    "isDirty": obj.is_dirty,
                    "receptacle": obj.type in RECEPTACLE,
                    "receptacleObjectIds": children.get(obj.object_id, []) if obj.type in RECEPTACLE else None,
                    "parentReceptacles": parents or None,
                    "position": {"x": obj.x, "y": obj.y, "z": obj.z},
                    "rotation": {"x": 0.0, "y": 0.0, "z": 0.0},
                    "distance": round(math.hypot(obj.x - self.agent[0], obj.z - self.agent[1]), 3),
                }
            )
        return listed

    def agent_metadata(self) -> dict[str, Any]:
        x, z, rotation, horizon = self.agent
        return {
            "position": {"x": x, "y": AGENT_Y, "z": z},
            "rotation": {"x": 0.0, "y": rotation, "z": 0.0},
            "cameraHorizon": horizon,
            "isStanding": True,
        }

    def inventory(self) -> list[dict[str, str]]:
        if self.held is None:
            return []
        return [{"objectId": self.held, "objectType": self.objects[self.held].type}]
