"""Registers every mmgym simulator env with Gymnasium as `mmgym/<Name>-v0`.

The puzzle games, BabyAI, MiniWorld, MuJoCo, AI2-THOR and habitat; each family registers its own
without importing its simulator. Benchmarks register the envs of their protocols themselves
(`mmgym.tasks.plugins.register_envs`).
"""

from __future__ import annotations

from mmgym.envs import babyai, embodied_eval, habitat, miniworld, mujoco, pca, puzzles, thor
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
    pca.register()  # and the PCA decision env
    embodied_eval.register()  # MiniWorld or minigrid, when a task needs one


register_all()
