"""15-Puzzle: slide numbered tiles into the blank until they read 1..15 in order.

Exact solver: IDA* with Manhattan distance plus linear conflicts (both admissible), updated
incrementally per move from precomputed tables, never undoing the previous move.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from mmgym.envs.puzzles import render
from mmgym.envs.puzzles.core import PuzzleGame, Rejected
from mmgym.errors import LevelFormatError

SIDE = 4
CELLS = SIDE * SIDE
BLANK = 0
GOAL = (*range(1, CELLS), BLANK)
Board = tuple[int, ...]

_ACTION = re.compile(r"^(?:move\s+)?(?:tile\s+)?#?([0-9]+)$")
_BLANK_WORDS = {"0": BLANK, "_": BLANK}
TILE = (235, 225, 200)
TILE_HOME = (200, 225, 200)
BLANK_FILL = (60, 60, 70)


@dataclass(frozen=True)
class Puzzle15State:
    tiles: Board  # row-major, BLANK for the empty cell

    @property
    def blank(self) -> int:
        return self.tiles.index(BLANK)


def neighbours(cell: int) -> tuple[int, ...]:
    """Cells orthogonally adjacent to `cell`, in a fixed order."""
    row, col = divmod(cell, SIDE)
    steps = ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1))
    return tuple(r * SIDE + c for r, c in steps if 0 <= r < SIDE and 0 <= c < SIDE)


ADJACENT = tuple(neighbours(cell) for cell in range(CELLS))


def is_solvable(tiles: Board) -> bool:
    """Permutation parity (blank counted as the last tile) must match the blank's distance home."""
    order = [t if t != BLANK else CELLS for t in tiles]
    inversions = sum(1 for i in range(CELLS) for j in range(i + 1, CELLS) if order[i] > order[j])
    row, col = divmod(tiles.index(BLANK), SIDE)
    return inversions % 2 == (2 * SIDE - 2 - row - col) % 2


