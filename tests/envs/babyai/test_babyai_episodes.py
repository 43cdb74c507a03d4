"""BabyAI capability subsets: the frozen episode sets, and the experts that solve them."""

from __future__ import annotations

import dataclasses
import re

import pytest

pytest.importorskip("minigrid")

from mmgym.envs.babyai import episodes
from mmgym.envs.babyai.env import BabyAIEnv
from mmgym.errors import ConfigError

SUBSETS = ("base", "spatial", "visual_appearance", "complex_instruction", "long_horizon")


@pytest.mark.parametrize("version", [1, 2])
def test_the_five_subsets_are_frozen_with_their_seed_and_format(version: int) -> None:
    assert tuple(episodes.VERSIONS[version]) == SUBSETS
    for name in SUBSETS:
        episode_set = episodes.load_subset(name, version)
        spec = episodes.VERSIONS[version][name]
        assert episode_set.subset == name and len(episode_set) == 50 and episode_set.version == version
        assert episode_set.format_version == episodes.FORMAT_VERSION and episode_set.seed == episodes.DEFAULT_SET_SEED
        assert [episode.index for episode in episode_set.episodes] == list(range(50))
        assert len({(episode.level, episode.seed) for episode in episode_set.episodes}) == 50
        counts = {level: sum(e.level == level for e in episode_set.episodes) for level, _ in spec.levels}
        assert counts == dict(spec.levels)
        assert episode_set.expert_failures <= episodes.MAX_EXPERT_FAILURE_RATE * episode_set.drawn
        for episode in episode_set.episodes:
            assert 1 <= episode.primitive_steps <= episodes.MAX_PRIMITIVE_STEPS
            assert 1 <= episode.skill_steps <= episode.skill_primitive_steps


@pytest.mark.parametrize("version", [1, 2])
def test_each_subset_keeps_only_episodes_of_its_capability(version: int) -> None:
    missions = {name: [e.mission for e in episodes.load_subset(name, version).episodes] for name in SUBSETS}
    location = re.compile(r"on your (left|right)|in front of you|behind you")
    assert all(location.search(mission) for mission in missions["spatial"])
    assert all(re.search(r", then | after you | and ", mission) for mission in missions["complex_instruction"])
    assert all(" and " not in mission and ", then" not in mission for mission in missions["base"])
    if version == 1:
        assert all(mission.startswith("go to ") for mission in missions["visual_appearance"])


def test_version_2_missions_need_several_skills_in_order() -> None:
    """No mission of v2 is a single go to or pick up: the expert needs two skills or more in every episode."""
    for name in SUBSETS:
        episode_set = episodes.load_subset(name, 2)
        assert min(episode.skill_steps for episode in episode_set.episodes) >= 2, name
        parts = [re.split(r", then | after you | and ", e.mission) for e in episode_set.episodes]
        assert not any(part.startswith("go to ") for mission in parts for part in mission), name


def test_an_unknown_version_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"unknown BabyAI episode set version '3'.*1, 2"):
        episodes.load_subset("base", 3)


def test_unknown_subset_is_one_line_with_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"spacial.*base, complex_instruction"):
        episodes.load_subset("spacial")
    with pytest.raises(ConfigError, match="out of range"):
        episodes.load_subset("base")[50]


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("name", SUBSETS)
def test_both_experts_solve_a_sample_of_every_subset_as_recorded(name: str, version: int) -> None:
    """Two episodes per subset here; `python -m mmgym.envs.babyai.episodes --check` replays them all."""
    episode_set = episodes.load_subset(name, version)
    sample = dataclasses.replace(episode_set, episodes=(episode_set[0], episode_set[len(episode_set) // 2 + 1]))
    assert episodes.check_subset(sample) == []


def test_the_check_catches_a_set_that_no_longer_matches() -> None:
    episode = episodes.load_subset("base")[0]
    wrong = dataclasses.replace(episode, mission="go to the moon", primitive_steps=episode.primitive_steps + 1)
    problems = episodes.check_subset(dataclasses.replace(episodes.load_subset("base"), episodes=(wrong,)))
    assert any("mission is now" in problem for problem in problems)
    assert any("primitive expert" in problem for problem in problems)


def test_generation_refuses_a_subset_the_experts_fail_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(episodes, "play_expert", lambda env, level, seed, limit: (False, limit, 0))
    with pytest.raises(RuntimeError, match="experts fail"):
        episodes.generate_subset("base", log=lambda line: None)


@pytest.mark.parametrize("version", [1, 2])
def test_an_episode_is_rebuilt_from_its_level_and_seed(version: int) -> None:
    env = BabyAIEnv(action_level="skill")
    for name in SUBSETS:
        episode = episodes.load_subset(name, version)[3]
        observation, info = env.reset(seed=episode.seed, options={"level": episode.level})
        assert observation["instruction"] == episode.mission and info["level"] == episode.level


@pytest.mark.parametrize("version", [1, 2])
def test_generation_draws_the_committed_set_again(version: int) -> None:
    """Each version's draw is its own stream of the set seed: regenerating gives the committed file's episodes."""
    assert episodes.generate_subset("base", version=version, log=lambda line: None) == episodes.load_subset(
        "base", version
    )
