"""The stand-in's frame: a top-down drawing of the room, the agent's view cone and what it can see.

It is not what AI2-THOR renders (a first-person photo-real view); it gives the frames a test or a
replay can read: furniture as labelled boxes, small objects as labelled dots (grey when out of
sight), the agent as an arrow.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from mmgym.envs.thor.standin.world import HALF_FOV, VISIBILITY, World

FLOOR, WALL, FURNITURE, AGENT, CONE = (236, 230, 218), (90, 90, 90), (176, 142, 104), (200, 40, 40), (255, 236, 170)


def render(world: World, width: int, height: int) -> np.ndarray:
    """An H x W x 3 uint8 frame of the room as it is now."""
    (x0, x1), (z0, z1) = world.room.x_range, world.room.z_range
    scale = min(width / (x1 - x0), height / (z1 - z0)) * 0.95

    def pixel(x: float, z: float) -> tuple[float, float]:
        return width / 2 + (x - (x0 + x1) / 2) * scale, height / 2 - (z - (z0 + z1) / 2) * scale

    image = Image.new("RGB", (width, height), WALL)
    draw = ImageDraw.Draw(image)
    draw.rectangle([*pixel(x0, z1), *pixel(x1, z0)], fill=FLOOR)
    ax, az, rotation, _ = world.agent
    cone = [pixel(ax, az)]
    for angle in np.linspace(rotation - HALF_FOV, rotation + HALF_FOV, 9):
        a = math.radians(angle)
        cone.append(pixel(ax + VISIBILITY * math.sin(a), az + VISIBILITY * math.cos(a)))
    draw.polygon(cone, fill=CONE)
    for obj in world.objects.values():
        if obj.size[0] > 0:
            w, d = obj.size
            box = [*pixel(obj.x - w / 2, obj.z + d / 2), *pixel(obj.x + w / 2, obj.z - d / 2)]
            draw.rectangle(box, fill=FURNITURE, outline=(60, 40, 20))
            draw.text((box[0] + 2, box[1] + 2), obj.type + (" (open)" if obj.is_open else ""), fill=(0, 0, 0))
    for obj in world.objects.values():
        if obj.size[0] == 0 and obj.enabled and obj.object_id != world.held:
            px, pz = pixel(obj.x, obj.z)
            colour = (30, 110, 200) if world.visible(obj) else (150, 150, 150)
            draw.ellipse([px - 4, pz - 4, px + 4, pz + 4], fill=colour)
            if world.visible(obj):
                draw.text((px + 5, pz - 5), obj.type, fill=(0, 0, 90))
    a = math.radians(rotation)
    tip = pixel(ax + 0.25 * math.sin(a), az + 0.25 * math.cos(a))
    left = pixel(ax + 0.12 * math.sin(a - 2.4), az + 0.12 * math.cos(a - 2.4))
    right = pixel(ax + 0.12 * math.sin(a + 2.4), az + 0.12 * math.cos(a + 2.4))
    draw.polygon([tip, left, right], fill=AGENT)
    return np.asarray(image, dtype=np.uint8)
