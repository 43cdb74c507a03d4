"""The EmbodiedEval-style suite: SPL and the failure rates on hand-computed cases, the oracle at 100 in every
category, the random floor, and the report's by-category table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmgym.agents.models.base import ModelError
from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import ConfigError
from mmgym.runners.rollout import mark_failed
from mmgym.tasks.embodied_eval.suite import CATEGORIES, EmbodiedEvalSuite, episode_scores, spl


@pytest.mark.parametrize(
    ("success", "reference", "taken", "expected"),
    [
        (True, 8, 8, 1.0),  # the expert's own path
        (True, 8, 10, 0.8),  # 8 / 10
        (True, 8, 24, 1 / 3),  # 8 / 24
        (True, 8, 5, 1.0),  # shorter than the reference (a lucky answer): L / max(L, P) = 1
        (False, 8, 8, 0.0),  # no success, no credit
        (True, 0, 0, 0.0),
    ],
)
def test_spl(success: bool, reference: int, taken: int, expected: float) -> None:
    assert spl(success, reference, taken) == pytest.approx(expected)


def record(steps: list[tuple[str, str, int]], success: bool, status: str = "done", error: str | None = None):
    """Steps as (action, choice_error, predicates met of 2); the expert's reference is 4 options."""
    spec = EpisodeSpec(suite="embodied_eval", task="navigation/000", env_id="mmgym/EmbodiedEval-v0", seed=0,
                       metadata={"expert_plan_length": 4})  # fmt: skip
    return EpisodeRecord(
        id=spec.id, spec=spec, status=status, error=error, success=success,
        initial_data={"predicates_met": 0, "predicates_total": 2},
        steps=[StepRecord(index=i, turn=i + 1, action=a, valid=not e and a != "", feedback="", reward=0.0,
                          success=False, progress=0.0, state_text="",
                          data={"choice_error": e, "predicates_met": m, "predicates_total": 2})
               for i, (a, e, m) in enumerate(steps)],
    )  # fmt: skip


def test_scores_of_a_hand_built_episode() -> None:
    # five replies: one the parser could not read (""), one out of the menu, one naming no option, two good
    steps = [("", "", 0), ("[9]", "out_of_range", 0), ("fly", "no_match", 0), ("[1]", "", 1), ("[2]", "", 2)]
    scores = episode_scores(record(steps, success=True))
    assert scores == {"success": 100.0, "goal_condition": 100.0, "spl": 100.0 * 4 / 5, "no_match": 40.0,
                      "out_of_range": 20.0, "api_error": 0.0, "steps": 5.0}  # fmt: skip
    half = episode_scores(record([("[1]", "", 1)], success=False))
    assert (half["success"], half["goal_condition"], half["spl"]) == (0.0, 50.0, 0.0)


def test_a_failed_model_call_is_an_api_error_and_nothing_else_is() -> None:
    failed = mark_failed(record([("[1]", "", 0)], False), ModelError("model 'x' failed: timeout"))
    assert episode_scores(failed)["api_error"] == 100.0
    crashed = mark_failed(record([], False), RuntimeError("ModelError: a message that only looks like one"))
    assert episode_scores(crashed)["api_error"] == 0.0 and episode_scores(crashed)["goal_condition"] == 0.0


def test_suite_specs_and_config_errors() -> None:
    suite = EmbodiedEvalSuite(episodes=2, image_size=32)
    specs = suite.specs()
    assert len(specs) == 2 * len(CATEGORIES) and len({s.id for s in specs}) == len(specs)
    assert {s.metadata["category"] for s in specs} == set(CATEGORIES)
    assert specs[0].rules.actions_per_reply == "one" and specs[0].rules.max_steps == 24
    assert specs[0].env_kwargs == {"image_size": 32, "observe_image": True, "max_steps": 24}
    assert all(s.metadata["expert_plan_length"] >= 1 for s in specs)
    with pytest.raises(ConfigError, match="unknown subset 'social_interaction'"):
        EmbodiedEvalSuite(subsets=["social_interaction"])


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("mmgym.envs.miniworld.deps")
    pytest.importorskip("minigrid")
    from mmgym.agents.scripted import ExpertAgent, RandomAgent
    from mmgym.runners.evaluate import evaluate

    suite = EmbodiedEvalSuite(episodes=3, image_size=32)
    runs = {}
    for name, agent in (("oracle", ExpertAgent), ("random", RandomAgent)):
        runs[name] = tmp_path_factory.mktemp(name)
        evaluate(suite, agent, runs[name], show_progress=False)
    return runs


