"""The docs' worked example of a suite runs as a user runs it: the installed command, from another folder."""

from __future__ import annotations

import json
from pathlib import Path

from mmgym.tasks.puzzle_sprint import PuzzleSprintSuite


def test_the_example_suite_plans_each_games_levels_with_its_own_env() -> None:
    specs = PuzzleSprintSuite(levels=2).specs()
    assert [spec.task for spec in specs] == ["maze/000", "maze/001", "sokoban/000", "sokoban/001"]
    assert {spec.env_id for spec in specs} == {"mmgym/Maze-v0", "mmgym/Sokoban-v0"}
    assert all(spec.rules.observation == "text" and spec.rules.actions_per_reply == "one" for spec in specs)
    assert PuzzleSprintSuite(max_steps=12).metrics[1].scale == (0.0, 12.0)


def test_the_oracle_wastes_no_move_and_the_random_agent_solves_nothing(run_cli, tmp_path: Path) -> None:
    for agent in ("oracle", "random"):
        done = run_cli(["run", "suite=puzzle_sprint", f"agent={agent}", "record.video=false"], tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
    oracle = json.loads((tmp_path / "runs/puzzle_sprint-oracle/results.json").read_text())
    random = json.loads((tmp_path / "runs/puzzle_sprint-random/results.json").read_text())
    overall = {run: results["groups"]["overall"]["all"] for run, results in (("oracle", oracle), ("random", random))}
    assert overall["oracle"]["solved"]["mean"] == 100.0 and overall["oracle"]["wasted_moves"]["mean"] == 0.0
    assert overall["random"]["solved"]["mean"] == 0.0 and overall["random"]["wasted_moves"]["mean"] == 40.0
    assert set(oracle["groups"]["game"]) == {"maze", "sokoban"}
