"""Episodes per minute of the LLM agent against an OpenAI-compatible endpoint with a fixed latency.

    python benchmarks/bench_llm_concurrency.py [--latency 0.2] [--concurrency 1 8 32 64 128] [--image]

The endpoint is the test suite's scripted server (tests/agents/models/fault_server.py), run in a
separate process so that it does not share the runner's CPU core; every reply takes `--latency`
seconds and says `{"action": "up"}`. Each episode is a Maze level played for `--steps` turns, so
an episode lasts at least steps x latency. The figure of merit is the scaling efficiency:
episodes/min at N concurrent episodes divided by N x episodes/min at 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

from mmgym.agents.llm import LLMAgent
from mmgym.envs.games.levels import generate_set, save_set
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp import IngvpSuite

SERVER_DIR = Path(__file__).resolve().parent.parent / "tests" / "agents" / "models"
SERVER = """
import sys, time
sys.path.insert(0, {dir!r})
from fault_server import FaultServer
with FaultServer(latency_s={latency}, reply_text='{{"action": "up"}}') as server:
    print(server.base_url, flush=True)
    time.sleep(10**6)
"""


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    code = SERVER.format(dir=str(SERVER_DIR), latency=latency)
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def endpoint_workload(
    base_url: str, level_set: str, concurrency: int, episodes: int, steps: int, image: bool
) -> tuple[IngvpSuite, dict[str, Any]]:
    """The Maze suite and the endpoint's model config that the concurrency benchmarks play."""
    setting = "multi_step-image_text-no_history" if image else "multi_step-text-no_history"
    suite = IngvpSuite(
        games=["maze"], settings=[setting], level_set=level_set, levels=episodes, max_steps=steps, image_size=256
    )
    model = {
        "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
        "name": "bench",
        "model": "bench",
        "base_url": base_url,
        "max_concurrency": max(concurrency, 1),
        "timeout_s": 30,
    }
    return suite, model


def episodes_per_minute(
    base_url: str, level_set: str, concurrency: int, episodes: int, steps: int, image: bool
) -> float:
    suite, model = endpoint_workload(base_url, level_set, concurrency, episodes, steps, image)
    with tempfile.TemporaryDirectory() as run_dir:
        start = time.perf_counter()
        evaluate(
            suite,
            lambda: LLMAgent(model=model, max_tokens=16),
            run_dir,
            LocalRunner(concurrency=concurrency),
            show_progress=False,
        )
        elapsed = time.perf_counter() - start
    return episodes / elapsed * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 8, 32, 64, 128])
    parser.add_argument("--image", action="store_true", help="image+text observations (PNG-encoded per request)")
    args = parser.parse_args()
    server, base_url = start_server(args.latency)
    work = tempfile.TemporaryDirectory()
    level_set = str(Path(work.name) / "maze.json")
    save_set(generate_set("maze", count=2 * max(args.concurrency), seed=7), Path(level_set))
    try:
        print(f"latency {args.latency * 1000:.0f} ms, {args.steps} steps per episode, image={args.image}")
        print("concurrent | episodes | episodes/min | scaling efficiency")
        print("--- | --- | --- | ---")
        base = None
        for n in args.concurrency:
            episodes = max(2 * n, 4)  # two full waves of n episodes
            rate = episodes_per_minute(base_url, level_set, n, episodes, args.steps, args.image)
            base = base or rate / n
            print(f"{n} | {episodes} | {rate:.0f} | {rate / (n * base):.2f}")
    finally:
        server.kill()
        work.cleanup()


if __name__ == "__main__":
    main()
