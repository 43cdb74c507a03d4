"""Env sessions: a reusable env is built once per concurrent slot, not once per episode, and reuse changes no record."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest
from ray_helpers import comparable, construction_log_factory, constructions

from mmgym.agents.scripted import ExpertAgent
from mmgym.core.agent import AgentReply, Turn
from mmgym.core.language_env import env_traits
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.runners.env_session import make_env
from mmgym.runners.in_process import InProcessEnvs, in_process
from mmgym.runners.local import LocalRunner
from mmgym.runners.rollout import run_episode
from mmgym.tasks.ingvp.suite import IngvpSuite


class YieldingExpert(ExpertAgent):
    """The expert, yielding to the event loop each turn as a model-backed agent does, so episodes overlap."""

    async def act(self, turn: Turn) -> AgentReply:
        await asyncio.sleep(0)
        return await super().act(turn)


class NotReusable(gym.Wrapper):
    """An env that says a reset cannot restore any episode (a simulator that must be rebuilt); counts its closes."""

    closed = 0

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.traits = dataclasses.replace(env_traits(env), reusable=False)

    def close(self) -> None:
        NotReusable.closed += 1
        super().close()


def maze_specs(levels: int = 6) -> list[EpisodeSpec]:
    """Different maze levels on one env (same id and arguments): any of them may reuse another's env."""
    return IngvpSuite(games=["maze"], settings=["multi_step-text-history"], levels=levels, image_size=64).specs()


def counting(built: list[str], wrap: Any = None) -> Any:
    def factory(spec: EpisodeSpec) -> gym.Env:
        built.append(spec.task)
        env = make_env(spec)
        return wrap(env) if wrap else env

    return factory


def as_json(records: list[EpisodeRecord]) -> dict[str, dict[str, Any]]:
    return {r.id: comparable(json.loads(r.model_dump_json())) for r in records}


def fresh_records(specs: list[EpisodeSpec]) -> dict[str, dict[str, Any]]:
    """Each episode on an env of its own, built for it."""
    return as_json([asyncio.run(run_episode(spec, YieldingExpert())) for spec in specs])


def test_puzzle_envs_say_they_are_reusable() -> None:
    env = make_env(maze_specs(1)[0])
    assert env_traits(env).reusable is True
    assert env.unwrapped is not env  # make_env keeps Gymnasium's wrappers; the traits are read through them


def test_in_process_envs_reuse_an_idle_env_with_the_same_id_and_arguments() -> None:
    specs = maze_specs(3)
    other = EpisodeSpec(**{**specs[0].model_dump(), "env_kwargs": {**specs[0].env_kwargs, "image_size": 96}})
    envs = in_process()
    assert isinstance(envs, InProcessEnvs) and envs.built == 0

    async def play_in_turn() -> list[EpisodeRecord]:
        return [await run_episode(spec, YieldingExpert(), envs) for spec in [*specs, other]]

    records = asyncio.run(play_in_turn())
    assert envs.built == 2  # one for the three maze specs in turn, one for the other image size
    assert sorted(len(idle) for idle in envs.idle.values()) == [1, 1]
    assert all(r.status == "done" and r.success for r in records)
    assert as_json(records) == fresh_records([*specs, other])  # a reused env plays each episode as a fresh one
    envs.close()
    assert envs.idle == {}


def test_local_runner_builds_a_reusable_env_once_per_concurrent_slot() -> None:
    specs = maze_specs(6)
    built: list[str] = []
    done: list[EpisodeRecord] = []
    asyncio.run(LocalRunner(concurrency=3).run(specs, YieldingExpert, done.append, counting(built)))
    assert len(built) == 3  # three episodes in flight at once, then each later one reuses a finished one's env
    assert sorted(built) == sorted(s.task for s in specs[:3])
    assert len(done) == len(specs) and all(r.status == "done" and r.success for r in done)
    assert as_json(done) == fresh_records(specs)


def test_a_non_reusable_env_is_built_and_closed_for_every_episode() -> None:
    specs = maze_specs(4)
    built: list[str] = []
    done: list[EpisodeRecord] = []
    NotReusable.closed = 0
    asyncio.run(LocalRunner(concurrency=2).run(specs, YieldingExpert, done.append, counting(built, NotReusable)))
    assert sorted(built) == sorted(s.task for s in specs)
    assert NotReusable.closed == len(specs)
    assert as_json(done) == fresh_records(specs)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'mmgym[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules["ray_helpers"])
    yield ray
    ray.shutdown()


@pytest.mark.ray
@pytest.mark.slow
def test_an_env_worker_builds_a_reusable_env_once_per_slot_and_gives_the_local_records(
    local_ray: Any, tmp_path: Path
) -> None:
    from mmgym.runners.ray.runner import RayRunner

    specs = maze_specs(6)
    log = tmp_path / "built.log"
    remote: list[EpisodeRecord] = []
    runner = RayRunner(env_workers=1, envs_per_worker=2)
    asyncio.run(runner.run(specs, YieldingExpert, remote.append, construction_log_factory(log)))
    assert len(constructions(log)) == 2  # one env per slot of the single worker, not one per episode
    assert set(constructions(log)) <= {s.task for s in specs}

    built: list[str] = []
    local: list[EpisodeRecord] = []
    asyncio.run(LocalRunner(concurrency=2).run(specs, YieldingExpert, local.append, counting(built)))
    assert len(built) == 2
    assert len(remote) == len(local) == len(specs)
    assert all(r.status == "done" and r.success for r in remote)
    assert as_json(remote) == as_json(local)
