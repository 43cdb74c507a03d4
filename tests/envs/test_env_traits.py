"""Every mmgym env derives from `LanguageEnvBase` and declares its traits; runners read them through `env_traits`."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import gymnasium as gym
import pytest

import mmgym  # noqa: F401  (registers the envs)
from mmgym.core.language_env import EnvTraits, LanguageEnvBase, env_traits
from mmgym.errors import ConfigError

CHEAP = EnvTraits(cheap_steps=True, reusable=True)
REUSABLE = EnvTraits(reusable=True)
FULL = EnvTraits(reusable=True, full_render=True)
TRAITS = {  # what the runners assumed of each env when they read `metadata` flags
    "mmgym/Sokoban-v0": CHEAP,
    "mmgym/Maze-v0": CHEAP,
    "mmgym/Sudoku-v0": CHEAP,
    "mmgym/NQueens-v0": CHEAP,
    "mmgym/Hanoi-v0": CHEAP,
    "mmgym/Puzzle15-v0": CHEAP,
    "mmgym/BabyAI-v0": dataclasses.replace(CHEAP, full_render=True),
    "mmgym/EBNav-v0": FULL,
    "mmgym/EBManip-v0": FULL,
    "mmgym/EBAlfred-v0": REUSABLE,
    "mmgym/EBThorNav-v0": REUSABLE,
    "mmgym/EBHabitat-v0": FULL,
    "mmgym/PCA-v0": REUSABLE,
    "mmgym/EmbodiedEval-v0": FULL,
}


def env_class(env_id: str) -> type:
    try:
        return gym.envs.registration.load_env_creator(gym.spec(env_id).entry_point)
    except (ImportError, ConfigError) as missing:  # an optional simulator that is not installed
        pytest.skip(f"{env_id}: {missing}")


def test_every_registered_env_is_listed_here() -> None:
    assert sorted(env_id for env_id in gym.registry if env_id.startswith("mmgym/")) == sorted(TRAITS)


@pytest.mark.parametrize("env_id", sorted(TRAITS))
def test_each_env_class_declares_its_traits(env_id: str) -> None:
    cls = env_class(env_id)
    assert issubclass(cls, LanguageEnvBase)
    assert env_traits(cls) == TRAITS[env_id]
    assert not {"cheap_steps", "reusable", "full_render"} & set(cls.metadata)  # Gymnasium's keys only
    assert cls.summary(**gym.spec(env_id).kwargs)


def test_traits_are_read_through_wrappers_and_a_wrapper_may_change_them() -> None:
    env = gym.make("mmgym/Maze-v0")
    assert env.unwrapped is not env and env_traits(env) == CHEAP

    class NotReusable(gym.Wrapper):
        traits = dataclasses.replace(CHEAP, reusable=False)

    assert env_traits(NotReusable(env)) == EnvTraits(cheap_steps=True)


def test_an_env_that_declares_none_is_assumed_to_have_none() -> None:
    class Plain(gym.Env):
        metadata: ClassVar[dict[str, Any]] = {"render_modes": [], "cheap_steps": True}  # a flag is not a trait

    assert env_traits(Plain) == env_traits(Plain()) == env_traits(print) == EnvTraits()


def test_the_base_checks_every_frame_size() -> None:
    with pytest.raises(ConfigError, match="map_size must be an integer of at least 32 pixels"):
        LanguageEnvBase(64, map_size=16)
    env = LanguageEnvBase(64, observe_image=False)
    assert "image" not in env.observation_space.spaces and env.rules == env.action_grammar == ""
