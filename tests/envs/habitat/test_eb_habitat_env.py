"""EBHabitatEnv on the stand-in: the contract, EBHabEnv's feedback and limits, invalid actions change nothing,
progress by subgoals, frames that show only what the robot sees."""

from __future__ import annotations

import importlib.util
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import mmgym.envs  # noqa: F401  (registers the envs)
from mmgym.core.language_env import check_language_env
from mmgym.envs.habitat import ENV_ID
from mmgym.envs.habitat.skills import SKILL_WORDS
from mmgym.errors import ConfigError

SCENE = {
    "template": "test",
    "instruction": "Move the apple from the fridge to the sofa.",
    "objects": [
        {"object": "apple", "receptacle": "refrigerator"},
        {"object": "bowl", "receptacle": "table 1"},
        {"object": "lemon", "receptacle": "sofa"},
    ],
    "goals": [{"predicate": "on", "object": "apple", "place": "sofa"}, {"predicate": "not_holding"}],
    "subgoals": [
        [{"predicate": "robot_at", "place": "refrigerator"}],
        [{"predicate": "on", "object": "apple", "place": "sofa"}],
    ],
}


@pytest.fixture(scope="module")
def env():
    env = gym.make(ENV_ID, image_size=64).unwrapped
    yield env
    env.close()


def test_the_env_passes_gymnasiums_and_mmgyms_checks(env) -> None:
    check_env(env, skip_render_check=True)
    check_language_env(env)
    assert env.candidate_actions() == list(SKILL_WORDS)


def test_an_invalid_skill_changes_nothing_and_gets_ebhabenvs_feedback(env) -> None:
    first, _ = env.reset(options={"scene": SCENE})
    for action, hint in [
        ("pick up the apple", "cannot pick any object that is not near the robot"),
        ("place at the sofa", "cannot place any object when not holding something"),
        ("open the refrigerator", "already open or the robot is not near"),
        ("fly to the moon", "is not one of the listed skills"),
    ]:
        observation, reward, terminated, truncated, info = env.step(action)
        assert not info["valid"] and hint in info["feedback"] and reward == 0.0 and not (terminated or truncated)
        assert np.array_equal(observation["image"], first["image"]) and observation["text"] == first["text"]
    assert env.invalid == 4 and env.steps == 3  # text that is no skill is refused but not a step


def test_a_closed_fridge_hides_the_apple_until_opened_and_progress_counts_subgoals(env) -> None:
    env.reset(options={"scene": SCENE})
    observation, _, _, _, info = env.step("navigate to the refrigerator")
    assert "apple" not in observation["text"] and info["progress"] == 0.5 and info["subgoals_met"] == 1
    _, _, _, _, info = env.step("pick up the apple")
    assert not info["valid"]
    observation, _, _, _, info = env.step("open the refrigerator")
    assert info["feedback"] == "Last action executed successfully and now refrigerator is open."
    assert "In the refrigerator: apple." in observation["text"]
    _, _, _, _, info = env.step("pick up the apple")
    assert info["held"] == "apple" and info["feedback"].endswith("you are holding apple.")
    env.step("navigate to the table 1")  # progress stays: subgoals once reached stay counted
    assert env.step("navigate to the sofa")[4]["progress"] == 0.5
    _, reward, terminated, _, info = env.step("place at the sofa")
    assert terminated and reward == 1.0 and info["success"] and info["progress"] == 1.0
    assert env.expert_plan() == []
    _, _, terminated, _, info = env.step("navigate to the sofa")
    assert terminated and not info["valid"] and "episode is over" in info["feedback"]


def test_the_tenth_invalid_action_ends_the_episode(env) -> None:
    env.reset(options={"scene": SCENE})
    for count in range(1, 11):
        _, _, terminated, truncated, info = env.step("pick up the apple" if count % 2 else "nonsense")
        assert not info["valid"] and terminated == (count == 10) and not truncated


def test_thirty_skills_truncate_the_episode(env) -> None:
    env.reset(options={"scene": SCENE})
    for count in range(1, 31):
        _, _, terminated, truncated, _ = env.step("navigate to the table 2")
        assert not terminated and truncated == (count == 30)


def test_frames_show_objects_where_the_robot_stands_and_the_render_shows_all(env) -> None:
    env.reset(options={"scene": SCENE})
    spawn = env.step("navigate to the TV stand")[0]["image"]
    sofa = env.step("navigate to the sofa")[0]["image"]
    assert spawn.shape == (64, 64, 3) and not np.array_equal(spawn, sofa)
    assert not np.array_equal(env.render(), sofa)  # the full view draws the bowl on table 1 too


def test_no_image_when_not_observed_and_bad_options_are_one_line() -> None:
    env = gym.make(ENV_ID, image_size=32, observe_image=False).unwrapped
    observation, _ = env.reset(seed=3)
    assert "image" not in observation and observation["instruction"]
    with pytest.raises(ConfigError, match="unknown reset option"):
        env.reset(options={"level": 1})
    with pytest.raises(ConfigError, match="unknown simulator 'isaac'"):
        gym.make(ENV_ID, simulator="isaac")


def test_the_selfcheck_passes_on_the_standin_and_is_one_line_without_habitat(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mmgym.envs.habitat.selfcheck import cli, main

    assert main(["--simulator", "standin"]) == 0
    out = capsys.readouterr().out
    assert "all checks passed" in out and out.count("ok ") == 8
    if importlib.util.find_spec("habitat_sim") is None:
        monkeypatch.setattr(sys, "argv", ["selfcheck"])
        assert cli() == 1
        err = capsys.readouterr().err
        assert err.startswith("error: simulator=habitat needs habitat_sim") and err.count("\n") == 1
