"""The HF backend hosted in a Ray model actor: one actor for all episodes, still batching, restarted if killed."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'mmgym[ray]')")
psutil = pytest.importorskip("psutil")

from ray_helpers import comparable  # noqa: E402

from mmgym.agents.llm import LLMAgent  # noqa: E402
from mmgym.core.records import EpisodeRecord  # noqa: E402
from mmgym.runners.ray.model_actors import RemoteBackend  # noqa: E402
from mmgym.runners.ray.runner import RayRunner  # noqa: E402
from mmgym.tasks.ingvp.suite import IngvpSuite  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def model_config(tiny_vlm_dir: Path) -> dict[str, Any]:
    return {
        "_target_": "mmgym.agents.models.hf_backend.HFBackend",
        "name": "tiny",
        "model_path": str(tiny_vlm_dir),
        "max_batch_size": 8,
        "batch_wait_ms": 50,
    }


def model_host_pids(before: frozenset[int] = frozenset()) -> list[int]:
    """The model actors' processes, but those in `before` (a finished test's, still shutting down)."""
    pids = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if cmdline[:1] and cmdline[0].startswith("ray::ModelHost") and process.pid not in before:
            pids.append(process.pid)
    return pids


def play(tiny_vlm_dir: Path, on_record: Any = None) -> tuple[dict[str, dict], list[LLMAgent]]:
    specs = IngvpSuite(games=["maze"], settings=["multi_step-image_text-history"], levels=6, max_steps=3).specs()
    agents: list[LLMAgent] = []
    done: list[EpisodeRecord] = []

    def agent() -> LLMAgent:
        agents.append(LLMAgent(model=model_config(tiny_vlm_dir), max_tokens=12))
        return agents[-1]

    def on_done(record: EpisodeRecord) -> None:
        done.append(record)
        if on_record:
            on_record(len(done))

    asyncio.run(RayRunner(env_workers=0, concurrency=3).run(specs, agent, on_done))
    return {r.id: comparable(r.model_dump(mode="json")) for r in done}, agents


@pytest.fixture(scope="module")
def calm_run(tiny_vlm_dir: Path) -> tuple[dict[str, dict], list[LLMAgent]]:
    """An undisturbed run: checked by the first test, the reference for the one that kills the actor."""
    return play(tiny_vlm_dir)


def test_one_model_actor_serves_every_episode_in_batches(calm_run: tuple[dict[str, dict], list[LLMAgent]]) -> None:
    records, agents = calm_run
    backend = agents[0].backend
    assert isinstance(backend, RemoteBackend) and all(a.backend is backend for a in agents)
    assert len(records) == 6 and all(r["status"] == "done" for r in records.values())
    assert sum(r["usage"]["model_calls"] for r in records.values()) == 18  # 6 episodes x 3 turns
    [stats] = backend.final_stats
    assert stats["pid"] != os.getpid()  # the weights lived in the actor, not here
    assert max(stats["batch_sizes"]) > 1  # concurrent episodes shared generate calls


def test_a_killed_model_actor_restarts_and_requests_in_flight_are_retried(
    tiny_vlm_dir: Path, calm_run: tuple[dict[str, dict], list[LLMAgent]]
) -> None:
    calm, _ = calm_run
    killed: list[int] = []
    before = frozenset(model_host_pids())

    def kill_after_first_record(count: int) -> None:
        if count == 1:  # two other episodes are waiting on the model right now
            killed.extend(model_host_pids(before))
            os.kill(killed[0], signal.SIGKILL)

    start = time.monotonic()
    disturbed, agents = play(tiny_vlm_dir, kill_after_first_record)
    assert len(killed) == 1
    assert agents[0].backend.final_stats[0]["pid"] != killed[0]  # a new process finished the run
    assert disturbed == calm  # greedy decoding, no episode failed or changed
    assert time.monotonic() - start < 120


def test_replicas_of_an_http_backend_share_the_requests() -> None:
    from fault_server import FaultServer

    specs = IngvpSuite(games=["maze"], settings=["multi_step-text-no_history"], levels=8, max_steps=2).specs()
    agents: list[LLMAgent] = []
    done: list[EpisodeRecord] = []
    with FaultServer(latency_s=0.05) as server:
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

        runner = RayRunner(env_workers=0, concurrency=8, model_actor="always", model_actors=2)
        asyncio.run(runner.run(specs, agent, done.append))
        served = server.count
    stats = agents[0].backend.final_stats
    assert len(done) == 8 and all(r.status == "done" for r in done)
    assert len({s["pid"] for s in stats}) == 2 and os.getpid() not in {s["pid"] for s in stats}
    assert all(s["requests"] > 0 for s in stats) and sum(s["requests"] for s in stats) == served == 16


def test_a_model_actor_killed_more_often_than_model_restarts_ends_its_episodes_as_errors() -> None:
    from fault_server import FaultServer

    specs = IngvpSuite(games=["maze"], settings=["multi_step-text-no_history"], levels=6, max_steps=6).specs()
    done: list[EpisodeRecord] = []
    killed: list[int] = []
    before = frozenset(model_host_pids())
    with FaultServer(latency_s=0.1, reply_text='{"action": "right"}') as server:
        model = {
            "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
            "name": "served",
            "model": "m",
            "base_url": server.base_url,
            "api_key_env": "MMGYM_TEST_NO_KEY",
        }

        def kill_the_model_actor(after_requests: tuple[int, ...]) -> None:
            """SIGKILL the live model actor once the server has had each count of requests, while it waits on one."""
            deadline = time.monotonic() + 60
            while len(killed) < len(after_requests) and time.monotonic() < deadline:
                alive = [pid for pid in model_host_pids(before) if pid not in killed]
                if alive and server.in_flight and server.count >= after_requests[len(killed)]:
                    os.kill(alive[0], signal.SIGKILL)
                    killed.append(alive[0])
                time.sleep(0.01)

        # Two episodes at a time, six steps each: the first kill lands in the first pair, the second in the second.
        killer = threading.Thread(target=kill_the_model_actor, args=((5, 16),), daemon=True)
        runner = RayRunner(env_workers=0, concurrency=2, model_actor="always", model_restarts=1)

        async def run() -> None:
            killer.start()
            await asyncio.wait_for(runner.run(specs, lambda: LLMAgent(model=model, max_tokens=8), done.append), 90)

        asyncio.run(run())  # a TimeoutError here: the run hung on the dead actor
        killer.join(5)

    assert len(killed) == 2 and len(done) == 6
    finished = [r for r in done if r.status == "done"]
    errors = [r for r in done if r.status == "error"]
    # The first kill was within model_restarts=1: the first two episodes, which it hit, were retried and finished.
    assert len(finished) >= 2
    # The second used them up: the episodes then in flight, and the ones after, end as errors that say why.
    assert len(errors) >= 2 and len(finished) + len(errors) == 6
    for record in errors:
        assert (record.error or "").startswith("ActorDiedError: ") and "class_name: ModelHost" in (record.error or "")
