"""EB-Manipulation's goal rules on constructed simulator states: bodies are put where a test wants them
(positions set in MuJoCo's state, then forward kinematics), and the real checks read them back.

Each case sits just inside or just outside one tolerance, so a changed threshold, a dropped
condition or a swapped comparison turns one of them."""

from __future__ import annotations

import importlib.util

import gymnasium as gym
import numpy as np
import pytest

if importlib.util.find_spec("mujoco") is None:
    pytest.skip("mujoco is not installed (pip install 'mmgym[mujoco]')", allow_module_level=True)

import mmgym.envs  # noqa: F401  (registers the envs)
from mmgym.envs.mujoco import ENV_ID
from mmgym.envs.mujoco.deps import mujoco  # MUJOCO_GL=egl first: a bare `import mujoco` picks GLFW, for good
from mmgym.envs.mujoco.goals import STACK_XY, STACK_Z, goals_met, met
from mmgym.envs.mujoco.scene import Scene
from mmgym.envs.mujoco.things import CONTAINER_HALF, CONTAINER_WALL, REGION_HALF, SHAPES

HALF = SHAPES["cube"].half_height  # every shape rests with its centre this high
CONTAINER = np.array([-0.15, 0.12])
REGION = np.array([0.15, 0.12])
BASE = np.array([0.0, -0.1])  # where the lower cube of the stack rests

# Goals: red cube inside the container, blue cube on the green cylinder, green cylinder in the region.
SCENE = Scene.model_validate(
    {
        "task": "sort",
        "instruction": "Sort them.",
        "things": [
            {"shape": "cube", "colour": "red", "x": 0.05, "y": 0.0},
            {"shape": "cube", "colour": "blue", "x": -0.05, "y": -0.2},
            {"shape": "cylinder", "colour": "green", "x": float(BASE[0]), "y": float(BASE[1])},
        ],
        "fixtures": [
            {"kind": "container", "colour": "green", "x": float(CONTAINER[0]), "y": float(CONTAINER[1])},
            {"kind": "region", "colour": "yellow", "x": float(REGION[0]), "y": float(REGION[1])},
        ],
        "goals": [
            {"relation": "inside", "thing": 0, "target": 0},
            {"relation": "on", "thing": 1, "target": 2},
            {"relation": "in_region", "thing": 2, "target": 1},
        ],
    }
)
INSIDE, ON, IN_REGION = SCENE.goals


@pytest.fixture(scope="module")
def env():
    env = gym.make(ENV_ID, image_size=32, render_size=32).unwrapped
    yield env
    env.close()


@pytest.fixture
def scene(env):
    """The env reset on SCENE; nothing is held and every body rests where the scene put it."""
    env.reset(options={"scene": SCENE})
    return env


def put(env, thing: int, x: float, y: float, z: float) -> None:
    """Set a thing's centre (no physics step: the state is exactly this)."""
    name = env.names[thing]
    adr = env.world.model.joint(name).qposadr[0]
    env.world.data.qpos[adr : adr + 3] = (x, y, z)
    mujoco.mj_forward(env.world.model, env.world.data)


def check(env, goal) -> bool:
    return met(env.world, SCENE, env.names, env.fixtures, goal)


def test_the_fresh_scene_meets_no_goal_and_progress_is_the_share_met(scene) -> None:
    assert goals_met(scene.world, SCENE, scene.names, scene.fixtures) == [False, False, False]
    put(scene, 0, *CONTAINER, HALF)  # the red cube resting inside the container
    met_now = goals_met(scene.world, SCENE, scene.names, scene.fixtures)
    assert met_now == [True, False, False]  # one verdict per goal, in the scene's order
    scene.met = met_now
    info = scene._info(True, "")
    assert info["progress"] == pytest.approx(1 / 3) and info["goals_met"] == 1 and not info["success"]


@pytest.mark.parametrize(
    ("dx", "dy", "z", "inside"),
    [
        (0.0, 0.0, HALF, True),  # resting on the container's floor
        (CONTAINER_HALF - 0.002, 0.0, HALF, True),
        (0.0, -(CONTAINER_HALF - 0.002), HALF, True),
        (CONTAINER_HALF + 0.002, 0.0, HALF, False),  # beside it, on the table
        (-(CONTAINER_HALF + 0.002), 0.0, HALF, False),
        (0.0, CONTAINER_HALF + 0.002, HALF, False),  # x inside, y outside: both must be inside
        (0.0, -(CONTAINER_HALF + 0.002), HALF, False),
        (0.0, 0.0, CONTAINER_WALL + HALF - 0.002, True),  # centre just below the rim's reach
        (0.0, 0.0, CONTAINER_WALL + HALF + 0.002, False),  # above the container, not in it
        (0.0, 0.0, 0.2, False),  # hovering high over it
    ],
)
def test_inside_needs_x_y_within_the_walls_and_the_object_below_the_rim(scene, dx, dy, z, inside) -> None:
    put(scene, 0, CONTAINER[0] + dx, CONTAINER[1] + dy, z)
    assert check(scene, INSIDE) is inside


