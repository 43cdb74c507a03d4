"""The EB-Manipulation suite on MuJoCo: the expert meets the target in every subset, the random agent is
the floor, records and results carry subsets and tasks, Ray's env workers give the local runner's records,
and the installed command runs the suite."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

if importlib.util.find_spec("mujoco") is None:
    pytest.skip("mujoco is not installed (pip install 'mmgym[mujoco]')", allow_module_level=True)

from cli_helpers import cli_command, cli_env

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.errors import ConfigError
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.embodiedbench.manip import SUBSETS, EBManipSuite

pytestmark = pytest.mark.slow
EXPERT_TARGET = 95.0  # the bar for the scripted expert, per subset


def test_the_expert_meets_the_target_in_every_subset(tmp_path: Path) -> None:
    """The first 20 frozen episodes of each subset, all four tasks five times (text observations: the camera is
    not needed to check the expert); `mmgym run suite=eb_manip agent=oracle` plays all 250."""
    suite = EBManipSuite(episodes=20, observation="text")
    results = evaluate(suite, ExpertAgent, tmp_path, LocalRunner(concurrency=2), False)
    assert results.episodes == 5 * 20 and results.errors == 0
    for subset in SUBSETS:
        summaries = results.groups["subset"][subset]
        assert summaries["success"].n == 20 and summaries["success"].mean >= EXPERT_TARGET, subset
        assert summaries["invalid_actions"].mean == 0.0
    assert set(results.groups["task"]) == {"pick_place", "stack", "sort", "push"}


def test_the_random_agent_is_the_floor_and_records_keep_the_goals(tmp_path: Path) -> None:
    suite = EBManipSuite(episodes=2, observation="text")
    random = evaluate(suite, RandomAgent, tmp_path / "random", show_progress=False)
    assert random.overall()["success"].mean < 50.0
    assert random.overall()["invalid_actions"].mean > 0  # random poses point upward or out of reach
    records = list(ResultsStore(tmp_path / "random").records())
    assert len(records) == 10 and {r.groups["subset"] for r in records} == set(SUBSETS)
    for record in records:
        assert record.spec.metadata["privileged_text"] is True
        assert all({"goals_met", "held"} <= set(step.data) for step in record.steps)
        assert all(step.action.startswith("[") and step.action.count(",") == 6 for step in record.steps)


def test_unknown_subset_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"unknown subset 'spatail'.*Did you mean 'spatial'"):
        EBManipSuite(subsets=["spatail"])


@pytest.mark.ray
def test_the_ray_runner_gives_the_local_runners_records(tmp_path: Path) -> None:
    """With images and the expert (real grasps and pushes): the envs run in Ray env workers and the records
    equal the local runner's."""
    pytest.importorskip("ray")
    from ray_helpers import comparable, records_by_id

    from mmgym.runners.ray.runner import RayRunner

    suite = EBManipSuite(subsets=["base", "spatial"], episodes=2, image_size=64)
    evaluate(suite, ExpertAgent, tmp_path / "local", LocalRunner(concurrency=2), show_progress=False)
    evaluate(suite, ExpertAgent, tmp_path / "ray", RayRunner(num_cpus=2, concurrency=2), show_progress=False)
    local = records_by_id(tmp_path / "local" / "episodes.jsonl")
    remote = records_by_id(tmp_path / "ray" / "episodes.jsonl")
    assert len(local) == 4 and all(r["success"] for r in local.values())
    assert {k: comparable(v) for k, v in remote.items()} == {k: comparable(v) for k, v in local.items()}


def test_the_installed_command_runs_the_oracle_with_videos_and_a_report_from_any_folder(tmp_path: Path) -> None:
    command = cli_command(["run", "suite=eb_manip", "agent=oracle", "suite.episodes=1", "suite.image_size=64"])
    done = subprocess.run(command, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    run = tmp_path / "runs" / "eb_manip-oracle"
    results = json.loads((run / "results.json").read_text())
    assert results["episodes"] == 5 and results["errors"] == 0
    videos = sorted(p.name for p in (run / "videos").iterdir())
    assert len(videos) == 10 and sum(name.endswith(".render.mp4") for name in videos) == 5, videos
    command = cli_command(["report", "runs/eb_manip-oracle", "-o", "report"])
    done = subprocess.run(command, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    page = (tmp_path / "report" / "index.html").read_text()
    assert all(subset in page for subset in SUBSETS) and "pick_place" in page
