"""Throughput and overhead of the Ray runner: env-worker scaling, per-step cost of an env actor, LLM concurrency.

    python benchmarks/bench_ray.py [scaling] [overhead] [concurrency] [--options, see --help]

One Ray instance is started before anything is timed and shared by every measurement
(`ray_session` leaves an already-initialised Ray running), so Ray's start-up is not measured;
each `RayRunner.run` still starts and kills its own env actors, and that cost is shown apart.
Every figure comes with the share of the machine's CPU that processes outside this benchmark
used meanwhile (read from /proc): on a small shared machine a test suite running next to it
halves the figures, and the table should say so rather than hide it. Three sections, all run by
default:

- scaling: episodes/min of CPU-bound envs (a fixed `--cost-ms` of CPU per step, spent in a busy
  loop on the thread's CPU clock) with 1 and then 2 env workers, the same episodes and the
  random agent, in one process. The env is the work Ray is there to spread, so the ratio should
  approach the number of cores (the target on 2 cores is >= 1.7x); what is lost goes to the
  driver's rollouts, Ray's own processes and the actors' start-up, and the CPU split of the runs
  shows which. Runs alternate 1, 2, 1, 2, ... and medians are printed. "run" is `RayRunner.run`
  end to end (actors' start and stop included); "steady" is the completion rate after the first
  wave of episodes has ended. Each worker holds `--envs-per-worker` (4) env slots so that it has
  the next step queued while the driver turns the last one around; with one slot per worker it
  idles for a round trip every step.
- overhead: microseconds per `step` of mmgym/Maze-v0 in the rollout's process (`InProcessSession`)
  and through one env actor (`EnvWorkerPool` / `RemoteSession`), text-only and with images: the
  price of a step across processes (a round trip plus pickling the observation), in wall time
  and in the driver's CPU time, which is what a driver running hundreds of episodes runs out of.
- concurrency: episodes/min of the LLM agent against an OpenAI-compatible endpoint with a fixed
  latency (the scripted server of benchmarks/bench_llm_concurrency.py, in its own process),
  under `RayRunner` without env workers (envs in the driver) and with env workers (envs in
  actors, with enough slots for every episode in flight), and under `LocalRunner` for
  reference. As in bench_llm_concurrency.py the figure of merit is the scaling efficiency:
  episodes/min at N divided by N x episodes/min at 1. The model client, prompts and parsing all
  run in the driver, one Python thread, so on a small machine the driver's CPU, not the
  endpoint, bounds the rate: the efficiency is printed as measured, with the driver's CPU
  milliseconds per episode and the CPU split to show where the time went.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import gymnasium as gym
import numpy as np

# The fixed-latency endpoint in its own process (this script's folder is first on sys.path).
from bench_llm_concurrency import endpoint_workload, start_server

import mmgym  # noqa: F401  (registers the mmgym/* envs)
from mmgym.agents.llm import LLMAgent
from mmgym.agents.scripted import RandomAgent
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.envs.puzzles.levels import generate_set, save_set
from mmgym.runners.env_session import EnvSession, make_env
from mmgym.runners.evaluate import evaluate
from mmgym.runners.in_process import InProcessSession
from mmgym.runners.local import LocalRunner
from mmgym.runners.ray.env_workers import EnvWorkerPool
from mmgym.runners.ray.runner import RayRunner
from mmgym.tasks.ingvp.settings import Setting

SECTIONS = ("scaling", "overhead", "concurrency")
TEXT_SETTING = "multi_step-text-no_history"
IMAGE_SETTING = "multi_step-image_text-no_history"


# ---- where the CPU went ------------------------------------------------------------------------


ROLES = ("driver", "env workers", "model actor", "endpoint", "Ray", "others", "idle")
SCALING_ROLES = ("driver", "env workers", "Ray", "others", "idle")


def _tree_ticks() -> dict[int, int]:
    """CPU ticks (user + system, Linux /proc) of each live process in this process's tree.

    Ray's processes (GCS, raylet, workers) and the endpoint descend from this process; whatever
    else the machine spends is someone else's load (a test suite, a neighbour).
    """
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry))
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    tree, todo = {}, [os.getpid()]
    while todo:
        pid = todo.pop()
        tree[pid] = ticks.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return tree


def _role(pid: int) -> str:
    """Which part of the benchmark a process of this tree is: driver, env worker, endpoint or Ray's own."""
    if pid == os.getpid():
        return "driver"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            cmdline = file.read().decode(errors="replace")
    except OSError:
        return "Ray"
    if "ray::EnvWorker" in cmdline:
        return "env workers"
    if "ray::ModelHost" in cmdline:
        return "model actor"
    return "endpoint" if "fault_server" in cmdline else "Ray"


