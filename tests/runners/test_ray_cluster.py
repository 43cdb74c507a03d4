"""A real two-node Ray cluster on this machine runs a suite through `runner.address`."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'mmgym[ray]')")

from ray.cluster_utils import Cluster  # noqa: E402
from ray_helpers import comparable, node_logging_factory  # noqa: E402

from mmgym.agents.scripted import RandomAgent  # noqa: E402
from mmgym.core.records import EpisodeRecord  # noqa: E402
from mmgym.errors import ConfigError  # noqa: E402
from mmgym.runners.local import LocalRunner  # noqa: E402
from mmgym.runners.ray.runner import RayRunner  # noqa: E402
from mmgym.tasks.ingvp.suite import IngvpSuite  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ray]


def play(runner: object, factory: object = None) -> dict[str, dict]:
    specs = IngvpSuite(games=["maze", "sokoban"], levels=2, image_size=64).specs()
    done: list[EpisodeRecord] = []
    args = (specs, RandomAgent, done.append) + ((factory,) if factory else ())
    asyncio.run(runner.run(*args))  # type: ignore[attr-defined]
    return {r.id: comparable(r.model_dump(mode="json")) for r in done}


def test_env_workers_spread_over_two_nodes_and_give_the_local_records(tmp_path: Path) -> None:
    ray.cloudpickle.register_pickle_by_value(sys.modules["ray_helpers"])
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        runner = RayRunner(address=cluster.address, env_workers=2, env_worker_cpus=1, concurrency=4)
        on_cluster = play(runner, node_logging_factory(tmp_path))
    finally:
        if ray.is_initialized():
            ray.shutdown()
        cluster.shutdown()
    nodes = {path.read_text() for path in tmp_path.glob("*.node")}
    assert len(nodes) == 2  # one worker per one-CPU node: both nodes stepped envs
    assert len(on_cluster) == 24
    assert on_cluster == play(LocalRunner(concurrency=4))


def test_an_address_nobody_listens_on_fails_fast_with_one_line() -> None:
    start = time.monotonic()
    with pytest.raises(ConfigError, match=r"^runner.address=127.0.0.1:9: no Ray head answers there") as caught:
        play(RayRunner(address="127.0.0.1:9"))
    assert "\n" not in str(caught.value) and time.monotonic() - start < 10
