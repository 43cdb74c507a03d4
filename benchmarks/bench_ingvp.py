"""Print per-game throughput figures and the runner's overhead against a bare Gymnasium loop.

    python benchmarks/bench_ingvp.py [--levels 50] [--steps 20]

Figures (all measured in this one run, so ratios compare like with like):
- env steps/s with and without image rendering (random well-formed actions);
- time to generate a 50-level set with the game's generator and exact solver;
- runner overhead: the same episodes and the same actions, once through mmgym's async runner
  (rollout, records, scoring, append to episodes.jsonl, aggregation) and once as a bare
  `reset`/`step` loop, with and without image observations; the ratio is runner time / bare
  time (median of paired, alternating timings).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import zlib

os.environ.setdefault("OMP_NUM_THREADS", "1")

import gymnasium as gym
import numpy as np

import mmgym  # noqa: F401
from mmgym.agents.base import AgentReply, EpisodeContext, Turn
from mmgym.envs.games import GAME_CLASSES, get_game
from mmgym.envs.games.core import _memo_solve
from mmgym.envs.games.levels import generate_set
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.ingvp import IngvpSuite
from mmgym.tasks.spec import EpisodeSpec


def scripted_actions(spec: EpisodeSpec, game_name: str) -> list[str]:
    """The fixed action list both loops play for one episode."""
    game = get_game(game_name)
    rng = np.random.default_rng(zlib.crc32(spec.id.encode()))
    env = gym.make(spec.env_id, **spec.env_kwargs).unwrapped
    obs, _ = env.reset(seed=spec.seed, options=spec.reset_options)
    candidates = game.candidate_actions(game.from_text(obs["text"]))
    return [candidates[i] for i in rng.integers(len(candidates), size=spec.max_steps)]


class NullAgent:
    """Answers from a precomputed list: the agent costs nothing, so only the runner is measured."""

    def __init__(self, plans: dict[str, list[str]]) -> None:
        self.plans = plans

    async def reset(self, context: EpisodeContext) -> None:
        self.queue = iter(self.plans[context.episode_id])

    async def act(self, turn: Turn) -> AgentReply:
        return AgentReply(actions=[next(self.queue)])


def bare_loop(specs: list[EpisodeSpec], plans: dict[str, list[str]]) -> float:
    start = time.perf_counter()
    for spec in specs:
        env = gym.make(spec.env_id, **spec.env_kwargs).unwrapped
        env.reset(seed=spec.seed, options=spec.reset_options)
        for action in plans[spec.id]:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                break
        env.close()
    return time.perf_counter() - start


def runner_loop(suite: IngvpSuite, plans: dict[str, list[str]]) -> float:
    with tempfile.TemporaryDirectory() as run_dir:
        start = time.perf_counter()
        evaluate(suite, lambda: NullAgent(plans), run_dir, show_progress=False)
        return time.perf_counter() - start


def steps_per_second(game_name: str, observe_image: bool, steps: int) -> float:
    env = gym.make(f"mmgym/{_env_name(game_name)}-v0", observe_image=observe_image).unwrapped
    game = get_game(game_name)
    rng = np.random.default_rng(0)
    obs, _ = env.reset(seed=0, options={"level_index": 0})
    candidates = game.candidate_actions(game.from_text(obs["text"]))
    actions = [candidates[i] for i in rng.integers(len(candidates), size=steps)]
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, _, _ = env.step(action)
        if terminated:
            env.reset(seed=0, options={"level_index": 0})
    return steps / (time.perf_counter() - start)


def _env_name(game_name: str) -> str:
    from mmgym.tasks.ingvp import GAME_ENV

    return GAME_ENV[game_name]


def overhead(game: str, setting: str, levels: int, steps: int, repeats: int) -> tuple[float, float, float]:
    """Median seconds of the bare loop and of the runner, and the median of their paired ratios.

    The two loops alternate, and each ratio compares two neighbouring timings, so that the
    machine's slow spells (large on shared virtual machines) hit both sides of a pair alike.
    """
    suite = IngvpSuite(games=[game], settings=[setting], levels=levels, max_steps=steps)
    specs = suite.specs()
    plans = {spec.id: scripted_actions(spec, game) for spec in specs}
    bare_loop(specs[:3], plans)  # import and level-set loading costs out of both timings
    bare, runner = [], []
    for _ in range(repeats):
        _memo_solve.cache_clear()  # each loop pays for its own solver calls
        bare.append(bare_loop(specs, plans))
        _memo_solve.cache_clear()
        runner.append(runner_loop(suite, plans))
    ratios = [r / b for r, b in zip(runner, bare, strict=True)]
    return statistics.median(bare), statistics.median(runner), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=20, help="levels per game for the runner comparison")
    parser.add_argument("--steps", type=int, default=20, help="steps per episode (multi-step, no history)")
    parser.add_argument("--repeats", type=int, default=9, help="paired timings per game and modality")
    parser.add_argument("--games", nargs="*", default=list(GAME_CLASSES))
    args = parser.parse_args()

    columns = (
        "game",
        "steps/s img",
        "steps/s text",
        "gen 50 (s)",
        "bare img (s)",
        "runner img (s)",
        "ratio img",
        "bare text (s)",
        "runner text (s)",
        "ratio text",
    )
    print(" | ".join(columns))
    print(" | ".join("---" for _ in columns))
    ratios = []
    for game in args.games:
        with_image = steps_per_second(game, True, 300)
        text_only = steps_per_second(game, False, 300)
        start = time.perf_counter()
        generate_set(game, count=50, seed=12345)
        generation = time.perf_counter() - start
        row = [game, f"{with_image:.0f}", f"{text_only:.0f}", f"{generation:.2f}"]
        for setting in ("multi_step-image_text-no_history", "multi_step-text-no_history"):
            bare, runner, ratio = overhead(game, setting, args.levels, args.steps, args.repeats)
            if "image" in setting:
                ratios.append(ratio)
            row += [f"{bare:.3f}", f"{runner:.3f}", f"{ratio:.3f}"]
        row.append(f"{(runner - bare) / args.levels * 1000:.2f}")
        print(" | ".join(row))
    print(f"\nrunner / bare with images (median paired ratio), mean over games: {statistics.mean(ratios):.3f}")


if __name__ == "__main__":
    main()
