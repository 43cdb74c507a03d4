"""Print per-game throughput figures and the runner's overhead against a bare Gymnasium loop.

    python benchmarks/bench_ingvp.py [--levels 50] [--steps 20] [--repeats 5] [--default-malloc]

Times are CPU seconds of this process (`time.process_time`): on a shared virtual machine wall
time swings several-fold with the neighbours' load, CPU time much less. All figures come from
one run, so ratios compare like with like:
- env steps/s with and without image rendering (random well-formed actions);
- time to generate a 50-level set with the game's generator and exact solver;
- runner overhead: the same episodes and the same actions, once through mmgym's async runner
  (rollout, records, scoring, append to episodes.jsonl, aggregation) and once as a bare
  `reset`/`step` loop, with and without image observations; the ratio is runner time / bare
  time (median of paired, alternating timings, each in a fresh interpreter).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass

os.environ.setdefault("OMP_NUM_THREADS", "1")

import gymnasium as gym
import numpy as np

import mmgym  # noqa: F401
from mmgym.core.agent import AgentReply, EpisodeContext, Turn
from mmgym.core.spec import EpisodeSpec
from mmgym.envs.puzzles import GAME_CLASSES, get_game
from mmgym.envs.puzzles.core import clear_solver_cache
from mmgym.envs.puzzles.levels import generate_set
from mmgym.results.store import ResultsStore
from mmgym.results.summarize import summarize_run
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.ingvp.suite import IngvpSuite


def scripted_actions(spec: EpisodeSpec, game_name: str) -> list[str]:
    """The fixed action list both loops play for one episode."""
    game = get_game(game_name)
    rng = np.random.default_rng(zlib.crc32(spec.id.encode()))
    env = gym.make(spec.env_id, **spec.env_kwargs).unwrapped
    obs, _ = env.reset(seed=spec.seed, options=spec.reset_options)
    candidates = game.candidate_actions(game.from_text(obs["text"]))
    return [candidates[i] for i in rng.integers(len(candidates), size=spec.rules.max_steps)]


class NullAgent:
    """Answers from a precomputed list: the agent costs nothing, so only the runner is measured."""

    def __init__(self, plans: dict[str, list[str]]) -> None:
        self.plans = plans

    async def reset(self, context: EpisodeContext) -> None:
        self.queue = iter(self.plans[context.episode_id])

    async def act(self, turn: Turn) -> AgentReply:
        return AgentReply(actions=[next(self.queue)])


def bare_loop(specs: list[EpisodeSpec], plans: dict[str, list[str]]) -> float:
    start = time.process_time()
    for spec in specs:
        env = gym.make(spec.env_id, **spec.env_kwargs).unwrapped
        env.reset(seed=spec.seed, options=spec.reset_options)
        for action in plans[spec.id]:
            result = env.step(action)  # kept until the next step, as any agent loop keeps its observation
            if result[2] or result[3]:
                break
        env.close()
    return time.process_time() - start


def runner_loop(suite: IngvpSuite, plans: dict[str, list[str]]) -> tuple[float, float]:
    """CPU seconds of `evaluate`, and of its end-of-run summary alone (bootstrap CIs per grouping)."""
    with tempfile.TemporaryDirectory() as run_dir:
        start = time.process_time()
        evaluate(suite, lambda: NullAgent(plans), run_dir, show_progress=False)
        seconds = time.process_time() - start
        records = list(ResultsStore(run_dir).records())
        start = time.process_time()
        summarize_run(suite, records)  # run once more, to time it alone
        return seconds, time.process_time() - start


def steps_per_second(game_name: str, observe_image: bool, steps: int) -> float:
    env = gym.make(f"mmgym/{_env_name(game_name)}-v0", observe_image=observe_image).unwrapped
    game = get_game(game_name)
    rng = np.random.default_rng(0)
    obs, _ = env.reset(seed=0, options={"level_index": 0})
    candidates = game.candidate_actions(game.from_text(obs["text"]))
    actions = [candidates[i] for i in rng.integers(len(candidates), size=steps)]
    start = time.process_time()
    for action in actions:
        _, _, terminated, _, _ = env.step(action)
        if terminated:
            env.reset(seed=0, options={"level_index": 0})
    return steps / (time.process_time() - start)


def _env_name(game_name: str) -> str:
    from mmgym.tasks.ingvp.suite import GAME_ENV

    return GAME_ENV[game_name]


@dataclass
class Comparison:
    bare_s: float
    runner_s: float
    summary_s: float  # the runner's end-of-run summary (bootstrap CIs), a cost per run, not per episode
    ratio: float  # median of paired runner/bare ratios
    ratio_episodes: float  # the same without the end-of-run summary
    bare_faults: float  # minor page faults per env step
    runner_faults: float


def measure_once(loop: str, game: str, setting: str, levels: int, steps: int) -> tuple[float, float, int]:
    """Seconds, summary seconds (runner only) and minor page faults of one loop, after the same warm-up
    of both loops.

    Each timing runs in a fresh interpreter (see `measure_in_child`).
    """
    suite = IngvpSuite(games=[game], settings=[setting], levels=levels, max_steps=steps)
    specs = suite.specs()
    plans = {spec.id: scripted_actions(spec, game) for spec in specs}
    warm = IngvpSuite(games=[game], settings=[setting], levels=2, max_steps=steps)
    bare_loop(specs[:2], plans)
    runner_loop(warm, plans)
    clear_solver_cache()  # each loop pays for its own solver calls
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    seconds, summary = (bare_loop(specs, plans), 0.0) if loop == "bare" else runner_loop(suite, plans)
    return seconds, summary, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


# With glibc's default, adaptive thresholds, whether a freed 0.4 MB frame is reused or handed
# back to the kernel (and faulted in again, page by page, for the next frame) depends on the
# heap's history: the same loop measured 5 or 45 page faults per step depending on what ran
# before it. Fixed thresholds make both loops reuse their frames; `--default-malloc` turns
# this off to show the lottery.
PINNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(4 << 20), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}


Timing = tuple[float, float, int]  # seconds, of which end-of-run summary, page faults


def measure_in_child(loop: str, game: str, setting: str, levels: int, steps: int, pinned: bool) -> Timing:
    """One timing in a fresh interpreter, so that neither loop inherits the other's heap."""
    command = [sys.executable, __file__, "--child", loop, game, setting, str(levels), str(steps)]
    env = {**os.environ, **(PINNED_MALLOC if pinned else {})}
    result = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    seconds, summary, faults = result.stdout.split()
    return float(seconds), float(summary), int(faults)


