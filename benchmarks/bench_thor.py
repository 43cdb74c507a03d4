"""The AI2-THOR tracks through ai2thor's real `Controller`, against mmgym's stand-in build: what the whole
path costs without Unity (the Controller's FIFO protocol, the stand-in's metadata and drawn frame, the
adapter and the expert; on real AI2-THOR, Unity's physics and rendering replace the stand-in's share).

    python benchmarks/bench_thor.py

Figures: start-up in a fresh process; raw Controller round trips at two frame sizes; EB-ALFRED
skills/s and EB-Navigation steps/s with the expert; how long a simulator's death takes to notice.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from embodied import startup

STARTUP = """
import time
start = time.perf_counter()
from mmgym.envs.thor.session import ThorConfig, ThorSession
imported = time.perf_counter()
session = ThorSession(ThorConfig(executable="standin", width=500, height=500))
session.reset("FloorPlan1")
started = time.perf_counter()
session.reset("FloorPlan301")
print(imported - start, started - imported, time.perf_counter() - started)
session.close()
"""
STARTUP_LABELS = ("import ai2thor and mmgym's session", "start the stand-in through the Controller", "change scene")


def round_trips() -> None:
    from mmgym.envs.thor.session import ThorConfig, ThorSession

    print("\nraw Controller round trip (RotateRight) | actions/s | ms/action")
    print("--- | --- | ---")
    for size in (64, 500):
        session = ThorSession(ThorConfig(executable="standin", width=size, height=size))
        session.reset("FloorPlan1")
        start, n = time.perf_counter(), 300
        for _ in range(n):
            session.step({"action": "RotateRight", "degrees": 90})
        seconds = time.perf_counter() - start
        print(f"{size} x {size} frames | {n / seconds:.0f} | {1000 * seconds / n:.2f}")
        session.close()


def expert_speed() -> None:
    from mmgym.envs.thor.alfred_env import EBAlfredEnv
    from mmgym.envs.thor.nav_env import EBThorNavEnv
    from mmgym.tasks.embodiedbench import alfred_data, nav_data
    from mmgym.tasks.embodiedbench.thor import standin_data

    tracks = [
        ("EB-ALFRED skills", EBAlfredEnv, alfred_data, "eb_alfred"),
        ("EB-Navigation actions", EBThorNavEnv, nav_data, "eb_navigation"),
    ]
    print("\nthe expert over every stand-in episode, 500 px | steps/s | ms/step | reset ms")
    print("--- | --- | --- | ---")
    for label, env_type, data, folder in tracks:
        env = env_type(image_size=500, executable="standin")
        episodes = [e for subset in data.SUBSETS for e in data.load_subset(standin_data(folder), subset)]
        steps, step_time, resets = 0, 0.0, []
        for _ in range(3):
            for episode in episodes:
                start = time.perf_counter()
                env.reset(options={"episode": episode.model_dump()})
                resets.append(time.perf_counter() - start)
                start = time.perf_counter()
                while plan := env.expert_plan():
                    _, _, terminated, truncated, _ = env.step(plan[0])
                    steps += 1
                    if terminated or truncated:
                        break
                step_time += time.perf_counter() - start
        reset_ms = 1000 * statistics.median(resets)
        print(f"{label} | {steps / step_time:.0f} | {1000 * step_time / steps:.1f} | {reset_ms:.0f}")
        env.close()


def death_notice() -> None:
    """The stand-in dies on receiving its 8th action (the second skill's): time the call that notices."""
    import tempfile
    from pathlib import Path

    from mmgym.envs.thor.alfred_env import EBAlfredEnv
    from mmgym.errors import SimulatorLost
    from mmgym.tasks.embodiedbench import alfred_data
    from mmgym.tasks.embodiedbench.thor import standin_data

    episode = alfred_data.load_subset(standin_data("eb_alfred"), "base")[0]
    delays = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as folder:
            os.environ["MMGYM_STANDIN_CRASH_AT"] = f"8:{Path(folder) / 'crashed'}"
            env = EBAlfredEnv(image_size=64, executable="standin")
            env.reset(options={"episode": episode.model_dump()})
            for _ in range(5):
                start = time.perf_counter()
                try:
                    env.step(env.expert_plan()[0])
                except SimulatorLost:
                    delays.append(time.perf_counter() - start)
                    break
            env.close()
    del os.environ["MMGYM_STANDIN_CRASH_AT"]
    print(f"\na simulator that dies during a step is noticed in {1000 * statistics.median(delays):.0f} ms"
          f" (median of {len(delays)}); ai2thor alone waits out its server timeout (100 s)")  # fmt: skip


def main() -> None:
    startup(STARTUP, STARTUP_LABELS)
    round_trips()
    expert_speed()
    death_notice()


if __name__ == "__main__":
    main()