def results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text())


def test_the_oracle_succeeds_in_every_category_on_the_expert_path(played: dict[str, Path]) -> None:
    by_category = results(played["oracle"])["groups"]["category"]
    assert set(by_category) == set(CATEGORIES)
    for category in CATEGORIES:
        for metric in ("success", "goal_condition", "spl"):
            assert by_category[category][metric]["mean"] == 100.0, (category, metric)
        assert by_category[category]["no_match"]["mean"] == by_category[category]["out_of_range"]["mean"] == 0.0


def test_the_random_agent_chooses_from_each_steps_menu_and_sets_the_floor(played: dict[str, Path]) -> None:
    floor = results(played["random"])["groups"]
    assert floor["overall"]["all"]["success"]["mean"] < 50.0
    assert floor["category"]["object_interaction"]["success"]["mean"] == 0.0
    for line in (played["random"] / "episodes.jsonl").read_text().splitlines():
        steps = json.loads(line)["steps"]
        assert all(step["valid"] for step in steps)  # every pick was on that step's menu


class PlaceThenIdle:
    """Follows the expert until it puts something down, then only turns: the first part of a two-part task."""

    async def reset(self, context) -> None:
        self.context, self.idle = context, False

    async def act(self, turn):
        from mmgym.core.agent import AgentReply

        if self.idle:
            return AgentReply(actions=["turn left"])
        action = (await self.context.expert()).actions[0]
        self.idle = action.startswith("put down")
        return AgentReply(actions=[action])


def test_half_of_a_two_part_task_scores_half_its_goal_conditions_and_no_success(tmp_path: Path) -> None:
    pytest.importorskip("minigrid")
    from mmgym.runners.evaluate import evaluate
    from mmgym.tasks.embodied_eval.env.frozen import SETS

    tasks = [episode.scene for episode in SETS.load("object_interaction").episodes[:2]]
    assert [len(task.predicates) for task in tasks] == [1, 2]
    assert tasks[1].text.startswith("Put the purple box next to the green ball, then pick up")
    suite = EmbodiedEvalSuite(subsets=["object_interaction"], episodes=2, image_size=32)
    evaluate(suite, PlaceThenIdle, tmp_path, show_progress=False)
    lines = (tmp_path / "episodes.jsonl").read_text().splitlines()
    records = {record["spec"]["metadata"]["instruction"]: record for record in map(json.loads, lines)}
    two_part = records[tasks[1].text]
    # By hand: the purple box is down next to the green ball (1 of 2 predicates), the grey box is not held.
    assert two_part["steps"][-1]["data"]["predicates_met"] == 1
    assert two_part["metrics"] == {"success": 0.0, "goal_condition": 50.0, "spl": 0.0, "no_match": 0.0,
                                   "out_of_range": 0.0, "api_error": 0.0, "steps": 24.0}  # fmt: skip
    assert records[tasks[0].text]["metrics"]["goal_condition"] == 0.0  # the yellow box was never picked up
    category = results(tmp_path)["groups"]["category"]["object_interaction"]
    assert (category["success"]["mean"], category["goal_condition"]["mean"]) == (0.0, 25.0)


def test_the_report_shows_the_categories_with_success_goal_condition_and_spl(played, tmp_path: Path) -> None:
    from mmgym.views.report import write_report

    page = (write_report([played["oracle"]], tmp_path / "report") / "index.html").read_text()
    by_group = page[page.index('id="breakdowns"') :]
    assert "by category [95% CI]" in by_group
    assert all(word in by_group for word in (*CATEGORIES, "success", "goal_condition", "spl"))
