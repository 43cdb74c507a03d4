"""The env: registered and conformant, and the expert solves every frozen task within its stored path length."""

from __future__ import annotations

import pytest

pytest.importorskip("mmgym.envs.miniworld.deps")  # headless pyglet before miniworld
pytest.importorskip("minigrid")

import gymnasium as gym
from gymnasium.utils.env_checker import check_env

from mmgym.core.language_env import check_language_env
from mmgym.envs.registry import env_summaries
from mmgym.tasks.embodied_eval.env import ENV_ID
from mmgym.tasks.embodied_eval.env.env import EmbodiedEvalEnv
from mmgym.tasks.embodied_eval.env.episodes import MAX_PLAN, solve
from mmgym.tasks.embodied_eval.env.frozen import SETS
from mmgym.tasks.embodied_eval.env.predicates import Answered
from mmgym.tasks.embodied_eval.env.task import CATEGORIES


@pytest.fixture(scope="module")
def env():
    env = EmbodiedEvalEnv(image_size=32, observe_image=False)
    yield env
    env.close()


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_the_expert_solves_every_frozen_task_in_its_reference_length(env, category: str) -> None:
    episodes = SETS.load(category).episodes
    assert len(episodes) == 20 and all(e.scene.category == category for e in episodes)
    for episode in episodes:
        assert solve(env, episode.scene) == episode.plan_length <= MAX_PLAN, (category, episode.index)


def test_tasks_of_two_predicates_are_a_third_to_a_half_of_navigation_and_object_interaction() -> None:
    for category in CATEGORIES:
        sizes = [len(episode.scene.predicates) for episode in SETS.load(category).episodes]
        several = sum(size >= 2 for size in sizes)
        if category in ("navigation", "object_interaction"):
            assert len(sizes) / 3 <= several <= len(sizes) / 2, (category, sizes)
        elif category == "attribute_qa":
            assert several >= 1, sizes  # "Go to the X in the other room. What colour is it?"


def test_a_right_answer_from_afar_meets_half_of_go_and_tell(env) -> None:
    task = next(e.scene for e in SETS.load("attribute_qa").episodes if len(e.scene.predicates) == 2)
    _, info = env.reset(options={"scene": task})
    assert (info["predicates_met"], info["predicates_total"]) == (0, 2)
    right = next(p.answer for p in task.predicates if isinstance(p, Answered))
    *_, terminated, _, info = env.step(f'answer "{right}"')  # right, but the agent never went there
    assert terminated and not info["success"] and info["predicates_met"] == 1 and info["progress"] == 0.5


def test_registered_listed_and_conformant() -> None:
    assert "option menu" in env_summaries()[ENV_ID]
    made = gym.make(ENV_ID, image_size=32)
    try:
        check_env(made.unwrapped, skip_render_check=True)
        check_language_env(made)
        check_language_env(made, options={"scene": SETS.load("object_interaction").episodes[0].scene})
        obs, _ = made.reset(seed=3)  # no scene: a frozen navigation task picked by the seed
        assert obs["image"].shape == (32, 32, 3) and obs["instruction"].startswith("Go to")
        assert made.render().ndim == 3
    finally:
        made.close()


def test_a_grid_task_shows_the_egocentric_view(env) -> None:
    grid = EmbodiedEvalEnv(image_size=48)
    try:
        obs, info = grid.reset(options={"scene": SETS.load("object_interaction").episodes[0].scene})
        assert obs["image"].shape == (48, 48, 3) and obs["text"] and info["predicates_total"] == 1
    finally:
        grid.close()
