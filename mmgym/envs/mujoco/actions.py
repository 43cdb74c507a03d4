"""EB-Manipulation's 7-D action in words: `[x, y, z, roll, pitch, yaw, gripper]`, parsed strictly.

x, y, z are voxels 0-99 over the workspace, roll, pitch and yaw are 3-degree bins 0-119, and the
gripper is 0 (closed) or 1 (open); see `geometry` for the frame. Anything else is refused with a
reason: a reply that does not hold exactly seven integers never becomes a made-up action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mmgym.envs.mujoco.geometry import ANGLE_BIN, ANGLE_BINS, VOXELS

FIELDS = ("x", "y", "z", "roll", "pitch", "yaw", "gripper")
BOUNDS: tuple[tuple[int, int], ...] = ((0, VOXELS - 1),) * 3 + ((0, ANGLE_BINS - 1),) * 3 + ((0, 1),)
_NUMBER = re.compile(r"-?\d{1,12}(?:\.\d{1,12})?")
_ONLY_NUMBERS = re.compile(
    r"[\s\[\](),;:]*(?:-?\d{1,12}(?:\.\d{1,12})?[\s\[\](),;:]{1,20}){6}-?\d{1,12}(?:\.\d{1,12})?[\s\[\](),;:.]*"
)


@dataclass(frozen=True)
class ArmAction:
    voxel: tuple[int, int, int]
    angles: tuple[int, int, int]  # roll, pitch, yaw bins
    gripper_open: bool

    def as_list(self) -> list[int]:
        return [*self.voxel, *self.angles, int(self.gripper_open)]


def parse_action(text: object) -> ArmAction | str:
    """The action a string names, or one line saying why it is not one."""
    if not isinstance(text, str) or _ONLY_NUMBERS.fullmatch(text.strip()) is None:
        shown = text.strip()[:80] if isinstance(text, str) else type(text).__name__
        return f"{shown!r} is not an action; write {GRAMMAR_SHORT}"
    values = []
    for field, token, (low, high) in zip(FIELDS, _NUMBER.findall(text), BOUNDS, strict=True):
        number = float(token)
        if not number.is_integer():
            return f"{field} must be an integer, got {token}"
        if not low <= number <= high:
            return f"{field} must be {low}-{high}, got {token}"
        values.append(int(number))
    return ArmAction(tuple(values[:3]), tuple(values[3:6]), bool(values[6]))


GRAMMAR_SHORT = "[x, y, z, roll, pitch, yaw, gripper] as 7 integers"
RULES = (
    "You control a robot gripper above a table. Each action is an absolute gripper pose plus the "
    "gripper state, written [x, y, z, roll, pitch, yaw, gripper]: x, y, z are integers 0-99 over the "
    "workspace (x grows to the right as the front camera sees the table, y grows away from the camera, "
    "z grows upward from the table top at 0); roll, pitch and yaw are integers 0-119 in "
    f"{ANGLE_BIN}-degree steps, turning the gripper from pointing straight down with its fingers opening "
    "along x (yaw turns it about the vertical); gripper is 1 for open and 0 for closed. The gripper "
    "first moves to the pose (rising first when the pose is higher, descending last when it is lower), "
    "then opens or closes. Closing with an object between the fingers grasps it; opening releases it. "
    "A pose the arm cannot reach (too far, into the table, pointing upward) is refused and changes nothing. "
    "Object positions are given in the same coordinates."
)
GRAMMAR = f"one action: {GRAMMAR_SHORT}, x, y, z in 0-99, roll, pitch, yaw in 0-119, gripper 0 or 1"
