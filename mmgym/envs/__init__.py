"""Registers every mmgym environment with Gymnasium as `mmgym/<Name>-v0`.

The puzzle games, BabyAI, MiniWorld, MuJoCo, AI2-THOR, habitat, the PCA decisions and the EmbodiedEval-style tasks.
"""

from __future__ import annotations

import gymnasium as gym

from mmgym.envs import babyai, embodied_eval, habitat, miniworld, mujoco, pca, thor

# env name -> game name; all puzzle games share one env class.
PUZZLE_ENVS: dict[str, str] = {
    "Sokoban": "sokoban",
    "Maze": "maze",
    "Sudoku": "sudoku",
    "NQueens": "nqueens",
    "Hanoi": "hanoi",
    "Puzzle15": "puzzle15",
}


def env_id(name: str) -> str:
    return f"mmgym/{name}-v0"


def register_all() -> None:
    """Register the envs once; safe to call again."""
    for name, game in PUZZLE_ENVS.items():
        if env_id(name) not in gym.registry:
            gym.register(env_id(name), entry_point="mmgym.envs.puzzle_env:PuzzleEnv", kwargs={"game": game})
    babyai.register()  # minigrid loads only when the env is made
    miniworld.register()  # so does MiniWorld
    mujoco.register()  # and MuJoCo
    thor.register()  # ai2thor, when an AI2-THOR env is made
    habitat.register()  # habitat-lab, when the real simulator is used
    pca.register()  # and the PCA decision env
    embodied_eval.register()  # MiniWorld or minigrid, when a task needs one


def game_of(env: str) -> str:
    """The game name behind a registered puzzle env id, e.g. 'mmgym/Maze-v0' -> 'maze'."""
    return gym.spec(env).kwargs["game"]


register_all()
