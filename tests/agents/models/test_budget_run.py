"""Budgets, dry runs and the sweep's cost column through the installed `mmgym run`, against a local endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fault_server import COMPLETION_TOKENS, PROMPT_TOKENS, FaultServer

pytestmark = pytest.mark.slow

REPLY = '{"thought": "the corridor leads right", "action": "right"}'
STEPS = 3  # per episode: maze levels are 8 moves long, so every episode uses all of its steps


def args(server: FaultServer, run_dir: Path, *extra: str) -> list[str]:
    return [
        "run",
        "agent=llm",
        "model=gpt4o",  # priced: $2.5 in, $10 out per million tokens
        f"model.base_url={server.base_url}",
        "model.api_key_env=MMGYM_TEST_NO_KEY",
        "model.cache_dir=null",
        "suite.games=[maze,sudoku]",
        "suite.levels=2",
        "suite.settings=[multi_step-text-history]",
        f"suite.max_steps={STEPS}",
        "record.video=false",
        "runner.concurrency=1",
        f"output_dir={run_dir}",
        "progress=false",
        *extra,
    ]


def plain(text: str) -> str:
    """Printed output without the table's box drawing, its whitespace collapsed."""
    return " ".join("".join(c if c.isascii() else " " for c in text).split())


def ids(run_dir: Path) -> list[str]:
    return [json.loads(line)["id"] for line in (run_dir / "episodes.jsonl").read_text().splitlines()]


def test_a_budget_stops_the_run_with_one_line_and_a_higher_one_resumes_it(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    with FaultServer(reply_text=REPLY) as server:
        stopped = run_cli(args(server, run_dir, "budget.max_model_calls=4"), cwd=tmp_path)
        assert stopped.returncode == 3, stopped.stderr[-2000:]
        assert stopped.stderr.strip().splitlines()[-1] == (
            "mmgym: stopped: budget.max_model_calls=4 reached (6 model calls made); "
            "2 episodes not started; rerun with a higher budget to resume"
        )
        assert server.count == 2 * STEPS  # the second episode, in flight at the limit, finished
        first = ids(run_dir)
        assert len(first) == 2
        results = json.loads((run_dir / "results.json").read_text())
        assert results["episodes"] == 2 and results["stopped"].startswith("budget.max_model_calls=4")

        resumed = run_cli(args(server, run_dir, "budget.max_model_calls=100"), cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert server.count == 4 * STEPS  # only the two episodes not started were played
        assert ids(run_dir)[:2] == first and len(set(ids(run_dir))) == 4
        assert json.loads((run_dir / "results.json").read_text())["stopped"] is None

        tokens = run_cli(args(server, tmp_path / "tokens", f"budget.max_tokens={PROMPT_TOKENS}"), cwd=tmp_path)
        assert tokens.returncode == 3 and "budget.max_tokens=17 reached" in tokens.stderr
        cost = run_cli(args(server, tmp_path / "cost", "budget.max_cost_usd=0.00001"), cwd=tmp_path)
        spent = STEPS * (PROMPT_TOKENS * 2.5 + COMPLETION_TOKENS * 10.0) / 1e6  # the first episode's calls
        assert cost.returncode == 3 and f"budget.max_cost_usd=1e-05 reached (${spent:.4f} spent)" in cost.stderr
        assert len(ids(tmp_path / "tokens")) == len(ids(tmp_path / "cost")) == 1


def test_a_bad_budget_is_one_line(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli(["run", "budget.max_tokens=-1", "progress=false"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "budget" in result.stderr and "max_tokens" in result.stderr


def test_a_dry_run_counts_episodes_and_calls_but_calls_nothing_and_writes_nothing(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    with FaultServer(reply_text=REPLY) as server:
        fresh = run_cli([*args(server, run_dir), "--dry-run"], cwd=tmp_path)
        assert fresh.returncode == 0, fresh.stderr[-2000:]
        assert server.count == 0 and not run_dir.exists()
        out = plain(fresh.stdout)
        assert "4 episodes: 0 done, 4 to run" in out
        assert "game maze 2 0 2" in out and "game sudoku 2 0 2" in out
        per_call = (2000 * 2.5 + 512 * 10.0) / 1e6
        assert f"model calls: at most {4 * STEPS}" in out
        assert f"cost: at most ${4 * STEPS * per_call:,.2f} at 2,000 prompt tokens per call" in out

        run_cli(args(server, run_dir, "budget.max_model_calls=1"), cwd=tmp_path)
        played = server.count
        later = run_cli([*args(server, run_dir), "--dry-run"], cwd=tmp_path)
        assert server.count == played and len(ids(run_dir)) == 1
    out = plain(later.stdout)
    assert "4 episodes: 1 done, 3 to run" in out and f"at most {3 * STEPS}" in out
    assert f"measured on the 1 episodes done: {STEPS}.0 calls per episode" in out
    assert f"{PROMPT_TOKENS} prompt + {COMPLETION_TOKENS} completion tokens per call" in out


def test_a_dry_sweep_plans_every_job_and_the_sweep_table_shows_cost(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    with FaultServer(reply_text=REPLY) as server:
        overrides = [a for a in args(server, tmp_path / "unused")[1:] if not a.startswith("suite.max_steps")]
        sweep = ["run", "-m", *overrides, "suite.max_steps=2,4"]
        dry = run_cli([*sweep, "--dry-run"], cwd=tmp_path)
        assert dry.returncode == 0, dry.stderr[-2000:]
        out = plain(dry.stdout)
        planned = [line.split(": ", 1)[1] for line in dry.stdout.splitlines() if line.startswith("run directory: ")]
        assert "all 2 jobs: at most 24 model calls" in out  # 4 episodes x (2 + 4) steps
        assert server.count == 0 and not (tmp_path / "runs").exists()

        real = run_cli([*sweep, "budget.max_model_calls=5"], cwd=tmp_path)
    assert real.returncode == 3, real.stderr[-2000:]
    assert len(planned) == 2 and all((tmp_path / job / "results.json").exists() for job in planned)
    rows = json.loads((tmp_path / "runs" / "multirun" / "sweep_results.json").read_text())
    price = (PROMPT_TOKENS * 2.5 + COMPLETION_TOKENS * 10.0) / 1e6
    assert [r["model_calls"] for r in rows] == [6, 8]  # each job stopped after the episode that passed 5 calls
    assert [r["cost_usd"] for r in rows] == [pytest.approx(6 * price), pytest.approx(8 * price)]
    assert all(r["stopped"] for r in rows)
    assert "model calls" in real.stdout and "cost $" in real.stdout and "(budget)" in real.stdout
