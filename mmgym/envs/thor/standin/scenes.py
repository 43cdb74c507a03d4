"""The stand-in's two symbolic rooms: a kitchen (FloorPlan1) and a bedroom (FloorPlan301).

Each object is a type, a position in AI2-THOR's frame (y up, metres) and, for furniture, a
footprint that the agent cannot enter. What an object can do (pick up, open, toggle, slice, hold
things) follows from its type, as in AI2-THOR. Small objects name the receptacle they start in.
"""

from __future__ import annotations

from dataclasses import dataclass

PICKUPABLE = frozenset(
    [
        "Apple",
        "Tomato",
        "Mug",
        "Knife",
        "ButterKnife",
        "Bread",
        "Egg",
        "Ladle",
        "Plate",
        "Spoon",
        "Potato",
        "Lettuce",
        "Bowl",
        "Book",
        "CD",
        "KeyChain",
        "AlarmClock",
        "Pillow",
        "CellPhone",
        "Laptop",
        "Pen",
        "Pencil",
    ]
)
RECEPTACLE = frozenset(
    [
        "CounterTop",
        "Sink",
        "SinkBasin",
        "Fridge",
        "Microwave",
        "StoveBurner",
        "Cabinet",
        "DiningTable",
        "GarbageCan",
        "Plate",
        "Bowl",
        "Mug",
        "Bed",
        "Desk",
        "Drawer",
        "Shelf",
        "SideTable",
    ]
)
OPENABLE = frozenset(["Fridge", "Microwave", "Cabinet", "Drawer", "Laptop"])
TOGGLEABLE = frozenset(["Faucet", "Microwave", "DeskLamp"])
SLICEABLE = frozenset(["Apple", "Tomato", "Bread", "Potato", "Lettuce"])
DIRTYABLE = frozenset(["Mug", "Plate", "Bowl", "Ladle", "Spoon", "Knife"])
SLICERS = frozenset({"Knife", "ButterKnife"})


@dataclass(frozen=True)
class Thing:
    """One object as a scene starts: type, position, footprint (furniture) and starting receptacle."""

    type: str
    x: float
    y: float
    z: float
    size: tuple[float, float] = (0.0, 0.0)  # footprint (x, z) of furniture; 0 for small objects
    inside: int | None = None  # index of the starting receptacle in the scene's list


@dataclass(frozen=True)
class Room:
    """A scene: its walls (x and z extent), the agent's start and its objects."""

    name: str
    x_range: tuple[float, float]
    z_range: tuple[float, float]
    start: tuple[float, float, float]  # x, z, rotation about y (degrees)
    things: tuple[Thing, ...]


KITCHEN = Room(
    "FloorPlan1",
    (-2.0, 2.0),
    (-2.0, 2.0),
    (0.0, 0.0, 0.0),
    (
        Thing("CounterTop", 1.6, 0.9, -0.25, (0.6, 1.5)),  # 0
        Thing("Sink", 1.6, 0.9, -1.45, (0.6, 0.5)),  # 1
        Thing("SinkBasin", 1.6, 0.9, -1.45, (0.5, 0.4)),  # 2: its id is the sink's, plus |SinkBasin
        Thing("Faucet", 1.85, 1.05, -1.45),  # 3
        Thing("Fridge", -1.6, 0.9, -1.6, (0.7, 0.7)),  # 4
        Thing("Microwave", 1.6, 1.2, 1.5, (0.5, 0.5)),  # 5
        Thing("StoveBurner", 1.6, 0.9, 0.75, (0.5, 0.4)),  # 6
        Thing("Cabinet", -1.7, 0.5, 0.0, (0.5, 0.6)),  # 7
        Thing("Cabinet", -1.7, 0.5, 1.0, (0.5, 0.6)),  # 8
        Thing("DiningTable", 0.0, 0.75, 1.4, (1.0, 0.7)),  # 9
        Thing("GarbageCan", -0.4, 0.0, -1.8, (0.3, 0.3)),  # 10
        Thing("Apple", 1.55, 0.95, -0.6, inside=0),
        Thing("Tomato", -0.2, 0.8, 1.3, inside=9),
        Thing("Mug", 1.6, 0.95, 0.1, inside=0),
        Thing("Mug", 0.3, 0.8, 1.5, inside=9),
        Thing("Knife", 1.65, 0.92, -0.2, inside=0),
        Thing("Bread", 0.2, 0.8, 1.25, inside=9),
        Thing("Egg", -1.6, 1.0, -1.6, inside=4),
        Thing("Ladle", 1.6, 0.92, 0.3, inside=0),
        Thing("Plate", -0.3, 0.78, 1.55, inside=9),
        Thing("Spoon", 0.05, 0.78, 1.6, inside=9),
        Thing("Potato", -1.7, 0.55, 0.05, inside=7),
        Thing("Lettuce", -1.55, 1.1, -1.55, inside=4),
        Thing("Bowl", -1.7, 0.55, 1.0, inside=8),
    ),
)

BEDROOM = Room(
    "FloorPlan301",
    (-2.0, 2.0),
    (-1.5, 1.5),
    (0.0, -0.5, 0.0),
    (
        Thing("Bed", -1.3, 0.5, 0.6, (1.2, 1.6)),  # 0
        Thing("Desk", 1.5, 0.75, 0.8, (0.8, 0.6)),  # 1
        Thing("DeskLamp", 1.8, 0.95, 0.95),  # 2
        Thing("Drawer", 1.6, 0.5, -0.9, (0.6, 0.5)),  # 3
        Thing("Shelf", 0.0, 1.0, 1.35, (1.0, 0.25)),  # 4
        Thing("SideTable", -1.7, 0.5, -1.1, (0.4, 0.4)),  # 5
        Thing("Book", 1.4, 0.8, 0.7, inside=1),
        Thing("CD", 0.1, 1.05, 1.35, inside=4),
        Thing("KeyChain", 1.6, 0.55, -0.9, inside=3),
        Thing("AlarmClock", 1.6, 0.8, 0.65, inside=1),
        Thing("Pillow", -1.3, 0.6, 1.1, inside=0),
        Thing("CellPhone", -1.7, 0.55, -1.1, inside=5),
        Thing("Pen", -0.2, 1.05, 1.35, inside=4),
    ),
)

ROOMS = {room.name: room for room in (KITCHEN, BEDROOM)}
