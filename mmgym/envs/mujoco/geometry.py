"""The workspace, its voxel coordinates and the gripper's reach, as EB-Manipulation states poses.

A pose is `[x, y, z, roll, pitch, yaw]`: x, y, z are integers 0-99 over the workspace box
(x to the right as the front camera sees the table, y away from it, z up; the table top is z=0),
and the three angles are 3-degree bins (0-119, so 0-357 degrees) of the gripper's rotation
from pointing straight down with its fingers opening along x: roll about x, then pitch about y,
then yaw about the vertical (R = Rz(yaw) Ry(pitch) Rx(roll)).

The arm's shoulder stands behind the table; poses farther from it than `REACH`, poses that
would put the fingers into the table, and poses that point the gripper upward are unreachable.
"""

from __future__ import annotations

import math

import numpy as np

VOXELS = 100  # per axis: coordinates 0-99
ANGLE_BIN = 3  # degrees per rotation bin
ANGLE_BINS = 360 // ANGLE_BIN  # 0-119
WORKSPACE = ((-0.3, 0.3), (-0.3, 0.3), (0.0, 0.4))  # metres: x, y, z (z=0 is the table top)
SHOULDER = np.array([0.0, 0.55, 0.35])  # the arm's base, behind the far edge of the table
REACH = 0.92  # metres from the shoulder to the tool centre point
FINGER_TIP_BELOW_TCP = 0.005  # the fingertips reach this far below the tool centre point
TIP_POINTS = np.array([[sx * 0.057, sy * 0.025, -FINGER_TIP_BELOW_TCP] for sx in (-1, 1) for sy in (-1, 1)])


def voxel_to_metres(voxel: tuple[int, int, int] | list[int]) -> np.ndarray:
    return np.array([lo + v * (hi - lo) / (VOXELS - 1) for v, (lo, hi) in zip(voxel, WORKSPACE, strict=True)])


def metres_to_voxel(position: np.ndarray | list[float] | tuple[float, ...]) -> list[int]:
    """The nearest voxel, clipped to the workspace (so a point off the table still has coordinates)."""
    voxel = []
    for value, (lo, hi) in zip(position, WORKSPACE, strict=True):
        voxel.append(int(np.clip(round((float(value) - lo) / (hi - lo) * (VOXELS - 1)), 0, VOXELS - 1)))
    return voxel


def rotation(roll_bin: int, pitch_bin: int, yaw_bin: int) -> np.ndarray:
    """The gripper's rotation matrix for three angle bins."""
    roll, pitch, yaw = (math.radians(b * ANGLE_BIN) for b in (roll_bin, pitch_bin, yaw_bin))
    cr, sr, cp, sp, cy, sy = (
        math.cos(roll),
        math.sin(roll),
        math.cos(pitch),
        math.sin(pitch),
        math.cos(yaw),
        math.sin(yaw),
    )
    rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    return rz @ ry @ rx


def quaternion(matrix: np.ndarray) -> np.ndarray:
    """(w, x, y, z) of a rotation matrix, w >= 0."""
    m = matrix
    w = math.sqrt(max(0.0, 1.0 + m[0, 0] + m[1, 1] + m[2, 2])) / 2
    x = math.copysign(math.sqrt(max(0.0, 1.0 + m[0, 0] - m[1, 1] - m[2, 2])) / 2, m[2, 1] - m[1, 2])
    y = math.copysign(math.sqrt(max(0.0, 1.0 - m[0, 0] + m[1, 1] - m[2, 2])) / 2, m[0, 2] - m[2, 0])
    z = math.copysign(math.sqrt(max(0.0, 1.0 - m[0, 0] - m[1, 1] + m[2, 2])) / 2, m[1, 0] - m[0, 1])
    q = np.array([w, x, y, z])
    return q / np.linalg.norm(q)


def unreachable(position: np.ndarray, matrix: np.ndarray) -> str | None:
    """Why the arm cannot hold the gripper at this pose, or None when it can."""
    if matrix[2, 2] < -1e-6:  # the gripper's axis (tips below the palm: its local -z) points upward
        return "the wrist cannot turn the gripper to point upward"
    distance = float(np.linalg.norm(position - SHOULDER))
    if distance > REACH:
        return f"the pose is {distance:.2f} m from the arm's base, beyond its reach of {REACH} m"
    lowest = float(min((position + matrix @ point)[2] for point in TIP_POINTS))
    if lowest < WORKSPACE[2][0]:
        return f"the fingers would go {100 * -lowest:.1f} cm into the table"
    return None


def yaw_bin(angle_radians: float, symmetry_degrees: int = 360) -> int:
    """The bin nearest an angle about the vertical, folded into (-symmetry/2, symmetry/2] first."""
    degrees = math.degrees(angle_radians) % symmetry_degrees
    if degrees > symmetry_degrees / 2:
        degrees -= symmetry_degrees
    return round(degrees / ANGLE_BIN) % ANGLE_BINS
