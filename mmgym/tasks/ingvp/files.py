"""Readers for ING-VP's released level files, as distributed in its repository's `data/` folder.

Each reader parses one file into the game's own states (ING-VP's levels are not shipped here):

- maze     `maze/levels_50.txt`: `; N` titles, 11x11 grids of `+` walls, `S` start, `X` goal;
- sokoban  `sokoban/levels_50.txt`: XSB with `; N` titles (51 levels, the last a one-move level);
- hanoi    `hanoi/levels_50.jsonl`: `position` maps rods A-D to disk letters bottom to top, 'a'
  the largest; the goal is every disk on the last rod (D);
- nqueens  `n_queens/levels_50.jsonl`: an 8x8 board (`board_size`) with one given queen at
  `position` [row, column] counted from 0, 7 queens to place;
- puzzle15 `n_puzzle/levels_50.jsonl`: a 4x4 `position`, 0 the blank;
- sudoku   `sudoku/levels_50.jsonl`: `position` and `solutions`, 81 digits each, 0 a blank.

`python -m mmgym.tasks.ingvp.files optima DATA_DIR` lists every level whose exact optimum
differs from what ING-VP's completion metric assumes (8 moves, 7 queens).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmgym.envs.puzzles import get_game
from mmgym.envs.puzzles.core import replay
from mmgym.envs.puzzles.hanoi_rods import from_letters
from mmgym.envs.puzzles.levels import json_kind
from mmgym.envs.puzzles.nqueens import NQueensState
from mmgym.envs.puzzles.sudoku import SudokuState
from mmgym.errors import ConfigError, LevelFormatError

# game -> (game object's name, the file's path under ING-VP's data/ folder)
FILES: dict[str, tuple[str, str]] = {
    "sokoban": ("sokoban", "sokoban/levels_50.txt"),
    "maze": ("maze", "maze/levels_50.txt"),
    "sudoku": ("sudoku", "sudoku/levels_50.jsonl"),
    "nqueens": ("nqueens", "n_queens/levels_50.jsonl"),
    "hanoi": ("hanoi_rods", "hanoi/levels_50.jsonl"),
    "puzzle15": ("puzzle15", "n_puzzle/levels_50.jsonl"),
}
PAPER_LEVELS = 50  # levels per game in the paper; Sokoban's file holds a 51st
# The optimum ING-VP's completion assumes: 100 - 12.5 per move left (14.3 per queen); Sudoku scores cells.
ASSUMED_OPTIMUM: dict[str, int] = {"sokoban": 8, "maze": 8, "hanoi": 8, "puzzle15": 8, "nqueens": 7}
MAZE_SYMBOLS = {"+": "#", " ": ".", "S": "P", "X": "G"}


def game_name(game: str) -> str:
    """The game object ING-VP's levels of `game` are played with (`hanoi_rods` for Hanoi)."""
    return FILES[game][0]


def level_path(data_dir: str | Path, game: str) -> Path:
    """Where `game`'s level file lies in ING-VP's data folder; a one-line ConfigError when it is not there."""
    folder = Path(data_dir).expanduser()
    path = folder / FILES[game][1]
    if not path.is_file():
        raise ConfigError(
            f"ING-VP level file {path} not found; data_dir must be ING-VP's data/ folder, holding {FILES[game][1]}"
        )
    return path


def read_levels(game: str, path: str | Path) -> list[Any]:
    """Every level of one ING-VP file, in file order, as the game's own states."""
    if game not in FILES:
        raise ConfigError(f"unknown ING-VP game {game!r}; valid: {', '.join(sorted(FILES))}")
    text = Path(path).read_text()
    try:
        return READERS[game](text)
    except (LevelFormatError, ValueError, KeyError, TypeError, IndexError) as error:
        raise LevelFormatError(f"{path}: not ING-VP's {game} format: {error}") from error


def read_data_dir(data_dir: str | Path, game: str, limit: int | None = PAPER_LEVELS) -> list[Any]:
    """The first `limit` levels of `game` in ING-VP's data folder (all with None)."""
    levels = read_levels(game, level_path(data_dir, game))
    return levels if limit is None else levels[:limit]


