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
from mmgym.tasks.babyai.suite import SUBSETS, BabyAISuite

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("action_level", ["skill", "primitive"])
def test_the_expert_solves_every_subset(tmp_path: Path, action_level: str) -> None:
    """The first 20 frozen episodes of each subset (`python -m mmgym.envs.babyai.episodes --check` replays all)."""
    suite = BabyAISuite(action_level=action_level, episodes=20, observation="text")
    results = evaluate(suite, ExpertAgent, tmp_path, LocalRunner(concurrency=32), show_progress=False)
    assert results.episodes == 5 * 20 and results.errors == 0
    by_subset = results.groups["subset"]
    assert set(by_subset) == set(SUBSETS)
    for subset, summaries in by_subset.items():
        assert summaries["success"].mean == 100.0, (subset, summaries["success"])
        assert summaries["success"].n == 20
    assert results.macro["subset"]["success"].mean == 100.0
    assert results.overall()["efficiency"].mean == 100.0  # the expert's own path
    assert [m.name for m in results.metrics] == ["success", "progress", "efficiency", "steps", "invalid_actions"]


@pytest.mark.parametrize("action_level", ["skill", "primitive"])
def test_the_random_agent_stays_at_most_5_percent_in_every_subset(tmp_path: Path, action_level: str) -> None:
    """Every subset in full: at most 5% in each (the suite's floor bound); 0 or 1 of the 250 here."""
    suite = BabyAISuite(action_level=action_level, observation="text")
    random = evaluate(suite, RandomAgent, tmp_path / "random", LocalRunner(concurrency=32), show_progress=False)
    assert random.episodes == 250 and random.errors == 0
    assert all(summaries["success"].mean <= 5.0 for summaries in random.groups["subset"].values())
    assert random.overall()["success"].mean <= 0.4
    assert random.overall()["invalid_actions"].mean > 0  # random actions are refused: hands full, walls, ...
    assert 0 < random.macro["subset"]["progress"].mean < 100.0  # some subgoals, by chance


def test_version_2_ties_each_step_limit_to_the_experts_path_and_version_1_keeps_its_own() -> None:
    from mmgym.envs.babyai.episodes import load_subset

    skill = {spec.task: spec.rules.max_steps for spec in BabyAISuite(episodes=5).specs()}
    primitive = {spec.task: spec.rules.max_steps for spec in BabyAISuite(action_level="primitive", episodes=5).specs()}
    for subset in SUBSETS:
        for episode in load_subset(subset).episodes[:5]:
            task = f"{subset}/{episode.index:03d}"
            assert skill[task] == 2 * episode.skill_steps and primitive[task] == 3 * episode.primitive_steps + 10
    assert {spec.rules.max_steps for spec in BabyAISuite(version=1, episodes=5).specs()} == {30}
    assert {spec.rules.max_steps for spec in BabyAISuite(version=1, max_steps=12, episodes=5).specs()} == {12}
    assert {spec.rules.max_steps for spec in BabyAISuite(max_steps=12, episodes=5).specs()} == {12}
    with pytest.raises(ValueError, match="version"):
        BabyAISuite(version=3)


def test_version_1_stays_playable(tmp_path: Path) -> None:
    suite = BabyAISuite(version=1, episodes=2, observation="text")
    results = evaluate(suite, ExpertAgent, tmp_path, show_progress=False)
    assert results.episodes == 10 and results.overall()["success"].mean == 100.0
    assert "BabyAI-GoToLocal-v0" in results.groups["level"]  # a first-release level, gone from version 2


def test_efficiency_weighs_success_by_the_experts_path(tmp_path: Path) -> None:
    import asyncio

    from mmgym.results.store import ResultsStore

    suite = BabyAISuite(subsets=["base"], episodes=1, observation="text")
    evaluate(suite, ExpertAgent, tmp_path, show_progress=False)
    (record,) = ResultsStore(tmp_path).records()
    doubled = record.model_copy(update={"steps": record.steps * 2})  # twice the expert's steps, still a success
    assert asyncio.run(suite.score(doubled))["efficiency"] == 50.0
    failed = record.model_copy(update={"success": False})
    assert asyncio.run(suite.score(failed))["efficiency"] == 0.0


def test_records_keep_subset_level_and_subgoals(tmp_path: Path) -> None:
    suite = BabyAISuite(subsets=["complex_instruction"], episodes=3, observation="text")
    evaluate(suite, ExpertAgent, tmp_path, show_progress=False)
    from mmgym.envs.babyai.grid import level_ids
    from mmgym.results.store import ResultsStore

    records = list(ResultsStore(tmp_path).records())
    assert len(records) == 3
    for record in records:
        assert record.groups["subset"] == "complex_instruction" and record.groups["level"] in level_ids()
        assert record.spec.metadata["mission"] == record.instruction
        last = record.steps[-1].data
        assert last["subgoals_done"] == last["subgoals_total"] >= 2  # compound missions
        assert record.metrics["progress"] == 100.0


def test_unknown_subset_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"unknown subset 'spatail'.*Did you mean 'spatial'"):
        BabyAISuite(subsets=["spatail"])


def test_the_table_and_the_report_show_the_subsets_and_their_macro_mean(tmp_path: Path) -> None:
    from rich.console import Console

    from mmgym.views.report import write_report
    from mmgym.views.table import print_results

    suite = BabyAISuite(episodes=2, observation="text")
    results = evaluate(suite, ExpertAgent, tmp_path / "run", show_progress=False)
    console = Console(width=200, record=True)
    print_results(results, console)
    table = console.export_text()
    for subset in SUBSETS:
        assert subset in table
    assert "macro mean over subset" in table and "invalid_actions [95% CI]" in table

    output = write_report([tmp_path / "run"], tmp_path / "report")
    page = (output / "index.html").read_text()
    assert "by subset (first metric)" in page and "macro mean over" in page
    assert all(f"<th>{subset}</th>" in page for subset in SUBSETS)
    assert "success by subset" in page and "success by level" in page  # the plots
    assert 'id="f-subset"' in page and 'id="f-level"' in page  # the episode filters
    index = (output / "data" / "index.js").read_text()
    assert '"filters": ["subset", "level"]' in index


@pytest.mark.ray
def test_the_ray_runner_gives_the_local_runners_records(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from ray_helpers import comparable, records_by_id

    from mmgym.runners.ray.runner import RayRunner

    suite = BabyAISuite(subsets=["base", "long_horizon"], episodes=3, observation="text")
    evaluate(suite, RandomAgent, tmp_path / "local", LocalRunner(concurrency=4), show_progress=False)
    runner = RayRunner(num_cpus=2, env_workers=2, concurrency=4)
    evaluate(suite, RandomAgent, tmp_path / "ray", runner, show_progress=False)
    local = records_by_id(tmp_path / "local" / "episodes.jsonl")
    remote = records_by_id(tmp_path / "ray" / "episodes.jsonl")
    assert len(local) == 6 and {k: comparable(v) for k, v in remote.items()} == {
        k: comparable(v) for k, v in local.items()
    }
