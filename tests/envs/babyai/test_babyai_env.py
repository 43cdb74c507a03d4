"""mmgym/BabyAI-v0: the contract, determinism, reuse across levels, and what the agent perceives."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("minigrid")

import gymnasium as gym
from babyai_helpers import EAST, NORTH, room
from gymnasium.utils.env_checker import check_env
from minigrid.core.world_object import Ball, Box, Door, Key, Wall

from mmgym.core.language_env import EnvTraits, env_traits
from mmgym.envs.babyai import ENV_ID  # registered for each test by conftest.py
from mmgym.envs.babyai.env import BabyAIEnv
from mmgym.envs.babyai.view import FULL_RENDER_SIZE, ego_view, render_view
from mmgym.errors import ConfigError

LEVELS = ("BabyAI-GoToLocal-v0", "BabyAI-BossLevel-v0", "BabyAI-OpenTwoDoors-v0")
INFO_KEYS = {"valid", "feedback", "success", "progress", "subgoals_done", "subgoals_total", "primitive_steps", "level"}


@pytest.fixture(params=["primitive", "skill"])
def action_level(request: pytest.FixtureRequest) -> str:
    return request.param


# ---- the contract ------------------------------------------------------------------------------


def test_gymnasium_check_env_passes(action_level: str) -> None:
    env = gym.make(ENV_ID, action_level=action_level).unwrapped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=False)


def test_language_contract_passes(action_level: str) -> None:
    language_env = pytest.importorskip("mmgym.core.language_env")
    env = gym.make(ENV_ID, action_level=action_level)
    for level in LEVELS:
        language_env.check_language_env(env, seed=3, options={"level": level})


def test_observations_info_and_flags(action_level: str) -> None:
    env = BabyAIEnv("BabyAI-BossLevel-v0", action_level=action_level)
    observation, info = env.reset(seed=1)
    assert observation.keys() == {"image", "text", "instruction"}
    assert observation["image"].shape == (224, 224, 3) and observation["image"].dtype == np.uint8
    assert observation["instruction"] == env.grid_env.mission
    assert info.keys() >= INFO_KEYS and info["valid"] and info["progress"] == 0.0 and not info["success"]
    assert isinstance(env.rules, str) and env.rules and isinstance(env.action_grammar, str) and env.action_grammar
    assert env.candidate_actions() and all(isinstance(action, str) for action in env.candidate_actions())
    assert env_traits(env) == EnvTraits(cheap_steps=True, reusable=True, full_render=True)
    frame = env.render()
    assert frame.shape == (FULL_RENDER_SIZE, FULL_RENDER_SIZE, 3) and frame.dtype == np.uint8
    for action in env.candidate_actions()[:5]:
        _, _, _, truncated, info = env.step(action)
        assert info.keys() >= INFO_KEYS and 0.0 <= info["progress"] <= 1.0 and not truncated
        assert isinstance(info["feedback"], str) and info["feedback"]


def test_text_only_play_skips_the_image() -> None:
    env = BabyAIEnv(observe_image=False)
    observation, _ = env.reset(seed=0)
    assert "image" not in observation and "image" not in env.observation_space.spaces
    assert env.render().shape == (FULL_RENDER_SIZE, FULL_RENDER_SIZE, 3)


def test_image_size_is_respected() -> None:
    env = BabyAIEnv(image_size=96)
    assert env.reset(seed=0)[0]["image"].shape == (96, 96, 3)


def test_registration_does_not_import_minigrid() -> None:
    code = (
        "import sys, gymnasium as gym, mmgym\n"
        "from mmgym.envs.babyai import register\n"
        "register()\n"
        "assert 'minigrid' not in sys.modules, 'minigrid was imported'\n"
        "assert 'mmgym/BabyAI-v0' in gym.registry\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_missing_minigrid_is_one_clear_line() -> None:
    code = (
        "import sys; sys.modules['minigrid'] = None\n"
        "import gymnasium as gym\n"
        "from mmgym.envs.babyai import register\n"
        "from mmgym.errors import ConfigError\n"
        "register()\n"
        "try:\n"
        "    gym.make('mmgym/BabyAI-v0')\n"
        "except ConfigError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60)
    assert "pip install 'mmgym[babyai]'" in out.stdout and len(out.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"level": "BabyAI-NoSuchLevel-v0"}, ["BabyAI-NoSuchLevel-v0", "BabyAI-GoToLocal-v0"]),
        ({"action_level": "macro"}, ["macro", "primitive", "skill"]),
        ({"image_size": 8}, ["image_size", "8"]),
    ],
)
def test_bad_config_is_one_line_naming_the_value(kwargs: dict, words: list[str]) -> None:
    with pytest.raises(ConfigError) as error:
        BabyAIEnv(**kwargs)
    message = str(error.value)
    assert "\n" not in message and all(word in message for word in words)


def test_bad_reset_options_are_refused() -> None:
    env = BabyAIEnv()
    with pytest.raises(ConfigError, match="BabyAI-Nope"):
        env.reset(seed=0, options={"level": "BabyAI-Nope"})
    with pytest.raises(ConfigError, match=r"'level_index'.*valid: 'level'"):
        env.reset(seed=0, options={"level_index": 3})


# ---- determinism and reuse ---------------------------------------------------------------------


def _trajectory(env: BabyAIEnv, level: str, seed: int, actions: list[str]) -> list:
    observation, info = env.reset(seed=seed, options={"level": level})
    out = [(observation["text"], observation["instruction"], observation["image"].tobytes(), info["feedback"])]
    for action in actions:
        observation, reward, terminated, _, info = env.step(action)
        out.append((observation["text"], observation["image"].tobytes(), reward, terminated, info["feedback"]))
    return out


def test_same_level_and_seed_give_the_same_episode_even_in_a_reused_env() -> None:
    actions = ["turn left", "go forward", "go forward", "pick up", "turn right", "go forward", "toggle", "drop"]
    fresh = _trajectory(BabyAIEnv(), "BabyAI-BossLevel-v0", 11, actions)
    reused = BabyAIEnv()
    for level in LEVELS:
        for seed in (11, 12):
            _trajectory(reused, level, seed, actions[:3])
    assert _trajectory(reused, "BabyAI-BossLevel-v0", 11, actions) == fresh
    assert _trajectory(BabyAIEnv(), "BabyAI-BossLevel-v0", 12, actions) != fresh


def test_one_env_serves_any_level_through_reset_options() -> None:
    env = BabyAIEnv("BabyAI-GoToLocal-v0")
    missions = {}
    for level in (*LEVELS, "BabyAI-GoToLocal-v0"):
        observation, info = env.reset(seed=5, options={"level": level})
        assert info["level"] == level and env.grid_env.spec.id == level
        missions.setdefault(level, observation["instruction"])
        assert missions[level] == observation["instruction"]
    assert len(env._levels) == len(LEVELS)  # one minigrid env per level, kept for reuse
    _, info = env.reset(seed=5)
    assert info["level"] == "BabyAI-GoToLocal-v0"  # without the option: the constructor's level


def test_unseeded_resets_are_reproducible_from_the_first_seed() -> None:
    first, second = BabyAIEnv(), BabyAIEnv()
    first.reset(seed=3)
    second.reset(seed=3)
    assert [first.reset()[0]["text"] for _ in range(3)] == [second.reset()[0]["text"] for _ in range(3)]


def test_minigrid_never_truncates() -> None:
    env = BabyAIEnv()
    env.reset(seed=0)
    for _ in range(300):
        _, _, terminated, truncated, _ = env.step("turn left")
        assert not truncated and not terminated


# ---- perception --------------------------------------------------------------------------------


def test_text_describes_the_view_on_a_hand_built_room() -> None:
    # Agent at (3, 4) facing north (up): ahead is -y, right is +x; the room's walls are x, y = 0 and 7.
    env = room(
        agent=(3, 4),
        facing=NORTH,
        objects={(2, 2): Ball("red"), (3, 3): Box("blue"), (5, 3): Door("yellow", is_locked=True)},
        carrying=Key("green"),
    )
    text = env._observation()["text"]
    assert text.splitlines() == [
        "You carry a green key.",
        "In front of you: a blue box.",
        "You see:",
        "- a blue box right in front of you (1 step ahead)",
        "- a locked yellow door 1 step ahead and 2 steps to your right",
        "- a red ball 2 steps ahead and 1 step to your left",
        "- a wall 4 steps ahead",
        "- a wall 3 steps to your left",
    ]


def test_text_turns_with_the_agent() -> None:
    # Same ball at (5, 4); the agent at (3, 4) faces east: the ball is 2 steps straight ahead.
    env = room(agent=(3, 4), facing=EAST, objects={(5, 4): Ball("purple")})
    lines = env._observation()["text"].splitlines()
    assert "- a purple ball 2 steps ahead" in lines and "In front of you: an empty cell (you can go forward)." in lines
    assert "- a wall 4 steps ahead" in lines and "You carry nothing." in lines


def test_walls_and_closed_doors_hide_what_is_behind_them() -> None:
    objects = {(x, 3): Wall() for x in range(1, 7)}
    door = Door("grey")
    objects[(3, 3)] = door
    objects[(3, 1)] = Key("red")
    env = room(agent=(3, 4), facing=NORTH, objects=objects)
    closed = env._observation()["text"]
    assert "In front of you: a closed grey door." in closed and "red key" not in closed
    door.is_open = True
    opened = env._observation()["text"]
    assert "In front of you: an open grey door." in opened and "- a red key 3 steps ahead" in opened


def test_skill_text_labels_numbered_duplicates() -> None:
    objects = {(2, 2): Ball("red"), (4, 2): Ball("red"), (3, 1): Key("blue")}
    assert "(red ball" not in room(objects=objects)._observation()["text"]
    text = room("skill", objects=objects)._observation()["text"]
    assert "- a red ball (red ball 1) 2 steps ahead and 1 step to your left" in text
    assert "- a red ball (red ball 2) 2 steps ahead and 1 step to your right" in text
    assert "- a blue key 3 steps ahead" in text  # unique: no label


def _minigrid_view(grid_env) -> np.ndarray:
    grid, visible = grid_env.gen_obs_grid()
    return grid.encode(visible)


def _our_view(grid_env) -> np.ndarray:
    view = ego_view(grid_env)
    size = view.size
    out = np.zeros((size, size, 3), dtype=np.uint8)
    for ahead in range(size):
        for column in range(size):
            if not view.visible[ahead][column]:
                continue
            obj = view.carrying if (ahead, column) == (0, size // 2) else view.cells[ahead][column]
            out[column, size - 1 - ahead] = obj.encode() if obj is not None else (1, 0, 0)
    return out


def test_view_text_and_image_match_minigrids_own_observation() -> None:
    env = BabyAIEnv("BabyAI-BossLevel-v0")
    rng = np.random.default_rng(0)
    actions = ["turn left", "turn right", "go forward", "go forward", "go forward", "toggle", "pick up", "drop"]
    for seed in range(4):
        env.reset(seed=seed)
        for _ in range(60):
            grid_env = env.grid_env
            np.testing.assert_array_equal(_our_view(grid_env), _minigrid_view(grid_env))
            assert np.array_equal(render_view(ego_view(grid_env), 224), grid_env.get_pov_render(32))
            if env.step(actions[rng.integers(len(actions))])[2]:
                break
