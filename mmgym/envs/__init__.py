"""Registers every mmgym simulator env with Gymnasium as `mmgym/<Name>-v0`.

The puzzle games, BabyAI, MiniWorld, MuJoCo, AI2-THOR and habitat; each family registers its own
without importing its simulator. Benchmarks register the envs of their protocols themselves
(`mmgym.tasks.registration`).
"""

from __future__ import annotations

import gymnasium  # noqa: F401  (here, before the families: measured ~30 ms off `import mmgym`, for no clear reason)

from mmgym.envs import babyai, habitat, miniworld, mujoco, puzzles, thor
from mmgym.envs.registry import env_id

__all__ = ["env_id", "register_all"]


def register_all() -> None:
    """Register the envs once; safe to call again."""
    puzzles.register()
    babyai.register()  # minigrid loads only when the env is made
    miniworld.register()  # so does MiniWorld
    mujoco.register()  # and MuJoCo
    thor.register()  # ai2thor, when an AI2-THOR env is made
    habitat.register()  # habitat-lab, when the real simulator is used


register_all()
