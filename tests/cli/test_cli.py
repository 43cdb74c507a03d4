"""The `mmgym` command in a subprocess: list, one-line errors for bad overrides, custom agents, sweeps."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import pytest
import yaml

from mmgym.cli.sweep import job_labels
from mmgym.envs.puzzles import GAME_CLASSES, game_of, get_game
from mmgym.envs.registry import env_summaries
from mmgym.results.store import EPISODES_FILE

EXTENDING = Path(__file__).resolve().parents[2] / "docs" / "extending.md"

RunCli = Callable[..., subprocess.CompletedProcess[str]]
ENV_IDS = [f"mmgym/{n}-v0" for n in ("Sokoban", "Maze", "Sudoku", "NQueens", "Hanoi", "Puzzle15")]
SMALL = ["suite.games=[maze]", "suite.levels=1", "progress=false"]

CUSTOM_AGENT = '''
from mmgym.core.agent import AgentReply


class Stubborn:
    """Always plays the same move; `move` comes from the config."""

    def __init__(self, move: str = "up") -> None:
        self.move = move

    async def reset(self, context) -> None:
        self.context = context

    async def act(self, turn) -> AgentReply:
        return AgentReply(actions=[self.move], reasoning=f"always {self.move}")
'''


USER_ENVS = """
import gymnasium as gym

gym.register("mine/Maze-v0", entry_point="mmgym.envs.puzzles.env:PuzzleEnv", kwargs={"game": "maze"})
"""

USER_SUITE = '''
from mmgym.tasks.ingvp.suite import IngvpSuite
from mmgym.core.spec import EpisodeSpec


class MineSuite(IngvpSuite):
    """ING-VP's maze levels on the user's own registration of the maze env."""

    def specs(self) -> list[EpisodeSpec]:
        return [EpisodeSpec(**{**spec.model_dump(), "env_id": "mine/Maze-v0"}) for spec in super().specs()]
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
    described = {cells[2].strip(): cells[3].strip() for cells in rows if len(cells) > 4 and cells[1].strip() == "env"}
    assert described["mmgym/Maze-v0"] == env_summaries()["mmgym/Maze-v0"]  # the env's own one-line summary


class DocumentedOnly(gym.Env):
    """A test env with no summary(): its docstring's first line describes it.

    Not this line.
    """


def test_env_summaries_describe_any_registered_env_without_building_it() -> None:
    summaries = env_summaries()
    for env_id in ENV_IDS:  # the puzzles: their game's title and action language, as before
        game = get_game(game_of(env_id))
        assert summaries[env_id] == f"{game.title}; actions: {game.action_grammar}"
    gym.register("mmgym-test/Documented-v0", entry_point=f"{__name__}:DocumentedOnly")
    gym.register("mmgym-test/Missing-v0", entry_point="no_such_simulator.envs:Env")
    try:
        others = env_summaries("mmgym-test/")
    finally:
        del gym.registry["mmgym-test/Documented-v0"], gym.registry["mmgym-test/Missing-v0"]
    assert (
        others["mmgym-test/Documented-v0"] == "A test env with no summary(): its docstring's first line describes it."
    )
    missing = others["mmgym-test/Missing-v0"]
    assert missing.startswith("(cannot be loaded here: ModuleNotFoundError") and "no_such_simulator" in missing


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("suite=foo", ["'foo'", "ingvp"]),
        ("runner.foo=1", ["runner.foo", "concurrency"]),
        ("runner.concurrency=abc", ["runner.concurrency: ", "(got 'abc')"]),
        ("suite.games=[maze,sokobn]", ["'sokobn'", *GAME_CLASSES, "Did you mean 'sokoban'?"]),
        ("agent=oracel", ["'oracel'", "oracle", "random", "Did you mean 'oracle'?"]),
        ("agent._target_=no_such_module.Agent", ["agent._target_", "'no_such_module.Agent'", "No module named"]),
        ("agent._target_=mmgym.agents.scripted.NoSuchAgent", ["'mmgym.agents.scripted.NoSuchAgent'", "NoSuchAgent"]),
        ("suite.settings=[one_step]", ["'one_step'", "one_step-text", "multi_step-text-no_history"]),
        ("suite.levels=0", ["suite.levels: ", "(got 0)"]),
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
    result = run_cli([*args, "output_dir=out"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = read_records(tmp_path / "out")
    assert len(records) == 6 and {r["status"] for r in records} == {"done"}
    assert {s["action"] for r in records for s in r["steps"]} == {"right"}
    assert records[0]["steps"][0]["reasoning"] == "always right"
    config = yaml.safe_load((tmp_path / "out" / "config.yaml").read_text())
    assert config["agent"]["_target_"] == "my_agents.Stubborn" and config["agent"]["move"] == "right"
    assert json.loads((tmp_path / "out" / "results.json").read_text())["episodes"] == 6


def test_custom_agent_with_unknown_argument(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "my_agents.py").write_text(CUSTOM_AGENT)
    args = ["run", "agent=custom", "agent._target_=my_agents.Stubborn", "+agent.speed=3", *SMALL]
    line = error_line(run_cli(args, cwd=tmp_path))
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


def test_the_sweep_table_marks_jobs_with_failed_episodes() -> None:
    from rich.console import Console

    from mmgym.cli.sweep import combined_table

    def row(job: str, errors: int) -> dict:
        overall = {"accuracy": {"mean": 50.0, "low": 40.0, "high": 60.0, "n": 10}}
        return {"job": job, "episodes": 10, "errors": errors, "metrics": ["accuracy"], "overall": overall}

    console = Console(width=200, record=True)
    console.print(combined_table([row("agent=oracle", 0), row("agent=llm", 3)]))
    text = console.export_text()
    cells = {line.split("│")[1].strip(): line.split("│")[3].strip() for line in text.splitlines() if "agent=" in line}
    assert cells == {"agent=oracle": "0", "agent=llm": "3 !"}
    assert "errors !: jobs with failed episodes (rerun the sweep to retry them)" in " ".join(text.split())


def test_run_prints_table_and_resumes_into_the_same_dir(run_cli: RunCli, tmp_path: Path) -> None:
    args = ["run", "agent=oracle", *SMALL, "output_dir=out"]
    first = run_cli(args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "ingvp: 6 episodes, 0 errors" in first.stdout and "run directory:" in first.stdout
    other_agent = run_cli(["run", "agent=random", *SMALL, "output_dir=out"], cwd=tmp_path)
    assert "another agent" in error_line(other_agent)
    assert len((tmp_path / "out" / EPISODES_FILE).read_text().splitlines()) == 6


def read_records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / EPISODES_FILE).read_text().splitlines()]


def docs_block(after: str, language: str) -> str:
    """The first fenced `language` block of the docs' Extending page that follows the line `after`."""
    text = EXTENDING.read_text()
    start = text.index(f"```{language}\n", text.index(after)) + len(language) + 4
    return text[start : text.index("```", start)]