# ---- one reader per format ----------------------------------------------------------------
def _titled_blocks(text: str) -> list[list[str]]:
    """The row lines of each level in a file of `; title` lines and levels, blank lines between."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(";") or not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def read_maze(text: str) -> list[Any]:
    game = get_game("maze")
    levels = []
    for rows in _titled_blocks(text):
        width = max(len(row) for row in rows)  # an editor may have dropped trailing open cells
        bad = next((ch for row in rows for ch in row if ch not in MAZE_SYMBOLS), None)
        if bad is not None:
            raise LevelFormatError(f"maze has {bad!r}; valid: + (wall), space, S (start), X (goal)")
        converted = ["".join(MAZE_SYMBOLS[ch] for ch in row.ljust(width)) for row in rows]
        levels.append(game.from_text("\n".join(converted)))
    return levels


def read_sokoban(text: str) -> list[Any]:
    game = get_game("sokoban")
    return [game.from_text(block) for block in game.split_level_file(text)]


class _Entry(dict):
    """One line's object; a field the reader needs and the line lacks is named with the line's number."""

    line = 0

    def __missing__(self, key: str) -> Any:
        raise LevelFormatError(f"line {self.line} has no {key!r} field")


def _jsonl(text: str) -> list[dict[str, Any]]:
    """Each non-blank line's JSON object; a line that is not valid JSON, or not an object, is named by number."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LevelFormatError(f"line {number} is not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(value, dict):
            raise LevelFormatError(f"line {number} is {json_kind(value)}, not a JSON object of one level")
        entry = _Entry(value)
        entry.line = number
        entries.append(entry)
    return entries


def read_hanoi(text: str) -> list[Any]:
    levels = []
    for record in _jsonl(text):
        rods = record["position"]
        state = from_letters([list(rods[name]) for name in sorted(rods)])
        declared = record.get("disks", record.get("number_disks"))
        if declared is not None and declared != state.disks:
            raise LevelFormatError(f"level {record.get('level')} declares {declared} disks but holds {state.disks}")
        levels.append(state)
    return levels


def read_nqueens(text: str) -> list[Any]:
    levels = []
    for record in _jsonl(text):
        n = int(record.get("board_size", 8))
        row, col = (int(v) for v in record.get("position", record.get("first")))
        if not (0 <= row < n and 0 <= col < n):
            raise LevelFormatError(f"level {record.get('level')}: queen {row, col} is off the {n}x{n} board")
        levels.append(NQueensState(n, frozenset({(row, col)}), frozenset()))
    return levels


def read_puzzle15(text: str) -> list[Any]:
    game = get_game("puzzle15")
    return [game.from_text("\n".join(" ".join(map(str, row)) for row in r["position"])) for r in _jsonl(text)]


def read_sudoku(text: str) -> list[Any]:
    game = get_game("sudoku")
    levels = []
    for record in _jsonl(text):
        state: SudokuState = game.from_text(str(record["position"]))
        solution = str(record.get("solutions", ""))
        if solution:  # the file's solution must be the puzzle's unique solution
            final = replay(game, state, game.solve(state) or [])
            if "".join(str(g or e) for g, e in zip(final.givens, final.entries, strict=True)) != solution:
                raise LevelFormatError(f"level {record.get('level')}: 'solutions' is not the puzzle's solution")
        levels.append(state)
    return levels


READERS: dict[str, Callable[[str], list[Any]]] = {
    "sokoban": read_sokoban,
    "maze": read_maze,
    "sudoku": read_sudoku,
    "nqueens": read_nqueens,
    "hanoi": read_hanoi,
    "puzzle15": read_puzzle15,
}


# ---- the optima table ----------------------------------------------------------------------
def optima(data_dir: str | Path, games: list[str] | None = None) -> dict[str, list[tuple[int, int | None]]]:
    """Per game, (level number from 1, exact optimum) for every paper level whose optimum is not the assumed one."""
    out = {}
    for game in games or list(ASSUMED_OPTIMUM):
        solver = get_game(game_name(game))
        found = [(i + 1, solver.optimal_remaining(s)) for i, s in enumerate(read_data_dir(data_dir, game))]
        out[game] = [(level, length) for level, length in found if length != ASSUMED_OPTIMUM[game]]
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m mmgym.tasks.ingvp.files optima DATA_DIR [GAME ...]`: the levels off the assumed optimum."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[0] != "optima":
        print("usage: python -m mmgym.tasks.ingvp.files optima DATA_DIR [GAME ...]", file=sys.stderr)
        return 2
    try:
        table = optima(args[1], args[2:] or None)
    except (ConfigError, LevelFormatError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for game, off in table.items():
        assumed = ASSUMED_OPTIMUM[game]
        listed = ", ".join(f"{level} ({'unsolvable' if n is None else n})" for level, n in off) or "none"
        print(f"{game}: {len(off)} of the paper's levels differ from {assumed}: {listed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
