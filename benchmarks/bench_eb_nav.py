"""The EB-Navigation suite on MiniWorld: simulator start-up, steps/s, the cost of recording, and the expert
under `runner=ray` with one and two env workers.

    python benchmarks/bench_eb_nav.py [--episodes 10]

Each figure comes from the real pipeline (`evaluate` with the expert agent) or the env itself, on
this machine's software OpenGL (EGL on Mesa llvmpipe). `--episodes` is per subset for the runs.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from embodied import env_speed, expert_runs, startup

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


STARTUP_LABELS = (
    "import mmgym's MiniWorld env",
    "build the env (OpenGL context, frame buffers)",
    "first 30 scenes (each mesh's geometry and texture loaded once)",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10, help="episodes per subset in the runs")
    args = parser.parse_args()
    from mmgym.envs.miniworld.env import EBNavEnv
    from mmgym.envs.miniworld.episodes import load_subset
    from mmgym.tasks.embodiedbench.nav import EBNavSuite

    startup(STARTUP, STARTUP_LABELS)
    scenes = [episode.scene for episode in load_subset("base").episodes[:20]]
    cells = [
        ("image 256 px (the default)", {"image_size": 256}),
        ("image 500 px (EB-Navigation's)", {"image_size": 500}),
        ("text only", {"image_size": 256, "observe_image": False}),
        ("image 256 px + top view 256 px (recording)", {"image_size": 256, "render": True}),
    ]
    env_speed(EBNavEnv, scenes, cells, "env alone: the expert's steps over 20 base episodes")
    expert_runs(EBNavSuite(episodes=args.episodes), f"the expert on {5 * args.episodes} episodes, 256 px")


if __name__ == "__main__":
    main()