def overhead(game: str, setting: str, levels: int, steps: int, repeats: int, pinned: bool) -> Comparison:
    """Bare loop against the runner on the same episodes and actions.

    The two loops alternate, and each ratio compares two neighbouring timings, so that the
    machine's slow spells (large on shared virtual machines) hit both sides of a pair alike.
    """
    bare, runner = [], []
    for _ in range(repeats):
        bare.append(measure_in_child("bare", game, setting, levels, steps, pinned))
        runner.append(measure_in_child("runner", game, setting, levels, steps, pinned))
    n_steps = levels * steps
    pairs = list(zip(runner, bare, strict=True))
    return Comparison(
        bare_s=statistics.median(b[0] for b in bare),
        runner_s=statistics.median(r[0] for r in runner),
        summary_s=statistics.median(r[1] for r in runner),
        ratio=statistics.median(r[0] / b[0] for r, b in pairs),
        ratio_episodes=statistics.median((r[0] - r[1]) / b[0] for r, b in pairs),
        bare_faults=statistics.median(b[2] for b in bare) / n_steps,
        runner_faults=statistics.median(r[2] for r in runner) / n_steps,
    )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        loop, game, setting, levels, steps = sys.argv[2:7]
        print(*measure_once(loop, game, setting, int(levels), int(steps)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=50, help="levels per game for the runner comparison")
    parser.add_argument("--steps", type=int, default=20, help="steps per episode (multi-step, no history)")
    parser.add_argument("--repeats", type=int, default=5, help="paired timings per game and modality")
    parser.add_argument("--games", nargs="*", default=list(GAME_CLASSES))
    parser.add_argument("--default-malloc", action="store_true", help="do not pin glibc's malloc thresholds")
    args = parser.parse_args()

    print("game | steps/s img | steps/s text | gen 50 levels (s)")
    print("--- | --- | --- | ---")
    for game in args.games:
        with_image = steps_per_second(game, True, 300)
        text_only = steps_per_second(game, False, 300)
        start = time.process_time()
        generate_set(game, count=50, seed=12345)
        print(f"{game} | {with_image:.0f} | {text_only:.0f} | {time.process_time() - start:.2f}")

    malloc = "default" if args.default_malloc else "pinned"
    print(
        f"\nrunner vs bare loop, {args.levels} levels x {args.steps} steps, null agent, "
        f"median of {args.repeats}, {malloc} malloc thresholds"
    )
    print(
        "game | obs | bare (s) | runner (s) | of which summary (s) | ratio | ratio without summary | "
        "runner extra ms/episode without summary | page faults/step bare | runner"
    )
    print(" | ".join(["---"] * 10))
    ratios: dict[str, list[float]] = {"image": [], "text": []}
    for game in args.games:
        for obs, setting in (("image", "multi_step-image_text-no_history"), ("text", "multi_step-text-no_history")):
            c = overhead(game, setting, args.levels, args.steps, args.repeats, not args.default_malloc)
            ratios[obs].append(c.ratio_episodes)
            extra_ms = (c.runner_s - c.summary_s - c.bare_s) / args.levels * 1000
            print(
                f"{game} | {obs} | {c.bare_s:.3f} | {c.runner_s:.3f} | {c.summary_s:.3f} | {c.ratio:.3f} | "
                f"{c.ratio_episodes:.3f} | {extra_ms:.2f} | {c.bare_faults:.1f} | {c.runner_faults:.1f}"
            )
    for obs, values in ratios.items():
        print(f"mean ratio without the summary, {obs} observations: {statistics.mean(values):.3f}")


if __name__ == "__main__":
    main()
