"""Shared measurements of the embodied suites' benchmarks: the env alone under the expert, and whole runs
of the expert under the local runner and under Ray with one and two env workers."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any


def startup(script: str, labels: Sequence[str]) -> None:
    """Run `script` in a fresh process; it prints one duration in seconds per label."""
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    durations = map(float, output.stdout.split()[-len(labels) :])
    print("\nsimulator start-up (fresh process) | s")
    print("--- | ---")
    for label, seconds in zip(labels, durations, strict=True):
        print(f"{label} | {seconds:.2f}")


def env_speed(
    make_env: Callable[..., Any], scenes: Sequence[Any], cells: Sequence[tuple[str, dict]], title: str
) -> None:
    """Steps/s of the expert's plans over `scenes`, for each (label, env kwargs) cell; `render=True` in the
    kwargs also draws the second view each step, as recording does."""
    print(f"\n{title} | steps/s | ms/step | reset ms")
    print("--- | --- | --- | ---")
    for label, kwargs in cells:
        kwargs = dict(kwargs)
        render = kwargs.pop("render", False)
        env = make_env(**kwargs)
        steps, step_time, reset_time = 0, 0.0, 0.0
        for scene in scenes:
            start = time.perf_counter()
            env.reset(options={"scene": scene})
            reset_time += time.perf_counter() - start
            start = time.perf_counter()
            for _ in range(30):  # the expert's next action from the state, as agent=oracle plays
                plan = env.expert_plan()
                if not plan:
                    break
                _, _, terminated, _, _ = env.step(plan[0])
                steps += 1
                if render:
                    env.render()
                if terminated:
                    break
            step_time += time.perf_counter() - start
        per_step, per_reset = step_time / steps * 1000, reset_time / len(scenes) * 1000
        print(f"{label} | {steps / step_time:.0f} | {per_step:.1f} | {per_reset:.0f}")
        env.close()


def expert_runs(suite: Any, title: str) -> None:
    """Episodes/min of the expert: local with videos off and on, Ray with one and two env workers."""
    from mmgym.agents.scripted import ExpertAgent
    from mmgym.results.store import ResultsStore
    from mmgym.runners.evaluate import evaluate
    from mmgym.runners.local import LocalRunner
    from mmgym.runners.ray.runner import RayRunner
    from mmgym.runners.recorder import RecordConfig

    cells = [
        ("local, videos off", LocalRunner(concurrency=4), None),
        ("local, videos on (both views)", LocalRunner(concurrency=4), RecordConfig()),
        ("ray, 1 env worker", RayRunner(num_cpus=2, env_workers=1, concurrency=4), None),
        ("ray, 2 env workers", RayRunner(num_cpus=2, env_workers=2, concurrency=4), None),
    ]
    print(f"\n{title} | episodes/min (steady) | steps/s (all) | wall s | success")
    print("--- | --- | --- | --- | ---")
    rates = {}
    for label, runner, record in cells:
        with tempfile.TemporaryDirectory() as run_dir:
            start = time.perf_counter()
            results = evaluate(suite, ExpertAgent, run_dir, runner, False, record)
            wall = time.perf_counter() - start
            finished = sorted(r.started_at + r.duration_s for r in ResultsStore(run_dir).records())
        steps = results.overall()["steps"].mean * results.episodes
        # Steady state: episodes finished after the first one, over the time between the first and the last
        # (start-up, Ray's and the workers', left out).
        rates[label] = (len(finished) - 1) / (finished[-1] - finished[0]) * 60
        success = results.overall()["success"].mean
        print(f"{label} | {rates[label]:.1f} | {steps / wall:.1f} | {wall:.1f} | {success:.0f}")
    speedup = rates["ray, 2 env workers"] / rates["ray, 1 env worker"]
    print(f"\nray, steady state: 2 env workers / 1 env worker = {speedup:.2f}x")
