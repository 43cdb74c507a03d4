"""Episode observers see every attempt start, every state and the final record; runners follow the `Runner` protocol."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest

from mmgym.agents.scripted import OracleAgent
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import ConfigError, SimulatorLost
from mmgym.runners.base import Runner
from mmgym.runners.env_session import make_env
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.runners.observers import EpisodeState
from mmgym.runners.ray.runner import RayRunner
from mmgym.tasks.ingvp.suite import IngvpSuite


class Log:
    """An observer that writes down what it is shown."""

    def __init__(self, name: str, events: list[tuple]) -> None:
        self.name, self.events = name, events

    def on_start(self, spec: EpisodeSpec) -> None:
        self.events.append((self.name, "start", spec.id))

    async def on_step(self, state: EpisodeState) -> None:
        self.events.append((self.name, "step", state.spec.id, state.step, state.observation["text"]))

    async def on_end(self, record: EpisodeRecord) -> None:
        self.events.append((self.name, "end", record.id))
        record.extra[self.name] = "seen"  # an observer may add to the record before it is stored


def test_an_observer_sees_each_state_and_the_record_before_on_done(maze_spec: Callable[..., EpisodeSpec]) -> None:
    spec = maze_spec()
    events: list[tuple] = []

    def on_done(record: EpisodeRecord) -> None:
        events.append(("on_done", record.id, dict(record.extra)))

    asyncio.run(LocalRunner().run([spec], OracleAgent, on_done, observers=[Log("a", events), Log("b", events)]))
    *shown, done = events
    record_extra = done[2]
    assert done[:2] == ("on_done", spec.id) and record_extra == {"a": "seen", "b": "seen"}
    steps = [event for event in shown if event[0] == "a" and event[1] == "step"]
    assert [event[3] for event in steps] == [0, 1, 2, 3, 4]  # the initial state, then one per step of the corridor
    assert steps[0][4] != steps[-1][4]  # each state as it was then
    assert [e[:2] for e in shown if e[1] != "step"] == [("a", "start"), ("b", "start"), ("a", "end"), ("b", "end")]
    assert [e for e in shown if e[0] == "b" and e[1] == "step"] == [("b", *e[1:]) for e in steps]


class LosesItsSimulatorOnce(gym.Wrapper):
    """Its simulator dies at the second step of the first episode played (the runner replays it)."""

    lost = 0

    def reset(self, **kwargs: Any) -> Any:
        self.steps = 0
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> Any:
        self.steps += 1
        if LosesItsSimulatorOnce.lost == 0 and self.steps == 2:
            LosesItsSimulatorOnce.lost += 1
            raise SimulatorLost("the simulator died")
        return self.env.step(action)


def test_a_replayed_episode_starts_over_for_its_observers(maze_spec: Callable[..., EpisodeSpec]) -> None:
    spec = maze_spec()
    events: list[tuple] = []
    done: list[EpisodeRecord] = []
    LosesItsSimulatorOnce.lost = 0

    def losing(spec: EpisodeSpec) -> gym.Env:
        return LosesItsSimulatorOnce(make_env(spec))

    asyncio.run(LocalRunner().run([spec], OracleAgent, done.append, losing, observers=[Log("a", events)]))
    [record] = done
    assert record.extra["env_restarts"] == 1 and record.success
    shown = [(event[1], *event[3:4]) for event in events]  # the first attempt died taking its second step
    assert shown == [("start",), ("step", 0), ("step", 1), ("start",), *[("step", k) for k in range(5)], ("end",)]


def test_observers_finish_off_the_episodes_slot(maze_spec: Callable[..., EpisodeSpec]) -> None:
    """With one slot, the second episode starts while the first one's observer is still at work (encoding a video)."""
    specs = [maze_spec(seed=0), maze_spec(seed=1, task="other")]
    second_started = asyncio.Event()

    class Slow:
        def on_start(self, spec: EpisodeSpec) -> None:
            if spec.id == specs[1].id:
                second_started.set()

        async def on_step(self, state: EpisodeState) -> None:
            pass

        async def on_end(self, record: EpisodeRecord) -> None:
            if record.id == specs[0].id:
                await asyncio.wait_for(second_started.wait(), 10)

    done: list[EpisodeRecord] = []
    asyncio.run(LocalRunner(concurrency=1).run(specs, OracleAgent, done.append, observers=[Slow()]))
    assert sorted(r.id for r in done) == sorted(s.id for s in specs)


def test_the_shipped_runners_are_runners_that_keep_budgets() -> None:
    assert isinstance(LocalRunner(), Runner) and isinstance(RayRunner(), Runner)
    assert LocalRunner.keeps_budget and RayRunner.keeps_budget


def test_an_object_that_is_not_a_runner_is_refused_in_one_line(tmp_path: Path) -> None:
    class OldRunner:  # `run` as before the protocol: no `keeps_budget`
        async def run(self, *args: Any, **kwargs: Any) -> None:
            raise AssertionError("never started")

    suite = IngvpSuite(games=["maze"], settings=["multi_step-text-history"], levels=1)
    with pytest.raises(ConfigError, match=r"runner OldRunner is not an mmgym runner \(mmgym.runners.base.Runner"):
        evaluate(suite, OracleAgent, tmp_path, OldRunner(), show_progress=False)  # type: ignore[arg-type]
