"""Tracker logging against the real client libraries, offline: a two-job sweep logged to MLflow (a SQLite store),
W&B (offline run files) and TensorBoard (event files), read back with each tool's own reader and compared with
each job's `results.json` and `config.yaml`; a finished run logged later with `mmgym track`; one-line errors."""

from __future__ import annotations

import json
import struct
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_helpers import only_error_line

from mmgym.views.trackers.base import TrackerError, require
from mmgym.views.trackers.flatten import flat_params

RunCli = Callable[..., subprocess.CompletedProcess[str]]
SMALL = [
    "suite=ingvp",
    "suite.games=[maze]",
    "suite.levels=2",
    "suite.settings=[multi_step-text-history]",
    "record.video=false",
    "progress=false",
]
SWEEP = ["-m", "agent=random,oracle", *SMALL]
SWEEP_DIR = "runs/multirun"
ARTIFACTS = {"results.txt", "results.json", "config.yaml", "report"}


def run_ok(run_cli: RunCli, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = run_cli(["run", *args], cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "mmgym: tracker:" not in result.stderr
    return result


def jobs(cwd: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each sweep job's folder name -> (its results.json, its config.yaml), as the run wrote them."""
    found = {}
    for results in sorted((cwd / SWEEP_DIR).glob("*/results.json")):
        assert "tracker" not in results.parent.name  # logging does not rename a sweep's job folders
        config = yaml.safe_load((results.parent / "config.yaml").read_text())
        found[results.parent.name] = (json.loads(results.read_text()), config)
    assert len(found) == 2, found
    return found


def expected_metrics(results: dict[str, Any]) -> dict[str, float]:
    """The metric names docs/guide/trackers.md promises, with results.json's values."""
    values = {"episodes": results["episodes"], "errors": results["errors"]}
    values |= {f"usage/{key}": value for key, value in results["usage"].items()}
    places = [
        (f"{grouping}/{group}", summaries)
        for grouping, groups in results["groups"].items()
        for group, summaries in groups.items()
    ]
    places += [(f"macro/{grouping}", summaries) for grouping, summaries in results["macro"].items()]
    for where, summaries in places:
        for metric, summary in summaries.items():
            values[f"{metric}/{where}"] = summary["mean"]
            values[f"{metric}_ci_low/{where}"] = summary["low"]
            values[f"{metric}_ci_high/{where}"] = summary["high"]
            values[f"n/{where}"] = summary["n"]
    return values


def expected_params(config: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """config.yaml's leaves as dotted keys and text values (lists and null as JSON); the tracker's settings left out."""
    params = {}
    for key, value in config.items():
        if prefix == "" and key == "tracker":
            continue
        if isinstance(value, dict):
            params |= expected_params(value, f"{prefix}{key}.")
        elif isinstance(value, str):
            params[f"{prefix}{key}"] = value
        else:
            params[f"{prefix}{key}"] = json.dumps(value) if value is None or isinstance(value, list) else str(value)
    return params


def test_flat_params_drop_the_tracker_and_write_lists_as_json() -> None:
    config = {"suite": {"games": ["maze"], "levels": 2, "judge": None}, "tracker": {"experiment": "x"}, "a+b": True}
    assert flat_params(config) == {"suite.games": '["maze"]', "suite.levels": 2, "suite.judge": "null", "a_b": True}


def test_a_missing_client_library_names_the_extra_to_install() -> None:
    """A real failed import (a module that does not exist), not a simulated one: the line names the extra."""
    with pytest.raises(TrackerError, match=r"^tracker=mlflow needs MLflow, .*; pip install 'mmgym\[mlflow\]'$"):
        require("mlflow_not_installed_here", "mlflow", "MLflow")


@pytest.mark.slow
def test_mlflow_sweep_reads_back_through_search_runs(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")  # the default store, as a path
    run_ok(run_cli, [*SWEEP, "tracker=mlflow"], tmp_path)
    runs = mlflow.search_runs(experiment_names=["mmgym"], output_format="list")
    by_name = {run.info.run_name: run for run in runs}
    assert set(by_name) == set(jobs(tmp_path))
    for name, (results, config) in jobs(tmp_path).items():
        run = by_name[name]
        assert run.info.status == "FINISHED"
        assert run.data.tags["sweep"] == SWEEP_DIR
        assert run.data.tags["job"] == name
        assert run.data.metrics == pytest.approx(expected_metrics(results))
        assert run.data.params == expected_params(config)
        assert run.data.params["agent.name"] == name.split(",")[0].removeprefix("agent=")
        assert run.data.params["suite.games"] == '["maze"]'
        client = MlflowClient()
        assert {info.path for info in client.list_artifacts(run.info.run_id)} == ARTIFACTS
        assert "report/index.html" in {info.path for info in client.list_artifacts(run.info.run_id, "report")}
        table = Path(client.download_artifacts(run.info.run_id, "results.txt", str(tmp_path))).read_text()
        assert (
            "accuracy [95% CI]" in table and f"{results['groups']['overall']['all']['accuracy']['mean']:.1f}" in table
        )


def wandb_records(path: Path) -> Iterator[Any]:
    """The records of a W&B transaction log (`run-ID.wandb`), parsed with W&B's own protocol buffers.

    The file is W&B's 7-byte header, then LevelDB's log format: 32 KiB blocks of chunks, each with a 7-byte
    header (checksum, little-endian length, type: 1 whole, 2 first, 3 middle, 4 last). wandb no longer ships a
    Python reader of it (its Go core reads and writes it), so the framing is read here."""
    from wandb.proto import wandb_internal_pb2

    data, block = path.read_bytes(), 32768
    assert data[:4] == b":W&B"
    position, pending = 7, b""
    while position + 7 <= len(data):
        if block - position % block < 7:  # a block's tail too short for a header is padding
            position += block - position % block
            continue
        _checksum, length, kind = struct.unpack("<IHB", data[position : position + 7])
        pending += data[position + 7 : position + 7 + length]
        position += 7 + length
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            pending = b""
            yield record


@pytest.mark.slow
def test_wandb_offline_sweep_reads_back_from_its_run_files(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, folder in {
        "WANDB_DIR": "wandb-dir",
        "WANDB_CACHE_DIR": "cache",
        "WANDB_DATA_DIR": "data",
        "WANDB_CONFIG_DIR": "config",
    }.items():
        monkeypatch.setenv(name, str(tmp_path / folder))
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    run_ok(run_cli, [*SWEEP, "tracker=wandb", "tracker.mode=offline", "tracker.project=trackers-test"], tmp_path)
    logs = sorted((tmp_path / "wandb-dir").glob("wandb/offline-run-*/run-*.wandb"))
    assert len(logs) == 2
    seen = {}
    for log in logs:
        records = list(wandb_records(log))
        (run,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
        config = {item.key: json.loads(item.value_json) for item in run.config.update if item.key != "_wandb"}
        history = {
            "/".join(item.nested_key) or item.key: json.loads(item.value_json)
            for r in records
            if r.WhichOneof("record_type") == "history"
            for item in r.history.item
        }
        (artifact,) = [r.artifact for r in records if r.WhichOneof("record_type") == "artifact"]
        seen[run.display_name] = (run, config, history, artifact)
    assert set(seen) == set(jobs(tmp_path))
    for name, (results, config) in jobs(tmp_path).items():
        run, logged_config, history, artifact = seen[name]
        assert (run.project, run.run_group) == ("trackers-test", SWEEP_DIR)
        assert logged_config == {key: value for key, value in config.items() if key != "tracker"}
        metrics = {key: value for key, value in history.items() if not key.startswith("_")}
        assert metrics == pytest.approx(expected_metrics(results))
        assert history["_step"] == results["episodes"]
        paths = {entry.path for entry in artifact.manifest.contents}
        assert {path.split("/")[0] for path in paths} == ARTIFACTS and "report/index.html" in paths
        assert artifact.type == "mmgym-results"


@pytest.mark.slow
def test_tensorboard_sweep_reads_back_with_its_event_reader(run_cli: RunCli, tmp_path: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    run_ok(run_cli, [*SWEEP, "tracker=tensorboard", "tracker.log_dir=tb"], tmp_path)
    sweep = tmp_path / "tb" / SWEEP_DIR.replace("/", "_")
    assert {path.name for path in sweep.iterdir()} == set(jobs(tmp_path))
    for name, (results, config) in jobs(tmp_path).items():
        events = EventAccumulator(str(sweep / name), size_guidance={"scalars": 0, "tensors": 0})
        events.Reload()
        scalars = {tag: events.Scalars(tag) for tag in events.Tags()["scalars"]}
        assert {tag: points[-1].value for tag, points in scalars.items()} == pytest.approx(expected_metrics(results))
        assert {points[-1].step for points in scalars.values()} == {results["episodes"]}
        table = events.Tensors("results_table")[0].tensor_proto.string_val[0].decode()
        assert "accuracy [95% CI]" in table
        hparams = plugin_data_pb2.HParamsPluginData.FromString(
            events.SummaryMetadata("_hparams_/session_start_info").plugin_data.content
        ).session_start_info.hparams
        assert set(hparams) == set(expected_params(config))
        assert hparams["agent.name"].string_value == config["agent"]["name"]
        assert hparams["suite.levels"].number_value == config["suite"]["levels"]
        assert hparams["suite.games"].string_value == '["maze"]'
        assert {path.name for path in (sweep / name / "artifacts").iterdir()} == ARTIFACTS


@pytest.mark.slow
def test_a_finished_run_is_logged_later_and_still_resumes_with_a_tracker(run_cli: RunCli, tmp_path: Path) -> None:
    """`mmgym track` logs a run directory afterwards; a tracker is not part of the run, so adding one resumes it."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_ok(run_cli, SMALL, tmp_path)
    tracked = run_cli(["track", "runs/ingvp-random", "tracker=tensorboard", "tracker.log_dir=later"], cwd=tmp_path)
    assert tracked.returncode == 0, tracked.stderr
    events = EventAccumulator(str(tmp_path / "later" / "ingvp-random"))
    events.Reload()
    results = json.loads((tmp_path / "runs/ingvp-random/results.json").read_text())
    assert events.Scalars("accuracy/overall/all")[-1].value == results["groups"]["overall"]["all"]["accuracy"]["mean"]
    resumed = run_ok(run_cli, [*SMALL, "tracker=tensorboard", "tracker.log_dir=resumed"], tmp_path)
    assert "run directory:" in resumed.stdout and (tmp_path / "resumed" / "ingvp-random").is_dir()


@pytest.mark.slow
def test_a_failing_tracker_keeps_the_run_and_exits_5(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the log folder should go\n")
    result = run_cli(["run", *SMALL, "tracker=tensorboard", "tracker.log_dir=not-a-folder"], cwd=tmp_path)
    assert result.returncode == 5, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("mmgym: tracker:")]
    assert len(lines) == 1 and "not logged" in lines[0] and "Traceback" not in result.stderr
    assert (tmp_path / "runs/ingvp-random/results.json").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "tracker=nope"], "unknown tracker 'nope'; valid: mlflow, tensorboard, wandb."),
        (["run", "tracker=mlflow", "tracker.bogus=1"], "unknown key tracker.bogus; valid keys of tracker: "),
        (["track", "runs/x", "tracker=nope"], "unknown tracker 'nope'; valid: mlflow, tensorboard, wandb."),
        (["track", "runs/x"], "choose one tracker: tracker=mlflow, tracker=wandb or tracker=tensorboard"),
    ],
)
def test_a_bad_tracker_is_one_line(run_cli: RunCli, tmp_path: Path, args: list[str], expected: str) -> None:
    assert only_error_line(run_cli(args, cwd=tmp_path)).startswith(f"mmgym: error: {expected}")
