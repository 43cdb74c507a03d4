"""EmbodiedEval's predicates on the far side of each threshold and at the exact boundary, and the suite's
metrics on records whose step data lack a key (the reset's value, or the neutral default, is used)."""

from __future__ import annotations

import pytest

from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.tasks.embodied_eval.env.predicates import AGENT, AT_DISTANCE, At, Closer, Further, Near, NotNear, WorldState
from mmgym.tasks.embodied_eval.suite import episode_scores, spl

START = WorldState(agent=(0.0, 0.0), objects={"mug": (2.0, 0.0), "table": (0.0, 0.0)})


def mug_at(x: float) -> WorldState:
    return WorldState(agent=(0.0, 0.0), objects={**START.objects, "mug": (x, 0.0)})


@pytest.mark.parametrize(
    ("predicate", "now", "met"),
    [
        (At(subject="mug", object="table"), mug_at(AT_DISTANCE), False),  # exactly 0.3 m is not "at"
        (At(subject=AGENT, object="table"), START, True),
        (Near(subject="mug", object="table"), mug_at(5.0), False),  # far is not near
        (Near(subject="mug", object="table"), mug_at(0.5), True),
        (NotNear(subject="mug", object="table"), mug_at(0.5), False),  # near is not "not near"
        (NotNear(subject="mug", object="table"), mug_at(5.0), True),
        (Closer(subject="mug", object="table"), mug_at(4.5), False),  # moved 2.5 m away, not closer
        (Closer(subject="mug", object="table"), mug_at(-0.5), False),  # 0.5 m on the other side: 1.5 m closer
        (Further(subject="mug", object="table"), mug_at(0.5), False),  # moved 1.5 m closer, not further
        (Further(subject="mug", object="table"), mug_at(3.5), True),
    ],
)
def test_each_predicate_is_false_on_the_wrong_side(predicate, now: WorldState, met: bool) -> None:
    assert predicate.met(now, START) is met


def record(steps: list[dict], initial: dict, metadata: dict, success: bool = True, actions: list[str] | None = None):
    spec = EpisodeSpec(suite="embodied_eval", task="navigation/000", env_id="mmgym/EmbodiedEval-v0", seed=0,
                       metadata=metadata)  # fmt: skip
    actions = actions or ["[1]"] * len(steps)
    return EpisodeRecord(
        id=spec.id, spec=spec, success=success, initial_data=initial,
        steps=[StepRecord(index=i, turn=i + 1, action=a, valid=True, feedback="", reward=0.0, success=False,
                          progress=0.0, state_text="", data=data)
               for i, (a, data) in enumerate(zip(actions, steps, strict=True))],
    )  # fmt: skip


PLAN = {"expert_plan_length": 2}


def test_goal_condition_takes_the_total_from_the_last_step_else_the_reset() -> None:
    only_reset = record([{"predicates_met": 1}], {"predicates_total": 2}, PLAN)
    assert episode_scores(only_reset)["goal_condition"] == 50.0
    only_step = record([{"predicates_met": 1, "predicates_total": 2}], {}, PLAN)
    assert episode_scores(only_step)["goal_condition"] == 50.0
    nothing_met = record([{"predicates_total": 2}], {"predicates_total": 2}, PLAN, success=False)
    assert episode_scores(nothing_met)["goal_condition"] == 0.0


def test_goal_condition_is_a_true_share() -> None:
    assert episode_scores(record([{"predicates_met": 1, "predicates_total": 3}], {}, PLAN))["goal_condition"] == (
        pytest.approx(100 / 3)
    )


def test_spl_of_a_one_step_expert_path_taken_in_one_step_is_full() -> None:
    assert spl(True, 1, 1) == 1.0 and spl(True, 1, 2) == 0.5


def test_spl_without_a_reference_length_is_zero() -> None:
    assert episode_scores(record([{}] * 3, {}, {}))["spl"] == 0.0
    assert episode_scores(record([{}] * 3, {}, PLAN))["spl"] == pytest.approx(100 * 2 / 3)


def test_failure_rates_are_shares_of_the_replies() -> None:
    steps = [{"choice_error": "no_match"}, {"choice_error": "out_of_range"}, {}]
    scores = episode_scores(record(steps, {}, PLAN))
    assert scores["no_match"] == pytest.approx(100 / 3) and scores["out_of_range"] == pytest.approx(100 / 3)
    alone = episode_scores(record([{}], {}, PLAN, actions=[""]))  # one reply, which named no option
    assert alone["no_match"] == 100.0 and alone["steps"] == 1.0
