"""Conformance of every registered puzzle env: Gymnasium's checker, determinism, invalid actions, info, levels."""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import mmgym  # noqa: F401  (registers the envs)
from mmgym.core.language_env import MIN_IMAGE_SIZE
from mmgym.envs import env_id
from mmgym.envs.puzzles import PUZZLE_ENVS, PuzzleGame, Rejected, game_of
from mmgym.envs.puzzles.env import PuzzleEnv
from mmgym.envs.puzzles.levels import default_set_path, load_set
from mmgym.errors import ConfigError

ENV_IDS = sorted(env_id(name) for name in PUZZLE_ENVS)
INFO_KEYS = {"success", "progress", "valid", "state_changed", "optimal_remaining", "optimal_length", "feedback"}
JUNK_ACTIONS = ["", "   ", "definitely not an action", "x" * 300, "\n"]


@pytest.fixture(params=ENV_IDS)
def env_id(request: pytest.FixtureRequest) -> str:
    return request.param


def make(env_id: str, **kwargs: Any) -> PuzzleEnv:
    env = gym.make(env_id, image_size=96, **kwargs).unwrapped
    assert isinstance(env, PuzzleEnv)
    return env


def check_info(info: dict[str, Any]) -> None:
    assert info.keys() >= INFO_KEYS
    assert isinstance(info["success"], bool)
    assert 0.0 <= info["progress"] <= 1.0
    assert isinstance(info["valid"], bool) and isinstance(info["state_changed"], bool)
    assert info["optimal_remaining"] is None or info["optimal_remaining"] >= 0
    assert isinstance(info["feedback"], str) and info["feedback"]


def legal_actions(game: PuzzleGame, state: Any) -> list[str]:
    return [a for a in game.candidate_actions(state) if not isinstance(game.step(state, a), Rejected)]


def illegal_actions(game: PuzzleGame, state: Any, limit: int = 5) -> list[str]:
    return [a for a in game.candidate_actions(state) if isinstance(game.step(state, a), Rejected)][:limit]


def random_walk(env: PuzzleEnv, steps: int, seed: int) -> list[str]:
    """A fixed, seeded sequence of legal actions from the env's current state (computed without stepping env)."""
    rng = np.random.default_rng(seed)
    state, actions = env.state, []
    for _ in range(steps):
        options = legal_actions(env.game, state)
        if not options or env.game.is_solved(state):
            break
        action = options[rng.integers(len(options))]
        actions.append(action)
        state = env.game.step(state, action)
    return actions


def trajectory(env: PuzzleEnv, actions: list[str]) -> list[tuple]:
    out = []
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        out.append((obs["text"], obs["image"].tobytes(), reward, terminated, truncated, sorted(info.items())))
    return out


# ---- Gymnasium conformance ------------------------------------------------------------------


def test_all_six_games_are_registered() -> None:
    names = {"Sokoban", "Maze", "Sudoku", "NQueens", "Hanoi", "Puzzle15"}
    assert {f"mmgym/{n}-v0" for n in names} <= set(ENV_IDS)


@pytest.mark.parametrize("observe_image", [True, False])
def test_check_env_passes(env_id: str, observe_image: bool) -> None:
    env = gym.make(env_id, observe_image=observe_image).unwrapped
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env)
    problems = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert problems == [], f"check_env warned: {problems}"


def test_observation_is_in_space(env_id: str) -> None:
    env = make(env_id)
    obs, _ = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    assert obs["image"].shape == (96, 96, 3) and obs["image"].dtype == np.uint8
    assert obs["text"] and obs["instruction"]


def test_text_only_observation(env_id: str) -> None:
    env = make(env_id, observe_image=False)
    obs, _ = env.reset(seed=3)
    assert "image" not in obs and env.observation_space.contains(obs)
    assert env.render().shape == (96, 96, 3)  # render() still draws


def test_step_before_reset_raises(env_id: str) -> None:
    with pytest.raises(RuntimeError, match="reset"):
        make(env_id).step("anything")


# ---- determinism ----------------------------------------------------------------------------


def test_same_seed_same_episode_across_fresh_envs(env_id: str) -> None:
    first, second = make(env_id), make(env_id)
    obs1, info1 = first.reset(seed=11)
    obs2, info2 = second.reset(seed=11)
    assert obs1["text"] == obs2["text"]
    assert np.array_equal(obs1["image"], obs2["image"])
    assert info1 == info2
    actions = random_walk(first, 12, seed=5)
    actions[1:1] = JUNK_ACTIONS[:2]  # invalid ones are part of the fixed sequence too
    assert trajectory(first, actions) == trajectory(second, actions)


