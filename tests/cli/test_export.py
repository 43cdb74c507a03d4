"""`mmgym export --format jsonl-summary`: one line per episode with its scores and groups, through the installed
command, adding up to the run's own results."""

from __future__ import annotations

import json
import shutil
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


def test_parquet_holds_one_row_per_step_with_its_episode_beside_it(run_cli, run: Path, tmp_path: Path) -> None:
    import pandas as pd

    done = run_cli(["export", str(run), "--format", "parquet", "-o", "steps.parquet"], tmp_path)
    assert done.returncode == 0, done.stderr
    steps = pd.read_parquet(tmp_path / "steps.parquet")
    records = [json.loads(line) for line in (run / "episodes.jsonl").read_text().splitlines()]
    assert len(steps) == sum(len(r["steps"]) for r in records) and f"{len(steps)} steps written" in done.stdout
    assert set(steps["group_game"]) == {"maze", "sokoban"} and steps["episode_success"].all()
    first = records[0]
    rows = steps[steps["episode_id"] == first["id"]].sort_values("step")
    assert rows["action"].tolist() == [s["action"] for s in first["steps"]]
    assert rows["feedback"].tolist() == [s["feedback"] for s in first["steps"]]
    assert rows["episode_solved"].iloc[0] == first["metrics"]["solved"]


def test_sft_from_an_expert_run_follows_the_prompt_settings_given(run_cli, run: Path, tmp_path: Path) -> None:
    args = ["export", str(run), "--format", "sft", "--prompt", "output_format=text", "--prompt", "history_window=2"]
    done = run_cli([*args, "--group", "game=maze", "-o", "text.jsonl"], tmp_path)
    assert done.returncode == 0, done.stderr
    rows = lines(tmp_path / "text.jsonl")
    records = {r["id"]: r for r in map(json.loads, (run / "episodes.jsonl").read_text().splitlines())}
    for row in rows:
        prompt = row["messages"][-2]["content"][-1]["text"]
        assert prompt.endswith("End your reply with one line 'Action: <action>'.")
        action = next(s["action"] for s in records[row["episode_id"]]["steps"] if s["turn"] == row["turn"])
        assert row["messages"][-1]["content"][0]["text"] == f"Action: {action}"
    history = [p["text"] for row in rows for p in row["messages"][1]["content"] if p.get("text", "").startswith("Prev")]
    assert history and max(len(text.splitlines()) for text in history) == 3  # the header and two steps


def test_an_episode_that_does_not_replay_is_refused_in_one_line(run_cli, run: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(run, tampered)
    records = [json.loads(line) for line in (tampered / "episodes.jsonl").read_text().splitlines()]
    step = records[0]["steps"][1]
    step["feedback"] = "something the env never said"
    (tampered / "episodes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    refused = run_cli(["export", str(tampered), "--format", "sft", "-o", "x.jsonl"], tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith(f"mmgym: error: episode {records[0]['id']}, step 1: ")
    assert not (tmp_path / "x.jsonl").exists() and not (tmp_path / "x.jsonl.partial").exists()
    refused = run_cli(["export", str(tampered), "--format", "hf", "-o", "x"], tmp_path)
    assert refused.returncode == 2 and f"episode {records[0]['id']}, step 1: " in refused.stderr
    assert not (tmp_path / "x").exists()
    refused = run_cli(["export", str(run), "--format", "hf", "--group", "game=none", "-o", "x"], tmp_path)
    assert refused.returncode == 2 and "no episode to export: the filters kept none" in refused.stderr
    refused = run_cli(["export", str(run), "--format", "sft", "--prompt", "colour=red", "-o", "x.jsonl"], tmp_path)
    assert refused.returncode == 2 and "unknown prompt setting 'colour'; valid: output_format" in refused.stderr
    (tmp_path / "notes").mkdir()
    refused = run_cli(["export", str(run), "--format", "hf", "-o", "notes"], tmp_path)
    assert refused.returncode == 2 and "notes exists and is not a saved dataset" in refused.stderr
    refused = run_cli(["export", str(run), "--format", "sft", "--prompt", "plan", "-o", "x.jsonl"], tmp_path)
    assert refused.returncode == 2 and "--prompt must be KEY=VALUE" in refused.stderr
