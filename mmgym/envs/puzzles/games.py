"""The six ING-VP puzzle games. Adding a game: one module with a `PuzzleGame` subclass, one line here."""

from __future__ import annotations

import functools
import importlib

from mmgym.envs.puzzles.core import PuzzleGame, Rejected
from mmgym.errors import unknown_name

# game name -> "module:Class"; modules are imported on first use so one broken game cannot
# stop the others from loading.
GAME_CLASSES: dict[str, str] = {
    "sokoban": "mmgym.envs.puzzles.sokoban:Sokoban",
    "maze": "mmgym.envs.puzzles.maze:Maze",
    "sudoku": "mmgym.envs.puzzles.sudoku:Sudoku",
    "nqueens": "mmgym.envs.puzzles.nqueens:NQueens",
    "hanoi": "mmgym.envs.puzzles.hanoi:Hanoi",
    "puzzle15": "mmgym.envs.puzzles.puzzle15:Puzzle15",
}
# rule variants, not games of their own: an env plays one with `game=<name>` (ING-VP's own levels use
# a 4-rod, lettered-disk Hanoi); they stay out of GAME_CLASSES and so out of the default level sets.
VARIANT_CLASSES: dict[str, str] = {
    "hanoi_rods": "mmgym.envs.puzzles.hanoi_rods:HanoiRods",
}


@functools.cache
def get_game(name: str) -> PuzzleGame:
    """The (stateless, shared) game object for a name such as 'sokoban' (or a variant such as 'hanoi_rods')."""
    classes = GAME_CLASSES | VARIANT_CLASSES
    if name not in classes:
        raise unknown_name("game", name, classes)
    module, cls = classes[name].split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = ["GAME_CLASSES", "VARIANT_CLASSES", "PuzzleGame", "Rejected", "get_game"]
