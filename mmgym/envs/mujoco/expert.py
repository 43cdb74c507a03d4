"""The scripted expert: approach, grasp, lift, move, release (and push), planned from the true state.

For each unmet goal in order, a pick-and-place takes six actions: go to the object with the
gripper open (across at the current height, then down), close, lift, go to the place pose
(across at carrying height, then down), open, and rise clear. A push takes the closed gripper
behind the object, low, and sweeps it to the region. The plan is rebuilt from the state before
each action, so a slipped grasp or a short push is simply tried again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from mmgym.core.language_env import format_vector
from mmgym.envs.mujoco.geometry import metres_to_voxel, voxel_to_metres, yaw_bin
from mmgym.envs.mujoco.scene import Goal, Scene
from mmgym.envs.mujoco.things import SHAPES

CARRY_HEIGHT = 0.13  # metres: the tool centre point while carrying (clears a two-object stack)
CLEAR_HEIGHT = 0.09  # metres: below this the gripper rises before going across
DROP_GAP = 0.012  # metres between a placed object's bottom and the surface it goes onto
CONTAINER_FLOOR = 0.004
PUSH_HEIGHT = 0.012  # metres: the tool centre point while pushing
PUSH_BEHIND = 0.05  # metres behind the object's centre where a push starts
PUSH_FACE = 0.034  # metres from the tool centre point to the pushed object's centre at the end


@dataclass(frozen=True)
class Hand:
    """What the planner tracks while it plans ahead: the commanded pose and the gripper."""

    voxel: tuple[int, int, int]
    yaw: int
    open: bool
    held: int | None  # index of the held thing

    def action(self) -> str:
        return format_vector([*self.voxel, 0, 0, self.yaw, int(self.open)])


@dataclass(frozen=True)
class Snapshot:
    """The true state the plan starts from: positions and yaws of the things, fixture centres."""

    things: list[np.ndarray]
    yaws: list[float]
    fixtures: list[np.ndarray]
    hand: np.ndarray  # the tool centre point


def plan(scene: Scene, snapshot: Snapshot, hand: Hand, met: list[bool]) -> list[str]:
    actions: list[str] = []
    positions = list(snapshot.things)
    remaining = [goal for goal, done in zip(scene.goals, met, strict=True) if not done]
    for goal in remaining:
        if goal.relation == "in_region":
            steps, hand = _push(scene, snapshot, positions, goal, hand)
        else:
            steps, hand = _pick_and_place(scene, snapshot, positions, goal, hand)
        actions += steps
    return actions[:-1] if remaining else actions  # the last goal needs no rising clear after it


def _pick_and_place(scene: Scene, snapshot: Snapshot, positions: list[np.ndarray], goal: Goal, hand: Hand):
    thing = scene.things[goal.thing]
    half = SHAPES[thing.shape].half_height
    position = positions[goal.thing]
    steps: list[str] = []
    if hand.held is not None and hand.held != goal.thing:  # let go of anything else first
        hand = _do(steps, replace(hand, open=True, held=None))
    if hand.held is None:
        grasp = tuple(metres_to_voxel(position))
        yaw = yaw_bin(snapshot.yaws[goal.thing], SHAPES[thing.shape].grasp_symmetry)
        if not _near(hand.voxel, grasp) or hand.yaw != yaw or not hand.open:
            if not _near(hand.voxel[:2], grasp[:2]) and _height(hand) < CLEAR_HEIGHT - 0.01:
                hand = _do(steps, replace(hand, voxel=_at_height(hand.voxel, CLEAR_HEIGHT), open=True))
            hand = _do(steps, replace(hand, voxel=grasp, yaw=yaw, open=True))
        hand = _do(steps, replace(hand, open=False, held=goal.thing))
    target = _place_point(scene, snapshot, positions, goal, half)
    offset = np.zeros(3)
    if hand.held == goal.thing:  # held off-centre: place the object, not the hand
        offset[:2] = (positions[goal.thing] - snapshot.hand)[:2]
    place = tuple(metres_to_voxel(target - offset))
    if not _near(hand.voxel, place):
        if not _near(hand.voxel[:2], place[:2]) and _height(hand) < CARRY_HEIGHT - 0.01:
            hand = _do(steps, replace(hand, voxel=_at_height(hand.voxel, CARRY_HEIGHT)))
        hand = _do(steps, replace(hand, voxel=place))
    hand = _do(steps, replace(hand, open=True, held=None))
    positions[goal.thing] = target - [0.0, 0.0, DROP_GAP]
    hand = _do(steps, replace(hand, voxel=_at_height(hand.voxel, CLEAR_HEIGHT)))
    return steps, hand


def _place_point(scene: Scene, snapshot: Snapshot, positions: list[np.ndarray], goal: Goal, half: float) -> np.ndarray:
    if goal.relation == "on":
        below = positions[goal.target]
        top = below[2] + SHAPES[scene.things[goal.target].shape].half_height
        return np.array([below[0], below[1], top + DROP_GAP + half])
    centre = snapshot.fixtures[goal.target]
    return np.array([centre[0], centre[1], CONTAINER_FLOOR + DROP_GAP + half])


def _push(scene: Scene, snapshot: Snapshot, positions: list[np.ndarray], goal: Goal, hand: Hand):
    steps: list[str] = []
    if hand.held is not None:
        hand = _do(steps, replace(hand, open=True, held=None))
    position, region = positions[goal.thing], snapshot.fixtures[goal.target]
    direction = region[:2] - position[:2]
    direction /= max(float(np.linalg.norm(direction)), 1e-9)
    yaw = yaw_bin(math.atan2(direction[1], direction[0]), 180)  # fingers in line: a pad's 5 cm face pushes
    start = np.array([*(position[:2] - PUSH_BEHIND * direction), PUSH_HEIGHT])
    end = np.array([*(region[:2] - PUSH_FACE * direction), PUSH_HEIGHT])
    start_voxel = tuple(metres_to_voxel(start))
    if not (_near(hand.voxel, start_voxel) and hand.yaw == yaw and not hand.open):
        if _height(hand) < CLEAR_HEIGHT - 0.01 and not _near(hand.voxel[:2], start_voxel[:2]):
            hand = _do(steps, replace(hand, voxel=_at_height(hand.voxel, CLEAR_HEIGHT)))
        hand = _do(steps, replace(hand, voxel=start_voxel, yaw=yaw, open=False))
    hand = _do(steps, replace(hand, voxel=tuple(metres_to_voxel(end))))
    positions[goal.thing] = np.array([*region[:2], position[2]])
    hand = _do(steps, replace(hand, voxel=_at_height(hand.voxel, CLEAR_HEIGHT)))
    return steps, hand


def _do(steps: list[str], hand: Hand) -> Hand:
    steps.append(hand.action())
    return hand


def _near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Within a voxel on every axis: a position on a voxel boundary may round either way."""
    return all(abs(p - q) <= 1 for p, q in zip(a, b, strict=True))


def _height(hand: Hand) -> float:
    return float(voxel_to_metres(hand.voxel)[2])


def _at_height(voxel: tuple[int, int, int], height: float) -> tuple[int, int, int]:
    return (voxel[0], voxel[1], metres_to_voxel([0.0, 0.0, height])[2])
