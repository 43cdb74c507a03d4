"""How much request batching buys the local transformers backend when many episodes run at once.

    python benchmarks/bench_hf_batching.py [--episodes 8] [--turns 5] [--new-tokens 16] [--repeats 3]

Builds the tests' tiny random LLaVA model (no download), then runs the same workload twice per
repeat, alternating: `episodes` concurrent episodes, each sending `turns` requests one after the
other (a system prompt and a user turn with an image), once with batching (max_batch_size =
episodes) and once one request at a time (max_batch_size 1). Prints the median wall time,
requests/s and the speed-up. Greedy decoding, so both modes produce the same tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, TextPart
from mmgym.agents.models.hf_backend import HFBackend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "agents" / "models"))
from tiny_vlm import build_tiny_vlm  # the tests' model builder, found through the path above


def turn_messages(episode: int, turn: int, image_size: int) -> list[Message]:
    frame = np.random.default_rng(1000 * episode + turn).integers(0, 256, (image_size, image_size, 3), dtype=np.uint8)
    return [
        Message.text("system", "You are an agent in a maze. Answer with one action: up, down, left or right."),
        Message("user", (ImagePart(frame), TextPart(f"Turn {turn}. Where is the goal? Which action is best?"))),
    ]


async def run_workload(backend: HFBackend, args: argparse.Namespace) -> tuple[float, int]:
    """Wall time of all episodes, each awaiting its replies in turn; returns (seconds, completion tokens)."""
    config = GenerationConfig(max_tokens=args.new_tokens)
    tokens = 0

    async def episode(index: int) -> None:
        nonlocal tokens
        for turn in range(args.turns):
            response = await backend.generate(turn_messages(index, turn, args.image_size), config)
            tokens += response.usage.completion_tokens

    start = time.perf_counter()
    await asyncio.gather(*(episode(i) for i in range(args.episodes)))
    return time.perf_counter() - start, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=8)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--new-tokens", type=int, default=16)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--wait-ms", type=float, default=20.0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = str(build_tiny_vlm(tmp))
        modes = {
            "batched": HFBackend(
                "tiny", model_dir, device=args.device, max_batch_size=args.episodes, batch_wait_ms=args.wait_ms
            ),
            "one-by-one": HFBackend("tiny", model_dir, device=args.device, max_batch_size=1, batch_wait_ms=0),
        }
        warmup = GenerationConfig(max_tokens=2)
        for backend in modes.values():
            backend.load()
            asyncio.run(backend.generate(turn_messages(0, 0, args.image_size), warmup))
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        tokens: dict[str, int] = {}
        for _ in range(args.repeats):
            for mode, backend in modes.items():
                seconds, tokens[mode] = asyncio.run(run_workload(backend, args))
                times[mode].append(seconds)

    requests = args.episodes * args.turns
    print(
        f"{args.episodes} episodes x {args.turns} turns = {requests} requests; {args.image_size}x{args.image_size} "
        f"image, {args.new_tokens} new tokens each; median of {args.repeats}; "
        f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
    )
    print(f"{'mode':<11} {'wall s':>8} {'req/s':>8} {'tokens/s':>9} {'generate calls':>15} {'mean batch':>11}")
    medians = {}
    for mode, backend in modes.items():
        wall = medians[mode] = statistics.median(times[mode])
        sizes = backend.batch_sizes[1:]  # without the warm-up
        calls = len(sizes) // args.repeats
        print(
            f"{mode:<11} {wall:>8.3f} {requests / wall:>8.1f} {tokens[mode] / wall:>9.0f} {calls:>15} "
            f"{statistics.mean(sizes):>11.2f}"
        )
    print(f"speed-up of batching: {medians['one-by-one'] / medians['batched']:.2f}x")


if __name__ == "__main__":
    main()
