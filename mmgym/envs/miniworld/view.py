"""The text observation (an mmgym extension; EB-Navigation gives the model only the image): the
objects in the camera's view, with distance and bearing.

An object is in view when its bearing is inside the camera's horizontal field of view (widened by
the object's own width) and no wall stands between the camera and the object's centre. Objects do
not hide one another here, and the camera's tilt does not change what is listed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mmgym.envs.miniworld.scene import Thing

HALF_FIELD_OF_VIEW = 30.0  # degrees: MiniWorld's 60-degree field of view on a square frame
MAX_RANGE = 20.0  # metres
Segment = tuple[tuple[float, float], tuple[float, float]]


def bearing(x: float, z: float, heading: float, tx: float, tz: float) -> float:
    """Degrees from the heading to the point, counter-clockwise (left) positive, in (-180, 180]."""
    angle = math.degrees(math.atan2(-(tz - z), tx - x)) - heading
    return -((-angle + 180.0) % 360.0 - 180.0)


def _crosses(a: tuple[float, float], b: tuple[float, float], segment: Segment) -> bool:
    """Whether the segment a-b properly crosses `segment`."""
    (cx, cz), (dx, dz) = segment

    def side(px: float, pz: float, qx: float, qz: float, rx: float, rz: float) -> float:
        return (qx - px) * (rz - pz) - (qz - pz) * (rx - px)

    d1 = side(cx, cz, dx, dz, *a)
    d2 = side(cx, cz, dx, dz, *b)
    d3 = side(*a, *b, cx, cz)
    d4 = side(*a, *b, dx, dz)
    return d1 * d2 < 0 and d3 * d4 < 0


def in_view(
    x: float, z: float, heading: float, things: Sequence[Thing], walls: Sequence[Segment]
) -> list[tuple[Thing, float, float]]:
    """(thing, distance, bearing) of each object in view, nearest first."""
    seen = []
    for thing in things:
        distance = math.dist((x, z), (thing.x, thing.z))
        if distance > MAX_RANGE or distance < 1e-6:
            continue
        angle = bearing(x, z, heading, thing.x, thing.z)
        if abs(angle) > HALF_FIELD_OF_VIEW + math.degrees(math.atan2(thing.radius, distance)):
            continue
        if any(_crosses((x, z), (thing.x, thing.z), wall) for wall in walls):
            continue
        seen.append((thing, distance, angle))
    return sorted(seen, key=lambda item: item[1])


def describe(x: float, z: float, heading: float, pitch: int, things: Sequence[Thing], walls: Sequence[Segment]) -> str:
    """'In view: the red box, 2.3 m away, 12 degrees to your left; ...' and the camera's tilt, if any."""
    parts = []
    for thing, distance, angle in in_view(x, z, heading, things, walls):
        if abs(angle) < 5:
            where = "straight ahead"
        else:
            where = f"{abs(angle):.0f} degrees to your {'left' if angle > 0 else 'right'}"
        parts.append(f"the {thing.label}, {distance:.1f} m away, {where}")
    text = "In view: " + "; ".join(parts) + "." if parts else "No object in view."
    if pitch:
        text += f" Your camera is tilted {abs(pitch)} degrees {'up' if pitch > 0 else 'down'}."
    return text
