"""Measure how fast `BabyAIEnv.step` runs: `python -m mmgym.envs.babyai.speed [steps]`.

Primitive steps follow a fixed random walk over the seven actions (refused ones included, as an
agent's would be), with image observations at 224 px and with text only; skill steps replay the
skill expert's plans on BossLevel episodes. Prints steps per second and microseconds per step.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from mmgym.envs.babyai.env import BabyAIEnv
from mmgym.envs.babyai.primitives import PRIMITIVES


def primitive_rate(level: str, observe_image: bool, steps: int, image_size: int = 224) -> tuple[float, float]:
    """(steps per second on first sight, steps per second once warm).

    minigrid draws each kind of tile (object, colour, state, highlight) the first time it is seen
    in a process, about 10 ms each; the same walk is timed twice to show both costs.
    """
    env = BabyAIEnv(level, observe_image=observe_image, image_size=image_size)
    rng = np.random.default_rng(0)
    words = list(PRIMITIVES)
    actions = [words[i] for i in rng.integers(len(words), size=steps)]
    rates = []
    for _ in range(2):
        env.reset(seed=0)
        elapsed, episode = 0.0, 0
        for action in actions:
            start = time.perf_counter()
            _, _, terminated, _, _ = env.step(action)
            elapsed += time.perf_counter() - start
            if terminated:
                episode += 1
                env.reset(seed=episode)
        rates.append(steps / elapsed)
    return rates[0], rates[1]


def skill_rate(level: str, episodes: int) -> tuple[float, float]:
    """(skill steps per second, mean primitive steps per skill step), experts' plans replayed."""
    env = BabyAIEnv(level, action_level="skill", observe_image=False)
    elapsed, steps, primitive = 0.0, 0, 0
    for seed in range(episodes):
        env.reset(seed=seed)
        plan = env.expert_plan()
        for skill in plan:
            start = time.perf_counter()
            _, _, terminated, _, info = env.step(skill)
            elapsed += time.perf_counter() - start
            steps += 1
            primitive += info["primitive_steps"]
            if terminated:
                break
    return steps / elapsed, primitive / steps


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    for level in ("BabyAI-GoToLocal-v0", "BabyAI-BossLevel-v0"):
        for observe_image, what in ((True, "image 224 px + text"), (False, "text only")):
            cold, warm = primitive_rate(level, observe_image, steps)
            print(
                f"{level} primitive, {what}: {warm:,.0f} steps/s ({1e6 / warm:.0f} us/step) once warm, "
                f"{cold:,.0f} steps/s on first sight"
            )
    rate, per_skill = skill_rate("BabyAI-BossLevel-v0", episodes=30)
    print(
        f"BabyAI-BossLevel-v0 skill, text only: {rate:,.0f} steps/s ({1e6 / rate:.0f} us/step, "
        f"{per_skill:.1f} primitive steps per skill)"
    )


if __name__ == "__main__":
    main()
