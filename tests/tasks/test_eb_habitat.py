"""The EB-Habitat suite on the stand-in: the expert solves every frozen episode, the random agent is the floor,
records keep what the robot holds, the habitat simulator's specs, and the installed command runs the suite."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_helpers import cli_command, cli_env

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.errors import ConfigError
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.embodiedbench.habitat import SUBSETS, EBHabitatSuite


def test_the_expert_solves_every_episode_of_every_subset(tmp_path: Path) -> None:
    """All 120 frozen episodes (small frames: the expert reads the true state)."""
    suite = EBHabitatSuite(observation="text", image_size=32)
    results = evaluate(suite, ExpertAgent, tmp_path, LocalRunner(concurrency=4), False)
    assert results.episodes == 6 * 20 and results.errors == 0
    for subset in SUBSETS:
        summaries = results.groups["subset"][subset]
        assert summaries["success"].mean == 100.0 and summaries["success"].n == 20, subset
        assert summaries["invalid_actions"].mean == 0.0
    assert results.macro["subset"]["success"].mean == 100.0


def test_the_random_agent_is_the_floor_and_records_keep_what_the_robot_holds(tmp_path: Path) -> None:
    suite = EBHabitatSuite(episodes=4, observation="text", image_size=32)
    random = evaluate(suite, RandomAgent, tmp_path / "random", show_progress=False)
    assert random.overall()["success"].mean < 20.0
    assert random.overall()["invalid_actions"].mean > 5  # most random skills fail their preconditions
    records = list(ResultsStore(tmp_path / "random").records())
    assert len(records) == 24 and {r.groups["subset"] for r in records} == set(SUBSETS)
    for record in records:
        assert record.spec.metadata["instruction"] == record.instruction
        assert all({"held", "subgoals_met"} <= set(step.data) for step in record.steps)
        assert len(record.steps) <= 30


def test_unknown_subset_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"unknown subset 'visual_apperance'.*Did you mean 'visual_appearance'"):
        EBHabitatSuite(subsets=["visual_apperance"])


def test_the_habitat_simulator_plays_eb_habitats_own_episodes_by_subset_and_index() -> None:
    """Specs only: building them needs no habitat."""
    specs = EBHabitatSuite(simulator="habitat", episodes=2, subsets=["base", "long_horizon"]).specs()
    assert [s.reset_options for s in specs] == [
        {"subset": subset, "index": index} for subset in ("base", "long_horizon") for index in (0, 1)
    ]
    assert all(s.env_kwargs["simulator"] == "habitat" for s in specs)
    standin = EBHabitatSuite(episodes=1).specs()
    assert len(standin) == 6 and all(s.env_kwargs["simulator"] == "standin" for s in standin)
    assert standin[0].rules.max_steps == 30 and standin[0].rules.sees_image and not standin[0].rules.sees_text


@pytest.mark.slow
def test_the_installed_command_runs_the_oracle_with_videos_from_any_folder(tmp_path: Path) -> None:
    command = cli_command(["run", "suite=eb_habitat", "agent=oracle", "suite.episodes=1", "suite.image_size=64"])
    done = subprocess.run(command, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    run = tmp_path / "runs" / "eb_habitat-oracle"
    results = json.loads((run / "results.json").read_text())
    assert results["episodes"] == 6 and results["errors"] == 0
    videos = sorted(p.name for p in (run / "videos").iterdir())
    assert len(videos) == 12 and sum(name.endswith(".render.mp4") for name in videos) == 6, videos
