"""The EB-Manipulation suite on MuJoCo: simulator start-up, steps/s, the cost of recording, and the expert
under `runner=ray` with one and two env workers.

    python benchmarks/bench_eb_manip.py [--episodes 8]

Each figure comes from the real pipeline (`evaluate` with the expert agent) or the env itself, with
MuJoCo rendering through EGL (Mesa's software OpenGL on a machine without a GPU). `--episodes` is
per subset for the runs.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from embodied import env_speed, expert_runs, startup

STARTUP = """
import time
start = time.perf_counter()
from mmgym.envs.mujoco.env import EBManipEnv
from mmgym.envs.mujoco.frozen import load_subset
imported = time.perf_counter()
env = EBManipEnv()
built = time.perf_counter()
env.reset(options={"scene": load_subset("base").episodes[0].scene})
ready = time.perf_counter()
print(imported - start, built - imported, ready - built)
"""


STARTUP_LABELS = (
    "import MuJoCo and mmgym's tabletop env",
    "build the env (compile the model, EGL context, renderer)",
    "first scene",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=8, help="episodes per subset in the runs")
    args = parser.parse_args()
    from mmgym.envs.mujoco.env import EBManipEnv
    from mmgym.envs.mujoco.frozen import load_subset
    from mmgym.tasks.embodiedbench.manip import EBManipSuite

    startup(STARTUP, STARTUP_LABELS)
    scenes = [episode.scene for episode in load_subset("base").episodes[:12]]
    cells = [
        ("image 256 px (the default)", {"image_size": 256}),
        ("image 500 px (EB-Manipulation's)", {"image_size": 500}),
        ("text only", {"observe_image": False}),
        ("image 256 px + side camera 256 px (recording)", {"image_size": 256, "render": True}),
    ]
    env_speed(EBManipEnv, scenes, cells, "env alone: the expert over 12 base episodes (3 of each task)")
    expert_runs(EBManipSuite(episodes=args.episodes), f"the expert on {5 * args.episodes} episodes, 256 px")


if __name__ == "__main__":
    main()
