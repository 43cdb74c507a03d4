"""The EB-ALFRED and EB-Navigation suites run end to end through ai2thor's real `Controller` against the
stand-in build: the installed command with the oracle and the random agent, Ray env workers (one
simulator process each), and episodes replayed after their simulator died."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

if importlib.util.find_spec("ai2thor") is None:
    pytest.skip("ai2thor is not installed (pip install 'mmgym[thor]')", allow_module_level=True)

from cli_helpers import cli_command, cli_env

from mmgym.agents.scripted import ExpertAgent
from mmgym.errors import ConfigError
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.embodiedbench.thor import EBAlfredSuite, EBThorNavSuite

pytestmark = pytest.mark.slow


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    command = cli_command(["run", *args])
    done = subprocess.run(command, cwd=tmp_path, env=env or cli_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    suite = next(a.split("=")[1] for a in args if a.startswith("suite="))
    agent = next(a.split("=")[1] for a in args if a.startswith("agent="))
    return json.loads((tmp_path / "runs" / f"{suite}-{agent}" / "results.json").read_text())


def group_means(results: dict, grouping: str, metric: str) -> dict[str, float]:
    return {name: metrics[metric]["mean"] for name, metrics in results["groups"][grouping].items()}


@pytest.mark.parametrize("suite", ["eb_alfred", "eb_thor_nav"])
def test_the_installed_command_runs_the_oracle_and_the_random_floor(tmp_path: Path, suite: str) -> None:
    oracle = run_cli(tmp_path, f"suite={suite}", "suite.executable=standin", "agent=oracle", "suite.image_size=64")
    assert oracle["errors"] == 0 and oracle["episodes"] == (8 if suite == "eb_alfred" else 6)
    assert set(group_means(oracle, "subset", "success").values()) == {100.0}
    assert oracle["groups"]["overall"]["all"]["invalid_actions"]["mean"] == 0.0
    random = run_cli(tmp_path, f"suite={suite}", "suite.executable=standin", "agent=random", "record.video=false")
    assert random["errors"] == 0 and random["groups"]["overall"]["all"]["success"]["mean"] < 50.0
    assert random["groups"]["overall"]["all"]["invalid_actions"]["mean"] > 0.0


def test_a_real_simulator_needs_the_data_folder_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"suite.data_dir is required for eb_alfred.*executable=standin"):
        EBAlfredSuite().specs()
    done = subprocess.run(cli_command(["run", "suite=eb_thor_nav", f"suite.data_dir={tmp_path}"]), cwd=tmp_path,
                          env=cli_env(), capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0 and "EB-Navigation subset file not found" in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2, done.stderr


def test_an_episode_whose_simulator_died_is_replayed_to_the_same_record(tmp_path: Path) -> None:
    """The stand-in dies at its 12th action once (a flag file stops it dying again); the local runner replays
    that episode on a restarted simulator, and every record equals an undisturbed run's."""
    from ray_helpers import comparable, records_by_id

    suite = EBAlfredSuite(executable="standin", subsets=["common_sense"], image_size=64)
    evaluate(suite, ExpertAgent, tmp_path / "calm", LocalRunner(concurrency=1), show_progress=False)
    env = cli_env() | {"MMGYM_STANDIN_CRASH_AT": f"12:{tmp_path / 'crashed'}"}
    results = run_cli(tmp_path, "suite=eb_alfred", "suite.executable=standin", "suite.subsets=[common_sense]",
                      "suite.image_size=64", "agent=oracle", "record.video=false", env=env)  # fmt: skip
    assert (tmp_path / "crashed").exists() and results["errors"] == 0
    (record,) = records_by_id(tmp_path / "runs" / "eb_alfred-oracle" / "episodes.jsonl").values()
    assert record["extra"]["env_restarts"] == 1 and record["success"]
    (calm,) = records_by_id(tmp_path / "calm" / "episodes.jsonl").values()
    assert comparable(record) == comparable(calm)


def test_a_simulator_that_always_dies_ends_its_episode_as_an_error_after_bounded_replays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mmgym.results.store import ResultsStore

    monkeypatch.setenv("MMGYM_STANDIN_CRASH_AT", "9:")  # every process dies at its 9th action, mid-episode
    suite = EBThorNavSuite(executable="standin", subsets=["common_sense"], image_size=64)
    results = evaluate(suite, ExpertAgent, tmp_path, LocalRunner(max_restarts=1), show_progress=False)
    (record,) = ResultsStore(tmp_path).records()
    assert results.errors == 1 and record.status == "error"
    assert (record.error or "").startswith("EnvWorkerLost: simulator died 2 times (max_restarts=1)")


@pytest.mark.ray
def test_ray_env_workers_each_run_a_simulator_and_replay_a_crashed_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray")
    from ray_helpers import comparable, records_by_id

    from mmgym.runners.ray.runner import RayRunner

    suite = EBThorNavSuite(executable="standin", image_size=64)
    evaluate(suite, ExpertAgent, tmp_path / "local", LocalRunner(concurrency=2), show_progress=False)
    monkeypatch.setenv("MMGYM_STANDIN_CRASH_AT", f"9:{tmp_path / 'crashed'}")  # inherited by Ray's workers
    runner = RayRunner(num_cpus=2, concurrency=2, env_workers=2)
    evaluate(suite, ExpertAgent, tmp_path / "ray", runner, show_progress=False)
    local = records_by_id(tmp_path / "local" / "episodes.jsonl")
    remote = records_by_id(tmp_path / "ray" / "episodes.jsonl")
    assert (tmp_path / "crashed").exists()
    assert sum(r["extra"].get("env_restarts", 0) for r in remote.values()) == 1
    assert len(local) == 6 and all(r["success"] for r in local.values())
    assert {k: comparable(v) for k, v in remote.items()} == {k: comparable(v) for k, v in local.items()}