@pytest.mark.parametrize(
    ("dx", "dy", "dz", "stacked"),
    [
        (0.0, 0.0, 0.0, True),  # centred, resting exactly one height above
        (STACK_XY - 0.002, 0.0, 0.0, True),
        (0.0, STACK_XY - 0.002, 0.0, True),
        (STACK_XY + 0.002, 0.0, 0.0, False),  # 2 cm is the tolerance, not 20
        (0.0, -(STACK_XY + 0.002), 0.0, False),
        (0.015, 0.015, 0.0, False),  # each axis within 2 cm but 2.1 cm off the centre: the distance counts
        (0.05, 0.0, 0.0, False),
        (0.15, 0.0, 0.0, False),
        (0.0, 0.0, STACK_Z - 0.002, True),
        (0.0, 0.0, -(STACK_Z - 0.002), True),
        (0.0, 0.0, STACK_Z + 0.002, False),  # floating above it
        (0.0, 0.0, -(STACK_Z + 0.002), False),  # sunk into it
        (0.0, 0.0, -2 * HALF, False),  # level with it (beside, not on)
    ],
)
def test_on_needs_the_upper_centre_within_2_cm_and_one_height_above(scene, dx, dy, dz, stacked) -> None:
    lower_half = SHAPES["cylinder"].half_height  # the cylinder rests with its centre this high
    put(scene, 1, BASE[0] + dx, BASE[1] + dy, lower_half + lower_half + HALF + dz)
    assert check(scene, ON) is stacked


def test_stacking_is_relative_to_where_the_lower_object_is(scene) -> None:
    put(scene, 2, *REGION, HALF)  # the cylinder moved into the region: the stack must follow it
    put(scene, 1, *BASE, 3 * HALF)  # above the cylinder's old place
    assert not check(scene, ON)
    put(scene, 1, *REGION, 3 * HALF)
    assert check(scene, ON) and check(scene, IN_REGION)


@pytest.mark.parametrize(
    ("dx", "dy", "z", "in_region"),
    [
        (0.0, 0.0, HALF, True),
        (REGION_HALF - 0.002, 0.0, HALF, True),
        (0.0, -(REGION_HALF - 0.002), HALF, True),
        (REGION_HALF + 0.002, 0.0, HALF, False),
        (-(REGION_HALF + 0.002), 0.0, HALF, False),
        (0.0, REGION_HALF + 0.002, HALF, False),  # x inside, y outside
        (0.0, -(REGION_HALF + 0.002), HALF, False),
        (0.0, 0.0, HALF + 0.004, True),  # within 5 mm of resting on the table
        (0.0, 0.0, HALF + 0.006, False),  # lifted above the region
        (0.0, 0.0, HALF + 0.1, False),
    ],
)
def test_in_region_needs_the_object_on_the_table_over_the_patch(scene, dx, dy, z, in_region) -> None:
    put(scene, 2, REGION[0] + dx, REGION[1] + dy, z)
    assert check(scene, IN_REGION) is in_region


@pytest.mark.parametrize("goal", [0, 1, 2])
def test_a_held_object_meets_no_goal_even_where_it_would(scene, goal: int) -> None:
    put(scene, 0, *CONTAINER, HALF)
    put(scene, 2, *REGION, HALF)
    put(scene, 1, *REGION, 3 * HALF)
    assert all(goals_met(scene.world, SCENE, scene.names, scene.fixtures))
    thing = SCENE.goals[goal].thing
    scene.world.held = scene.names[thing]
    met_now = goals_met(scene.world, SCENE, scene.names, scene.fixtures)
    assert met_now == [i != goal for i in range(3)]  # only the held object's goal fails; the others hold


def move_fixture(env, index: int, x: float, y: float) -> None:
    body = env.world.model.body(env.fixtures[index])
    env.world.data.mocap_pos[body.mocapid[0], :2] = (x, y)
    mujoco.mj_forward(env.world.model, env.world.data)


def test_each_tolerance_includes_its_boundary(scene) -> None:
    """Fixtures and the lower object at the origin, so that each offset is exactly the tolerance in floating point
    (the height tolerance of a stack cannot be hit exactly: (z - z_lower) - h - h never equals 0.01)."""
    move_fixture(scene, 0, 0.0, 0.0)
    put(scene, 0, CONTAINER_HALF, 0.0, CONTAINER_WALL + HALF)
    assert check(scene, INSIDE)
    put(scene, 0, 0.0, -CONTAINER_HALF, HALF)
    assert check(scene, INSIDE)
    move_fixture(scene, 1, 0.0, 0.0)
    put(scene, 2, REGION_HALF, 0.0, HALF + 0.005)
    assert check(scene, IN_REGION)
    lower_half = SHAPES["cylinder"].half_height
    put(scene, 2, 0.0, 0.0, lower_half)
    put(scene, 1, STACK_XY, 0.0, lower_half + lower_half + HALF)
    assert check(scene, ON)
