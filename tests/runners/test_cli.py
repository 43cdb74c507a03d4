"""The `mmgym` command in a subprocess: list, one-line errors for bad overrides, custom agents, sweeps."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from mmgym.envs.games import GAME_CLASSES
from mmgym.runners.store import EPISODES_FILE
from mmgym.runners.sweep import job_labels

RunCli = Callable[..., subprocess.CompletedProcess[str]]
ENV_IDS = [f"mmgym/{n}-v0" for n in ("Sokoban", "Maze", "Sudoku", "NQueens", "Hanoi", "Puzzle15")]
SMALL = ["suite.games=[maze]", "suite.levels=1", "progress=false"]

CUSTOM_AGENT = '''
from mmgym.agents.base import AgentReply


class Stubborn:
    """Always plays the same move; `move` comes from the config."""

    def __init__(self, move: str = "up") -> None:
        self.move = move

    async def reset(self, context) -> None:
        self.context = context

    async def act(self, turn) -> AgentReply:
        return AgentReply(actions=[self.move], reasoning=f"always {self.move}")
'''


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a refused run."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mmgym: error: ")
    return lines[0]


def test_list(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(["list"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for env_id in ENV_IDS:
        assert env_id in result.stdout
    rows = [re.split(r"[│|]", line) for line in result.stdout.splitlines()]  # unicode or ASCII table borders
    named = {(cells[1].strip(), cells[2].strip()) for cells in rows if len(cells) > 3}
    assert {("suite", "ingvp"), ("agent", "random"), ("agent", "oracle"), ("runner", "local")} <= named


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("suite=foo", ["'foo'", "ingvp"]),
        ("runner.foo=1", ["runner.foo", "concurrency"]),
        ("runner.concurrency=abc", ["runner.concurrency", "'abc'", "integer"]),
        ("suite.games=[maze,sokobn]", ["'sokobn'", *GAME_CLASSES, "Did you mean 'sokoban'?"]),
        ("agent=oracel", ["'oracel'", "oracle", "random", "Did you mean 'oracle'?"]),
        ("agent._target_=no_such_module.Agent", ["agent._target_", "'no_such_module.Agent'", "No module named"]),
        ("agent._target_=mmgym.agents.scripted.NoSuchAgent", ["'mmgym.agents.scripted.NoSuchAgent'", "NoSuchAgent"]),
        ("suite.settings=[one_step]", ["'one_step'", "one_step-text", "multi_step-text-no_history"]),
        ("suite.levels=0", ["suite.levels", "greater than or equal to 1"]),
    ],
)
def test_bad_override_is_one_line(run_cli: RunCli, tmp_path: Path, override: str, expected: list[str]) -> None:
    result = run_cli(["run", override, "progress=false"], cwd=tmp_path)
    line = error_line(result)
    for text in expected:
        assert text in line
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "runs").exists()  # nothing was run or written


def test_bad_value_inside_a_sweep_is_caught_up_front(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(["run", "-m", "agent=random,orcale", *SMALL], cwd=tmp_path)
    assert "'orcale'" in error_line(result)
    assert not (tmp_path / "runs").exists()


def test_custom_agent_by_target(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "my_agents.py").write_text(CUSTOM_AGENT)
    args = ["run", "agent=custom", "agent._target_=my_agents.Stubborn", "+agent.move=right", *SMALL]
    result = run_cli([*args, "output_dir=out"], cwd=tmp_path, pythonpath=[tmp_path])
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in (tmp_path / "out" / EPISODES_FILE).read_text().splitlines()]
    assert len(records) == 6 and {r["status"] for r in records} == {"done"}
    assert {s["action"] for r in records for s in r["steps"]} == {"right"}
    assert records[0]["steps"][0]["reasoning"] == "always right"
    config = yaml.safe_load((tmp_path / "out" / "config.yaml").read_text())
    assert config["agent"]["_target_"] == "my_agents.Stubborn" and config["agent"]["move"] == "right"
    assert json.loads((tmp_path / "out" / "results.json").read_text())["episodes"] == 6


def test_custom_agent_with_unknown_argument(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "my_agents.py").write_text(CUSTOM_AGENT)
    args = ["run", "agent=custom", "agent._target_=my_agents.Stubborn", "+agent.speed=3", *SMALL]
    line = error_line(run_cli(args, cwd=tmp_path, pythonpath=[tmp_path]))
    assert "agent.speed" in line and "move" in line


def test_custom_agent_without_target(run_cli: RunCli, tmp_path: Path) -> None:
    line = error_line(run_cli(["run", "agent=custom", *SMALL], cwd=tmp_path))
    assert "agent._target_" in line


def test_sweep_writes_one_run_dir_per_agent(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(["run", "-m", "agent=random,oracle", "suite.games=[maze]", "suite.levels=2"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run_dirs = sorted(p.parent for p in (tmp_path / "runs").rglob(EPISODES_FILE))
    assert len(run_dirs) == 2
    accuracy = {}
    for run_dir in run_dirs:
        agent = yaml.safe_load((run_dir / "config.yaml").read_text())["agent"]["name"]
        assert len((run_dir / EPISODES_FILE).read_text().splitlines()) == 12
        results = json.loads((run_dir / "results.json").read_text())
        assert results["episodes"] == 12 and results["errors"] == 0
        accuracy[agent] = results["groups"]["overall"]["all"]["accuracy"]["mean"]
    assert set(accuracy) == {"random", "oracle"}
    assert accuracy["oracle"] == 100.0 > accuracy["random"]
    summary = json.loads((tmp_path / "runs" / "multirun" / "sweep_results.json").read_text())
    combined = {row["job"]: row["overall"]["accuracy"]["mean"] for row in summary}
    assert combined == {
        "agent=oracle,suite.games=[maze],suite.levels=2": accuracy["oracle"],
        "agent=random,suite.games=[maze],suite.levels=2": accuracy["random"],
    }
    assert "sweep: 2 jobs" in result.stdout and "all jobs: suite.games=[maze],suite.levels=2" in result.stdout
    table_rows = [line for line in result.stdout.splitlines() if re.match(r"│ agent=(oracle|random) +│", line)]
    assert len(table_rows) == 2  # each job labelled by what varies


def test_sweep_labels_show_what_varies_and_keep_bracketed_commas() -> None:
    labels, shared = job_labels(["agent=oracle,suite.games=[maze,hanoi]", "agent=random,suite.games=[maze,hanoi]"])
    assert labels == ["agent=oracle", "agent=random"] and shared == "suite.games=[maze,hanoi]"
    assert job_labels(["a=1"]) == (["(defaults)"], "a=1")


def test_run_prints_table_and_resumes_into_the_same_dir(run_cli: RunCli, tmp_path: Path) -> None:
    args = ["run", "agent=oracle", *SMALL, "output_dir=out"]
    first = run_cli(args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "ingvp: 6 episodes, 0 errors" in first.stdout and "run directory:" in first.stdout
    other_agent = run_cli(["run", "agent=random", *SMALL, "output_dir=out"], cwd=tmp_path)
    assert "another agent" in error_line(other_agent)
    assert len((tmp_path / "out" / EPISODES_FILE).read_text().splitlines()) == 6
