"""Bootstrap intervals, ING-VP's per-episode metrics on hand-built records, and aggregation."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results.aggregate import aggregate, bootstrap_ci, summarize_metrics
from mmgym.tasks.ingvp.settings import Setting
from mmgym.tasks.ingvp.suite import IngvpSuite, score_ingvp

ONE_STEP = "one_step-text"
MULTI_STEP = "multi_step-text-history"


# ---- bootstrap_ci ------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[3.0] * 7, [100.0] * 40, [0.0, 0.0]])
def test_constant_data_has_a_point_interval(values: list[float]) -> None:
    assert bootstrap_ci(values) == (values[0], values[0])


def test_single_value_and_empty() -> None:
    assert bootstrap_ci([42.0]) == (42.0, 42.0)
    low, high = bootstrap_ci([])
    assert math.isnan(low) and math.isnan(high)


def test_two_points_hand_computed() -> None:
    # Resampled means of [0, 1] are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4, so the 2.5% and
    # 97.5% quantiles are the extremes.
    assert bootstrap_ci([0.0, 1.0]) == (0.0, 1.0)
    # At 20% confidence the 40% and 60% quantiles both fall on the middle mass at 0.5.
    assert bootstrap_ci([0.0, 1.0], confidence=0.2) == (0.5, 0.5)


def test_mean_inside_interval_with_normal_width() -> None:
    values = [0.0, 1.0] * 200  # mean 0.5, standard error 0.5 / sqrt(400) = 0.025
    low, high = bootstrap_ci(values)
    assert low < 0.5 < high
    assert (high - low) / 2 == pytest.approx(1.96 * 0.025, rel=0.15)


def test_wider_at_higher_confidence() -> None:
    values = np.random.default_rng(1).normal(size=50).tolist()
    low90, high90 = bootstrap_ci(values, confidence=0.90)
    low99, high99 = bootstrap_ci(values, confidence=0.99)
    assert low99 < low90 < float(np.mean(values)) < high90 < high99


def test_deterministic_by_seed() -> None:
    values = np.random.default_rng(7).exponential(size=30).tolist()
    assert bootstrap_ci(values, seed=3) == bootstrap_ci(list(values), seed=3)
    assert bootstrap_ci(values, seed=3) != bootstrap_ci(values, seed=4)


def test_summarize() -> None:
    summary = summarize_metrics({"x": [0.0, 50.0, 100.0]})["x"]
    assert summary.mean == 50.0 and summary.n == 3
    assert 0.0 <= summary.low < 50.0 < summary.high <= 100.0
    assert str(summary).startswith("50.0 [")


# ---- score_ingvp ---------------------------------------------------------------------------------


def make_record(
    setting: str = MULTI_STEP,
    optimal_length: int = 8,
    remaining: int | None = 0,
    steps: list[tuple[bool, bool]] = (),  # (valid, state_changed) per step
    actions_given: int | None = None,
    success: bool | None = None,
    game: str = "maze",
) -> EpisodeRecord:
    spec = EpisodeSpec(
        suite="ingvp",
        task=f"{setting}/{game}/000",
        env_id="mmgym/Maze-v0",
        seed=0,
        rules=Setting.parse(setting).rules(50),
        metadata={"game": game, "setting": setting},
        step_data=IngvpSuite.step_data,
        tags=(game,),
    )
    # The solver's distance to the goal is `remaining` as the episode ends: after the last step, or at reset.
    step_records = [
        StepRecord(
            index=i,
            turn=1,
            action="up",
            valid=valid,
            feedback="",
            reward=0.0,
            success=False,
            progress=0.0,
            state_text="",
            data={
                "state_changed": changed,
                "optimal_remaining": remaining if i == len(steps) - 1 else None,
                "optimal_length": optimal_length,
            },
        )
        for i, (valid, changed) in enumerate(steps)
    ]
    initial_remaining = optimal_length if steps else remaining
    return EpisodeRecord(
        id=spec.id,
        spec=spec,
        steps=step_records,
        agent_calls=1,
        actions_given=len(steps) if actions_given is None else actions_given,
        success=remaining == 0 if success is None else success,
        initial_data={"state_changed": False, "optimal_remaining": initial_remaining, "optimal_length": optimal_length},
    )


@pytest.mark.parametrize(
    ("length", "remaining", "expected"),
    [(8, 0, 100.0), (8, 3, 62.5), (8, 8, 0.0), (8, 11, 0.0), (8, None, 0.0), (7, 1, 100 * 6 / 7), (0, 0, 100.0)],
)
@pytest.mark.parametrize("setting", [ONE_STEP, MULTI_STEP])
def test_completion(setting: str, length: int, remaining: int | None, expected: float) -> None:
    scores = score_ingvp(make_record(setting, length, remaining, steps=[(True, True)]))
    assert scores["completion"] == pytest.approx(expected)


def test_completion_of_one_step_records() -> None:
    """ING-VP left completion out for one-step play; here a single-step record is scored like any other."""
    for setting in (ONE_STEP, MULTI_STEP):
        solved = score_ingvp(make_record(setting, optimal_length=1, remaining=0, steps=[(True, True)]))
        missed = score_ingvp(make_record(setting, optimal_length=1, remaining=1, steps=[(False, False)]))
        assert solved == {"accuracy": 100.0, "completion": 100.0, "efficiency": 100.0}
        assert missed["completion"] == 0.0 and missed["accuracy"] == 0.0


def test_accuracy_follows_success() -> None:
    assert score_ingvp(make_record(remaining=0, steps=[(True, True)] * 8))["accuracy"] == 100.0
    assert score_ingvp(make_record(remaining=2, steps=[(True, True)] * 6))["accuracy"] == 0.0


@pytest.mark.parametrize(
    ("length", "given", "steps", "expected"),
    [
        (8, 8, [(True, True)] * 8, 100.0),  # optimal plan
        (8, 10, [(True, True)] * 6 + [(False, False)] * 4, 60.0),  # longer plan: divide by moves given
        (8, 4, [(True, True)] * 4, 50.0),  # shorter plan: divide by the optimal length
        (8, 12, [(True, True)] * 3, 25.0),  # only 3 executed (solved or truncated), 12 given
        (4, 0, [(False, False)], 0.0),  # empty reply
    ],
)
def test_one_step_efficiency(length: int, given: int, steps: list[tuple[bool, bool]], expected: float) -> None:
    record = make_record(ONE_STEP, length, remaining=None, steps=steps, actions_given=given)
    assert score_ingvp(record)["efficiency"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([(True, True)] * 5, 100.0),
        ([(True, True), (False, False), (True, True), (False, False), (True, True)], 60.0),
        ([(True, False), (True, True)], 50.0),  # a valid step that changes nothing is not effective
        ([(False, False)] * 3, 0.0),
        ([], 0.0),
    ],
)
def test_multi_step_efficiency(steps: list[tuple[bool, bool]], expected: float) -> None:
    record = make_record(MULTI_STEP, 8, remaining=4, steps=steps)
    assert score_ingvp(record)["efficiency"] == pytest.approx(expected)


# ---- aggregate -------------------------------------------------------------------------------------


def test_aggregate_plain_groupings() -> None:
    items = [("a1", {"m": 1.0}), ("a2", {"m": 3.0}), ("b1", {"m": 10.0}), ("skip", {"m": 99.0})]
    groupings = {
        "overall": lambda e: "all",
        "letter": lambda e: None if e == "skip" else e[0],
    }
    result = aggregate(items, groupings)
    assert set(result) == {"overall", "letter"}
    assert result["overall"]["all"]["m"].n == 4
    assert result["overall"]["all"]["m"].mean == pytest.approx(113 / 4)
    assert list(result["letter"]) == ["a", "b"]  # None leaves "skip" out; groups are sorted
    assert result["letter"]["a"]["m"].mean == 2.0 and result["letter"]["a"]["m"].n == 2
    assert result["letter"]["b"]["m"].model_dump() == {"mean": 10.0, "low": 10.0, "high": 10.0, "n": 1}


def test_aggregate_with_ingvp_groupings() -> None:
    records = [
        make_record(ONE_STEP, remaining=0, steps=[(True, True)] * 8, game="maze"),
        make_record(ONE_STEP, remaining=8, steps=[(False, False)], game="sokoban"),
        make_record(MULTI_STEP, remaining=4, steps=[(True, True)] * 4, game="maze"),
    ]
    suite = IngvpSuite()
    scores = [asyncio.run(suite.score(r)) for r in records]  # the suite's scoring is async
    assert scores == [score_ingvp(r) for r in records]
    result = aggregate(zip(records, scores, strict=True), suite.groupings())
    assert set(result) == {"overall", "setting", "game", "game/setting"}
    assert result["overall"]["all"]["accuracy"].mean == pytest.approx(100 / 3)
    assert result["overall"]["all"]["completion"].mean == pytest.approx(50.0)
    assert set(result["setting"]) == {ONE_STEP, MULTI_STEP}
    assert result["setting"][ONE_STEP]["accuracy"].n == 2
    assert result["game"]["maze"]["completion"].mean == pytest.approx(75.0)
    assert result["game"]["sokoban"]["completion"].mean == 0.0
    assert set(result["game/setting"]) == {f"maze/{ONE_STEP}", f"sokoban/{ONE_STEP}", f"maze/{MULTI_STEP}"}
    assert result["game/setting"][f"maze/{MULTI_STEP}"]["efficiency"].mean == 100.0
