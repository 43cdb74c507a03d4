"""EB-Navigation's success radius and progress on MiniWorld, in a hand-built corridor: the target straight
ahead, so each move changes the distance by exactly 0.25 m and the 1 m boundary is met exactly."""

from __future__ import annotations

import importlib.util

import gymnasium as gym
import pytest

if importlib.util.find_spec("miniworld") is None:  # not importorskip: MiniWorld must be imported headless, by mmgym
    pytest.skip("miniworld is not installed (pip install 'mmgym[miniworld]')", allow_module_level=True)

import mmgym.envs  # noqa: F401  (registers the envs)
from mmgym.envs.miniworld import ENV_ID, planner
from mmgym.envs.miniworld.scene import Scene

FORWARD, BACKWARD = "Move forward by 0.25", "Move backward by 0.25"
CORRIDOR = Scene.model_validate(
    {
        "rooms": [{"x0": 0, "x1": 6, "z0": 0, "z1": 2}],
        "things": [{"kind": "box", "colour": "red", "x": 4.0, "z": 1.0}],
        "agent_x": 1.0,
        "agent_z": 1.0,
        "agent_heading": 0,  # facing +x, towards the box 3 m away
        "target": 0,
        "instruction": "Navigate to the red box.",
    }
)


@pytest.mark.parametrize(
    ("pose", "target", "reached"),
    [
        ((0, 0, 0), (1.0, 0.0), True),  # exactly 1 m
        ((0, 0, 0), (1.01, 0.0), False),
        ((0, 0, 0), (0.6, 0.8), True),  # 1 m on the diagonal
        ((0, 0, 0), (0.61, 0.8), False),
        ((4, 0, 2), (1.0, 0.0), True),  # at the target, whatever the heading
        ((0, 0, 0), (-1.0, 0.0), True),  # behind counts too: distance only
    ],
)
def test_reached_means_within_1_m_in_the_floor_plane(pose, target, reached: bool) -> None:
    assert planner.reached(pose, target) is reached


@pytest.fixture(scope="module")
def env():
    env = gym.make(ENV_ID, image_size=32, map_size=32, observe_image=False).unwrapped
    yield env
    env.close()


def test_progress_is_the_share_of_the_starting_distance_covered_and_floored_at_zero(env) -> None:
    _, info = env.reset(options={"scene": CORRIDOR})
    assert info["progress"] == 0.0 and not info["success"]
    info = env.step(FORWARD)[4]
    assert info["progress"] == pytest.approx(1 - 2.75 / 3.0)
    env.step(BACKWARD)
    info = env.step(BACKWARD)[4]  # farther than at the start
    assert info["valid"] and info["progress"] == 0.0


def test_success_comes_at_exactly_1_m_ends_the_episode_and_counts_full_progress(env) -> None:
    env.reset(options={"scene": CORRIDOR})
    for _ in range(7):  # 3 m -> 1.25 m
        _, reward, terminated, _, info = env.step(FORWARD)
    assert not info["success"] and not terminated and reward == 0.0
    assert info["progress"] == pytest.approx(1 - 1.25 / 3.0)
    _, reward, terminated, _, info = env.step(FORWARD)  # 1 m: within the radius
    assert info["success"] and terminated and reward == 1.0 and info["progress"] == 1.0


def test_the_distance_is_reported_to_the_millimetre(env) -> None:
    box = {"kind": "box", "colour": "red", "x": 4.0, "z": 1.5}  # sqrt(3^2 + 0.5^2) = 3.0414 m away
    _, info = env.reset(
        options={"scene": CORRIDOR.model_copy(update={"things": (CORRIDOR.things[0].model_copy(update=box),)})}
    )
    assert info["distance"] == 3.041