def _machine_ticks() -> tuple[int, int]:
    """Busy and idle ticks of the whole machine (steal counts as busy: those cores were not ours)."""
    with open("/proc/stat") as file:
        cpu = [int(f) for f in file.readline().split()[1:9]]
    idle = cpu[3] + cpu[4]
    return sum(cpu) - idle, idle


class CpuSplit:
    """Where the machine's CPU went during the block: this driver, env workers, endpoint, Ray's other
    processes, other people's processes (a test suite, a neighbour), idle; as shares of all cores.

    The tree is sampled every `interval_s` by a thread: Ray's raylet does not collect its dead
    workers' times, so a worker killed at the end of a run must be seen alive to be counted. The
    last `interval_s` of a process that dies is missed (it shows up as "others"), so the split is
    approximate to a few %. It stays empty where /proc is missing.
    """

    def __init__(self, interval_s: float = 0.25) -> None:
        self.interval_s = interval_s
        self.shares: dict[str, float] = {}
        self._first: dict[int, int] = {}
        self._last: dict[int, int] = {}
        self._roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, name="cpu-split", daemon=True)

    def __enter__(self) -> CpuSplit:
        try:
            self._machine0, self._t0 = _machine_ticks(), time.perf_counter()
            self._first = _tree_ticks()
        except (OSError, ValueError, IndexError):
            return self
        self._last = dict(self._first)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._thread.is_alive():
            return
        self._stop.set()
        self._thread.join()
        self._sample()
        (busy0, idle0), (busy1, idle1) = self._machine0, _machine_ticks()
        capacity = (time.perf_counter() - self._t0) * (os.cpu_count() or 1) * os.sysconf("SC_CLK_TCK")
        ticks = dict.fromkeys(ROLES, 0)
        for pid, last in self._last.items():
            ticks[self._roles.get(pid, "Ray")] += last - self._first.get(pid, 0)
        ticks["others"] = max(0, busy1 - busy0 - sum(ticks.values()))
        ticks["idle"] = idle1 - idle0
        self.shares = {role: value / capacity for role, value in ticks.items()}

    @property
    def others(self) -> float | None:
        return self.shares.get("others")

    def describe(self, roles: tuple[str, ...] = ROLES) -> str:
        if not self.shares:
            return "n/a"
        return ", ".join(f"{role} {self.shares[role]:.0%}" for role in roles)

    def _sample(self) -> None:
        for pid, ticks in _tree_ticks().items():
            if self._roles.get(pid, "Ray") == "Ray":  # a Ray worker process becomes an env worker when given one
                self._roles[pid] = _role(pid)
            self._last[pid] = ticks

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


# ---- scaling: an env whose steps cost a fixed amount of CPU ------------------------------------


class FixedCostEnv(gym.Env):
    """Each step spends `cost_ms` of this thread's CPU time, then returns a small text (+ tiny image) observation.

    A busy loop on the thread's CPU clock costs the same CPU whatever else runs on the machine, so
    the wall time of a run shows only how well the work was spread over the cores. Defined in the
    script: Ray's cloudpickle ships it to the workers by value.
    """

    def __init__(self, cost_ms: float = 20.0, image: bool = True) -> None:
        self.cost_s = cost_ms / 1000
        self.image = image
        self.t = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.t = 0
        return self._observation(), {"success": False}

    def step(self, action: Any):
        deadline = time.thread_time() + self.cost_s
        while time.thread_time() < deadline:
            pass
        self.t += 1
        info = {"success": False, "valid": True, "state_changed": True, "feedback": f"Applied {action!r}."}
        return self._observation(), 0.0, False, False, info

    def candidate_actions(self) -> list[str]:
        return ["up", "down", "left", "right"]

    def _observation(self) -> dict[str, Any]:
        observation: dict[str, Any] = {"text": f"step {self.t}"}
        if self.image:
            observation["image"] = np.full((8, 8, 3), self.t % 256, dtype=np.uint8)
        return observation


def fixed_cost_env(spec: EpisodeSpec) -> gym.Env:
    """The benchmark's `env_factory`: a `FixedCostEnv` built from the spec's kwargs."""
    return FixedCostEnv(**spec.env_kwargs)


