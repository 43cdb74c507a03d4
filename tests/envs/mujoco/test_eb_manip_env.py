"""EBManipEnv on the real MuJoCo simulator (headless EGL): the contract, strict 7-D actions, reach,
grasping, goals checked on the simulator's state, the frozen subsets."""

from __future__ import annotations

import importlib.util

import gymnasium as gym
import numpy as np
import pytest

if importlib.util.find_spec("mujoco") is None:
    pytest.skip("mujoco is not installed (pip install 'mmgym[mujoco]')", allow_module_level=True)

from gymnasium.utils.env_checker import check_env

import mmgym.envs  # noqa: F401  (registers the envs)
from mmgym.core.language_env import check_language_env
from mmgym.envs.mujoco import ENV_ID
from mmgym.envs.mujoco.actions import parse_action
from mmgym.envs.mujoco.episodes import generate
from mmgym.envs.mujoco.frozen import SUBSETS, load_subset
from mmgym.envs.mujoco.geometry import metres_to_voxel, rotation, unreachable, voxel_to_metres
from mmgym.envs.mujoco.scene import Scene


@pytest.fixture(scope="module")
def env():
    env = gym.make(ENV_ID, image_size=64, render_size=64).unwrapped
    yield env
    env.close()


def two_goal_scene() -> Scene:
    """A red cube and a blue cylinder; the cube goes into the green container, then the cylinder onto the table's
    yellow region."""
    return Scene.model_validate(
        {
            "task": "sort",
            "instruction": "Put the red cube into the green container and the blue cylinder into the yellow region.",
            "things": [
                {"shape": "cube", "colour": "red", "x": 0.05, "y": 0.0, "yaw": 30},
                {"shape": "cylinder", "colour": "blue", "x": -0.1, "y": -0.08},
            ],
            "fixtures": [
                {"kind": "container", "colour": "green", "x": -0.15, "y": 0.12},
                {"kind": "region", "colour": "yellow", "x": 0.15, "y": 0.12},
            ],
            "goals": [
                {"relation": "inside", "thing": 0, "target": 0},
                {"relation": "in_region", "thing": 1, "target": 1},
            ],
        }
    )


def positions(env) -> list[np.ndarray]:
    return [env.world.body_position(name) for name in env.names]


def test_the_env_passes_gymnasiums_and_mmgyms_checks(env) -> None:
    check_env(env, skip_render_check=True)
    check_language_env(env)
    assert env.candidate_actions() == [] and len(env.action_vector) == 7


def test_observation_holds_the_front_camera_the_true_positions_and_the_task(env) -> None:
    obs, info = env.reset(options={"scene": two_goal_scene()})
    assert obs["image"].shape == (64, 64, 3) and len(np.unique(obs["image"].reshape(-1, 3), axis=0)) > 10
    assert obs["instruction"].startswith("Put the red cube")
    cube = metres_to_voxel(env.world.body_position("cube0"))
    assert f"- red cube: {cube}, yaw 10" in obs["text"]  # 30 degrees = bin 10
    assert "green container: centre" in obs["text"] and "Gripper pose:" in obs["text"]
    assert info["valid"] and info["progress"] == 0.0 and info["goals_met"] == 0
    side = env.render()
    assert side.shape == (64, 64, 3) and not np.array_equal(side, obs["image"])  # the second camera


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("move forward", "is not an action"),
        ("[50, 50, 20, 0, 0, 0]", "is not an action"),
        ("[50.5, 50, 20, 0, 0, 0, 1]", "x must be an integer"),
        ("[50, 50, 20, 0, 0, 120, 1]", "yaw must be 0-119"),
        ("[50, 50, 20, 0, 0, 0, 2]", "gripper must be 0-1"),
        ("[50, 50, 20, 60, 0, 0, 1]", "cannot turn the gripper to point upward"),  # roll of 180 degrees
        ("[0, 0, 0, 0, 0, 0, 1]", "beyond its reach"),  # the front corner, on the table
        ("[50, 50, 0, 0, 0, 0, 1]", "into the table"),
    ],
)
def test_malformed_and_unreachable_actions_are_refused_and_change_nothing(env, action: str, reason: str) -> None:
    env.reset(options={"scene": two_goal_scene()})
    before, gripper = positions(env), list(env.gripper)
    _, reward, terminated, _, info = env.step(action)
    assert not info["valid"] and reason in info["feedback"] and reward == 0.0 and not terminated
    assert env.gripper == gripper and all(np.array_equal(a, b) for a, b in zip(before, positions(env), strict=True))


