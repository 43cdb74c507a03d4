"""The six ING-VP puzzle games. Adding a game: one module with a `PuzzleGame` subclass, one line here."""

from __future__ import annotations

import functools
import importlib

from mmgym.envs.games.core import PuzzleGame, Rejected
from mmgym.errors import unknown_name

# game name -> "module:Class"; modules are imported on first use so one broken game cannot
# stop the others from loading.
GAME_CLASSES: dict[str, str] = {
    "sokoban": "mmgym.envs.games.sokoban:Sokoban",
    "maze": "mmgym.envs.games.maze:Maze",
    "sudoku": "mmgym.envs.games.sudoku:Sudoku",
    "nqueens": "mmgym.envs.games.nqueens:NQueens",
    "hanoi": "mmgym.envs.games.hanoi:Hanoi",
    "puzzle15": "mmgym.envs.games.puzzle15:Puzzle15",
}


@functools.cache
def get_game(name: str) -> PuzzleGame:
    """The (stateless, shared) game object for a name such as 'sokoban'."""
    if name not in GAME_CLASSES:
        raise unknown_name("game", name, GAME_CLASSES)
    module, cls = GAME_CLASSES[name].split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = ["GAME_CLASSES", "PuzzleGame", "Rejected", "get_game"]
