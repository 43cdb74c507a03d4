"""Sudoku: fill a 9x9 grid so every row, column and 3x3 box holds 1-9. Exact solver: count wrong cells.

Levels always have exactly one solution (`from_text` and `generate` enforce it), which is what makes
the optimal plan a simple comparison against that solution.
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

SIDE, CELLS = 9, 81
BLANKS = ".0"
ENTRIES_PREFIX = "entries:"
ALL_DIGITS = 0b1111111110  # bits 1..9
BOX = tuple((i // 27) * 3 + (i % 9) // 3 for i in range(CELLS))
GIVEN_FILL = (225, 225, 220)
ENTRY_COLOUR = (25, 90, 215)
MAX_BLANKS = 55
_SEPARATORS = re.compile(r"[\s,;]+")

Grid = tuple[int, ...]


@dataclass(frozen=True)
class Write:
    """Put `value` into the cell at 0-based (`row`, `col`)."""

    row: int
    col: int
    value: int


@dataclass(frozen=True)
class SudokuState:
    givens: Grid  # 81 digits row by row, 0 = blank
    entries: Grid  # 81 digits the player wrote, 0 = none; always 0 on given cells

    def value(self, index: int) -> int:
        return self.givens[index] or self.entries[index]


class Sudoku(PuzzleGame[SudokuState, Write]):
    name = "sudoku"
    title = "Sudoku"
    rules = (
        "A 9x9 grid is split into nine 3x3 boxes; some cells hold fixed given digits. Write a digit "
        "1-9 into every empty cell so that each row, each column and each box contains every digit "
        "exactly once. Writing into a cell you already filled replaces your digit; given cells cannot "
        "be changed. A digit that clashes with its row, column or box is accepted, but it is wrong and "
        "must be overwritten. Text format: the first line lists the 81 given cells row by row, '.' for "
        "a blank; once you have written digits, a second line 'entries: ' lists the 81 cells' written "
        "digits in the same order, '.' where you wrote nothing."
    )
    action_grammar = "'row column value' as three numbers from 1 to 9, e.g. '3 5 7' writes 7 in row 3, column 5"
    difficulty_meaning = "number of blank cells; each needs exactly one write, so it equals the optimal solution length"

    def parse_action(self, text: str) -> Write | Rejected:
        numbers = _numbers(text)
        if numbers is None:
            return Rejected(f"expected {self.action_grammar}")
        row, col, value = numbers
        for label, number in (("row", row), ("column", col), ("value", value)):
            if not 1 <= number <= SIDE:
                return Rejected(f"{label} {number} is out of range; rows, columns and values are 1-9")
        return Write(row - 1, col - 1, value)

    def format_action(self, move: Write) -> str:
        return f"{move.row + 1} {move.col + 1} {move.value}"

    def apply(self, state: SudokuState, move: Write) -> SudokuState | Rejected:
        index = move.row * SIDE + move.col
        if state.givens[index]:
            return Rejected(f"cell ({move.row + 1}, {move.col + 1}) holds a given digit and cannot be changed")
        entries = list(state.entries)
        entries[index] = move.value
        return SudokuState(state.givens, tuple(entries))

    def is_solved(self, state: SudokuState) -> bool:
        grid = tuple(state.value(i) for i in range(CELLS))
        return all(grid) and _is_valid(grid)

    def candidate_actions(self, state: SudokuState) -> list[str]:
        return [f"{r} {c} {v}" for r in range(1, SIDE + 1) for c in range(1, SIDE + 1) for v in range(1, SIDE + 1)]

    def _solve(self, state: SudokuState) -> list[str] | None:
        """Write the solution digit into every non-given cell that does not hold it yet.

        Exact: a goal state is a full valid grid that keeps the givens, i.e. the unique solution, so
        every non-given cell differing from it must be written at least once (one write changes one
        cell). Writing the solution digit into each such cell is never rejected (it is not a given;
        clashes are allowed), so that many writes suffice.
        """
        solution = _unique_solution(state.givens)
        if solution is None:
            return None
        return [
            f"{i // SIDE + 1} {i % SIDE + 1} {solution[i]}"
            for i in range(CELLS)
            if not state.givens[i] and state.entries[i] != solution[i]
        ]

    def to_text(self, state: SudokuState) -> str:
        text = _digits(state.givens)
        if any(state.entries):
            text += f"\n{ENTRIES_PREFIX} {_digits(state.entries)}"
        return text

    def from_text(self, text: str) -> SudokuState:
        givens_text, _, entries_text = text.partition(ENTRIES_PREFIX)
        givens = _parse_digits(givens_text, "givens")
        entries = _parse_digits(entries_text, "entries") if entries_text.strip() else (0,) * CELLS
        clash = next((i for i in range(CELLS) if givens[i] and entries[i]), None)
        if clash is not None:
            row, col = divmod(clash, SIDE)
            raise LevelFormatError(f"sudoku entries write into the given cell ({row + 1}, {col + 1})")
        count = len(_solutions(givens, 2))
        if count != 1:
            found = "none" if not count else "several"
            raise LevelFormatError(f"sudoku givens must have exactly one solution, found {found}")
        return SudokuState(givens, entries)

    def background_key(self, state: SudokuState) -> Hashable:
        return state.givens

    def draw_background(self, state: SudokuState, size: int) -> Image.Image:
        image, draw = render.new_canvas(size)
        grid = _grid(size)
        for i in range(CELLS):
            row, col = divmod(i, SIDE)
            draw.rectangle(grid.box(row, col), fill=GIVEN_FILL if state.givens[i] else (255, 255, 255))
            if state.givens[i]:
                render.draw_centered(draw, grid.box(row, col), str(state.givens[i]), render.TEXT, 0.62)
        render.draw_grid_lines(draw, grid, width=max(1, size // 384), every=3)
        render.draw_axis_labels(draw, grid)
        return image

    def pieces(self, state: SudokuState, size: int) -> list[render.Piece]:
        grid = _grid(size)
        return [
            render.Piece(
                ("entry", i, digit),
                functools.partial(_draw_digit, box=grid.box(*divmod(i, SIDE)), digit=digit),
            )
            for i, digit in enumerate(state.entries)
            if digit
        ]

    def generate(self, rng: np.random.Generator, difficulty: int) -> SudokuState:
        """A random full grid with `difficulty` cells blanked, keeping the solution unique."""
        if not 0 <= difficulty <= MAX_BLANKS:
            raise ValueError(f"sudoku difficulty must be between 0 and {MAX_BLANKS} blank cells, got {difficulty}")
        for _ in range(1000):
            solution = _solutions((0,) * CELLS, 1, rng)[0]
            puzzle = _blank_cells(rng, solution, difficulty)
            if puzzle is not None:
                return SudokuState(puzzle, (0,) * CELLS)
        raise RuntimeError(f"could not generate a sudoku with {difficulty} blanks and a unique solution")

    def instruction(self, state: SudokuState) -> str:
        return "Fill every empty cell with a digit 1-9 so each row, column and 3x3 box holds 1-9 exactly once."


def _numbers(text: str) -> list[int] | None:
    """Three small numbers separated by spaces, commas or semicolons (or one 3-digit run like '357')."""
    body = text.strip().strip("()[]{}.").strip()
    tokens = [token for token in _SEPARATORS.split(body) if token]
    if len(tokens) == 1 and len(tokens[0]) == 3:
        tokens = list(tokens[0])
    if len(tokens) != 3 or not all(t.isascii() and t.isdigit() and len(t) <= 3 for t in tokens):
        return None
    return [int(t) for t in tokens]


def _digits(grid: Grid) -> str:
    return "".join(str(v) if v else BLANKS[0] for v in grid)


def _parse_digits(text: str, what: str) -> Grid:
    chars = "".join(text.split())
    bad = next((ch for ch in chars if ch not in BLANKS and not ("1" <= ch <= "9")), None)
    if bad is not None:
        raise LevelFormatError(f"sudoku {what} contain {bad!r}; use digits 1-9 and '.' or '0' for a blank")
    if len(chars) != CELLS:
        raise LevelFormatError(f"sudoku {what} must list 81 cells, got {len(chars)}")
    return tuple(0 if ch in BLANKS else int(ch) for ch in chars)


def _is_valid(grid: Grid) -> bool:
    """No digit repeats in any row, column or box (blanks ignored)."""
    seen: set[tuple[str, int, int]] = set()
    for i, v in enumerate(grid):
        if not v:
            continue
        keys = {("r", i // SIDE, v), ("c", i % SIDE, v), ("b", BOX[i], v)}
        if keys & seen:
            return False
        seen |= keys
    return True


@functools.lru_cache(maxsize=4096)
def _unique_solution(givens: Grid) -> Grid | None:
    found = _solutions(givens, 2)
    return found[0] if len(found) == 1 else None


def _solutions(grid: Grid, limit: int, rng: np.random.Generator | None = None) -> list[Grid]:
    """Up to `limit` completions of `grid`: bitmask backtracking on the most constrained cell.

    With `rng`, digits are tried in random order, which turns the search into a random grid maker.
    """
    board = list(grid)
    rows, cols, boxes = [0] * SIDE, [0] * SIDE, [0] * SIDE
    for i, v in enumerate(board):
        if v:
            bit = 1 << v
            if (rows[i // SIDE] | cols[i % SIDE] | boxes[BOX[i]]) & bit:
                return []
            rows[i // SIDE] |= bit
            cols[i % SIDE] |= bit
            boxes[BOX[i]] |= bit
    empty = [i for i in range(CELLS) if not board[i]]
    found: list[Grid] = []

    def search() -> None:
        best, best_options, best_count = -1, 0, SIDE + 1
        for i in empty:
            if board[i]:
                continue
            options = ALL_DIGITS & ~(rows[i // SIDE] | cols[i % SIDE] | boxes[BOX[i]])
            count = options.bit_count()
            if count < best_count:
                best, best_options, best_count = i, options, count
                if count <= 1:
                    break
        if best < 0:
            found.append(tuple(board))
            return
        values = [v for v in range(1, SIDE + 1) if best_options >> v & 1]
        if rng is not None:
            values = [values[k] for k in rng.permutation(len(values))]
        r, c, b = best // SIDE, best % SIDE, BOX[best]
        for v in values:
            bit = 1 << v
            board[best] = v
            rows[r] |= bit
            cols[c] |= bit
            boxes[b] |= bit
            search()
            rows[r] &= ~bit
            cols[c] &= ~bit
            boxes[b] &= ~bit
            board[best] = 0
            if len(found) >= limit:
                return

    search()
    return found


def _blank_cells(rng: np.random.Generator, solution: Grid, count: int) -> Grid | None:
    """Blank `count` cells in random order, skipping any whose removal would allow a second solution."""
    puzzle = list(solution)
    removed = 0
    for i in rng.permutation(CELLS):
        if removed == count:
            break
        puzzle[i] = 0
        if len(_solutions(tuple(puzzle), 2)) == 1:
            removed += 1
        else:
            puzzle[i] = solution[i]
    return tuple(puzzle) if removed == count else None


def _grid(size: int) -> render.Grid:
    return render.Grid(SIDE, SIDE, size, margin=max(12, size // 16))


def _draw_digit(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], digit: int) -> None:
    render.draw_centered(draw, box, str(digit), ENTRY_COLOUR, 0.62)
