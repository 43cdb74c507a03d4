"""The Ray runner on a local Ray instance: same records as the local runner, env workers that die."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'mmgym[ray]')")

import ray_helpers  # noqa: E402  (tests/ is on sys.path)
from ray_helpers import (  # noqa: E402
    always_crash_factory,
    comparable,
    crash_once_factory,
    hang_once_factory,
    records_by_id,
    slow_to_load_factory,
    unloadable_factory,
)

from mmgym.agents.scripted import OracleAgent, RandomAgent  # noqa: E402
from mmgym.core.records import EpisodeRecord  # noqa: E402
from mmgym.errors import ConfigError  # noqa: E402
from mmgym.runners.env_session import make_env  # noqa: E402
from mmgym.runners.evaluate import evaluate  # noqa: E402
from mmgym.runners.local import LocalRunner  # noqa: E402
from mmgym.runners.ray.env_workers import EnvWorkersUnavailable  # noqa: E402
from mmgym.runners.ray.runner import EnvLayout, RayRunner  # noqa: E402
from mmgym.runners.recorder import RecordConfig, Recorder  # noqa: E402
from mmgym.tasks.ingvp.suite import IngvpSuite  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    """One local Ray instance for the module; the runner uses an initialised Ray as it is."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules["ray_helpers"])
    yield
    ray.shutdown()


def suite() -> IngvpSuite:
    return IngvpSuite(games=["maze", "hanoi"], levels=3, image_size=64)


@pytest.mark.parametrize(
    "runner",
    [RayRunner(env_workers=2, envs_per_worker=2, concurrency=8), RayRunner(env_workers=0)],
    ids=["env-actors", "envs-in-driver"],
)
def test_ray_gives_the_local_runners_records_and_results(runner: RayRunner, tmp_path: Path) -> None:
    local = evaluate(suite(), RandomAgent, tmp_path / "local", LocalRunner(concurrency=4), show_progress=False)
    remote = evaluate(suite(), RandomAgent, tmp_path / "ray", runner, show_progress=False)
    local_records = records_by_id(tmp_path / "local" / "episodes.jsonl")
    ray_records = records_by_id(tmp_path / "ray" / "episodes.jsonl")
    assert len(local_records) == 36
    assert {k: comparable(v) for k, v in ray_records.items()} == {k: comparable(v) for k, v in local_records.items()}
    assert remote == local


def play(specs: list, factory: object, runner: RayRunner, agent: type = OracleAgent) -> dict[str, EpisodeRecord]:
    done: list[EpisodeRecord] = []
    asyncio.run(runner.run(specs, agent, done.append, factory))  # type: ignore[arg-type]
    return {r.spec.seed: r for r in done}


def test_an_episode_whose_worker_dies_is_replayed_from_its_seed(maze_spec, tmp_path: Path) -> None:
    specs = [maze_spec(seed=seed, task=f"corridor-{seed}") for seed in range(4)]
    crashed = play(specs, crash_once_factory(tmp_path), RayRunner(env_workers=2, envs_per_worker=2))
    calm = play(specs, make_env, RayRunner(env_workers=2))
    assert len(list(tmp_path.glob("*.crashed"))) == 4  # every episode's first worker really died
    for seed, record in crashed.items():
        assert record.status == "done" and record.success and len(record.steps) == 4
        assert record.extra["env_restarts"] >= 1  # two episodes share a worker, so one death can hit both
        expected = comparable(json.loads(calm[seed].model_dump_json()))
        assert comparable(json.loads(record.model_dump_json())) == expected


def test_an_episode_whose_simulator_hangs_is_replayed_after_the_step_timeout(maze_spec, tmp_path: Path) -> None:
    specs = [maze_spec(seed=seed, task=f"corridor-{seed}") for seed in range(2)]
    runner = RayRunner(env_workers=2, envs_per_worker=1, step_timeout_s=2.0)
    start = time.perf_counter()
    hung = play(specs, hang_once_factory(tmp_path), runner)
    assert time.perf_counter() - start < 60  # not the hour the hung steps would sleep
    calm = play(specs, make_env, RayRunner(env_workers=2))
    assert len(list(tmp_path.glob("*.crashed"))) == 2  # both episodes really hung once
    for seed, record in hung.items():
        assert record.status == "done" and record.success and record.extra["env_restarts"] == 1, record.error
        expected = comparable(json.loads(calm[seed].model_dump_json()))
        assert comparable(json.loads(record.model_dump_json())) == expected


def test_an_env_that_always_kills_its_worker_ends_as_an_error_after_bounded_replays(maze_spec) -> None:
    specs = [maze_spec(seed=seed, task=f"corridor-{seed}") for seed in range(3)]
    records = play(specs, always_crash_factory(doomed_seed=1), RayRunner(env_workers=2, max_restarts=2))
    assert records[1].status == "error"
    assert (records[1].error or "").startswith("EnvWorkerLost: env worker died 3 times (max_restarts=2)")
    assert all(records[seed].status == "done" and records[seed].success for seed in (0, 2))


def test_an_env_error_arrives_as_the_env_raised_it(maze_spec) -> None:
    def factory(spec):  # pickled by value: defined in a test module
        if spec.seed == 1:
            raise ValueError("no such simulator")
        return make_env(spec)

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    records = play([maze_spec(seed=s, task=f"c{s}") for s in range(2)], factory, RayRunner(env_workers=1))
    assert (records[0].status, records[1].status, records[1].error) == (
        "done",
        "error",
        "ValueError: no such simulator",
    )
    bad = maze_spec(level="#####\n#P..#\n#####")
    assert "LevelFormatError" in (play([bad], make_env, RayRunner(env_workers=1))[0].error or "")


