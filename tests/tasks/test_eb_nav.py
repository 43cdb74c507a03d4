"""The EB-Navigation suite on MiniWorld: the expert solves every subset, the random agent is the floor,
results and the report carry the subsets, and Ray's env workers give the local runner's records."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

if importlib.util.find_spec("miniworld") is None:
    pytest.skip("miniworld is not installed (pip install 'mmgym[miniworld]')", allow_module_level=True)

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.errors import ConfigError
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.embodiedbench.nav import SUBSETS, EBNavSuite

pytestmark = pytest.mark.slow


def test_the_expert_solves_every_episode_of_every_subset(tmp_path: Path) -> None:
    """The first 20 frozen episodes of each subset (text observations: the camera is not needed to check the
    expert); `mmgym run suite=eb_nav agent=oracle` plays all 250."""
    suite = EBNavSuite(episodes=20, observation="text")
    results = evaluate(suite, ExpertAgent, tmp_path, LocalRunner(concurrency=4), False)
    assert results.episodes == 5 * 20 and results.errors == 0
    for subset in SUBSETS:
        summaries = results.groups["subset"][subset]
        assert summaries["success"].mean == 100.0 and summaries["success"].n == 20, subset
        assert summaries["invalid_actions"].mean == 0.0
    assert results.macro["subset"]["success"].mean == 100.0


def test_the_random_agent_is_the_floor_and_records_keep_the_distance(tmp_path: Path) -> None:
    suite = EBNavSuite(episodes=4, observation="text")
    random = evaluate(suite, RandomAgent, tmp_path / "random", show_progress=False)
    assert random.overall()["success"].mean < 50.0
    assert random.overall()["invalid_actions"].mean > 0  # random moves bump into walls and tilt too far
    records = list(ResultsStore(tmp_path / "random").records())
    assert len(records) == 20 and {r.groups["subset"] for r in records} == set(SUBSETS)
    for record in records:
        assert record.spec.metadata["instruction"] == record.instruction
        assert all("distance" in step.data for step in record.steps)
        assert record.metrics["progress"] < 100.0 or record.success


def test_unknown_subset_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"unknown subset 'bse'.*Did you mean 'base'"):
        EBNavSuite(subsets=["bse"])


@pytest.mark.ray
def test_the_ray_runner_gives_the_local_runners_records(tmp_path: Path) -> None:
    """With images: the envs run in Ray env workers (`env_workers=auto` picks them for this env) and the
    records equal the local runner's."""
    pytest.importorskip("ray")
    from ray_helpers import comparable, records_by_id

    from mmgym.runners.ray.runner import RayRunner

    suite = EBNavSuite(subsets=["base", "long_horizon"], episodes=2, image_size=64)
    evaluate(suite, RandomAgent, tmp_path / "local", LocalRunner(concurrency=2), show_progress=False)
    evaluate(suite, RandomAgent, tmp_path / "ray", RayRunner(num_cpus=2, concurrency=2), show_progress=False)
    local = records_by_id(tmp_path / "local" / "episodes.jsonl")
    remote = records_by_id(tmp_path / "ray" / "episodes.jsonl")
    assert len(local) == 4 and {k: comparable(v) for k, v in remote.items()} == {
        k: comparable(v) for k, v in local.items()
    }