def fixed_cost_specs(episodes: int, steps: int, cost_ms: float, offset: int = 0) -> list[EpisodeSpec]:
    return [
        EpisodeSpec(
            suite="bench",
            task=f"fixed/{offset + i:04d}",
            env_id="bench/FixedCost-v0",
            env_kwargs={"cost_ms": cost_ms, "image": True},
            seed=offset + i,
            rules=PlayRules(observation="text", history=False, max_steps=steps),  # as ING-VP's TEXT_SETTING
        )
        for i in range(episodes)
    ]


@dataclass
class Timing:
    run: float  # episodes/min of `RayRunner.run` end to end, env actors' start and stop included
    steady: float  # episodes/min after the first wave of episodes has ended
    cpu: CpuSplit  # where the machine's CPU went meanwhile


def timed_run(runner: RayRunner, specs: list[EpisodeSpec], slots: int) -> Timing:
    """One `RayRunner.run` of `specs` with the random agent; `slots` episodes make up its first wave."""
    done: list[float] = []
    errors: list[str] = []

    def on_done(record: EpisodeRecord) -> None:
        done.append(time.perf_counter())
        if record.status == "error":
            errors.append(record.error or "")

    with CpuSplit() as split:
        start = time.perf_counter()
        asyncio.run(runner.run(specs, RandomAgent, on_done, fixed_cost_env))
        elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} episodes failed, first: {errors[0]}")
    first_wave = min(slots, len(done) - 1)
    steady = (len(done) - first_wave) / (done[-1] - done[first_wave - 1])
    return Timing(len(specs) / elapsed * 60, steady * 60, split)


def scaling(args: argparse.Namespace) -> None:
    specs = fixed_cost_specs(args.episodes, args.steps, args.cost_ms)
    cpu_minutes = len(specs) * args.steps * args.cost_ms / 1000 / 60

    def runner(workers: int) -> RayRunner:
        return RayRunner(
            concurrency=args.scaling_concurrency, env_workers=workers, envs_per_worker=args.envs_per_worker
        )

    def slots(workers: int) -> int:
        return min(args.scaling_concurrency, workers * args.envs_per_worker)

    # Warm-up: Ray's idle worker processes, the workers' imports (page cache), this process's code paths.
    timed_run(runner(2), fixed_cost_specs(2 * slots(2), 2, args.cost_ms, offset=10_000), slots(2))
    timings: dict[int, list[Timing]] = {1: [], 2: []}
    for _ in range(args.repeats):  # alternating, so that a slow spell of the machine hits both counts
        for workers in (1, 2):
            timings[workers].append(timed_run(runner(workers), specs, slots(workers)))
    print(
        f"\nscaling: {len(specs)} episodes x {args.steps} steps x {args.cost_ms:g} ms CPU, random agent, "
        f"concurrency {args.scaling_concurrency}, {args.envs_per_worker} envs per worker, median of {args.repeats}"
    )
    print(
        "env workers | episodes/min (run) | episodes/min (steady) | ideal (1 core per worker) | "
        "every run: run/steady (others' CPU)"
    )
    print(" | ".join(["---"] * 5))
    for workers, runs in timings.items():
        every = ", ".join(f"{t.run:.0f}/{t.steady:.0f} ({percent(t.cpu.others)})" for t in runs)
        run = statistics.median(t.run for t in runs)
        steady = statistics.median(t.steady for t in runs)
        print(f"{workers} | {run:.0f} | {steady:.0f} | {workers * len(specs) / cpu_minutes:.0f} | {every}")
    pairs = list(zip(timings[1], timings[2], strict=True))
    run_ratio = statistics.median(two.run / one.run for one, two in pairs)
    steady_ratio = statistics.median(two.steady / one.steady for one, two in pairs)
    print(
        f"2 workers / 1 worker (median of paired runs): run {run_ratio:.2f}x, steady {steady_ratio:.2f}x "
        "(target >= 1.7x on 2 cores)"
    )
    for workers, runs in timings.items():
        split = runs[-1].cpu.describe(SCALING_ROLES)
        print(f"CPU split of the last run with {workers} env worker(s), share of all cores: {split}")
    busy = [t.cpu.others for runs in timings.values() for t in runs if t.cpu.others is not None]
    if busy and max(busy) > 0.1:
        print(f"warning: other processes used up to {max(busy):.0%} of the machine during these runs")


# ---- overhead: one step in-process against one step through an env actor --------------------