def test_the_docs_custom_agent_example_runs_verbatim(run_cli: RunCli, tmp_path: Path) -> None:
    code = docs_block("An agent is any object with two async methods", "python")
    assert code.startswith("# my_pkg/agents.py\n")
    (tmp_path / "my_pkg").mkdir()
    (tmp_path / "my_pkg" / "agents.py").write_text(code)
    [command] = [line for line in docs_block("From the folder that holds `my_pkg/`", "bash").splitlines() if line]
    args = shlex.split(command)
    assert args[:2] == ["mmgym", "run"]
    result = run_cli(args[1:], cwd=tmp_path)  # the installed script, no PYTHONPATH
    assert result.returncode == 0, result.stderr
    [run_dir] = [p.parent for p in (tmp_path / "runs").rglob(EPISODES_FILE)]
    records = read_records(run_dir)
    assert len(records) == 30 and {r["status"] for r in records} == {"done"}
    assert {s["action"] for r in records for s in r["steps"]} == {"up"}
    assert {s["reasoning"] for r in records for s in r["steps"]} == {"always the same"}
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["agent"]["_target_"] == "my_pkg.agents.AlwaysLeft"


def file_digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def test_a_refused_or_failed_start_leaves_the_run_directory_byte_identical(run_cli: RunCli, tmp_path: Path) -> None:
    first = run_cli(["run", "agent=oracle", *SMALL, "output_dir=out"], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = file_digests(tmp_path / "out")
    assert {".hydra/overrides.yaml", ".hydra/config.yaml", "config.yaml", EPISODES_FILE} <= set(before)
    other_agent = run_cli(["run", "agent=random", *SMALL, "output_dir=out"], cwd=tmp_path)
    assert "holds a run with another agent setting (agent._target_: " in error_line(other_agent)
    assert file_digests(tmp_path / "out") == before
    other_suite = run_cli(["run", "agent=oracle", *SMALL, "suite.levels=2", "output_dir=out"], cwd=tmp_path)
    assert error_line(other_suite) == (
        f"mmgym: error: {tmp_path / 'out'} holds a run with another suite setting (suite.levels: 1 -> 2); "
        "choose a new output_dir=..., or pass --append to add these episodes to that run"
    )
    assert other_suite.returncode == 2 and file_digests(tmp_path / "out") == before
    # Accepted (--append mixes on purpose), then failing before any episode: the config files written are put back.
    unreachable = ["--append", "runner=ray", "runner.address=127.0.0.1:9", "suite.levels=2"]
    failed = run_cli(["run", "agent=oracle", *SMALL, *unreachable, "output_dir=out"], cwd=tmp_path)
    assert "runner.address=127.0.0.1:9" in error_line(failed)
    assert file_digests(tmp_path / "out") == before
    # A new directory whose start fails is not left behind.
    fresh = run_cli(["run", "agent=oracle", *SMALL, *unreachable, "output_dir=fresh"], cwd=tmp_path)
    assert fresh.returncode == 2 and not (tmp_path / "fresh").exists()


@pytest.mark.parametrize(
    "runner",
    [
        ["runner=local"],
        pytest.param(["runner=ray", "runner.env_workers=1", "runner.num_cpus=1"], marks=pytest.mark.ray),
    ],
)
def test_env_modules_register_user_envs_in_the_driver_and_in_env_workers(
    run_cli: RunCli, tmp_path: Path, runner: list[str]
) -> None:
    (tmp_path / "my_envs.py").write_text(USER_ENVS)
    (tmp_path / "my_suite.py").write_text(USER_SUITE)
    args = ["run", "agent=oracle", "suite._target_=my_suite.MineSuite", "env_modules=[my_envs]", *SMALL, *runner]
    result = run_cli([*args, "record.video=false", "output_dir=out"], cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    records = read_records(tmp_path / "out")
    assert len(records) == 6 and {r["spec"]["env_id"] for r in records} == {"mine/Maze-v0"}
    assert all(r["status"] == "done" and r["success"] for r in records)


def test_an_env_module_that_cannot_be_imported_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    line = error_line(run_cli(["run", "env_modules=[no_such_envs]", *SMALL], cwd=tmp_path))
    assert "env_modules: 'no_such_envs' cannot be imported" in line and "No module named" in line


def test_a_run_directory_takes_runner_changes_and_mixes_suites_only_with_append(
    run_cli: RunCli, tmp_path: Path
) -> None:
    args = ["run", "agent=oracle", *SMALL, "suite.settings=[one_step-text]", "record.video=false", "output_dir=out"]
    assert run_cli(args, cwd=tmp_path).returncode == 0
    faster = run_cli([*args, "runner.concurrency=3", "max_error_rate=0.1"], cwd=tmp_path)  # how, not what, runs
    assert faster.returncode == 0, faster.stderr
    refused = run_cli([*args, "suite.games=[maze,hanoi]"], cwd=tmp_path)
    assert "another suite setting (suite.games: ['maze'] -> ['maze', 'hanoi'])" in error_line(refused)
    appended = run_cli(["run", "--append", *args[1:], "suite.games=[maze,hanoi]"], cwd=tmp_path)
    assert appended.returncode == 0, appended.stderr
    assert [r["spec"]["metadata"]["game"] for r in read_records(tmp_path / "out")] == ["maze", "hanoi"]
    again = run_cli([*args, "suite.games=[maze,hanoi]"], cwd=tmp_path)  # the directory now holds this config
    assert again.returncode == 0, again.stderr


def test_two_unknown_keys_still_give_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(["run", "runner.nope=1", "runner.nada=2", *SMALL], cwd=tmp_path)
    assert error_line(result).startswith("mmgym: error: unknown key runner.nope; valid keys of runner: ")