def test_closing_on_an_object_holds_it_lifting_carries_it_and_opening_lets_it_fall(env) -> None:
    env.reset(options={"scene": two_goal_scene()})
    cube = metres_to_voxel(env.world.body_position("cube0"))
    _, _, _, _, info = env.step(str([*cube, 0, 0, 10, 1]))  # down around it, fingers along its faces
    assert info["valid"] and info["held"] == ""
    _, _, _, _, info = env.step(str([*cube, 0, 0, 10, 0]))
    assert info["held"] == "cube0" and "holding the red cube" in info["feedback"]
    _, _, _, _, info = env.step(str([cube[0], cube[1], 40, 0, 0, 10, 0]))
    assert env.world.body_position("cube0")[2] > 0.12  # carried up with the gripper
    _, _, _, _, info = env.step(str([cube[0], cube[1], 40, 0, 0, 10, 1]))
    assert info["held"] == "" and env.world.body_position("cube0")[2] == pytest.approx(0.02, abs=0.002)


def test_closing_in_the_air_holds_nothing(env) -> None:
    env.reset(options={"scene": two_goal_scene()})
    _, _, _, _, info = env.step("[50, 50, 50, 0, 0, 0, 0]")
    assert info["valid"] and info["held"] == "" and "holding" not in info["feedback"]


def test_goals_are_checked_on_the_simulators_state_and_the_expert_meets_them(env) -> None:
    env.reset(options={"scene": two_goal_scene()})
    progress = []
    for _ in range(15):
        _, reward, terminated, _, info = env.step(env.expert_plan()[0])
        progress.append(info["progress"])
        if terminated:
            break
    assert info["success"] and reward == 1.0 and env.expert_plan() == []
    assert 0.5 in progress and progress[-1] == 1.0  # one goal met before the other
    cube, container = env.world.body_position("cube0"), env.world.body_position("container0")
    assert np.abs(cube[:2] - container[:2]).max() < 0.06  # really inside
    _, _, terminated, _, info = env.step("[50, 50, 50, 0, 0, 0, 1]")
    assert terminated and not info["valid"] and "episode is over" in info["feedback"]


def test_voxels_and_reach() -> None:
    assert metres_to_voxel(voxel_to_metres([0, 99, 99])) == [0, 99, 99]
    down = rotation(0, 0, 0)
    assert unreachable(voxel_to_metres([50, 50, 20]), down) is None
    assert unreachable(voxel_to_metres([50, 50, 20]), rotation(0, 30, 0)) is None  # tilted 90 degrees: sideways
    assert "upward" in unreachable(voxel_to_metres([50, 50, 20]), rotation(0, 31, 0))
    assert "reach" in unreachable(voxel_to_metres([99, 0, 5]), down)
    assert parse_action("[1,2,3, 4,5,6, 1].").as_list() == [1, 2, 3, 4, 5, 6, 1]


def test_the_same_scene_gives_the_same_frames(env) -> None:
    first, _ = env.reset(options={"scene": two_goal_scene()})
    env.step("[30, 30, 30, 0, 0, 0, 1]")
    second, _ = env.reset(options={"scene": two_goal_scene()})
    assert np.array_equal(first["image"], second["image"]) and first["text"] == second["text"]


@pytest.mark.parametrize("subset", list(SUBSETS))
def test_a_frozen_subset_regenerates_identically(env, subset: str) -> None:
    assert generate(subset, env=env) == load_subset(subset)