def maze_spec(observe_image: bool, image_size: int) -> EpisodeSpec:
    return EpisodeSpec(
        suite="bench",
        task="maze/generated",
        env_id="mmgym/Maze-v0",
        env_kwargs={"image_size": image_size, "observe_image": observe_image},
        seed=0,
        rules=Setting.parse(IMAGE_SETTING if observe_image else TEXT_SETTING).rules(10**9),
    )


async def time_steps(session: EnvSession, spec: EpisodeSpec, steps: int, warmup: int) -> tuple[float, float, int]:
    """Wall and driver-CPU microseconds per `step` (resets excluded), and the observation's size in bytes."""
    obs, _ = await session.reset(spec.seed, {})
    actions = list((await session.describe()).valid_actions)
    picks = np.random.default_rng(0).integers(len(actions), size=warmup + steps)
    wall = cpu = 0.0
    for i, pick in enumerate(picks):
        w0, c0 = time.perf_counter(), time.process_time()
        obs, _, terminated, truncated, _ = await session.step(actions[pick])
        if i >= warmup:
            wall += time.perf_counter() - w0
            cpu += time.process_time() - c0
        if terminated or truncated:
            await session.reset(spec.seed + i + 1, {})
    size = sum(v.nbytes if isinstance(v, np.ndarray) else len(str(v)) for v in obs.values())
    return wall / steps * 1e6, cpu / steps * 1e6, size


async def in_process_steps(spec: EpisodeSpec, steps: int, warmup: int) -> tuple[float, float, int]:
    session = InProcessSession(make_env(spec))
    try:
        return await time_steps(session, spec, steps, warmup)
    finally:
        await session.close()


async def actor_steps(spec: EpisodeSpec, steps: int, warmup: int) -> tuple[float, float, int]:
    pool = EnvWorkerPool(make_env, workers=1, envs_per_worker=1, num_cpus=1.0)
    try:
        session = await pool.open(spec)
        try:
            return await time_steps(session, spec, steps, warmup)
        finally:
            await session.close()
    finally:
        pool.close()


def overhead(args: argparse.Namespace) -> None:
    print(
        f"\noverhead: mmgym/Maze-v0, {args.overhead_steps} random steps after {args.warmup} warm-up steps, "
        f"images {args.image_size}x{args.image_size}; µs per step"
    )
    print(
        "observation | obs bytes | in-process wall | in-process CPU | actor wall | actor driver CPU | "
        "extra wall | extra driver CPU | others' CPU"
    )
    print(" | ".join(["---"] * 9))
    for observe_image in (False, True):
        spec = maze_spec(observe_image, args.image_size)
        with CpuSplit() as split:
            local_wall, local_cpu, size = asyncio.run(in_process_steps(spec, args.overhead_steps, args.warmup))
            actor_wall, actor_cpu, _ = asyncio.run(actor_steps(spec, args.overhead_steps, args.warmup))
        print(
            f"{'text+image' if observe_image else 'text'} | {size} | {local_wall:.0f} | {local_cpu:.0f} | "
            f"{actor_wall:.0f} | {actor_cpu:.0f} | {actor_wall - local_wall:+.0f} | {actor_cpu - local_cpu:+.0f} | "
            f"{percent(split.others)}"
        )


# ---- concurrency: the LLM agent against a fixed-latency endpoint -------------------------------

RunnerFactory = Callable[[int], Any]


def runner_factories(env_workers: int) -> dict[str, tuple[str, RunnerFactory]]:
    """The runners compared (key: label and constructor for a given concurrency).

    With env workers, each worker holds enough env slots for its share of the episodes in
    flight: the pool's slots (workers x `envs_per_worker`), not `concurrency`, bound how many
    episodes run at once.
    """
    return {
        "ray-0": ("ray, env_workers=0", lambda n: RayRunner(concurrency=n, env_workers=0)),
        "ray-model-actor": (
            "ray, env_workers=0, model_actor=always",
            lambda n: RayRunner(concurrency=n, env_workers=0, model_actor="always"),
        ),
        "ray-model-actors-2": (
            "ray, env_workers=0, model_actor=always, model_actors=2",
            lambda n: RayRunner(concurrency=n, env_workers=0, model_actor="always", model_actors=2),
        ),
        "ray-workers": (
            f"ray, env_workers={env_workers}",
            lambda n: RayRunner(concurrency=n, env_workers=env_workers, envs_per_worker=math.ceil(n / env_workers)),
        ),
        "local": ("local", lambda n: LocalRunner(concurrency=n)),
    }


