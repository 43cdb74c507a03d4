"""The objects on the table: their shapes, sizes and colours, and the words that name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    name: str
    half_height: float  # metres from the table to the centre of a resting object
    grasp_symmetry: int  # degrees after which a grasp from above repeats (a cube's is 90)
    looks_like: str  # common sense: what the shape is like


SHAPES: dict[str, Shape] = {
    "cube": Shape("cube", 0.02, 90, "a die"),
    "cylinder": Shape("cylinder", 0.02, 360, "a tin can"),
    "triangle": Shape("triangle", 0.02, 120, "a slice of cake"),
}
POOL_PER_SHAPE = 4  # the most objects of one shape a scene may hold

COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.85, 0.12, 0.10),
    "green": (0.15, 0.65, 0.20),
    "blue": (0.12, 0.30, 0.85),
    "yellow": (0.95, 0.85, 0.10),
    "purple": (0.55, 0.20, 0.70),
    "orange": (0.95, 0.50, 0.05),
    "white": (0.92, 0.92, 0.92),
    "black": (0.08, 0.08, 0.08),
}
COMMON_SENSE_COLOURS: dict[str, str] = {
    "red": "the colour of a ripe tomato",
    "green": "the colour of fresh grass",
    "blue": "the colour of a clear sky",
    "yellow": "the colour of a banana",
    "purple": "the colour of an aubergine",
    "orange": "the colour of a carrot",
    "white": "the colour of snow",
    "black": "the colour of coal",
}

CONTAINER_HALF = 0.06  # metres: half the inside width of a container
CONTAINER_WALL = 0.03  # metres: wall height
REGION_HALF = 0.05  # metres: half the width of a target region on the table
POOL_CONTAINERS = 2
POOL_REGIONS = 2
