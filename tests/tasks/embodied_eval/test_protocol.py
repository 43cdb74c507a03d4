"""`suite.protocol=embodiedeval` on real episodes: a reply that names no option (out of the menu, words that
are no option, or no action at all) ends the episode as EmbodiedEval's loop does; the overall figures are
means over episodes; SPL's reference is a human trajectory with `suite.reference=human`. The default
protocol keeps playing after such a reply."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from mmgym.core.agent import AgentReply
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results.summarize import summarize_run
from mmgym.tasks.embodied_eval.suite import EmbodiedEvalSuite, episode_scores

UNPARSEABLE = AgentReply(actions=[], parse_error="no 'Choice:' line")


class Scripted:
    """Follows the expert for `good` replies, then gives `bad` once, then follows the expert again."""

    def __init__(self, good: int, bad: AgentReply) -> None:
        self.good, self.bad = good, bad

    async def reset(self, context) -> None:
        self.context, self.calls = context, 0

    async def act(self, turn) -> AgentReply:
        self.calls += 1
        if self.calls == self.good + 1:
            return self.bad
        return AgentReply(actions=[(await self.context.expert()).actions[0]])


def play(tmp_path: Path, bad: AgentReply, protocol: str) -> dict:
    pytest.importorskip("minigrid")
    from mmgym.runners.evaluate import evaluate

    suite = EmbodiedEvalSuite(subsets=["object_interaction"], episodes=1, image_size=32, protocol=protocol)
    evaluate(suite, lambda: Scripted(1, bad), tmp_path, show_progress=False)
    return json.loads((tmp_path / "episodes.jsonl").read_text().splitlines()[0])


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (AgentReply(actions=["[99]"]), "out_of_range"),  # a number outside the menu
        (AgentReply(actions=["fly to the moon"]), "no_match"),  # words that are no option
    ],
)
def test_a_reply_naming_no_option_ends_the_episode_under_embodiedeval(tmp_path: Path, bad, error: str) -> None:
    record = play(tmp_path, bad, "embodiedeval")
    assert [step["data"]["choice_error"] for step in record["steps"]] == ["", error]
    assert not record["success"] and "the episode ends" in record["steps"][-1]["feedback"]
    assert record["metrics"][error] == 100.0 and record["metrics"]["steps"] == 2.0
    other = "no_match" if error == "out_of_range" else "out_of_range"
    assert record["metrics"][other] == 0.0 and record["metrics"]["success"] == 0.0


def test_an_unparseable_reply_ends_the_episode_and_counts_as_a_step_under_embodiedeval(tmp_path: Path) -> None:
    record = play(tmp_path, UNPARSEABLE, "embodiedeval")
    assert len(record["steps"]) == 1 and record["stop_reason"].startswith("unparseable reply (no 'Choice:' line)")
    assert record["metrics"]["no_match"] == 100.0 and record["metrics"]["steps"] == 2.0  # as its trajectory counts


@pytest.mark.parametrize("bad", [AgentReply(actions=["[99]"]), UNPARSEABLE])
def test_the_default_protocol_refuses_the_reply_and_plays_on(tmp_path: Path, bad) -> None:
    record = play(tmp_path, bad, "mmgym")
    assert record["success"] and len(record["steps"]) > 2 and record["stop_reason"] is None


def test_the_protocols_differ_in_rules_and_env_only_where_embodiedeval_does() -> None:
    default, authors = EmbodiedEvalSuite(episodes=1).specs()[0], EmbodiedEvalSuite(episodes=1, protocol="embodiedeval")
    spec = authors.specs()[0]
    assert default.rules.unparseable == "step" and spec.rules.unparseable == "ends"
    assert "refusal_ends" not in default.env_kwargs and spec.env_kwargs["refusal_ends"] is True
    assert default.id != spec.id


def scored(category: str, success: bool, suite: EmbodiedEvalSuite) -> EpisodeRecord:
    spec = EpisodeSpec(suite="embodied_eval", task=f"{category}/000", env_id="mmgym/EmbodiedEval-v0", seed=0,
                       metadata={"category": category, "expert_plan_length": 2})  # fmt: skip
    record = EpisodeRecord(id=spec.id, spec=spec, success=success)
    record.metrics = asyncio.run(suite.score(record))
    return record


@pytest.mark.parametrize("protocol", ["mmgym", "embodiedeval"])
def test_the_overall_figure_is_episode_weighted_and_the_macro_mean_only_under_mmgym(protocol: str) -> None:
    suite = EmbodiedEvalSuite(protocol=protocol)
    records = [scored("navigation", True, suite) for _ in range(3)] + [scored("spatial_qa", False, suite)]
    results = summarize_run(suite, records)
    assert results.overall()["success"].mean == 75.0  # 3 of 4 episodes: EmbodiedEval's metrics.py weighting
    if protocol == "mmgym":
        assert results.macro["category"]["success"].mean == 50.0  # (100 + 0) / 2
    else:
        assert results.macro == {}


def human_folder(root: Path, lengths: dict[str, int]) -> Path:
    """Trajectories in EmbodiedEval's format: a traj.json list of step records, or its NNNNa.json step files."""
    for task, length in lengths.items():
        folder = root / task
        folder.mkdir(parents=True)
        steps = [{"step": i, "action_choice": 1, "done_after_action": int(i == length - 1)} for i in range(length)]
        if task.endswith("0"):
            (folder / "traj.json").write_text(json.dumps(steps))
        else:
            for step in steps:
                (folder / f"{step['step']:04d}a.json").write_text(json.dumps(step))
    return root


def test_spl_uses_the_human_trajectory_and_leaves_out_tasks_without_one(tmp_path: Path) -> None:
    folder = human_folder(tmp_path / "human", {"object_interaction/000": 12, "object_interaction/001": 3})
    suite = EmbodiedEvalSuite(subsets=["object_interaction"], episodes=3, reference="human",
                              human_trajectories=str(folder))  # fmt: skip
    specs = suite.specs()
    assert [s.metadata.get("human_plan_length") for s in specs] == [12, 3, None]
    records = [EpisodeRecord(id=s.id, spec=s, success=True) for s in specs]
    for record, taken in zip(records, (6, 6, 6), strict=True):
        record.steps = [_step(i) for i in range(taken)]
    scores = [episode_scores(r, "mmgym", "human") for r in records]
    assert [s.get("spl") for s in scores] == [100.0, 50.0, None]  # 12 / max(12, 6); 3 / 6; no reference
    note = asyncio.run(suite.notes())["spl_reference"].model_dump()
    assert note == {"reference": "human", "source": str(folder), "episodes": 3,
                    "without_reference": ["object_interaction/002"]}  # fmt: skip
    expert = asyncio.run(EmbodiedEvalSuite().notes())["spl_reference"].model_dump()
    assert expert["reference"] == "expert" and expert["without_reference"] == []


def test_reference_human_without_trajectories_is_refused_in_one_line() -> None:
    from mmgym.errors import ConfigError
    from mmgym.tasks.embodied_eval.human import human_lengths

    with pytest.raises(ValueError, match=r"suite\.reference=human needs a folder"):
        EmbodiedEvalSuite(reference="human")
    with pytest.raises(ConfigError, match=r"suite\.human_trajectories: no folder"):
        human_lengths("/nonexistent/human", ["navigation/000"])


def _step(index: int):
    from mmgym.core.records import StepRecord

    return StepRecord(index=index, turn=index + 1, action="[1]", valid=True, feedback="", reward=0.0, success=False,
                      progress=0.0, state_text="", data={})  # fmt: skip
