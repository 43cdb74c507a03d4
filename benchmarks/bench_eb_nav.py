"""The EB-Navigation suite on MiniWorld: simulator start-up, steps/s, the cost of recording, and the expert
under `runner=ray` with one and two env workers.

    python benchmarks/bench_eb_nav.py [--episodes 10]

Each figure comes from the real pipeline (`evaluate` with the expert agent) or the env itself, on
this machine's software OpenGL (EGL on Mesa llvmpipe). `--episodes` is per subset for the runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

STARTUP = """
import time
start = time.perf_counter()
from mmgym.envs.miniworld.env import EBNavEnv
from mmgym.envs.miniworld.episodes import load_subset
imported = time.perf_counter()
env = EBNavEnv()
built = time.perf_counter()
for subset in ("base", "common_sense", "long_horizon"):  # loads every mesh a scene may hold, once
    for episode in load_subset(subset).episodes[:10]:
        env.reset(options={"scene": episode.scene})
ready = time.perf_counter()
print(imported - start, built - imported, ready - built)
"""


def startup() -> None:
    output = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True)
    imported, built, scenes = map(float, output.stdout.split()[-3:])
    print("\nsimulator start-up (fresh process) | s")
    print("--- | ---")
    print(f"import mmgym's MiniWorld env | {imported:.2f}")
    print(f"build the env (OpenGL context, frame buffers) | {built:.2f}")
    print(f"first 30 scenes (each mesh's geometry and texture loaded once) | {scenes:.2f}")


def env_speed() -> None:
    from mmgym.envs.miniworld.env import EBNavEnv
    from mmgym.envs.miniworld.episodes import load_subset

    print("\nenv alone: the expert's steps over 20 base episodes | steps/s | ms/step | reset ms")
    print("--- | --- | --- | ---")
    scenes = [episode.scene for episode in load_subset("base").episodes[:20]]
    for label, kwargs in (
        ("image 256 px (the default)", {"image_size": 256}),
        ("image 500 px (EB-Navigation's)", {"image_size": 500}),
        ("text only", {"image_size": 256, "observe_image": False}),
        ("image 256 px + top view 256 px (recording)", {"image_size": 256, "render": True}),
    ):
        render = kwargs.pop("render", False)
        env = EBNavEnv(**kwargs)
        env.reset(options={"scene": scenes[0]})
        plans = []
        for scene in scenes:
            env.reset(options={"scene": scene})
            plans.append(env.expert_plan())
        steps, step_time, reset_time = 0, 0.0, 0.0
        for scene, plan in zip(scenes, plans, strict=True):
            start = time.perf_counter()
            env.reset(options={"scene": scene})
            reset_time += time.perf_counter() - start
            start = time.perf_counter()
            for action in plan:
                env.step(action)
                if render:
                    env.render()
            step_time += time.perf_counter() - start
            steps += len(plan)
        per_step, per_reset = step_time / steps * 1000, reset_time / len(scenes) * 1000
        print(f"{label} | {steps / step_time:.0f} | {per_step:.1f} | {per_reset:.0f}")
        env.close()


def runs(episodes: int) -> None:
    from mmgym.agents.scripted import ExpertAgent
    from mmgym.results.store import ResultsStore
    from mmgym.runners.evaluate import evaluate
    from mmgym.runners.local import LocalRunner
    from mmgym.runners.ray.runner import RayRunner
    from mmgym.runners.recorder import RecordConfig
    from mmgym.tasks.eb_nav import EBNavSuite

    suite = EBNavSuite(episodes=episodes)
    cells = [
        ("local, videos off", LocalRunner(concurrency=4), None),
        ("local, videos on (camera + top view)", LocalRunner(concurrency=4), RecordConfig()),
        ("ray, 1 env worker", RayRunner(num_cpus=2, env_workers=1, concurrency=4), None),
        ("ray, 2 env workers", RayRunner(num_cpus=2, env_workers=2, concurrency=4), None),
    ]
    print(f"\nthe expert on {5 * episodes} episodes, 256 px | episodes/min (steady) | steps/s (all) | wall s | success")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10, help="episodes per subset in the runs")
    args = parser.parse_args()
    startup()
    env_speed()
    runs(args.episodes)


if __name__ == "__main__":
    main()
