"""BabyAI at the primitive level through the LLM agent, side by side with BALROG's loop: steps/s and peak RSS.

    python benchmarks/bench_babyai.py [--latency 0.2] [--concurrency 16 64 128] [--steps 20]

The LLM agent with the OpenAI-compatible backend plays all 250 episodes of the five BabyAI
subsets at the primitive level against the test suite's scripted endpoint (its own process),
which answers every request after `--latency` seconds with a valid action ("turn left"), so every
episode plays exactly `--steps` steps. Each cell (N concurrent episodes; text or image+text
observations, 224 px) runs in a fresh process so that its peak RSS is its own; no videos.
Efficiency is steps/s against the ideal N / latency.

For comparison, BALROG's evaluator on the same 2-core machine ran BabyAI at 58 steps/s with 16
worker processes, in 3.0 GiB of RSS (measured for the issue that asked for this benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from bench_llm_concurrency import start_server  # this script's folder is first on sys.path
from llm_cell import model_config

REPLY = '{"action": "turn left"}'


def play_cell(base_url: str, concurrency: int, steps: int, observation: str) -> dict[str, float]:
    from mmgym.agents.llm import LLMAgent
    from mmgym.runners.evaluate import evaluate
    from mmgym.runners.local import LocalRunner
    from mmgym.tasks.babyai.suite import BabyAISuite

    suite = BabyAISuite(action_level="primitive", observation=observation, max_steps=steps)
    model = model_config(base_url, concurrency)

    def agent() -> LLMAgent:
        return LLMAgent(model=model, max_tokens=16, max_consecutive_failures=steps + 1)

    cpu_start, wall_start = time.process_time(), time.perf_counter()
    with tempfile.TemporaryDirectory() as run_dir:
        results = evaluate(suite, agent, run_dir, LocalRunner(concurrency=concurrency), show_progress=False)
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    played = int(results.usage["model_calls"])
    return {
        "episodes": results.episodes,
        "errors": results.errors,
        "steps": played,
        "steps_per_s": played / wall,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_ms_per_step": cpu / played * 1000,
    }


def main() -> None:
    if sys.argv[1:2] == ["--cell"]:
        base_url, n, steps, observation = sys.argv[2:6]
        print(json.dumps(play_cell(base_url, int(n), int(steps), observation)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[16, 64, 128])
    args = parser.parse_args()
    server, base_url = start_server(args.latency, REPLY)
    try:
        print(f"BabyAI, primitive actions, 250 episodes x {args.steps} steps, latency {args.latency * 1000:.0f} ms")
        print("observation | concurrent episodes | steps/s | efficiency | peak RSS (MiB) | CPU ms/step | errors")
        print("--- | --- | --- | --- | --- | --- | ---")
        for observation in ("text", "image_text"):
            for n in args.concurrency:
                command = [sys.executable, __file__, "--cell", base_url, str(n), str(args.steps), observation]
                output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
                cell = json.loads(output.strip().splitlines()[-1])
                efficiency = cell["steps_per_s"] / (n / args.latency)
                print(
                    f"{observation} | {n} | {cell['steps_per_s']:.0f} | {efficiency:.2f} | "
                    f"{cell['peak_rss_mib']:.0f} | {cell['cpu_ms_per_step']:.2f} | {cell['errors']}",
                    flush=True,
                )
    finally:
        server.kill()


if __name__ == "__main__":
    main()
