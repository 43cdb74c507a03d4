"""The stand-in's frames: the apartment's floor plan drawn with PIL from the symbolic state.

Receptacles are labelled rectangles (the tables in their colours, black and brown, as EB-Habitat's
instructions call them), the refrigerator and drawers say whether they are open, objects are
coloured shapes with their names on the receptacle they are on, and the robot is a blue disc at
the place it navigated to, with what it holds. The observation (`visible_only`) shows objects only
where the robot's head camera would see them, on the receptacle it stands at; the full render
shows every object, greyed inside closed parts. A floor plan, not a photograph: see `standin`.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mmgym.envs.habitat.skills import BY_NAME, MARKERS
from mmgym.envs.habitat.state import State
from mmgym.envs.habitat.world import OBJECTS

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame's side

# The floor plan: the kitchen along the top wall, the living room below (mmgym's drawing of ReplicaCAD's layout).
BOXES: dict[str, Box] = {
    "left counter in the kitchen": (0.02, 0.02, 0.21, 0.16),
    "sink in the kitchen": (0.22, 0.02, 0.40, 0.16),
    "right counter in the kitchen": (0.41, 0.02, 0.60, 0.16),
    "refrigerator": (0.80, 0.02, 0.98, 0.36),
    "left drawer of the kitchen counter": (0.02, 0.18, 0.21, 0.36),
    "cabinet 6": (0.22, 0.18, 0.40, 0.36),
    "right drawer of the kitchen counter": (0.41, 0.18, 0.60, 0.36),
    "cabinet 4": (0.61, 0.18, 0.78, 0.36),
    "table 1": (0.12, 0.48, 0.40, 0.68),
    "chair 1": (0.43, 0.50, 0.55, 0.66),
    "table 2": (0.58, 0.48, 0.86, 0.68),
    "TV stand": (0.03, 0.80, 0.35, 0.98),
    "sofa": (0.40, 0.80, 0.97, 0.98),
}
SPAWN = (0.5, 0.74)
_ROBOT_SPOT = {  # where the robot stands at a navigation marker
    "cabinet 7": (0.11, 0.40),
    "cabinet 6": (0.31, 0.40),
    "cabinet 5": (0.50, 0.40),
    "cabinet 4": (0.69, 0.40),
    "refrigerator push point": (0.80, 0.40),
}
_FILL = {
    "chair 1": "#b07040",
    "table 1": "#1e1e1e",
    "table 2": "#8b5a2b",
    "TV stand": "#606060",
    "sofa": "#6f86a8",
    "sink in the kitchen": "#a9d2e8",
}
_DARK = ("table 1", "table 2", "TV stand", "sofa")
_HEADER = {  # label lines where the skill's words do not fit
    "sink in the kitchen": ["sink"],
    "left counter in the kitchen": ["left counter"],
    "right counter in the kitchen": ["right counter"],
    "left drawer of the kitchen counter": ["left drawer", "cabinet 7"],
    "right drawer of the kitchen counter": ["right drawer", "cabinet 5"],
}
_CLOSED, _OPEN_PART = "#b9b2a6", "#e6d6b4"


@functools.cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def draw(state: State, size: int, visible_only: bool) -> np.ndarray:
    """The floor plan as an H x W x 3 uint8 frame, `size` pixels square."""
    font = _font(max(6, round(size * 12 / 500)))
    line = max(7, round(size * 14 / 500))
    image = Image.new("RGB", (size, size), "#efe6d6")
    pen = ImageDraw.Draw(image)
    pen.rectangle(_px((0.0, 0.0, 1.0, 0.44), size), fill="#dcdcd4")  # the kitchen's tiles
    shown = state.visible() if visible_only else None
    for name, box in BOXES.items():
        part = BY_NAME[name].part if name in BY_NAME else name
        closed = part is not None and part not in state.opened
        header = list(_HEADER.get(name, [name]))
        if part is not None:
            header.append("closed" if closed else "open")
        fill = _CLOSED if closed else _OPEN_PART if part else _FILL.get(name, "#c4c4c4")
        pixels = _px(box, size)
        pen.rectangle(pixels, fill=fill, outline="#303030", width=max(1, size // 250))
        ink = "#ffffff" if name in _DARK else "#000000"
        x, y = pixels[0] + 3, pixels[1] + 2
        for text in header:
            pen.text((x, y), text, fill=ink, font=font)
            y += line
        if name in BY_NAME:
            kinds = shown.get(name, []) if shown is not None else [k for k, at in state.where.items() if at == name]
            _objects(pen, kinds, (x, y), pixels[3], line, font, ink, faded=closed)
    _robot(pen, state, size, line, font)
    return np.asarray(image, dtype=np.uint8)


def _px(box: Box, size: int) -> tuple[int, int, int, int]:
    return (round(box[0] * size), round(box[1] * size), round(box[2] * size) - 1, round(box[3] * size) - 1)


def _objects(pen, kinds: list[str], at: tuple[int, int], bottom: int, line: int, font, ink: str, faded: bool) -> None:
    x, y = at
    room = max(0, (bottom - y) // line)
    listed = kinds if len(kinds) <= room else kinds[: max(0, room - 1)]
    for kind in listed:
        colour, shape = OBJECTS[kind]
        _shape(pen, shape, "#8c8c8c" if faded else colour, (x + line // 2, y + line // 2), line // 2 - 1)
        pen.text((x + line + 2, y), kind, fill=ink, font=font)
        y += line
    if len(listed) < len(kinds):
        pen.text((x, y), f"+{len(kinds) - len(listed)} more", fill=ink, font=font)


def _shape(pen, shape: str, colour: str, centre: tuple[int, int], radius: int) -> None:
    cx, cy = centre
    radius = max(radius, 2)
    corners = (cx - radius, cy - radius, cx + radius, cy + radius)
    if shape == "circle":
        pen.ellipse(corners, fill=colour, outline="#000000")
    elif shape == "square":
        pen.rectangle(corners, fill=colour, outline="#000000")
    else:
        pen.polygon(
            [(cx, cy - radius), (cx - radius, cy + radius), (cx + radius, cy + radius)], fill=colour, outline="#000"
        )


def _robot(pen, state: State, size: int, line: int, font) -> None:
    place = state.robot
    if place is None:
        cx, cy = SPAWN
    elif place in _ROBOT_SPOT:
        cx, cy = _ROBOT_SPOT[place]
    else:
        x0, y0, x1, y1 = BOXES[place]
        cx, cy = (x0 + x1) / 2, (y1 + 0.035 if y1 < 0.7 else y0 - 0.035)
    x, y, r = round(cx * size), round(cy * size), max(3, round(0.022 * size))
    pen.ellipse((x - r, y - r, x + r, y + r), fill="#1f5fd0", outline="#000000")
    label = "robot" + (f" holding the {state.held}" if state.held else "")
    if place in MARKERS:
        label += f" at the {place}"
    width = pen.textlength(label, font=font)
    left = x + r + 2 if x + r + 2 + width <= size else x - r - 2 - width
    pen.text((left, y - line // 2), label, fill="#102a60", font=font)
    if state.held:
        colour, shape = OBJECTS[state.held]
        _shape(pen, shape, colour, (x, y), r // 2)
