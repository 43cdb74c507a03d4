"""Sokoban: push every box onto a target. Exact solver: BFS over moves with dead-square pruning."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from mmgym.envs.puzzles import render
from mmgym.envs.puzzles.core import PuzzleGame, Rejected
from mmgym.envs.puzzles.directions import DELTAS, GRAMMAR, parse_direction
from mmgym.errors import LevelFormatError

WALL, FLOOR, BOX, TARGET, BOX_ON_TARGET, PLAYER, PLAYER_ON_TARGET = "#", " ", "$", ".", "*", "@", "+"
FLOOR_ALIASES = frozenset(" -_")
VALID_CHARS = frozenset("#$.*@+") | FLOOR_ALIASES
MOVES = tuple(DELTAS)
Cell = tuple[int, int]


@dataclass(frozen=True)
class SokobanState:
    walls: frozenset[Cell]
    targets: frozenset[Cell]
    rows: int
    cols: int
    player: Cell
    boxes: frozenset[Cell]

    def is_open(self, cell: Cell) -> bool:
        """Inside the grid and not a wall (boxes are not considered)."""
        r, c = cell
        return 0 <= r < self.rows and 0 <= c < self.cols and cell not in self.walls


class Sokoban(PuzzleGame[SokobanState, str]):
    name = "sokoban"
    title = "Sokoban"
    rules = (
        "The level is drawn in the standard Sokoban text format: '#' wall, ' ' floor, '$' box, "
        "'.' target, '*' box on a target, '@' the player, '+' the player on a target. Each action "
        "moves the player one cell. Walking into a box pushes it one cell the same way, but only "
        "if the cell behind it is floor or a target; boxes cannot be pulled, and you cannot push "
        "two boxes at once or push a box into a wall. Solve the puzzle by putting every box on a target."
    )
    action_grammar = GRAMMAR
    difficulty_meaning = "number of moves (walks and pushes) in the shortest solution"
    room_sizes = (5, 6)  # interior side lengths of generated rooms

    def parse_action(self, text: str) -> str | Rejected:
        return parse_direction(text)

    def apply(self, state: SokobanState, move: str) -> SokobanState | Rejected:
        dr, dc = DELTAS[move]
        nxt = (state.player[0] + dr, state.player[1] + dc)
        if not state.is_open(nxt):
            return Rejected(f"cannot move {move}: a wall is in the way")
        boxes = state.boxes
        if nxt in boxes:
            behind = (nxt[0] + dr, nxt[1] + dc)
            if not state.is_open(behind):
                return Rejected(f"cannot push the box {move}: a wall is behind it")
            if behind in boxes:
                return Rejected(f"cannot push the box {move}: another box is behind it")
            boxes = (boxes - {nxt}) | {behind}
        return SokobanState(state.walls, state.targets, state.rows, state.cols, nxt, boxes)

    def is_solved(self, state: SokobanState) -> bool:
        return state.boxes == state.targets

    def candidate_actions(self, state: SokobanState) -> list[str]:
        return list(MOVES)

    def _solve(self, state: SokobanState) -> list[str] | None:
        board = _board(state.walls, state.targets, state.rows, state.cols)
        return board.solve(board.index(state.player), tuple(sorted(board.index(b) for b in state.boxes)))

    def to_text(self, state: SokobanState) -> str:
        lines = []
        for r in range(state.rows):
            row = [self._symbol(state, (r, c)) for c in range(state.cols)]
            lines.append("".join(row).rstrip())
        return "\n".join(lines)

    @staticmethod
    def _symbol(state: SokobanState, cell: Cell) -> str:
        on_target = cell in state.targets
        if cell == state.player:
            return PLAYER_ON_TARGET if on_target else PLAYER
        if cell in state.boxes:
            return BOX_ON_TARGET if on_target else BOX
        if on_target:
            return TARGET
        return WALL if cell in state.walls else FLOOR

    def split_level_file(self, text: str) -> list[str]:
        """Levels of an XSB collection as distributed: runs of board rows, whatever lies between them.

        Besides blank lines, collections put `;` comment lines and `Title:`/`Author:` (or any
        `Key: value`) lines before or after each level, and `Comment:` ... `Comment-End:` blocks.
        A board row is a line of board characters holding a wall; everything else separates levels.
        """
        levels, rows, in_comment = [], [], False
        for line in text.replace("\r\n", "\n").split("\n"):
            key = line.strip().lower()
            if key.startswith("comment-end:") or key.startswith("comment_end:"):
                in_comment = False
                continue
            if in_comment:
                continue
            if key.startswith("comment:") and not key[len("comment:") :].strip():
                in_comment = True
            if _is_board_row(line):
                rows.append(line)
                continue
            if rows:
                levels.append("\n".join(rows))
                rows = []
        if rows:
            levels.append("\n".join(rows))
        return levels

    def from_text(self, text: str) -> SokobanState:
        lines = [line.rstrip() for line in text.splitlines()]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        if not lines:
            raise LevelFormatError("sokoban level is empty; expected rows of '#', ' ', '$', '.', '*', '@', '+'")
        walls, targets, boxes, players = set(), set(), set(), []
        for r, line in enumerate(lines):
            for c, ch in enumerate(line):
                if ch not in VALID_CHARS:
                    raise LevelFormatError(f"sokoban level has {ch!r} at row {r + 1}; valid: # $ . * @ + space - _")
                cell = (r, c)
                if ch == WALL:
                    walls.add(cell)
                if ch in (TARGET, BOX_ON_TARGET, PLAYER_ON_TARGET):
                    targets.add(cell)
                if ch in (BOX, BOX_ON_TARGET):
                    boxes.add(cell)
                if ch in (PLAYER, PLAYER_ON_TARGET):
                    players.append(cell)
        if len(players) != 1:
            raise LevelFormatError(f"sokoban level needs exactly one player ('@' or '+'), got {len(players)}")
        if not boxes or len(boxes) != len(targets):
            raise LevelFormatError(
                f"sokoban level needs as many boxes as targets (at least one), got {len(boxes)} and {len(targets)}"
            )
        cols = max(len(line) for line in lines)
        state = SokobanState(frozenset(walls), frozenset(targets), len(lines), cols, players[0], frozenset(boxes))
        edge = sorted(r + 1 for r, c in _player_area(state) if r in (0, state.rows - 1) or c in (0, state.cols - 1))
        if edge:
            raise LevelFormatError(f"sokoban level is not enclosed by walls: the player can leave it at row {edge[0]}")
        return state

    def background_key(self, state: SokobanState) -> Hashable:
        return (state.walls, state.targets, state.rows, state.cols)

    def draw_background(self, state: SokobanState, size: int) -> Image.Image:
        image, draw = render.new_canvas(size)
        grid = _grid(state, size)
        inside = _floor(state.walls, state.targets, state.rows, state.cols)
        for r in range(state.rows):
            for c in range(state.cols):
                cell = (r, c)
                if cell in state.walls:
                    draw.rectangle(grid.box(r, c), fill=render.WALL)
                elif cell in inside:
                    draw.rectangle(grid.box(r, c), fill=render.FLOOR)
        for cell in state.targets:
            draw.ellipse(grid.inset(*cell, 0.08), outline=render.TARGET, width=max(2, int(grid.cell * 0.07)))
            draw.ellipse(grid.inset(*cell, 0.4), fill=render.TARGET)
        render.draw_grid_lines(draw, grid)
        render.draw_axis_labels(draw, grid)
        return image

    def pieces(self, state: SokobanState, size: int) -> list[render.Piece]:
        grid, where = _grid(state, size), (state.rows, state.cols)
        boxes = [
            render.Piece(
                ("box", *where, cell, cell in state.targets), self._box_drawing(grid, cell, cell in state.targets)
            )
            for cell in sorted(state.boxes)
        ]
        player = grid.inset(*state.player, 0.2)
        return [
            *boxes,
            render.Piece(
                ("player", *where, state.player),
                lambda draw: draw.ellipse(player, fill=render.PLAYER, outline=(255, 255, 255), width=2),
            ),
        ]

    @classmethod
    def _box_drawing(cls, grid: render.Grid, cell: Cell, on_target: bool) -> render.Draw:
        return lambda draw: cls._draw_box(draw, grid, cell, on_target)

    @staticmethod
    def _draw_box(draw, grid: render.Grid, cell: Cell, on_target: bool) -> None:
        """A box is a crossed crate; green with a check mark when it sits on a target."""
        x0, y0, x1, y1 = grid.inset(*cell, 0.1)
        width = max(2, int(grid.cell * 0.06))
        fill = render.GOAL if on_target else render.BOX
        draw.rectangle((x0, y0, x1, y1), fill=fill, outline=render.TEXT, width=width)
        if on_target:
            render.draw_centered(draw, (x0, y0, x1, y1), "*", (255, 255, 255), 0.9)
        else:
            draw.line([(x0, y0), (x1, y1)], render.TEXT, width)
            draw.line([(x0, y1), (x1, y0)], render.TEXT, width)

    def generate(self, rng: np.random.Generator, difficulty: int) -> SokobanState:
        if difficulty < 1:
            raise ValueError(f"sokoban difficulty must be at least 1 move, got {difficulty}")
        for _ in range(10_000):
            state = self._candidate(rng, difficulty)
            if state is not None and self.optimal_remaining(state) == difficulty:
                return state
        raise RuntimeError(f"could not generate a sokoban level with a shortest solution of {difficulty} moves")

    def _candidate(self, rng: np.random.Generator, difficulty: int) -> SokobanState | None:
        """A random room and boxes on targets, then a state exactly `difficulty` moves before a goal."""
        height, width = (int(self.room_sizes[rng.integers(len(self.room_sizes))]) for _ in range(2))
        walls = _room(rng, height, width)
        floor = sorted((r, c) for r in range(1, height + 1) for c in range(1, width + 1) if (r, c) not in walls)
        n_boxes = int(rng.integers(1, 3))
        picks = rng.choice(len(floor), size=n_boxes, replace=False)
        targets = frozenset(floor[i] for i in sorted(picks))
        board = _board(frozenset(walls), targets, height + 2, width + 2)
        starts = board.states_at_distance(difficulty)
        if not starts:
            return None
        most_off = max(off for _, _, off in starts)
        starts = [(p, b) for p, b, off in starts if off == most_off]
        player, boxes = starts[rng.integers(len(starts))]
        cells = frozenset(board.cell(b) for b in boxes)
        return SokobanState(frozenset(walls), targets, height + 2, width + 2, board.cell(player), cells)

    def instruction(self, state: SokobanState) -> str:
        return "Push every box ($) onto a target (.)."


def _room(rng: np.random.Generator, height: int, width: int) -> set[Cell]:
    """Border walls plus a few interior walls that keep the floor connected."""
    walls = {(r, c) for r in range(height + 2) for c in range(width + 2) if r in (0, height + 1) or c in (0, width + 1)}
    interior = [(r, c) for r in range(1, height + 1) for c in range(1, width + 1)]
    wanted = int(rng.integers(2, 6))
    for i in rng.permutation(len(interior)):
        if wanted == 0:
            break
        cell = interior[int(i)]
        if _connected(walls | {cell}, interior):
            walls.add(cell)
            wanted -= 1
    return walls


def _connected(walls: set[Cell], interior: list[Cell]) -> bool:
    floor = {cell for cell in interior if cell not in walls}
    first = min(floor)
    seen = {first}
    queue = deque([first])
    while queue:
        r, c = queue.popleft()
        for dr, dc in DELTAS.values():
            nxt = (r + dr, c + dc)
            if nxt not in seen and nxt in floor:
                seen.add(nxt)
                queue.append(nxt)
    return len(seen) == len(floor)


@functools.lru_cache(maxsize=256)
def _floor(walls: frozenset[Cell], targets: frozenset[Cell], rows: int, cols: int) -> frozenset[Cell]:
    """The cells walls enclose, plus targets: drawn as floor, the rest (outside the level) as background.
    Walls alone fix it, so a level's background is drawn once."""
    outside = {(r, c) for r in range(rows) for c in range(cols) if r in (0, rows - 1) or c in (0, cols - 1)}
    outside -= walls
    queue = deque(outside)
    while queue:
        r, c = queue.popleft()
        for dr, dc in DELTAS.values():
            nxt = (r + dr, c + dc)
            if 0 <= nxt[0] < rows and 0 <= nxt[1] < cols and nxt not in walls and nxt not in outside:
                outside.add(nxt)
                queue.append(nxt)
    blocked = walls | outside
    return frozenset((r, c) for r in range(rows) for c in range(cols) if (r, c) not in blocked) | targets


