"""One cell of bench_llm_concurrency.py, in a process of its own so that its peak RSS is its own.

    python benchmarks/llm_cell.py BASE_URL WORK_DIR N STEPS text|image RECORD(0|1) WAVES

Prints one JSON line: steps, steps/s, peak RSS (MiB) and CPU ms per step. It uses only APIs that
mmgym has had since its first LLM agent, or reads them either way (the suite's scoring, sync before
the generic contracts and async since; results as a dict before and typed since), so
`bench_llm_concurrency.py --before REV` can run it against an older checkout for before/after figures.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

from mmgym.agents.llm import LLMAgent
from mmgym.envs.puzzles.levels import generate_set, save_set
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.runners.recorder import RecordConfig
from mmgym.tasks.ingvp.suite import IngvpSuite, score_ingvp

SETTINGS = {"image": "multi_step-image_text-history", "text": "multi_step-text-history"}


try:  # the generic core: async scoring, declared metrics, typed results
    from mmgym.tasks.scoring import overall

    GENERIC_CORE = True
except ImportError:  # an older mmgym (for `bench_llm_concurrency.py --before`)
    GENERIC_CORE = False


class BothGames:
    """Maze and Sokoban levels in one run (each game's level set is its own file), scored as ING-VP."""

    name = "bench"
    metrics = IngvpSuite.metrics
    macro_over = ()

    def __init__(self, suites: list[IngvpSuite]) -> None:
        self.suites = suites

    def specs(self) -> list[Any]:
        return [spec for pair in zip(*(suite.specs() for suite in self.suites), strict=True) for spec in pair]

    if GENERIC_CORE:

        async def score(self, record: Any) -> dict[str, float]:
            return score_ingvp(record)

        def groupings(self) -> dict[str, Callable[[Any], str]]:
            return {"overall": overall}

        async def notes(self) -> dict[str, Any]:
            return {}

    else:

        def score(self, record: Any) -> dict[str, float]:
            return score_ingvp(record)

        def groupings(self) -> dict[str, Callable[[Any], str]]:
            return {"overall": lambda record: "all"}


def model_config(base_url: str, concurrency: int) -> dict[str, Any]:
    return {
        "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
        "name": "bench",
        "model": "bench",
        "base_url": base_url,
        "max_concurrency": max(concurrency, 1),
        "timeout_s": 30,
    }


def play_cell(
    base_url: str, work: Path, concurrency: int, steps: int, obs: str, record: bool, waves: int
) -> dict[str, float]:
    """`waves` x `concurrency` episodes of exactly `steps` turns; returns rate, peak RSS and CPU per step."""
    levels = -(-waves * concurrency // 2)  # per game
    suites = []
    for game in ("maze", "sokoban"):
        path = work / f"{game}-{levels}.json"
        if not path.exists():
            save_set(generate_set(game, count=levels, seed=7), path)
        suites.append(IngvpSuite(games=[game], settings=[SETTINGS[obs]], level_set=str(path), max_steps=steps))
    model = model_config(base_url, concurrency)

    def agent() -> LLMAgent:
        return LLMAgent(model=model, max_tokens=16, max_consecutive_failures=steps + 1)

    cpu_start, wall_start = time.process_time(), time.perf_counter()
    with tempfile.TemporaryDirectory() as run_dir:
        runner = LocalRunner(concurrency=concurrency)
        results = evaluate(BothGames(suites), agent, run_dir, runner, False, RecordConfig() if record else None)
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    usage = results["usage"] if isinstance(results, dict) else results.usage
    played = int(usage["model_calls"])
    return {
        "steps": played,
        "steps_per_s": played / wall,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_ms_per_step": cpu / played * 1000,
    }


if __name__ == "__main__":
    base_url, work, n, steps, obs, record, waves = sys.argv[1:8]
    print(json.dumps(play_cell(base_url, Path(work), int(n), int(steps), obs, record == "1", int(waves))))
