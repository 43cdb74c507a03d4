"""Shared backends: one per config in the registry in effect, which a runner sets for its run's tasks only."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from mmgym.agents.models.registry import BackendRegistry, close_all, current_registry, shared_backend


class Backend:
    def __init__(self, config: dict[str, Any], where: str) -> None:
        self.config, self.where, self.closed = config, where, False

    async def close(self) -> None:
        self.closed = True


def builder(where: str, built: list[Backend]) -> Any:
    def build(config: dict[str, Any]) -> Backend:
        built.append(Backend(config, where))
        return built[-1]

    return build


def test_one_backend_per_config_until_closed() -> None:
    built: list[Backend] = []
    registry = BackendRegistry(builder("here", built))
    first = registry.backend({"_target_": "m", "name": "a"})
    assert registry.backend({"name": "a", "_target_": "m"}) is first and len(built) == 1  # key order aside
    assert registry.backend({"_target_": "m", "name": "b"}) is not first
    asyncio.run(registry.close_all())
    assert all(backend.closed for backend in built)
    assert registry.backend({"_target_": "m", "name": "a"}) is not first  # built anew after closing


def test_a_registry_in_effect_builds_for_the_tasks_started_in_it_and_no_others() -> None:
    built: list[Backend] = []
    process = current_registry()
    run = BackendRegistry(builder("actor", built))
    outside_saw: list[BackendRegistry] = []

    async def episode() -> Any:
        await asyncio.sleep(0)
        return shared_backend({"_target_": "m"})

    async def bystander(entered: asyncio.Event) -> None:
        await entered.wait()  # the run's registry is in effect in the task next door now
        outside_saw.append(current_registry())

    async def main() -> list[Any]:
        entered = asyncio.Event()
        other = asyncio.create_task(bystander(entered))
        with run.in_effect():
            entered.set()
            backends = await asyncio.gather(episode(), episode())
        await other
        assert current_registry() is process  # the block's end puts the process's back
        return backends

    backends = asyncio.run(main())
    assert backends[0] is backends[1] is built[0] and built[0].where == "actor"
    assert outside_saw == [process]
    asyncio.run(run.close_all())
    assert built[0].closed


def test_close_all_closes_the_registry_in_effect() -> None:
    built: list[Backend] = []
    run = BackendRegistry(builder("actor", built))

    async def main() -> None:
        with run.in_effect():
            shared_backend({"_target_": "m"})
            await close_all()

    asyncio.run(main())
    assert built[0].closed


def test_runs_on_two_threads_keep_their_own_registries() -> None:
    seen: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def run(name: str) -> None:
        registry = BackendRegistry(builder(name, []))
        with registry.in_effect():
            barrier.wait()  # both registries are in effect at once
            seen[name] = shared_backend({"_target_": "m"}).where

    threads = [threading.Thread(target=run, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"one": "one", "two": "two"}
