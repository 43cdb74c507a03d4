"""Print per-game throughput figures and the runner's overhead against a bare Gymnasium loop.

    python benchmarks/bench_ingvp.py [--levels 50] [--steps 20]

Figures (all measured in this one run, so ratios compare like with like):
- env steps/s with and without image rendering (random well-formed actions);
- time to generate a 50-level set with the game's generator and exact solver;
- runner overhead: the same episodes and the same actions, once through mmgym's async runner
  (rollout, records, scoring, durable append to episodes.jsonl) and once as a bare
  `reset`/`step` loop; the ratio is runner time / bare time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import zlib

os.environ.setdefault("OMP_NUM_THREADS", "1")

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402

import mmgym  # noqa: E402,F401
from mmgym.agents.base import AgentReply, EpisodeContext, Turn  # noqa: E402
from mmgym.envs.games import GAME_CLASSES, get_game  # noqa: E402
from mmgym.envs.games.core import _memo_solve  # noqa: E402
from mmgym.envs.games.levels import generate_set  # noqa: E402
from mmgym.runners.evaluate import evaluate  # noqa: E402
from mmgym.tasks.ingvp import IngvpSuite  # noqa: E402
from mmgym.tasks.spec import EpisodeSpec  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=50, help="levels per game for the runner comparison")
    parser.add_argument("--steps", type=int, default=20, help="steps per episode (multi-step, no history)")
    parser.add_argument("--games", nargs="*", default=list(GAME_CLASSES))
    args = parser.parse_args()

    header = f"{'game':<9} {'steps/s img':>11} {'steps/s text':>12} {'gen 50 (s)':>10} {'bare (s)':>9} {'runner (s)':>10} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for game in args.games:
        with_image = steps_per_second(game, True, 300)
        text_only = steps_per_second(game, False, 300)
        start = time.perf_counter()
        generate_set(game, count=50, seed=12345)
        generation = time.perf_counter() - start
        suite = IngvpSuite(games=[game], settings=["multi_step-image_text-no_history"], levels=args.levels, max_steps=args.steps)
        specs = suite.specs()
        plans = {spec.id: scripted_actions(spec, game) for spec in specs}
        bare_loop(specs[:3], plans)  # import and level-set loading costs out of both timings
        _memo_solve.cache_clear()  # each loop pays for its own solver calls
        bare = bare_loop(specs, plans)
        _memo_solve.cache_clear()
        runner = runner_loop(suite, plans)
        print(
            f"{game:<9} {with_image:>11.0f} {text_only:>12.0f} {generation:>10.2f} {bare:>9.2f} {runner:>10.2f} "
            f"{runner / bare:>6.3f}"
        )


if __name__ == "__main__":
    main()
