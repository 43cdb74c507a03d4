"""Where the Ray runner puts a run's model: a GPU for the model actor when the cluster has one, when asked.

Ray is told this machine has one GPU (`num_gpus=1`); nothing here runs on it, but Ray books it like
a real one, so the resources the model actor reserves show in the cluster's free resources.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'mmgym[ray]')")

from fault_server import FaultServer  # noqa: E402

from mmgym.agents.llm import LLMAgent  # noqa: E402
from mmgym.core.records import EpisodeRecord  # noqa: E402
from mmgym.runners.ray.model_actors import RemoteBackend  # noqa: E402
from mmgym.runners.ray.runner import RayRunner  # noqa: E402
from mmgym.tasks.ingvp.suite import IngvpSuite  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture(scope="module", autouse=True)
def ray_with_a_gpu() -> Iterator[None]:
    ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def free_gpus() -> float:
    return ray.available_resources().get("GPU", 0.0)


def run_sampling_free_gpus(runner: RayRunner) -> tuple[list[float], list[EpisodeRecord], list[LLMAgent]]:
    """Play a few episodes against a local HTTP model; sample the cluster's free GPUs at every model request."""
    specs = IngvpSuite(games=["maze"], settings=["multi_step-text-no_history"], levels=4, max_steps=3).specs()
    samples: list[float] = []
    agents: list[LLMAgent] = []
    done: list[EpisodeRecord] = []
    lock = threading.Lock()

    def reply(payload: dict[str, Any]) -> str:  # runs while the model actor waits on this very request
        with lock:
            samples.append(free_gpus())
        return '{"action": "right"}'

    with FaultServer(latency_s=0.1, reply_text=reply) as server:
        model = {
            "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
            "name": "served",
            "model": "m",
            "base_url": server.base_url,
            "api_key_env": "MMGYM_TEST_NO_KEY",
        }

        def agent() -> LLMAgent:
            agents.append(LLMAgent(model=model, max_tokens=8))
            return agents[-1]

        asyncio.run(runner.run(specs, agent, done.append))
    return samples, done, agents


def wait_for_free_gpus(expected: float, timeout_s: float = 20.0) -> float:
    """The free GPUs once they equal `expected`, or after `timeout_s` (Ray reports resources a little late)."""
    deadline = time.monotonic() + timeout_s
    while free_gpus() != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return free_gpus()


@pytest.mark.parametrize(
    ("placement", "gpus", "reserved"),
    [("always", "auto", 1.0), ("always", 0, 0.0), ("always", 0.5, 0.5), ("auto", "auto", 0.0)],
    ids=["auto-takes-the-gpu", "zero-leaves-it", "a-fraction", "http-backend-in-the-driver"],
)
def test_model_actor_reserves_the_gpus_it_is_given(placement: str, gpus: Any, reserved: float) -> None:
    assert ray.cluster_resources()["GPU"] == 1.0 == wait_for_free_gpus(1.0)
    runner = RayRunner(env_workers=0, concurrency=2, model_actor=placement, model_actor_gpus=gpus)
    samples, done, agents = run_sampling_free_gpus(runner)
    assert len(done) == 4 and all(r.status == "done" for r in done)
    assert isinstance(agents[0].backend, RemoteBackend) == (placement == "always")
    # Ray's resource view lags a request or two behind the actor's start: the late samples show the booking.
    assert len(samples) == 12 and samples[-1] == min(samples) == pytest.approx(1.0 - reserved), samples
    assert wait_for_free_gpus(1.0) == 1.0  # given back when the run closed its model