# ---- heuristic tables ------------------------------------------------------------------
def _manhattan(tile: int, cell: int) -> int:
    if tile == BLANK:
        return 0
    home = tile - 1
    return abs(cell // SIDE - home // SIDE) + abs(cell % SIDE - home % SIDE)


MANHATTAN = tuple(tuple(_manhattan(tile, cell) for cell in range(CELLS)) for tile in range(CELLS))
HOME_ROW = tuple((t - 1) // SIDE if t else -1 for t in range(CELLS))
HOME_COL = tuple((t - 1) % SIDE if t else -1 for t in range(CELLS))
OFF_LINE = SIDE  # line key digit of the blank and of tiles whose home is another line
BASE = OFF_LINE + 1


def _line_conflict(code: int) -> int:
    """Extra moves for tiles in their home line but in the wrong order: 2 per tile outside a longest
    increasing run, since each must leave the line and come back."""
    digits = []
    for _ in range(SIDE):
        code, digit = divmod(code, BASE)
        digits.append(digit)
    homes = [d for d in reversed(digits) if d != OFF_LINE]
    longest = [1] * len(homes)
    for i in range(len(homes)):
        for j in range(i):
            if homes[j] < homes[i]:
                longest[i] = max(longest[i], longest[j] + 1)
    return 2 * (len(homes) - max(longest, default=0))


CONFLICT = tuple(_line_conflict(code) for code in range(BASE**SIDE))


def _digit(tile: int, line: int, rows: bool) -> int:
    """A tile's digit in a row key (its home column) or column key (its home row); OFF_LINE elsewhere."""
    if tile == BLANK or (HOME_ROW if rows else HOME_COL)[tile] != line:
        return OFF_LINE
    return (HOME_COL if rows else HOME_ROW)[tile]


def _key_change(tile: int, blank: int, cell: int, rows: bool) -> tuple[int, int]:
    """(key index, change) of the row keys (or column keys) when `tile` slides from `cell` into `blank`."""

    def line(c: int) -> int:
        return c // SIDE if rows else c % SIDE

    def weight(c: int) -> int:
        return BASE ** (SIDE - 1 - (c % SIDE if rows else c // SIDE))

    home = HOME_ROW[tile] if rows else HOME_COL[tile]
    digit = _digit(tile, home, rows)
    change = (digit - OFF_LINE) * weight(blank) * (line(blank) == home)
    change += (OFF_LINE - digit) * weight(cell) * (line(cell) == home)
    return (home + (0 if rows else SIDE), change) if change else (-1, 0)


def _move_effect(tile: int, blank: int, cell: int) -> tuple[int, int, int, int, int]:
    """What sliding `tile` from `cell` into `blank` does to the heuristic's inputs: the Manhattan
    change; the line it enters or leaves (key index: rows 0..3, columns 4..7; -1 for none) and that
    key's change; the line it slides along and that key's change (which keeps the conflict count)."""
    vertical = abs(cell - blank) == SIDE
    manhattan = MANHATTAN[tile][blank] - MANHATTAN[tile][cell]
    return (manhattan, *_key_change(tile, blank, cell, vertical), *_key_change(tile, blank, cell, not vertical))


# indexed by (tile << 8) | (blank << 4) | cell
EFFECTS = tuple(
    _move_effect(i >> 8, (i >> 4) & 15, i & 15) if i >> 8 and i & 15 in ADJACENT[(i >> 4) & 15] else (0, -1, 0, -1, 0)
    for i in range(CELLS << 8)
)


def line_keys(board: Board) -> list[int]:
    """Base-5 keys of the four rows then the four columns, indexing CONFLICT."""
    rows = [[r * SIDE + i for i in range(SIDE)] for r in range(SIDE)]
    lines = rows + [[c + i * SIDE for i in range(SIDE)] for c in range(SIDE)]
    keys = []
    for index, cells in enumerate(lines):
        code = 0
        for cell in cells:
            code = code * BASE + _digit(board[cell], index % SIDE, index < SIDE)
        keys.append(code)
    return keys


def heuristic(board: Board) -> int:
    """Manhattan distance plus linear conflicts: a lower bound on the moves left."""
    return sum(MANHATTAN[t][cell] for cell, t in enumerate(board)) + sum(CONFLICT[k] for k in line_keys(board))


def solve_tiles(tiles: Board) -> list[int] | None:
    """Tiles to slide, in order, on a shortest solution; None for an unsolvable board."""
    if not is_solvable(tiles):
        return None
    board = list(tiles)
    keys = line_keys(tiles)
    path: list[int] = []
    found = -1

    def search(blank: int, g: int, prev: int, h: int, bound: int) -> int:
        if h == 0:
            return found
        best = 1 << 30
        g += 1
        for cell in ADJACENT[blank]:
            if cell == prev:
                continue
            tile = board[cell]
            manhattan, line, delta, along, shift = EFFECTS[(tile << 8) | (blank << 4) | cell]
            nh = h + manhattan
            if line >= 0:
                old = keys[line]
                nh += CONFLICT[old + delta] - CONFLICT[old]
            if g + nh > bound:
                best = min(best, g + nh)
                continue
            board[blank] = tile
            board[cell] = BLANK
            if line >= 0:
                keys[line] = old + delta
            if along >= 0:
                keys[along] += shift
            path.append(tile)
            result = search(cell, g, blank, nh, bound)
            if result == found:
                return found
            path.pop()
            if line >= 0:
                keys[line] = old
            if along >= 0:
                keys[along] -= shift
            board[blank] = BLANK
            board[cell] = tile
            best = min(best, result)
        return best

    start = sum(MANHATTAN[t][cell] for cell, t in enumerate(tiles)) + sum(CONFLICT[k] for k in keys)
    bound = start
    while (bound := search(board.index(BLANK), 0, -1, start, bound)) != found:
        pass
    return path


class Puzzle15(PuzzleGame[Puzzle15State, int]):
    name = "puzzle15"
    title = "15-Puzzle"
    rules = (
        "A 4x4 board holds tiles 1 to 15 and one blank (0 in the text). Each action names a tile "
        "next to the blank (above, below, left or right of it), which slides into the blank. Naming "
        "a tile that is not next to the blank is invalid. Reach the goal: tiles 1 to 15 in order, "
        "row by row from the top left, with the blank in the bottom right corner. In the image the "
        "blank is the dark square and tiles already in their goal place are green."
    )
    action_grammar = "the number of a tile next to the blank, e.g. '7' (also 'move 7' or 'tile 7')"
    difficulty_meaning = "number of moves in the shortest solution"

    def parse_action(self, text: str) -> int | Rejected:
        match = _ACTION.match(" ".join(text.split()).strip(".").lower())
        digits = match.group(1) if match else ""
        if not digits or len(digits) > 3 or not 1 <= int(digits) < CELLS:
            return Rejected(f"{text.strip()[:40]!r} is not a tile; expected {self.action_grammar}")
        return int(digits)

    def apply(self, state: Puzzle15State, move: int) -> Puzzle15State | Rejected:
        cell, blank = state.tiles.index(move), state.blank
        if cell not in ADJACENT[blank]:
            return Rejected(f"tile {move} is not next to the blank")
        tiles = list(state.tiles)
        tiles[blank], tiles[cell] = move, BLANK
        return Puzzle15State(tuple(tiles))

    def is_solved(self, state: Puzzle15State) -> bool:
        return state.tiles == GOAL

    def candidate_actions(self, state: Puzzle15State) -> list[str]:
        return [str(tile) for tile in range(1, CELLS)]

    def _solve(self, state: Puzzle15State) -> list[str] | None:
        tiles = solve_tiles(state.tiles)
        return None if tiles is None else [str(t) for t in tiles]

    # ---- formats -----------------------------------------------------------------------
    def to_text(self, state: Puzzle15State) -> str:
        rows = [state.tiles[r * SIDE : (r + 1) * SIDE] for r in range(SIDE)]
        return "\n".join(" ".join(f"{t:>2}" for t in row) for row in rows)

    def from_text(self, text: str) -> Puzzle15State:
        rows = [line.split() for line in text.splitlines() if line.strip()]
        if len(rows) != SIDE or any(len(row) != SIDE for row in rows):
            raise LevelFormatError("15-puzzle text must be 4 rows of 4 numbers separated by spaces, 0 or _ for blank")
        tiles = tuple(_tile(word) for row in rows for word in row)
        if sorted(tiles) != list(range(CELLS)):
            raise LevelFormatError(f"15-puzzle tiles must be 0..15 once each, got {' '.join(map(str, tiles))}")
        if not is_solvable(tiles):
            raise LevelFormatError("15-puzzle board is unsolvable: its permutation parity does not match the blank")
        return Puzzle15State(tiles)

    # ---- image -------------------------------------------------------------------------
    def background_key(self, state: Puzzle15State) -> Hashable:
        return None  # the empty board: every tile moves

    def draw_background(self, state: Puzzle15State, size: int) -> Image.Image:
        image, draw = render.new_canvas(size)
        render.draw_grid_lines(draw, _grid(size), width=_line_width(size))
        return image

    def pieces(self, state: Puzzle15State, size: int) -> list[render.Piece]:
        grid = _grid(size)
        return [
            render.Piece(("tile", cell, tile), functools.partial(_draw_tile, grid=grid, cell=cell, tile=tile))
            for cell, tile in enumerate(state.tiles)
        ]

    # ---- levels ------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator, difficulty: int) -> Puzzle15State:
        """A walk from the goal without immediate back-moves, stopped at the first state whose exact
        distance is `difficulty` (each move changes the distance by exactly one, so the walk must pass it)."""
        if difficulty < 0:
            raise ValueError(f"15-puzzle difficulty must be >= 0, got {difficulty}")
        if difficulty == 0:
            return Puzzle15State(GOAL)
        for _ in range(100):
            board, blank, prev = list(GOAL), CELLS - 1, -1
            for step in range(1, 4 * difficulty + 40):
                options = [cell for cell in ADJACENT[blank] if cell != prev]
                cell = options[rng.integers(len(options))]
                board[blank], board[cell] = board[cell], BLANK
                blank, prev = cell, blank
                if step >= difficulty and (step - difficulty) % 2 == 0:
                    plan = solve_tiles(tuple(board))
                    if plan is not None and len(plan) == difficulty:
                        return Puzzle15State(tuple(board))
        raise RuntimeError(f"could not generate a 15-puzzle level of difficulty {difficulty}")

    def instruction(self, state: Puzzle15State) -> str:
        return "Slide the tiles until they read 1 to 15 in order with the blank in the bottom right corner."


def _tile(word: str) -> int:
    if word in _BLANK_WORDS:
        return _BLANK_WORDS[word]
    if not re.fullmatch(r"[0-9]{1,2}", word):
        raise LevelFormatError(f"15-puzzle text has {word[:20]!r}; expected numbers 1..15 and 0 or _ for the blank")
    return int(word)


def _grid(size: int) -> render.Grid:
    return render.Grid(SIDE, SIDE, size, margin=max(8, size // 24))


def _line_width(size: int) -> int:
    return max(1, size // 160)


def _draw_tile(draw: ImageDraw.ImageDraw, grid: render.Grid, cell: int, tile: int) -> None:
    """A numbered tile (highlighted at its home cell), or the blank: the cell inside its grid lines, shaded."""
    row, col = divmod(cell, SIDE)
    if tile == BLANK:
        x0, y0, x1, y1 = grid.box(row, col)
        line = _line_width(grid.size)
        draw.rectangle((x0 + line, y0 + line, x1 - line, y1 - line), fill=BLANK_FILL)
        return
    fill = TILE_HOME if tile == GOAL[cell] else TILE
    draw.rounded_rectangle(grid.inset(row, col, 0.05), radius=grid.cell * 0.08, fill=fill, outline=render.GRID_LINE)
    render.draw_centered(draw, grid.box(row, col), str(tile), render.TEXT, 0.5)
