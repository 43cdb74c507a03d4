"""The puzzle family: ING-VP's six games (and a rule variant) as `mmgym/<Game>-v0`, one env class for all.

`register()` registers the envs; `mmgym.envs` calls it. The modules:

- `core`: what a game is (`PuzzleGame`: parse, step, solve, draw) and a refused move (`Rejected`);
- `sokoban`, `maze`, `sudoku`, `nqueens`, `hanoi`, `puzzle15`, `hanoi_rods`: the games, with exact solvers;
- `games`: the game table (`GAME_CLASSES`, `get_game`); `directions`: the grid games' move words;
- `render`: the frames; `levels`: the frozen default level sets (`python -m mmgym.envs.puzzles.levels`
  regenerates them) and level files; `level_fingerprints`: their fingerprints;
- `env`: `PuzzleEnv`, the gymnasium env.

Others use only the names exported here (`EXPORTS`); each loads its module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

import gymnasium as gym

from mmgym.envs.registry import env_id

# env name -> game name; all puzzle games share one env class.
PUZZLE_ENVS: dict[str, str] = {
    "Sokoban": "sokoban",
    "Maze": "maze",
    "Sudoku": "sudoku",
    "NQueens": "nqueens",
    "Hanoi": "hanoi",
    "Puzzle15": "puzzle15",
}
EXPORTS = {  # name -> the module of this family that defines it
    "GAME_CLASSES": "games",
    "VARIANT_CLASSES": "games",
    "get_game": "games",
    "PuzzleGame": "core",
    "Rejected": "core",
    "PuzzleEnv": "env",
}


def register() -> None:
    """Register every puzzle env once; safe to call again."""
    for name, game in PUZZLE_ENVS.items():
        if env_id(name) not in gym.registry:
            gym.register(env_id(name), entry_point="mmgym.envs.puzzles.env:PuzzleEnv", kwargs={"game": game})


def game_of(env: str) -> str:
    """The game name behind a registered puzzle env id, e.g. 'mmgym/Maze-v0' -> 'maze'."""
    return gym.spec(env).kwargs["game"]


def __getattr__(name: str) -> Any:
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)


__all__ = ["PUZZLE_ENVS", "game_of", "register", *EXPORTS]
