"""Simulator envs in the rollout's process: on a thread per simulator, and a call that hangs ends its episode as
an error after `step_timeout_s` while the run goes on."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, ClassVar

import gymnasium as gym
import pytest

from mmgym.agents.scripted import OracleAgent
from mmgym.core.language_env import EnvTraits
from mmgym.core.records import EpisodeRecord
from mmgym.envs.puzzles.env import PuzzleEnv
from mmgym.runners.in_process import InProcessEnvs, InProcessSession, ThreadedSession
from mmgym.runners.local import LocalRunner

HANGING_ID = "mmgym-test/HangingMaze-v0"
HANG_SEED = 1


class HangingMaze(PuzzleEnv):
    """A maze whose steps claim to be expensive (so it gets a thread) and that hangs at step 2 of seed 1."""

    traits: ClassVar[EnvTraits] = EnvTraits(reusable=True)
    threads: ClassVar[set[str]] = set()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.seed_played, self.steps = seed, 0
        return super().reset(seed=seed, options=options)

    def step(self, action: Any):
        HangingMaze.threads.add(threading.current_thread().name)
        self.steps += 1
        if self.seed_played == HANG_SEED and self.steps == 2:
            time.sleep(3600)
        return super().step(action)


@pytest.fixture(autouse=True)
def registered() -> None:
    if HANGING_ID not in gym.registry:
        gym.register(HANGING_ID, entry_point=HangingMaze, kwargs={"game": "maze"})


def on_hanging_maze(spec: Any) -> Any:
    return spec.model_copy(update={"env_id": HANGING_ID})


def play(specs: list, runner: LocalRunner) -> dict[int, EpisodeRecord]:
    done: list[EpisodeRecord] = []
    asyncio.run(runner.run(specs, OracleAgent, done.append))
    return {record.spec.seed: record for record in done}


def test_a_hung_step_ends_its_episode_as_an_error_and_the_others_go_on(maze_spec) -> None:
    HangingMaze.threads.clear()
    specs = [on_hanging_maze(maze_spec(seed=seed, task=f"corridor-{seed}")) for seed in range(3)]
    start = time.perf_counter()
    records = play(specs, LocalRunner(concurrency=1, step_timeout_s=1.0))  # one at a time: none waits behind it
    assert time.perf_counter() - start < 30  # not the hour the hung step sleeps
    assert records[HANG_SEED].status == "error"
    assert "did not finish within 1 s (runner.step_timeout_s)" in (records[HANG_SEED].error or "")
    assert len(records[HANG_SEED].steps) == 1
    for seed in (0, 2):  # before the hang, and after it on a fresh thread with a fresh env
        assert records[seed].status == "done" and records[seed].success
    assert len(HangingMaze.threads) == 2 and all(name.startswith("mmgym-env-") for name in HangingMaze.threads)


def test_envs_with_cheap_steps_stay_inline_and_without_a_timeout_everything_does(maze_spec) -> None:
    async def sessions() -> tuple[Any, Any, Any]:
        timed, untimed = InProcessEnvs(step_timeout_s=5.0), InProcessEnvs()
        cheap = await timed(maze_spec(seed=0))
        threaded = await timed(on_hanging_maze(maze_spec(seed=0)))
        inline = await untimed(on_hanging_maze(maze_spec(seed=0)))
        for session in (cheap, threaded, inline):
            await session.close()
        timed.close()
        untimed.close()
        return cheap, threaded, inline

    cheap, threaded, inline = asyncio.run(sessions())
    assert isinstance(cheap, InProcessSession) and isinstance(inline, InProcessSession)
    assert isinstance(threaded, ThreadedSession)


def test_a_threaded_env_is_reused_with_its_thread(maze_spec) -> None:
    specs = [on_hanging_maze(maze_spec(seed=seed, task=f"c{seed}")) for seed in (0, 2, 3, 4)]
    HangingMaze.threads.clear()
    records = play(specs, LocalRunner(concurrency=1, step_timeout_s=5.0))
    assert all(record.status == "done" and record.success for record in records.values())
    assert len(HangingMaze.threads) == 1  # one env, built once, stepped on one thread for all four episodes
