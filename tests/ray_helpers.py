"""Helpers shared by the Ray tests: comparable records, env factories that crash worker processes.

The factories are pickled by value into Ray's worker processes (this module is registered with
Ray's cloudpickle), so the workers need not import the tests package.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym

from mmgym.core.spec import EpisodeSpec
from mmgym.results.layout import file_stem
from mmgym.runners.env_session import make_env

TIMING_KEYS = ("started_at", "duration_s")


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """A record without what legitimately differs between runs: timings, latencies, restart counts."""
    out = {k: v for k, v in record.items() if k not in TIMING_KEYS}
    out["extra"] = {k: v for k, v in record.get("extra", {}).items() if k != "env_restarts"}
    out["usage"] = {k: v for k, v in record.get("usage", {}).items() if k != "latency_s"}
    out["turns"] = [{**t, "usage": {k: v for k, v in t["usage"].items() if k != "latency_s"}} for t in record["turns"]]
    return out


def records_by_id(path: Path) -> dict[str, dict[str, Any]]:
    """Every record of an episodes.jsonl by id; fails on a duplicate id."""
    records: dict[str, dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        assert record["id"] not in records, f"episode {record['id']} recorded twice"
        records[record["id"]] = record
    return records


class CrashOnStep(gym.Wrapper):
    """Kills its whole process at step `crash_at` of a doomed episode, like a simulator segfault or an OOM kill.

    Steps count from each reset, and `doomed(seed, options)` says at reset whether the episode
    crashes: the env may be reused across episodes (puzzle envs are), so what crashes is an
    episode, not the env that happened to be built for one. With `marker_dir`, an episode crashes
    only once: the crash leaves a marker named by the episode, and its replays run normally.
    """

    def __init__(
        self,
        env: gym.Env,
        crash_at: int,
        doomed: Callable[[int | None, dict[str, Any]], bool],
        marker_dir: Path | None = None,
        hang: bool = False,
    ) -> None:
        super().__init__(env)
        self.hang = hang  # hang (sleep for an hour) instead of dying, like a simulator stuck in a step
        self.crash_at = crash_at
        self.doomed = doomed
        self.marker_dir = marker_dir
        self.marker: Path | None = None
        self.crashes = False
        self.steps = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        options = options or {}
        self.steps = 0
        self.marker = None if self.marker_dir is None else self.marker_dir / f"{episode_stem(seed, options)}.crashed"
        self.crashes = self.doomed(seed, options) and (self.marker is None or not self.marker.exists())
        return self.env.reset(seed=seed, options=options)

    def step(self, action: str) -> Any:
        self.steps += 1
        if self.crashes and self.steps == self.crash_at:
            if self.marker is not None:
                self.marker.write_text("crashed once")
            if self.hang:
                time.sleep(3600)
            os._exit(1)
        return self.env.step(action)


def episode_stem(seed: int | None, options: dict[str, Any]) -> str:
    """A file name for an episode, from what its env's reset receives (its seed and reset options)."""
    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"s{seed}-{digest}"


def crash_once_factory(marker_dir: Path, crash_at: int = 2) -> Any:
    """Each episode's first run kills its worker at step `crash_at`; its replays run normally."""

    def factory(spec: EpisodeSpec) -> gym.Env:
        return CrashOnStep(make_env(spec), crash_at, lambda seed, options: True, marker_dir)

    return factory


def hang_once_factory(marker_dir: Path, hang_at: int = 2) -> Any:
    """Each episode's first run hangs at step `hang_at` (its worker stays alive, stuck); its replays run normally."""

    def factory(spec: EpisodeSpec) -> gym.Env:
        return CrashOnStep(make_env(spec), hang_at, lambda seed, options: True, marker_dir, hang=True)

    return factory


def always_crash_factory(doomed_seed: int, crash_at: int = 1) -> Any:
    """The episode with `doomed_seed` kills its worker every time it is played; the others run normally."""

    def factory(spec: EpisodeSpec) -> gym.Env:
        return CrashOnStep(make_env(spec), crash_at, lambda seed, options: seed == doomed_seed)

    return factory


def node_logging_factory(log_dir: Path) -> Any:
    """Writes the Ray node id of the process that builds each env, then builds it normally."""

    def factory(spec: EpisodeSpec) -> gym.Env:
        import ray

        (log_dir / f"{file_stem(spec.id)}.node").write_text(ray.get_runtime_context().get_node_id())
        return make_env(spec)

    return factory


def construction_log_factory(log: Path) -> Any:
    """Appends a line (the spec's task) to `log` each time it builds an env, in whichever process builds it."""

    def factory(spec: EpisodeSpec) -> gym.Env:
        with log.open("a") as f:
            f.write(f"{spec.task}\n")
        return make_env(spec)

    return factory


def constructions(log: Path) -> list[str]:
    """The tasks whose episodes built an env, in order (see construction_log_factory)."""
    return log.read_text().splitlines() if log.exists() else []


def _import_missing(module: str) -> Any:
    import importlib

    return importlib.import_module(module)


class _Unloadable:
    """Unpickles by importing a module the worker does not have, like a factory from an uninstalled package."""

    def __init__(self, module: str) -> None:
        self.module = module

    def __reduce__(self) -> Any:
        return (_import_missing, (self.module,))

    def __call__(self, spec: EpisodeSpec) -> gym.Env:
        return make_env(spec)


def unloadable_factory(module: str) -> Any:
    return _Unloadable(module)


def _load_slowly(seconds: float) -> Any:
    import time

    time.sleep(seconds)
    return make_env


class _SlowToLoad:
    """Takes `seconds` to unpickle, like a factory whose imports load a big simulator: its workers answer late."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __reduce__(self) -> Any:
        return (_load_slowly, (self.seconds,))

    def __call__(self, spec: EpisodeSpec) -> gym.Env:
        return make_env(spec)


def slow_to_load_factory(seconds: float) -> Any:
    return _SlowToLoad(seconds)
