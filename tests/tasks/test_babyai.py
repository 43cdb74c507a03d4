"""The BabyAI suite: the expert solves every subset at both action levels, the random agent is the floor,
results carry the subsets and their macro mean, and Ray gives the local runner's records."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("minigrid", reason="minigrid is not installed (pip install 'mmgym[babyai]')")

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.errors import ConfigError
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.babyai import SUBSETS, BabyAISuite

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("action_level", ["skill", "primitive"])
def test_the_expert_solves_at_least_99_percent_of_every_subset(tmp_path: Path, action_level: str) -> None:
    suite = BabyAISuite(action_level=action_level, observation="text")
    results = evaluate(suite, ExpertAgent, tmp_path, LocalRunner(concurrency=32), show_progress=False)
    assert results.episodes == 5 * 50 and results.errors == 0
    by_subset = results.groups["subset"]
    assert set(by_subset) == set(SUBSETS)
    for subset, summaries in by_subset.items():
        assert summaries["success"].mean >= 99.0, (subset, summaries["success"])
        assert summaries["success"].n == 50
    assert results.macro["subset"]["success"].mean >= 99.0
    assert [m.name for m in results.metrics] == ["success", "progress", "steps", "invalid_actions"]


def test_the_random_agent_is_the_floor(tmp_path: Path) -> None:
    short = ["base", "spatial", "visual_appearance"]  # expert solutions under 20 primitive steps
    suite = BabyAISuite(subsets=short, action_level="primitive", observation="text", episodes=10, max_steps=30)
    random = evaluate(suite, RandomAgent, tmp_path / "random", show_progress=False)
    expert = evaluate(suite, ExpertAgent, tmp_path / "expert", show_progress=False)
    assert random.overall()["success"].mean < expert.overall()["success"].mean == 100.0
    assert random.overall()["invalid_actions"].mean > 0  # random primitive actions bump into things
    assert random.macro["subset"]["progress"].mean < 100.0


def test_records_keep_subset_level_and_subgoals(tmp_path: Path) -> None:
    suite = BabyAISuite(subsets=["complex_instruction"], episodes=3, observation="text")
    evaluate(suite, ExpertAgent, tmp_path, show_progress=False)
    from mmgym.results.store import ResultsStore

    records = list(ResultsStore(tmp_path).records())
    assert len(records) == 3
    for record in records:
        assert record.groups["subset"] == "complex_instruction" and record.groups["level"].startswith("BabyAI-")
        assert record.spec.metadata["mission"] == record.instruction
        last = record.steps[-1].data
        assert last["subgoals_done"] == last["subgoals_total"] >= 2  # compound missions
        assert record.metrics["progress"] == 100.0


def test_unknown_subset_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"unknown subset 'spatail'.*Did you mean 'spatial'"):
        BabyAISuite(subsets=["spatail"])
