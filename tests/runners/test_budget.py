"""Budgets: what a turn costs, no episode starts once a limit is reached, in-flight ones finish, a rerun resumes."""

from __future__ import annotations

import asyncio
import json
from html import escape
from pathlib import Path
from typing import Any

import pytest
from ray_helpers import comparable

from mmgym.agents.scripted import OracleAgent
from mmgym.core.agent import AgentReply, ModelExchange, Turn
from mmgym.core.records import EpisodeRecord, TurnRecord
from mmgym.errors import ConfigError
from mmgym.runners.budget import Budget, BudgetMeter, Spending
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp.suite import IngvpSuite
from mmgym.views.report import write_report

USAGE = {"prompt_tokens": 10.0, "completion_tokens": 2.0, "cost_usd": 0.01}


class PayingOracle(OracleAgent):
    """The oracle, with each reply billed as a model call would be: 12 tokens, one cent."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s

    async def act(self, turn: Turn) -> AgentReply:
        await asyncio.sleep(self.delay_s)
        reply = await super().act(turn)
        return reply.model_copy(update={"model_output": " ".join(reply.actions), "usage": dict(USAGE)})


def suite() -> IngvpSuite:
    return IngvpSuite(games=["maze"], settings=["multi_step-text-history"], levels=6, image_size=64)


def run(run_dir: Path, budget: Budget | None, concurrency: int = 1, delay_s: float = 0.0) -> Any:
    runner = LocalRunner(concurrency=concurrency)
    return evaluate(suite(), lambda: PayingOracle(delay_s), run_dir, runner, show_progress=False, budget=budget)


def records(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "episodes.jsonl").read_text().splitlines()]


def calls(record: dict[str, Any]) -> int:
    return int(record["usage"]["model_calls"])


def test_a_turn_costs_its_model_call_tokens_and_dollars_and_a_cached_or_scripted_one_nothing(maze_spec: Any) -> None:
    spent = Spending()
    spent.add(ModelExchange(model_output="up", usage=USAGE))
    spent.add(ModelExchange(model_output="up", usage={**USAGE, "cached": 1.0}))
    spent.add(ModelExchange(actions=["up"]))  # a scripted agent's turn
    assert (spent.model_calls, spent.tokens, spent.cost_usd) == (1, 12, pytest.approx(0.01))
    turns = [TurnRecord(index=1, model_output="x", usage=USAGE)] * 3
    record = EpisodeRecord(id="e", spec=maze_spec(), started_at=0.0, turns=turns)
    assert Spending.of([record, record]).model_calls == 6


@pytest.mark.parametrize(
    ("limit", "value", "named"),
    [
        ("max_model_calls", 3, "budget.max_model_calls=3 reached (3 model calls made)"),
        ("max_tokens", 30, "budget.max_tokens=30 reached (36 tokens used)"),
        ("max_cost_usd", 0.025, "budget.max_cost_usd=0.025 reached ($0.0300 spent)"),
    ],
)
def test_each_limit_is_reached_at_its_own_total_and_named(limit: str, value: float, named: str) -> None:
    meter = BudgetMeter(Budget(**{limit: value}))
    for _ in range(2):
        meter.spent.add(ModelExchange(model_output="x", usage=USAGE))
        assert meter.may_start()
    meter.spent.add(ModelExchange(model_output="x", usage=USAGE))
    assert meter.exhausted() == named
    assert not meter.may_start() and not meter.may_start()
    assert meter.stop_line() == f"{named}; 2 episodes not started; rerun with a higher budget to resume"


def test_a_budget_that_stopped_nothing_says_nothing() -> None:
    meter = BudgetMeter(Budget(max_model_calls=1))
    meter.spent.add(ModelExchange(model_output="x", usage=USAGE))
    assert meter.exhausted() and meter.stop_line() is None  # reached by the last episode: nothing was left out
    assert not Budget().limited and Budget(max_tokens=0).limited


def test_the_run_stops_at_the_episode_that_reaches_the_limit_and_resumes_exactly(tmp_path: Path) -> None:
    whole = run(tmp_path / "whole", None)
    assert whole.stopped is None and whole.episodes == 6
    per_episode = [calls(r) for r in records(tmp_path / "whole")]
    limit = per_episode[0] + per_episode[1] + 1  # reached during the third episode

    stopped = run(tmp_path / "budgeted", Budget(max_model_calls=limit))
    assert [calls(r) for r in records(tmp_path / "budgeted")] == per_episode[:3]  # the third ran to its end
    assert stopped.episodes == 3
    assert stopped.stopped == (
        f"budget.max_model_calls={limit} reached ({sum(per_episode[:3])} model calls made); "
        "3 episodes not started; rerun with a higher budget to resume"
    )
    report = (write_report([tmp_path / "budgeted"], tmp_path / "report") / "index.html").read_text()
    assert "(budget)</abbr>" in report and escape(stopped.stopped) in report  # the leaderboard says why
    again = run(tmp_path / "budgeted", Budget(max_model_calls=limit))  # the same budget: nothing more starts
    assert again.episodes == 3 and "; 3 episodes not started" in (again.stopped or "")

    resumed = run(tmp_path / "budgeted", Budget(max_model_calls=sum(per_episode)))
    assert resumed.stopped is None and resumed.episodes == 6
    whole_records = [comparable(r) for r in records(tmp_path / "whole")]
    assert [comparable(r) for r in records(tmp_path / "budgeted")] == whole_records
    assert resumed.overall() == whole.overall()


def test_a_runner_without_budgets_refuses_a_budget_in_one_line(tmp_path: Path) -> None:
    class PlainRunner:
        keeps_budget = False  # a runner that cannot stop starting episodes at a limit says so

        async def run(
            self, specs: Any, agent_factory: Any, on_done: Any, env_factory: Any, *, observers: Any, budget: Any
        ) -> None:
            raise AssertionError("never started")

    with pytest.raises(ConfigError, match="runner PlainRunner cannot keep a budget; use runner=local or runner=ray"):
        evaluate(suite(), PayingOracle, tmp_path, PlainRunner(), show_progress=False, budget=Budget(max_tokens=1))


def test_episodes_in_flight_finish_and_no_more_start(tmp_path: Path) -> None:
    whole = {r["id"]: r for r in records_after(run, tmp_path / "whole", None)}
    run(tmp_path / "budgeted", Budget(max_model_calls=1), concurrency=3, delay_s=0.01)
    played = records(tmp_path / "budgeted")
    assert len(played) == 3  # the three in flight when the first call was made; none after them
    for record in played:
        assert comparable(record) == comparable(whole[record["id"]])  # each ran to its own end


def records_after(play: Any, run_dir: Path, budget: Budget | None) -> list[dict[str, Any]]:
    play(run_dir, budget)
    return records(run_dir)


@pytest.mark.ray
@pytest.mark.slow
def test_the_ray_runner_stops_and_resumes_as_the_local_one(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'mmgym[ray]')")
    from mmgym.runners.ray.runner import RayRunner

    run(tmp_path / "local", Budget(max_model_calls=1))
    ray_runner = RayRunner(env_workers=0, concurrency=1)  # one Ray instance for both runs: the runner keeps it

    def on_ray(budget: Budget) -> Any:
        return evaluate(suite(), PayingOracle, tmp_path / "ray", ray_runner, show_progress=False, budget=budget)

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        stopped = on_ray(Budget(max_model_calls=1))
        assert stopped.stopped and stopped.stopped.startswith("budget.max_model_calls=1 reached")
        local = [comparable(r) for r in records(tmp_path / "local")]
        assert [comparable(r) for r in records(tmp_path / "ray")] == local
        assert on_ray(Budget()).episodes == 6
    finally:
        ray.shutdown()
