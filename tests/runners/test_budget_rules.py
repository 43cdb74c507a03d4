"""Budget limits at their exact boundaries: a limit is reached when the total equals it, not only past it.

Costs here are binary fractions (0.25 dollars a call) so that totals are exact and the boundary is
the boundary, not a rounding artefact."""

from __future__ import annotations

import pytest

from mmgym.core.agent import ModelExchange
from mmgym.runners.budget import Budget, BudgetMeter, Spending

CALL = {"prompt_tokens": 10.0, "completion_tokens": 2.0, "cost_usd": 0.25}


def meter_after(calls: int, **limits: float) -> BudgetMeter:
    meter = BudgetMeter(Budget(**limits))
    for _ in range(calls):
        meter.spent.add(ModelExchange(model_output="x", usage=CALL))
    return meter


@pytest.mark.parametrize(
    ("limit", "value", "reason"),
    [
        ("max_model_calls", 3, "budget.max_model_calls=3 reached (3 model calls made)"),
        ("max_tokens", 36, "budget.max_tokens=36 reached (36 tokens used)"),
        ("max_cost_usd", 0.75, "budget.max_cost_usd=0.75 reached ($0.7500 spent)"),
    ],
)
def test_each_limit_is_reached_exactly_at_its_total_and_not_a_call_before(limit: str, value: float,
                                                                          reason: str) -> None:  # fmt: skip
    assert meter_after(2, **{limit: value}).exhausted() is None
    assert meter_after(2, **{limit: value}).may_start()
    assert meter_after(3, **{limit: value}).exhausted() == reason
    assert meter_after(4, **{limit: value}).exhausted().startswith(f"budget.{limit}=")  # past it: still reached


@pytest.mark.parametrize(
    ("limit", "value"),
    [("max_model_calls", 3), ("max_tokens", 37), ("max_cost_usd", 0.76)],
)
def test_a_total_just_under_its_limit_leaves_room(limit: str, value: float) -> None:
    meter = meter_after(3, **{limit: value}) if limit != "max_model_calls" else meter_after(2, **{limit: value})
    assert meter.exhausted() is None and meter.may_start() and meter.not_started == 0


def test_a_zero_limit_is_reached_before_any_call() -> None:
    for limit in ("max_model_calls", "max_tokens", "max_cost_usd"):
        assert meter_after(0, **{limit: 0}).exhausted() is not None, limit


def test_limits_are_checked_independently_and_the_first_reached_is_named() -> None:
    meter = meter_after(3, max_model_calls=10, max_tokens=36, max_cost_usd=10.0)
    assert meter.exhausted() == "budget.max_tokens=36 reached (36 tokens used)"
    meter = meter_after(3, max_model_calls=10, max_tokens=100, max_cost_usd=0.75)
    assert meter.exhausted() == "budget.max_cost_usd=0.75 reached ($0.7500 spent)"
    meter = meter_after(3, max_model_calls=3, max_tokens=36, max_cost_usd=0.75)
    assert meter.exhausted().startswith("budget.max_model_calls=3")
    assert meter_after(3, max_model_calls=4, max_tokens=37, max_cost_usd=0.76).exhausted() is None


def test_refusals_are_counted_and_named_in_the_stop_line() -> None:
    meter = meter_after(3, max_model_calls=3)
    assert meter.stop_line() is None  # reached, but nothing was refused yet
    assert not meter.may_start()
    assert meter.not_started == 1
    assert meter.stop_line() == (
        "budget.max_model_calls=3 reached (3 model calls made); 1 episodes not started; "
        "rerun with a higher budget to resume"
    )
    room = meter_after(1, max_model_calls=3)
    assert room.may_start() and room.not_started == 0 and room.stop_line() is None


def test_tokens_are_prompt_plus_completion_and_missing_usage_counts_zero() -> None:
    spent = Spending()
    spent.add(ModelExchange(model_output="x", usage={"prompt_tokens": 7.0}))
    spent.add(ModelExchange(model_output="x", usage={"completion_tokens": 5.0, "cost_usd": 0.5}))
    spent.add(ModelExchange(model_output="", usage=CALL))  # an empty reply is still a model call
    assert (spent.model_calls, spent.tokens, spent.cost_usd) == (3, 24, 0.75)


def test_only_set_limits_make_a_budget_limited() -> None:
    assert not Budget().limited
    for limit in ("max_model_calls", "max_tokens", "max_cost_usd"):
        assert Budget(**{limit: 5}).limited, limit
