"""N-Queens: complete a board of n queens, no two sharing a row, column or diagonal, around fixed queens.

Exact solver: enumerate every full solution that keeps the fixed queens (cached per board) and
pick the one closest to the player's queens.
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

FIXED, PLACED, EMPTY = "Q", "q", "."
MAX_SIDE = 12
LIGHT_SQUARE = (240, 217, 181)
DARK_SQUARE = (196, 160, 122)
FIXED_QUEEN = (35, 35, 40)
PLACED_QUEEN = (25, 90, 215)
_SEPARATORS = re.compile(r"[\s,;]+")

Cell = tuple[int, int]
Solution = tuple[int, ...]  # column of the queen in each row


@dataclass(frozen=True)
class NQueensState:
    n: int
    fixed: frozenset[Cell]  # pre-placed queens the player cannot move
    placed: frozenset[Cell]  # queens the player placed; disjoint from `fixed`

    @property
    def queens(self) -> frozenset[Cell]:
        return self.fixed | self.placed


def attacks(a: Cell, b: Cell) -> bool:
    """Whether queens on two distinct squares attack each other."""
    return a[0] == b[0] or a[1] == b[1] or abs(a[0] - b[0]) == abs(a[1] - b[1])


class NQueens(PuzzleGame[NQueensState, Cell]):
    name = "nqueens"
    title = "N-Queens"
    rules = (
        "Place queens on the n x n board until it holds n queens, no two in the same row, column or "
        "diagonal. Some queens are fixed (Q) and cannot be moved. The action 'row column' places a "
        "queen on that empty square, or removes a queen you placed there earlier (q). Placing a queen "
        "on a square attacked by another queen, or acting on a fixed queen, is invalid. Text format: "
        "one line per row, 'Q' a fixed queen, 'q' a queen you placed, '.' an empty square."
    )
    action_grammar = "'row column' as two numbers counted from 1, e.g. '3 5' toggles a queen on row 3, column 5"
    difficulty_meaning = (
        "number of queens the player must place on the 8x8 board; the other 8 - difficulty queens of a "
        "random solution are fixed, so it equals the optimal solution length"
    )
    default_difficulty = 4
    size = 8  # side of generated boards

    def parse_action(self, text: str) -> Cell | Rejected:
        body = text.strip().strip("()[]{}.").strip()
        tokens = [token for token in _SEPARATORS.split(body) if token]
        if len(tokens) != 2 or not all(t.isascii() and t.isdigit() and len(t) <= 3 for t in tokens):
            return Rejected(f"expected {self.action_grammar}")
        row, col = int(tokens[0]), int(tokens[1])
        if row < 1 or col < 1:
            return Rejected("rows and columns are counted from 1")
        return (row - 1, col - 1)

    def format_action(self, move: Cell) -> str:
        return f"{move[0] + 1} {move[1] + 1}"

    def apply(self, state: NQueensState, move: Cell) -> NQueensState | Rejected:
        label = f"({move[0] + 1}, {move[1] + 1})"
        if not (move[0] < state.n and move[1] < state.n):
            return Rejected(f"square {label} is off the {state.n}x{state.n} board")
        if move in state.fixed:
            return Rejected(f"the queen on {label} is fixed and cannot be removed")
        if move in state.placed:
            return NQueensState(state.n, state.fixed, state.placed - {move})
        attacker = next((q for q in sorted(state.queens) if attacks(q, move)), None)
        if attacker is not None:
            return Rejected(f"square {label} is attacked by the queen on ({attacker[0] + 1}, {attacker[1] + 1})")
        return NQueensState(state.n, state.fixed, state.placed | {move})

    def is_solved(self, state: NQueensState) -> bool:
        queens = sorted(state.queens)
        return len(queens) == state.n and not any(attacks(a, b) for i, a in enumerate(queens) for b in queens[i + 1 :])

    def candidate_actions(self, state: NQueensState) -> list[str]:
        return [f"{r} {c}" for r in range(1, state.n + 1) for c in range(1, state.n + 1)]

    def _solve(self, state: NQueensState) -> list[str] | None:
        """Remove the placed queens outside the nearest solution, then place its missing queens.

        Exact: each action adds or removes one placed queen, and a goal is a solution S containing
        the fixed queens with placed = S minus fixed, so reaching S takes at least
        |placed \\ S| + |S \\ queens| actions. The plan meets that bound for the S minimising it, and
        every action in it is legal: removals always are, and after them every queen on the board
        lies in S, whose queens never attack each other, so each placement is on an unattacked square.
        """
        solutions = _solutions(state.n, state.fixed)
        if not solutions:
            return None
        best = max(solutions, key=lambda s: sum(s[r] == c for r, c in state.placed))
        removals = sorted(q for q in state.placed if best[q[0]] != q[1])
        placements = [(r, c) for r, c in enumerate(best) if (r, c) not in state.queens]
        return [self.format_action(move) for move in removals + placements]

    def to_text(self, state: NQueensState) -> str:
        def symbol(cell: Cell) -> str:
            return FIXED if cell in state.fixed else PLACED if cell in state.placed else EMPTY

        return "\n".join("".join(symbol((r, c)) for c in range(state.n)) for r in range(state.n))

    def from_text(self, text: str) -> NQueensState:
        lines = ["".join(line.split()) for line in text.splitlines()]
        lines = [line for line in lines if line]
        n = len(lines)
        if not 1 <= n <= MAX_SIDE or any(len(line) != n for line in lines):
            raise LevelFormatError(f"n-queens text must be n lines of n characters with 1 <= n <= {MAX_SIDE}")
        bad = next((ch for line in lines for ch in line if ch not in (FIXED, PLACED, EMPTY)), None)
        if bad is not None:
            raise LevelFormatError(f"n-queens text contains {bad!r}; valid: Q (fixed queen), q (placed queen), .")
        fixed = frozenset((r, c) for r, line in enumerate(lines) for c, ch in enumerate(line) if ch == FIXED)
        placed = frozenset((r, c) for r, line in enumerate(lines) for c, ch in enumerate(line) if ch == PLACED)
        queens = sorted(fixed | placed)
        clash = next(((a, b) for i, a in enumerate(queens) for b in queens[i + 1 :] if attacks(a, b)), None)
        if clash is not None:
            (r1, c1), (r2, c2) = clash
            raise LevelFormatError(f"queens on ({r1 + 1}, {c1 + 1}) and ({r2 + 1}, {c2 + 1}) attack each other")
        return NQueensState(n, fixed, placed)

    def background_key(self, state: NQueensState) -> Hashable:
        return (state.n, state.fixed)

    def draw_background(self, state: NQueensState, size: int) -> Image.Image:
        image, draw = render.new_canvas(size)
        grid = _grid(state.n, size)
        for r in range(state.n):
            for c in range(state.n):
                draw.rectangle(grid.box(r, c), fill=LIGHT_SQUARE if (r + c) % 2 == 0 else DARK_SQUARE)
        for cell in state.fixed:
            _draw_queen(draw, grid, cell, FIXED_QUEEN)
        render.draw_grid_lines(draw, grid)
        render.draw_axis_labels(draw, grid)
        return image

    def pieces(self, state: NQueensState, size: int) -> list[render.Piece]:
        grid = _grid(state.n, size)
        return [
            render.Piece(
                ("queen", state.n, cell), functools.partial(_draw_queen, grid=grid, cell=cell, colour=PLACED_QUEEN)
            )
            for cell in sorted(state.placed)
        ]

    def generate(self, rng: np.random.Generator, difficulty: int) -> NQueensState:
        """A random solution with `difficulty` of its queens removed; the rest stay as fixed queens."""
        if not 0 <= difficulty <= self.size:
            raise ValueError(f"n-queens difficulty must be between 0 and {self.size} queens to place, got {difficulty}")
        solutions = _solutions(self.size, frozenset())
        solution = solutions[rng.integers(len(solutions))]
        kept = rng.choice(self.size, size=self.size - difficulty, replace=False)
        return NQueensState(self.size, frozenset((int(r), solution[r]) for r in kept), frozenset())

    def instruction(self, state: NQueensState) -> str:
        return f"Place queens until the board holds {state.n}, no two in the same row, column or diagonal."


@functools.lru_cache(maxsize=1024)
def _solutions(n: int, fixed: frozenset[Cell]) -> tuple[Solution, ...]:
    """Every placement of n non-attacking queens that includes `fixed`, in lexicographic order."""
    forced = dict(fixed)
    if len(forced) != len(fixed):
        return ()
    found: list[Solution] = []
    columns: list[int] = []

    def search(row: int, cols: int, diag: int, anti: int) -> None:
        if row == n:
            found.append(tuple(columns))
            return
        options = [forced[row]] if row in forced else range(n)
        for c in options:
            if cols >> c & 1 or diag >> (row + c) & 1 or anti >> (row - c + n) & 1:
                continue
            columns.append(c)
            search(row + 1, cols | 1 << c, diag | 1 << (row + c), anti | 1 << (row - c + n))
            columns.pop()

    search(0, 0, 0, 0)
    return tuple(found)


def _grid(n: int, size: int) -> render.Grid:
    return render.Grid(n, n, size, margin=max(12, size // 16))


def _draw_queen(draw: ImageDraw.ImageDraw, grid: render.Grid, cell: Cell, colour: tuple[int, int, int]) -> None:
    draw.ellipse(grid.inset(*cell, 0.12), fill=colour, outline=(255, 255, 255), width=max(1, grid.size // 256))
    render.draw_centered(draw, grid.box(*cell), "Q", (255, 255, 255), 0.5)
