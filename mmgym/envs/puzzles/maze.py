"""Maze: walk the player to the goal through a grid of walls. Exact solver: BFS."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from mmgym.envs.puzzles import render
from mmgym.envs.puzzles.core import PuzzleGame, Rejected
from mmgym.envs.puzzles.directions import DELTAS, GRAMMAR, parse_direction
from mmgym.errors import LevelFormatError

WALL, FLOOR, PLAYER, GOAL, PLAYER_ON_GOAL = "#", ".", "P", "G", "*"
Cell = tuple[int, int]


@dataclass(frozen=True)
class MazeState:
    walls: frozenset[Cell]
    rows: int
    cols: int
    player: Cell
    goal: Cell

    def is_open(self, cell: Cell) -> bool:
        r, c = cell
        return 0 <= r < self.rows and 0 <= c < self.cols and cell not in self.walls


class Maze(PuzzleGame[MazeState, str]):
    name = "maze"
    title = "Maze"
    rules = (
        "The grid has walls (#), open floor (.), the player (P) and the goal (G); '*' is the "
        "player standing on the goal. Each action moves the player one cell; moving into a wall "
        "or off the grid is invalid. Reach the goal."
    )
    action_grammar = GRAMMAR
    difficulty_meaning = "length of the shortest path from player to goal"
    size = 7  # interior side of generated mazes

    def parse_action(self, text: str) -> str | Rejected:
        return parse_direction(text)

    def apply(self, state: MazeState, move: str) -> MazeState | Rejected:
        dr, dc = DELTAS[move]
        target = (state.player[0] + dr, state.player[1] + dc)
        if not state.is_open(target):
            return Rejected(f"cannot move {move}: a wall is in the way")
        return MazeState(state.walls, state.rows, state.cols, target, state.goal)

    def is_solved(self, state: MazeState) -> bool:
        return state.player == state.goal

    def candidate_actions(self, state: MazeState) -> list[str]:
        return list(DELTAS)

    def _solve(self, state: MazeState) -> list[str] | None:
        parents: dict[Cell, tuple[Cell, str] | None] = {state.player: None}
        queue = deque([state.player])
        while queue:
            cell = queue.popleft()
            if cell == state.goal:
                path: list[str] = []
                while parents[cell] is not None:
                    cell, move = parents[cell]  # type: ignore[misc]
                    path.append(move)
                return path[::-1]
            for move, (dr, dc) in DELTAS.items():
                nxt = (cell[0] + dr, cell[1] + dc)
                if nxt not in parents and state.is_open(nxt):
                    parents[nxt] = (cell, move)
                    queue.append(nxt)
        return None

    def to_text(self, state: MazeState) -> str:
        lines = []
        for r in range(state.rows):
            row = []
            for c in range(state.cols):
                cell = (r, c)
                if cell == state.player:
                    row.append(PLAYER_ON_GOAL if cell == state.goal else PLAYER)
                elif cell == state.goal:
                    row.append(GOAL)
                else:
                    row.append(WALL if cell in state.walls else FLOOR)
            lines.append("".join(row))
        return "\n".join(lines)

    def from_text(self, text: str) -> MazeState:
        lines = [line for line in text.strip("\n").splitlines() if line.strip()]
        if not lines or len({len(line) for line in lines}) != 1:
            raise LevelFormatError("maze text must be a non-empty rectangle of '#', '.', 'P', 'G', '*'")
        walls, players, goals = set(), [], []
        for r, line in enumerate(lines):
            for c, ch in enumerate(line):
                if ch == WALL:
                    walls.add((r, c))
                elif ch in (PLAYER, PLAYER_ON_GOAL):
                    players.append((r, c))
                if ch in (GOAL, PLAYER_ON_GOAL):
                    goals.append((r, c))
                if ch not in (WALL, FLOOR, PLAYER, GOAL, PLAYER_ON_GOAL):
                    raise LevelFormatError(f"maze text has {ch!r} at row {r + 1}; valid: # . P G *")
        if len(players) != 1 or len(goals) != 1:
            raise LevelFormatError(f"maze needs exactly one player and one goal, got {len(players)} and {len(goals)}")
        return MazeState(frozenset(walls), len(lines), len(lines[0]), players[0], goals[0])

    def background_key(self, state: MazeState) -> Hashable:
        return (state.walls, state.rows, state.cols, state.goal)

    def draw_background(self, state: MazeState, size: int) -> Image.Image:
        image, draw = render.new_canvas(size)
        grid = _grid(state, size)
        for r in range(state.rows):
            for c in range(state.cols):
                draw.rectangle(grid.box(r, c), fill=render.WALL if (r, c) in state.walls else render.FLOOR)
        draw.rectangle(grid.inset(*state.goal, 0.12), fill=render.GOAL)
        render.draw_centered(draw, grid.box(*state.goal), "G", (255, 255, 255))
        render.draw_grid_lines(draw, grid)
        render.draw_axis_labels(draw, grid)
        return image

    def pieces(self, state: MazeState, size: int) -> list[render.Piece]:
        box = _grid(state, size).inset(*state.player, 0.18)
        return [
            render.Piece(
                ("player", state.rows, state.cols, state.player), lambda draw: draw.ellipse(box, fill=render.PLAYER)
            )
        ]

    def generate(self, rng: np.random.Generator, difficulty: int) -> MazeState:
        if difficulty < 0:
            raise ValueError(f"maze difficulty must be a path length >= 0, got {difficulty}")
        n = self.size + 2
        for _ in range(10_000):
            walls = self._carve(rng, n)
            open_cells = [(r, c) for r in range(n) for c in range(n) if (r, c) not in walls]
            start = open_cells[rng.integers(len(open_cells))]
            at_distance = sorted(self._distances(walls, n, start, difficulty))
            if at_distance:
                goal = at_distance[rng.integers(len(at_distance))]
                return MazeState(frozenset(walls), n, n, start, goal)
        raise RuntimeError(f"could not generate a maze with a shortest path of {difficulty}")

    @staticmethod
    def _carve(rng: np.random.Generator, n: int) -> set[Cell]:
        """A randomised depth-first maze on odd cells, with a few extra openings for loops."""
        walls = {(r, c) for r in range(n) for c in range(n)}
        stack = [(1, 1)]
        walls.discard((1, 1))
        while stack:
            r, c = stack[-1]
            options = [
                (dr, dc)
                for dr, dc in ((-2, 0), (2, 0), (0, -2), (0, 2))
                if 0 < r + dr < n - 1 and 0 < c + dc < n - 1 and (r + dr, c + dc) in walls
            ]
            if not options:
                stack.pop()
                continue
            dr, dc = options[rng.integers(len(options))]
            walls.discard((r + dr // 2, c + dc // 2))
            walls.discard((r + dr, c + dc))
            stack.append((r + dr, c + dc))
        inner = sorted(cell for cell in walls if 0 < cell[0] < n - 1 and 0 < cell[1] < n - 1)
        for i in rng.choice(len(inner), size=min(len(inner), n // 2), replace=False):
            walls.discard(inner[i])
        return walls

    @staticmethod
    def _distances(walls: set[Cell], n: int, start: Cell, wanted: int) -> list[Cell]:
        """Open cells whose shortest-path distance from `start` is exactly `wanted`."""
        seen = {start: 0}
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            for dr, dc in DELTAS.values():
                nxt = (cell[0] + dr, cell[1] + dc)
                if nxt not in seen and nxt not in walls and 0 <= nxt[0] < n and 0 <= nxt[1] < n:
                    seen[nxt] = seen[cell] + 1
                    queue.append(nxt)
        return [cell for cell, d in seen.items() if d == wanted]

    def instruction(self, state: MazeState) -> str:
        return "Move the player (P) to the goal (G)."


def _grid(state: MazeState, size: int) -> render.Grid:
    return render.Grid(state.rows, state.cols, size, margin=max(12, size // 16))
