"""The PCA suite's costs: generating an item from a simulator, rendering it when played, and the closed loop.

    python benchmarks/bench_pca.py [--items 20]

Per domain: seconds per generated item (the simulator run, the rules, the texts; seeds skipped
counted), milliseconds to render a frozen item's image (what a run pays per episode), and decisions
per second of the closed loop with the expert choosing (scene stepping, the next item, a 256 px frame).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")


def generation(domain_name: str, count: int) -> tuple[float, int]:
    from mmgym.tasks.pca.env.frozen import domain

    source, made, seed = domain(domain_name), 0, 0
    start = time.perf_counter()
    while made < count:
        made += source.generate(seed, made) is not None
        seed += 1
    return (time.perf_counter() - start) / count, seed - count


def render_ms(domain_name: str, count: int) -> float:
    from mmgym.tasks.pca.env.frozen import domain, load

    source, times = domain(domain_name), []
    for item in load(domain_name)[:count]:
        start = time.perf_counter()
        source.render(item, 256)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def closed_loop(domain_name: str, count: int) -> float:
    from mmgym.tasks.pca.env.env import PCAEnv
    from mmgym.tasks.pca.env.frozen import load

    env, decisions, seconds = PCAEnv(image_size=256, decisions=8), 0, 0.0
    for item in load(domain_name)[:count]:
        env.reset(options={"item": item.model_dump()})
        start = time.perf_counter()
        for _ in range(8):
            _, _, terminated, truncated, _ = env.step(env.expert_plan()[0])
            decisions += 1
            if terminated or truncated:
                break
        seconds += time.perf_counter() - start
    env.close()
    return decisions / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    print("domain | s per generated item | seeds skipped | render ms (median) | closed loop decisions/s")
    print("--- | --- | --- | --- | ---")
    for name in ("driving", "domestic", "game"):
        per_item, skipped = generation(name, args.items)
        print(f"{name} | {per_item:.3f} | {skipped} of {args.items + skipped} | {render_ms(name, args.items):.1f} | "
              f"{closed_loop(name, args.items):.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