def llm_run(
    runner: Any, base_url: str, level_set: str, concurrency: int, episodes: int, steps: int, image: bool
) -> tuple[float, float]:
    """Episodes/min and driver CPU seconds per episode of one `evaluate` (specs, model, store as in
    bench_llm_concurrency.py)."""
    suite, model = endpoint_workload(base_url, level_set, concurrency, episodes, steps, image)
    with tempfile.TemporaryDirectory() as run_dir:
        start, cpu = time.perf_counter(), time.process_time()
        results = evaluate(suite, lambda: LLMAgent(model=model, max_tokens=16), run_dir, runner, show_progress=False)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if results.errors:
        raise SystemExit(f"{results.errors} of {episodes} episodes failed under {runner!r}")
    return episodes / elapsed * 60, cpu / episodes


def concurrency(args: argparse.Namespace) -> None:
    server, base_url = start_server(args.latency)
    work = tempfile.TemporaryDirectory()
    level_set = str(Path(work.name) / "maze.json")
    save_set(generate_set("maze", count=2 * max(4, *args.concurrency), seed=7), Path(level_set))
    factories = runner_factories(args.env_workers)
    try:
        print(
            f"\nconcurrency: latency {args.latency * 1000:.0f} ms, {args.llm_steps} steps per episode, "
            f"image={args.image}, two waves of N episodes"
        )
        print(
            "runner | concurrent | episodes | episodes/min | scaling efficiency | driver CPU ms/episode | "
            "CPU split, share of all cores"
        )
        print(" | ".join(["---"] * 7))
        for key in args.runners or factories:
            name, factory = factories[key]
            llm_run(factory(4), base_url, level_set, 4, 4, 1, args.image)  # warm-up: imports, client, code paths
            base = None
            for n in [1, *args.concurrency]:
                episodes = max(2 * n, 4)
                with CpuSplit() as split:
                    rate, cpu = llm_run(factory(n), base_url, level_set, n, episodes, args.llm_steps, args.image)
                base = base or rate / n
                print(
                    f"{name} | {n} | {episodes} | {rate:.0f} | {rate / (n * base):.2f} | {cpu * 1000:.1f} | "
                    f"{split.describe()}"
                )
    finally:
        server.kill()
        work.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", metavar="section", help=f"any of {', '.join(SECTIONS)} (default: all)")
    group = parser.add_argument_group("scaling")
    group.add_argument("--episodes", type=int, default=64, help="episodes per run")
    group.add_argument("--steps", type=int, default=10, help="steps per episode")
    group.add_argument("--cost-ms", type=float, default=20.0, help="CPU milliseconds per env step")
    group.add_argument("--scaling-concurrency", type=int, default=8, help="episodes in flight")
    group.add_argument("--envs-per-worker", type=int, default=4, help="env slots per worker (RayRunner default: auto)")
    group.add_argument("--repeats", type=int, default=3, help="runs per worker count (alternating)")
    group = parser.add_argument_group("overhead")
    group.add_argument("--overhead-steps", type=int, default=2000, help="timed steps per observation kind")
    group.add_argument("--warmup", type=int, default=200, help="untimed steps first")
    group.add_argument("--image-size", type=int, default=384, help="the env's default")
    group = parser.add_argument_group("concurrency")
    group.add_argument("--latency", type=float, default=0.2)
    group.add_argument("--llm-steps", type=int, default=5, help="steps per episode")
    group.add_argument("--concurrency", type=int, nargs="*", default=[128, 512], help="besides 1, the baseline")
    group.add_argument("--env-workers", type=int, default=2, help="env workers of the second Ray runner")
    group.add_argument(
        "--runners",
        nargs="*",
        choices=["ray-0", "ray-model-actor", "ray-model-actors-2", "ray-workers", "local"],
        help="default: all",
    )
    group.add_argument("--image", action="store_true", help="image+text observations (PNG-encoded per request)")
    args = parser.parse_args()
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; valid: {', '.join(SECTIONS)}")
    sections = args.sections or SECTIONS

    import ray

    start = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    print(
        f"Ray {ray.__version__}: {ray.cluster_resources().get('CPU', 0):g} CPUs, started in "
        f"{time.perf_counter() - start:.1f} s (not counted below)"
    )
    try:
        for section in SECTIONS:
            if section in sections:
                {"scaling": scaling, "overhead": overhead, "concurrency": concurrency}[section](args)
    finally:
        ray.shutdown()
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