def _player_area(state: SokobanState) -> set[Cell]:
    """Cells the player could walk to if no box were in the way."""
    seen = {state.player}
    queue = deque([state.player])
    while queue:
        r, c = queue.popleft()
        for dr, dc in DELTAS.values():
            nxt = (r + dr, c + dc)
            if nxt not in seen and state.is_open(nxt):
                seen.add(nxt)
                queue.append(nxt)
    return seen


@functools.lru_cache(maxsize=256)
def _board(walls: frozenset[Cell], targets: frozenset[Cell], rows: int, cols: int) -> _Board:
    return _Board(walls, targets, rows, cols)


class _Board:
    """A level's static part as flat cell indices with a wall border, for fast search.

    Boxes are sorted tuples of indices; `live[i]` says a box at i can still reach some target
    (reverse pull reachability, ignoring other boxes), so pruning boxes on dead squares keeps BFS exact.
    """

    def __init__(self, walls: frozenset[Cell], targets: frozenset[Cell], rows: int, cols: int) -> None:
        self.width = cols + 2
        size = (rows + 2) * self.width
        self.open = [False] * size
        for r in range(rows):
            for c in range(cols):
                self.open[self.index((r, c))] = (r, c) not in walls
        self.offsets = tuple(dr * self.width + dc for dr, dc in DELTAS.values())
        self.goal = tuple(sorted(self.index(t) for t in targets))
        self.live = self._live_squares(size)

    def index(self, cell: Cell) -> int:
        return (cell[0] + 1) * self.width + cell[1] + 1

    def cell(self, index: int) -> Cell:
        return (index // self.width - 1, index % self.width - 1)

    def _live_squares(self, size: int) -> list[bool]:
        live = [False] * size
        queue = deque(self.goal)
        for t in self.goal:
            live[t] = True
        while queue:
            at = queue.popleft()
            for off in self.offsets:
                prev = at + off
                if not live[prev] and self.open[prev] and self.open[prev + off]:
                    live[prev] = True
                    queue.append(prev)
        return live

    def solve(self, player: int, boxes: tuple[int, ...]) -> list[str] | None:
        """Breadth-first search over moves; the first goal reached is optimal."""
        if boxes == self.goal:
            return []
        if not all(self.live[b] for b in boxes):
            return None
        start = (player, boxes)
        parents: dict[tuple[int, tuple[int, ...]], tuple[tuple[int, tuple[int, ...]], int] | None] = {start: None}
        frontier = [start]
        is_open, live, offsets, goal = self.open, self.live, self.offsets, self.goal
        while frontier:
            nxt_frontier = []
            for key in frontier:
                p, bx = key
                for k, off in enumerate(offsets):
                    t = p + off
                    if not is_open[t]:
                        continue
                    if t in bx:
                        b = t + off
                        if not live[b] or b in bx:
                            continue
                        child = (t, tuple(sorted([b if x == t else x for x in bx])))
                        if child in parents:
                            continue
                        parents[child] = (key, k)
                        if child[1] == goal:
                            return self._path(parents, child)
                    else:
                        child = (t, bx)
                        if child in parents:
                            continue
                        parents[child] = (key, k)
                    nxt_frontier.append(child)
            frontier = nxt_frontier
        return None

    @staticmethod
    def _path(parents: dict, key: tuple) -> list[str]:
        path: list[str] = []
        while parents[key] is not None:
            key, k = parents[key]
            path.append(MOVES[k])
        return path[::-1]

    def states_at_distance(self, depth: int) -> list[tuple[int, tuple[int, ...], int]]:
        """States exactly `depth` moves from the nearest goal, by BFS backwards from all goal states.

        Each entry is (player, boxes, number of boxes off target), sorted so the choice is deterministic.
        """
        floor = [i for i, ok in enumerate(self.open) if ok and i not in self.goal]
        seen = {(p, self.goal) for p in floor}
        frontier = sorted(seen)
        for _ in range(depth):
            nxt_frontier = []
            for p, bx in frontier:
                for off in self.offsets:
                    prev = p - off
                    if not self.open[prev] or prev in bx:
                        continue
                    preds = [(prev, bx)]
                    if p + off in bx:
                        preds.append((prev, tuple(sorted([p if x == p + off else x for x in bx]))))
                    for pred in preds:
                        if pred not in seen:
                            seen.add(pred)
                            nxt_frontier.append(pred)
            frontier = nxt_frontier
        goal = set(self.goal)
        return sorted((p, bx, sum(b not in goal for b in bx)) for p, bx in frontier)


def _is_board_row(line: str) -> bool:
    """A line of an XSB board: only board characters (spaces included), at least one wall."""
    stripped = line.rstrip()
    return WALL in stripped and all(ch in VALID_CHARS for ch in stripped)


def _grid(state: SokobanState, size: int) -> render.Grid:
    return render.Grid(state.rows, state.cols, size, margin=max(12, size // 16))
