"""The scripted baselines: the oracle solves every frozen level in every setting; random stays near the floor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmgym.agents.scripted import OracleAgent, RandomAgent
from mmgym.core.agent import Agent
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import ALL_SETTINGS
from mmgym.envs.games import GAME_CLASSES
from mmgym.envs.games.levels import default_set_path, load_set
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.runners.rollout import run_episode
from mmgym.tasks.ingvp import IngvpSuite

GAMES = list(GAME_CLASSES)


def run(suite: IngvpSuite, agent: Callable[[], Agent], run_dir: Path) -> tuple[dict[str, Any], list[EpisodeRecord]]:
    results = evaluate(suite, agent, run_dir, LocalRunner(concurrency=32), show_progress=False)
    return results, list(ResultsStore(run_dir).records())


def test_every_game_ships_a_frozen_set() -> None:
    assert all(default_set_path(game).is_file() for game in GAMES)


@pytest.mark.parametrize("game", GAMES)
def test_oracle_solves_every_default_level_in_every_setting(game: str, tmp_path: Path) -> None:
    levels = load_set(game)
    results, records = run(IngvpSuite(games=[game]), OracleAgent, tmp_path)
    assert results["episodes"] == len(records) == len(ALL_SETTINGS) * len(levels)
    assert results["errors"] == 0
    for record in records:
        assert record.status == "done", record.error
        assert record.success, record.id
        assert record.metrics == {"accuracy": 100.0, "completion": 100.0, "efficiency": 100.0}, record.id
        level = levels[record.spec.reset_options["level_index"]]
        assert record.optimal_length == level.optimal_length > 0
        assert len(record.steps) == level.optimal_length  # optimal: no wasted moves
        expected_calls = 1 if record.spec.setting.mode == "one_step" else level.optimal_length
        assert record.agent_calls == expected_calls
    for group in results["groups"]["game/setting"].values():
        assert group["accuracy"]["mean"] == group["completion"]["mean"] == 100.0


def test_random_is_near_the_floor(tmp_path: Path) -> None:
    suite = IngvpSuite(games=["maze"], levels=20)
    random_results, records = run(suite, RandomAgent, tmp_path / "random")
    oracle_results, _ = run(suite, OracleAgent, tmp_path / "oracle")
    assert random_results["episodes"] == len(records) == 120 and random_results["errors"] == 0
    random_overall = random_results["groups"]["overall"]["all"]
    oracle_overall = oracle_results["groups"]["overall"]["all"]
    assert random_overall["accuracy"]["mean"] < 25.0
    assert oracle_overall["accuracy"]["mean"] - random_overall["accuracy"]["mean"] > 60.0
    assert random_overall["completion"]["mean"] < oracle_overall["completion"]["mean"] - 40.0
    # one-step random plans of 8 moves essentially never solve a level that needs 8
    for name in ("one_step-image_text", "one_step-text"):
        assert random_results["groups"]["setting"][name]["accuracy"]["mean"] < 10.0
    # random plays well-formed moves, so some are legal and some hit walls
    valid = [step.valid for record in records for step in record.steps]
    assert 0.2 < sum(valid) / len(valid) < 0.9


def test_random_is_reproducible(maze_spec: Callable[..., Any]) -> None:
    spec = maze_spec(max_steps=15)
    first = asyncio.run(run_episode(spec, RandomAgent()))
    second = asyncio.run(run_episode(spec, RandomAgent()))
    assert [s.action for s in first.steps] == [s.action for s in second.steps]
    assert len(first.steps) > 1
    other = asyncio.run(run_episode(maze_spec(max_steps=15, seed=1), RandomAgent()))
    assert [s.action for s in other.steps] != [s.action for s in first.steps]


def test_random_one_step_plan_length(maze_spec: Callable[..., Any]) -> None:
    record = asyncio.run(run_episode(maze_spec("one_step-text", max_steps=50), RandomAgent(plan_length=5)))
    assert record.agent_calls == 1 and record.actions_given == 5
    assert 1 <= len(record.steps) <= 5