def test_layout_keeps_cheap_envs_in_the_driver_and_fits_the_cluster(maze_spec) -> None:
    specs = [maze_spec(seed=seed) for seed in range(10)]
    assert RayRunner().env_layout({"CPU": 16.0}, specs) == EnvLayout(0, 0)  # puzzle steps are cheap
    assert RayRunner(env_workers=4, concurrency=64).env_layout({"CPU": 16.0}, specs) == EnvLayout(4, 3)
    assert RayRunner(env_workers=4, envs_per_worker=4).env_layout({"CPU": 16.0}, specs) == EnvLayout(3, 4)
    assert RayRunner(env_workers=2, concurrency=1).env_layout({"CPU": 2.0}, specs) == EnvLayout(1, 1)
    assert RayRunner(env_workers=3, env_worker_cpus=0.5).env_layout({"CPU": 2.0}, specs) == EnvLayout(3, 4)


def test_more_env_workers_than_the_cluster_can_place_is_a_one_line_error(maze_spec) -> None:
    with pytest.raises(
        ConfigError, match=r"^runner.env_workers=3 at runner.env_worker_cpus=1 needs 3 CPUs; the cluster"
    ):
        RayRunner(env_workers=3).env_layout({"CPU": 2.0}, [maze_spec()])


def test_workers_that_cannot_load_their_env_factory_stop_the_run_with_the_reason(maze_spec) -> None:
    factory = unloadable_factory("no_such_simulator")
    with pytest.raises(EnvWorkersUnavailable, match=r"ModuleNotFoundError: No module named 'no_such_simulator'"):
        play([maze_spec()], factory, RayRunner(env_workers=1))


def test_env_workers_that_do_not_answer_in_time_stop_the_run_with_a_one_line_reason(tmp_path: Path) -> None:
    suite = IngvpSuite(games=["maze"], settings=["multi_step-text-history"], levels=2)
    runner = RayRunner(env_workers=1, start_timeout_s=1.5)
    start = time.monotonic()
    with pytest.raises(EnvWorkersUnavailable) as info:
        evaluate(suite, OracleAgent, tmp_path, runner, show_progress=False, env_factory=slow_to_load_factory(60))
    assert time.monotonic() - start < 30  # stopped at the timeout, not when the workers came up a minute later
    assert str(info.value) == (
        "env workers did not start within 1.5 s; the cluster may lack the CPUs they ask for "
        "(runner.env_worker_cpus, runner.env_worker_gpus)"
    )
    assert not (tmp_path / "episodes.jsonl").exists() and not (tmp_path / "results.json").exists()
    assert wait_for_free_cpus()  # the worker that never answered was stopped with the run


def wait_for_free_cpus(timeout_s: float = 20.0) -> bool:
    """Whether the CPUs the stopped run's workers held come back (Ray reports freed resources a little later)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ray.available_resources().get("CPU") == ray.cluster_resources()["CPU"]:
            return True
        time.sleep(0.1)
    return False


def test_ray_helpers_is_importable_in_workers(maze_spec, tmp_path: Path) -> None:
    """Code from ray_helpers runs in a Ray worker that cannot import it by name: it travels by value."""
    spec = maze_spec(seed=3)
    record = play([spec], make_env, RayRunner(env_workers=0))[3].model_dump(mode="json")
    record["extra"]["env_restarts"] = 2

    def in_worker(record: dict, spec) -> tuple[int, bool, dict, str]:
        import importlib.util
        import os

        env = ray_helpers.crash_once_factory(tmp_path, crash_at=99)(spec)  # a factory built and used there
        obs, _ = env.reset(seed=spec.seed, options=dict(spec.reset_options))
        found = importlib.util.find_spec("ray_helpers") is not None
        return os.getpid(), found, ray_helpers.comparable(record), obs["text"]

    pid, found_by_name, compared, text = ray.get(ray.remote(in_worker).remote(record, spec))
    assert pid != os.getpid()
    if not os.environ.get("PYTHONPATH"):  # workers inherit PYTHONPATH; without it, tests/ is not on their path
        assert not found_by_name
    assert compared == comparable(record) and "env_restarts" not in compared["extra"]
    assert "duration_s" not in compared and compared["spec"] == record["spec"]
    local_obs, _ = make_env(spec).reset(seed=spec.seed, options=dict(spec.reset_options))
    assert text == local_obs["text"] == record["initial_text"]


def test_a_replayed_episodes_video_holds_only_the_replay(maze_spec, tmp_path: Path) -> None:
    specs = [maze_spec(setting="multi_step-image_text-history", seed=0)]
    recorder = Recorder(tmp_path / "run", RecordConfig())
    done: list[EpisodeRecord] = []
    runner = RayRunner(env_workers=1)
    asyncio.run(
        runner.run(specs, OracleAgent, done.append, crash_once_factory(tmp_path, crash_at=3), observers=[recorder])
    )
    recorder.close()
    [record] = done
    assert record.extra["env_restarts"] == 1 and record.success
    assert record.video is not None and record.video.frame_steps == list(range(len(record.steps) + 1)) == [
        0,
        1,
        2,
        3,
        4,
    ]