def test_seed_chooses_the_generated_level(env_id: str) -> None:
    env = make(env_id)
    texts = {env.reset(seed=seed)[0]["text"] for seed in range(8)}
    assert len(texts) > 1


def test_same_level_index_same_level(env_id: str) -> None:
    game = game_of(env_id)
    if not default_set_path(game).is_file():
        pytest.skip(f"no frozen default level set for {game} yet")
    level = load_set(game)[1]
    first, second = make(env_id), make(env_id, level_index=1)
    obs1, info1 = first.reset(seed=0, options={"level_index": 1})
    obs2, info2 = second.reset(seed=99)  # the seed does not matter once a level is chosen
    expected = first.game.to_text(first.game.from_text(level.text))
    assert obs1["text"] == obs2["text"] == expected
    assert info1["optimal_length"] == info2["optimal_length"] == level.optimal_length


# ---- actions, info and the text observation ---------------------------------------------------


def test_invalid_actions_change_nothing(env_id: str) -> None:
    env = make(env_id)
    obs, _ = env.reset(seed=4)
    state, text, image = env.state, obs["text"], obs["image"].copy()
    for action in [*JUNK_ACTIONS, *illegal_actions(env.game, state), 7, None]:
        obs, reward, terminated, truncated, info = env.step(action)  # type: ignore[arg-type]
        check_info(info)
        assert info["valid"] is False and info["state_changed"] is False, action
        assert len(info["feedback"]) > 10, action
        assert obs["text"] == text and np.array_equal(obs["image"], image), action
        assert env.state == state
        assert (reward, terminated, truncated) == (0.0, False, False)


def test_info_always_complete_and_text_follows_state(env_id: str) -> None:
    env = make(env_id)
    obs, info = env.reset(seed=8)
    check_info(info)
    assert info["optimal_remaining"] == info["optimal_length"] > 0
    assert info["success"] is False and info["progress"] == 0.0
    actions = random_walk(env, 6, seed=1)
    state = env.state
    for action in actions:
        state = env.game.step(state, action)
    plan = env.game.solve(state) or []
    changed_steps = 0
    for action in [*actions, JUNK_ACTIONS[2], *plan]:
        before_text, before_image = obs["text"], obs["image"]
        obs, reward, terminated, truncated, info = env.step(action)
        check_info(info)
        assert env.game.from_text(obs["text"]) == env.state, "text observation must be a faithful rendering"
        if info["state_changed"]:
            changed_steps += 1
            assert obs["text"] != before_text, f"text did not update after {action!r}"
            assert not np.array_equal(obs["image"], before_image), f"image did not update after {action!r}"
        else:
            assert obs["text"] == before_text
        assert terminated == info["success"] and truncated is False
    assert changed_steps >= len(plan) > 0
    assert info["success"] is True and info["optimal_remaining"] == 0 and info["progress"] == 1.0
    assert reward == 1.0


def test_user_level_from_options(env_id: str) -> None:
    source, target = make(env_id), make(env_id, level_index=0)
    text = source.reset(seed=21)[0]["text"]
    obs, info = target.reset(seed=0, options={"level": text})
    assert obs["text"] == text
    assert info["optimal_length"] == len(source.game.solve(source.state) or [])


def test_too_small_image_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=str(MIN_IMAGE_SIZE)):
        gym.make("mmgym/Maze-v0", image_size=MIN_IMAGE_SIZE - 1)


def test_maze_level_from_options() -> None:
    env = make("mmgym/Maze-v0")
    level = "#####\n#P.G#\n#####"
    obs, info = env.reset(options={"level": level})
    assert obs["text"] == level
    assert info["optimal_length"] == info["optimal_remaining"] == 2
    env.step("right")
    obs, reward, terminated, _, info = env.step("r")
    assert obs["text"] == "#####\n#..*#\n#####"
    assert terminated and reward == 1.0 and info["success"] and info["progress"] == 1.0


@pytest.mark.parametrize("size", [MIN_IMAGE_SIZE, 64])
def test_renders_at_small_image_sizes(env_id: str, size: int) -> None:
    """Every image size the env accepts must draw (Hanoi once failed below 65 pixels)."""
    env = gym.make(env_id, image_size=size).unwrapped
    obs, _ = env.reset(seed=2)
    assert obs["image"].shape == (size, size, 3)
    assert len(np.unique(obs["image"].reshape(-1, 3), axis=0)) > 1
