"""`mmgym export --format jsonl-summary`: one line per episode with its scores and groups, through the installed
command, adding up to the run's own results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmgym.agents.scripted import ExpertAgent, RandomAgent
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.puzzle_sprint import PuzzleSprintSuite


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Maze and Sokoban, 3 levels each: the expert solves the first run's episodes, the random agent none."""
    folder = tmp_path_factory.mktemp("export") / "run"
    suite = PuzzleSprintSuite(levels=3)
    evaluate(suite, ExpertAgent, folder, LocalRunner(concurrency=4), show_progress=False)
    return folder


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_one_line_per_episode_adds_up_to_the_runs_results(run_cli, run: Path, tmp_path: Path) -> None:
    done = run_cli(["export", str(run), "--format", "jsonl-summary", "-o", "out/summary.jsonl"], tmp_path)
    assert done.returncode == 0, done.stderr
    rows = lines(tmp_path / "out" / "summary.jsonl")
    results = json.loads((run / "results.json").read_text())
    assert len(rows) == results["episodes"] == 6 and "6 episodes written" in done.stdout
    solved = [row["metrics"]["solved"] for row in rows]
    assert sum(solved) / len(solved) == pytest.approx(results["groups"]["overall"]["all"]["solved"]["mean"])
    assert {row["groups"]["game"] for row in rows} == {"maze", "sokoban"}
    first = rows[0]
    assert first["suite"] == "puzzle_sprint" and first["status"] == "done" and first["steps"] >= 1
    assert not (tmp_path / "out" / "summary.jsonl.partial").exists()


def test_filters_pick_successes_one_group_and_the_first_n_of_each(run_cli, run: Path, tmp_path: Path) -> None:
    failed = tmp_path / "random"
    evaluate(PuzzleSprintSuite(levels=2, max_steps=3), RandomAgent, failed, show_progress=False)
    done = run_cli(["export", str(failed), "--format", "jsonl-summary", "--successful", "-o", "s.jsonl"], tmp_path)
    assert done.returncode == 0 and lines(tmp_path / "s.jsonl") == []  # 3 random moves solve nothing
    done = run_cli(["export", str(run), "--format", "jsonl-summary", "--group", "game=maze", "-o", "m.jsonl"], tmp_path)
    assert done.returncode == 0 and {row["groups"]["game"] for row in lines(tmp_path / "m.jsonl")} == {"maze"}
    args = ["export", str(run), "--format", "jsonl-summary", "--per-group", "1", "--group-by", "game", "-o", "p.jsonl"]
    assert run_cli(args, tmp_path).returncode == 0
    assert sorted(row["groups"]["game"] for row in lines(tmp_path / "p.jsonl")) == ["maze", "sokoban"]


def test_bad_input_is_one_line(run_cli, run: Path, tmp_path: Path) -> None:
    refused = run_cli(["export", str(tmp_path), "--format", "jsonl-summary", "-o", "x.jsonl"], tmp_path)
    assert refused.returncode == 2 and "is not a run directory" in refused.stderr
    refused = run_cli(["export", str(run), "--format", "jsonl-summary", "--group", "maze", "-o", "x.jsonl"], tmp_path)
    assert refused.returncode == 2 and "--group must be GROUPING=GROUP" in refused.stderr
    refused = run_cli(["export", str(run), "--format", "csv", "-o", "x.jsonl"], tmp_path)
    assert refused.returncode == 2 and "invalid choice: 'csv'" in refused.stderr
