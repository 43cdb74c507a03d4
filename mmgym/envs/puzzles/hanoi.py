"""Tower of Hanoi: move disks between three rods, never a larger disk onto a smaller one.

The goal is any legal configuration (usually a full tower on one rod), so levels of a fixed
length can vary. Exact solver: between two legal configurations the largest disk that is out of
place moves once or twice in an optimal solution, which gives two candidate plans; the shorter
one is optimal.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from mmgym.envs.puzzles import render
from mmgym.envs.puzzles.core import PuzzleGame, Rejected
from mmgym.errors import LevelFormatError

RODS = "ABC"
MAX_DISKS = 10
GENERATED_DISKS = (4, 5)
Rods = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
Move = tuple[int, int]  # (from rod, to rod), rods numbered 0..2
Positions = tuple[int, ...]  # rod of disk 1 (smallest), disk 2, ...

_MOVE = re.compile(r"^(?:move\s+)?(?:from\s+)?(?:rod\s+)?([abc])\s*(?:->|→|-|,|\bto\b)?\s*(?:rod\s+)?([abc])$")
_ROD_LINE = re.compile(r"^(goal\s+)?([abc])\s*:(.*)$")
_GOAL_LINE = re.compile(r"^goal\s*:\s*([abc])$")
DISK_COLOURS = [
    (220, 60, 60),
    (240, 150, 40),
    (230, 200, 50),
    (60, 170, 80),
    (40, 160, 200),
    (50, 90, 210),
    (140, 80, 200),
    (210, 90, 170),
    (130, 90, 60),
    (90, 90, 90),
]


@dataclass(frozen=True)
class HanoiState:
    rods: Rods  # per rod, disk sizes from bottom to top
    goal: Rods

    @property
    def disks(self) -> int:
        return sum(len(rod) for rod in self.rods)


def positions(rods: Rods) -> Positions:
    """The rod of every disk, smallest first: a compact key that determines the configuration."""
    where = {disk: i for i, rod in enumerate(rods) for disk in rod}
    return tuple(where[disk] for disk in range(1, len(where) + 1))


def rods_of(pos: Positions) -> Rods:
    """The configuration with each disk on the given rod, stacked largest at the bottom."""
    return tuple(tuple(d for d in range(len(pos), 0, -1) if pos[d - 1] == rod) for rod in range(3))  # type: ignore[return-value]


def tower(disks: int, rod: int) -> Rods:
    return rods_of((rod,) * disks)


def tower_distance(pos: Positions, k: int, target: int) -> int:
    """Fewest moves that gather disks 1..k of `pos` into a tower on `target`."""
    moves = 0
    for disk in range(k, 0, -1):
        rod = pos[disk - 1]
        if rod != target:
            moves += 1 << (disk - 1)
            target = 3 - rod - target
    return moves


def _gather(pos: list[int], k: int, target: int, out: list[Move]) -> None:
    """Append the optimal moves that gather disks 1..k on `target`, updating `pos`."""
    if k == 0:
        return
    rod = pos[k - 1]
    if rod == target:
        _gather(pos, k - 1, target, out)
        return
    spare = 3 - rod - target
    _gather(pos, k - 1, spare, out)
    out.append((rod, target))
    pos[k - 1] = target
    _gather(pos, k - 1, target, out)


def gather_moves(pos: Positions, k: int, target: int) -> list[Move]:
    out: list[Move] = []
    _gather(list(pos), k, target, out)
    return out


def scatter_moves(goal: Positions, k: int, source: int) -> list[Move]:
    """Moves from a tower of disks 1..k on `source` to their places in `goal` (gathering, reversed)."""
    return [(b, a) for a, b in reversed(gather_moves(goal, k, source))]


def _largest_misplaced(start: Positions, goal: Positions) -> int:
    return max((d for d in range(1, len(start) + 1) if start[d - 1] != goal[d - 1]), default=0)


def _routes(start: Positions, goal: Positions) -> tuple[int, int, int, int, int]:
    """For the largest misplaced disk k, on rod a and wanted on rod b: (k, a, b, length of the route
    that moves it once, length of the route that moves it twice, via the spare rod)."""
    k = _largest_misplaced(start, goal)
    a, b = start[k - 1], goal[k - 1]
    spare = 3 - a - b
    once = tower_distance(start, k - 1, spare) + 1 + tower_distance(goal, k - 1, spare)
    twice = tower_distance(start, k - 1, b) + (1 << (k - 1)) + 1 + tower_distance(goal, k - 1, a)
    return k, a, b, once, twice


def distance(start: Positions, goal: Positions) -> int:
    """Exact fewest moves between two legal configurations of the same disks."""
    if start == goal:
        return 0
    _, _, _, once, twice = _routes(start, goal)
    return min(once, twice)


def plan(start: Positions, goal: Positions) -> list[Move]:
    """An optimal move list between two legal configurations."""
    if start == goal:
        return []
    k, a, b, once, twice = _routes(start, goal)
    spare = 3 - a - b
    if once <= twice:
        return [*gather_moves(start, k - 1, spare), (a, b), *scatter_moves(goal, k - 1, spare)]
    return [
        *gather_moves(start, k - 1, b),
        (a, spare),
        *gather_moves((b,) * (k - 1), k - 1, a),
        (spare, b),
        *scatter_moves(goal, k - 1, a),
    ]


class Hanoi(PuzzleGame[HanoiState, Move]):
    name = "hanoi"
    title = "Tower of Hanoi"
    rules = (
        "There are three rods A, B and C and disks numbered by size (1 is the smallest). The text "
        "lists each rod's disks from bottom to top, e.g. 'A: 4 3 1'. Each action moves the top disk "
        "of one rod onto another rod. A larger disk may never be placed on a smaller one, and moving "
        "from an empty rod or onto the same rod is invalid. Reach the goal configuration: 'goal: C' "
        "means all disks stacked on rod C; otherwise 'goal A:', 'goal B:', 'goal C:' lines list the "
        "target disks of each rod. The image shows the current rods on top and the goal below."
    )
    action_grammar = "'move X Y' to move the top disk of rod X onto rod Y, with X and Y among A, B, C (e.g. 'move A C')"
    difficulty_meaning = "number of moves in the shortest solution"

    def parse_action(self, text: str) -> Move | Rejected:
        words = " ".join(text.split()).strip(".").lower()
        match = _MOVE.match(words)
        if match is None:
            return Rejected(f"{text.strip()[:40]!r} is not a move; expected {self.action_grammar}")
        src, dst = (RODS.index(g.upper()) for g in match.groups())
        if src == dst:
            return Rejected(f"a disk cannot move from rod {RODS[src]} onto the same rod")
        return (src, dst)

    def format_action(self, move: Move) -> str:
        return f"move {RODS[move[0]]} {RODS[move[1]]}"

    def apply(self, state: HanoiState, move: Move) -> HanoiState | Rejected:
        src, dst = move
        if not state.rods[src]:
            return Rejected(f"rod {RODS[src]} is empty")
        disk = state.rods[src][-1]
        if state.rods[dst] and state.rods[dst][-1] < disk:
            return Rejected(f"disk {disk} cannot go on the smaller disk {state.rods[dst][-1]} on rod {RODS[dst]}")
        rods = list(state.rods)
        rods[src] = rods[src][:-1]
        rods[dst] = (*rods[dst], disk)
        return HanoiState(tuple(rods), state.goal)  # type: ignore[arg-type]

    def is_solved(self, state: HanoiState) -> bool:
        return state.rods == state.goal

    def candidate_actions(self, state: HanoiState) -> list[str]:
        return [self.format_action((a, b)) for a in range(3) for b in range(3) if a != b]

    def _solve(self, state: HanoiState) -> list[str] | None:
        return [self.format_action(m) for m in plan(positions(state.rods), positions(state.goal))]

    # ---- formats -----------------------------------------------------------------------
    def to_text(self, state: HanoiState) -> str:
        lines = [_rod_line(RODS[i], rod) for i, rod in enumerate(state.rods)]
        target = next((i for i in range(3) if state.goal == tower(state.disks, i)), None)
        if target is not None:
            lines.append(f"goal: {RODS[target]}")
        else:
            lines += [_rod_line(f"goal {RODS[i]}", rod) for i, rod in enumerate(state.goal)]
        return "\n".join(lines)

    def from_text(self, text: str) -> HanoiState:
        current: dict[int, tuple[int, ...]] = {}
        goal: dict[int, tuple[int, ...]] = {}
        goal_rod: int | None = None
        for line in (raw.strip() for raw in text.splitlines()):
            if not line:
                continue
            if (whole := _GOAL_LINE.match(line.lower())) is not None:
                goal_rod = _once(goal_rod, RODS.index(whole.group(1).upper()))
                continue
            is_goal, rod, disks = _parse_rod_line(line)
            table = goal if is_goal else current
            if rod in table:
                raise LevelFormatError(f"hanoi text lists {'goal ' if is_goal else ''}rod {RODS[rod]} twice")
            table[rod] = disks
        rods = _complete("rods", current)
        n = _check_disks(rods)
        if goal and goal_rod is not None:
            raise LevelFormatError("hanoi text gives both 'goal: X' and 'goal X:' lines; use one form")
        target = _complete("goal rods", goal) if goal else tower(n, 2 if goal_rod is None else goal_rod)
        if sorted(d for rod in target for d in rod) != list(range(1, n + 1)):
            raise LevelFormatError(f"hanoi goal must hold the same disks 1..{n} as the rods")
        _check_disks(target)
        return HanoiState(rods, target)

    # ---- image -------------------------------------------------------------------------
    def background_key(self, state: HanoiState) -> Hashable:
        return state.goal

    def draw_background(self, state: HanoiState, size: int) -> Image.Image:
        """Both panels' rods, and the goal's disks; the current disks are the pieces."""
        image, draw = render.new_canvas(size)
        current, goal, strip = _panels(size)
        _draw_stand(draw, state.disks, current, "Current", strip)
        pad = current[0]
        draw.line([(pad, current[3] + pad), (size - pad, current[3] + pad)], render.MUTED, max(1, size // 200))
        _draw_stand(draw, state.disks, goal, "Goal", strip)
        for disk in _disks(state.goal, state.disks, goal, strip):
            disk.draw(draw)
        return image

    def pieces(self, state: HanoiState, size: int) -> list[render.Piece]:
        current, _, strip = _panels(size)
        return _disks(state.rods, state.disks, current, strip)

    # ---- levels ------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator, difficulty: int) -> HanoiState:
        sizes = [n for n in GENERATED_DISKS if (1 << n) - 1 >= difficulty]
        sizes = sizes or [n for n in range(1, MAX_DISKS + 1) if (1 << n) - 1 >= difficulty][:1]
        if not sizes or difficulty < 0:
            raise ValueError(f"hanoi difficulty must be in 0..{(1 << MAX_DISKS) - 1}, got {difficulty}")
        n = int(sizes[rng.integers(len(sizes))])
        for _ in range(1000):
            goal = tuple(int(r) for r in rng.integers(3, size=n))
            starts = [p for p in itertools.product(range(3), repeat=n) if distance(p, goal) == difficulty]
            if starts:
                start = starts[rng.integers(len(starts))]
                return HanoiState(rods_of(start), rods_of(goal))
        raise RuntimeError(f"could not generate a hanoi level of difficulty {difficulty}")

    def instruction(self, state: HanoiState) -> str:
        target = next((i for i in range(3) if state.goal == tower(state.disks, i)), None)
        if target is not None:
            return f"Move all disks onto rod {RODS[target]}, never putting a larger disk on a smaller one."
        return "Rearrange the disks into the goal configuration, never putting a larger disk on a smaller one."


def _rod_line(label: str, rod: tuple[int, ...]) -> str:
    return f"{label}: {' '.join(map(str, rod))}".rstrip()


def _once(seen: int | None, value: int) -> int:
    if seen is not None:
        raise LevelFormatError("hanoi text has more than one 'goal:' line")
    return value


def _parse_rod_line(line: str) -> tuple[bool, int, tuple[int, ...]]:
    match = _ROD_LINE.match(line.lower())
    if match is None:
        raise LevelFormatError(f"hanoi line {line[:40]!r} is not 'A: 3 2 1', 'goal: C' or 'goal C: 3 2 1'")
    words = match.group(3).replace(",", " ").split()
    if any(not re.fullmatch(r"[0-9]{1,3}", w) for w in words):
        raise LevelFormatError(f"hanoi line {line[:40]!r} must list disk sizes as whole numbers")
    return match.group(1) is not None, RODS.index(match.group(2).upper()), tuple(int(w) for w in words)


def _complete(what: str, table: dict[int, tuple[int, ...]]) -> Rods:
    missing = [RODS[i] for i in range(3) if i not in table]
    if missing:
        raise LevelFormatError(f"hanoi text lacks {what} {', '.join(missing)}; give one line per rod A, B, C")
    return (table[0], table[1], table[2])


def _check_disks(rods: Rods) -> int:
    """Number of disks, after checking they are 1..n once each and stacked largest at the bottom."""
    disks = sorted(d for rod in rods for d in rod)
    n = len(disks)
    if not 1 <= n <= MAX_DISKS or disks != list(range(1, n + 1)):
        raise LevelFormatError(f"hanoi disks must be 1..n once each with 1 <= n <= {MAX_DISKS}, got {disks}")
    for i, rod in enumerate(rods):
        if any(lower < upper for lower, upper in itertools.pairwise(rod)):
            raise LevelFormatError(f"rod {RODS[i]} has a larger disk on a smaller one: {' '.join(map(str, rod))}")
    return n


Box = tuple[int, int, int, int]


def _panels(size: int) -> tuple[Box, Box, float]:
    """The current panel's box, the goal panel's box, and the label strip's height."""
    pad = max(4, size // 40)
    split = int(size * 0.58)
    return (pad, pad, size - pad, split - pad), (pad, split + pad, size - pad, size - pad), size * 0.07


def _geometry(n: int, box: Box, strip: float) -> tuple[float, float, float]:
    """A panel's base line, the width of one rod's slot, and a disk's height."""
    x0, y0, x1, y1 = box
    base_y = y1 - strip
    slot = (x1 - x0) / 3
    return base_y, slot, min((base_y - y0 - strip) / (n + 0.7), slot * 0.3)


def _draw_stand(draw: ImageDraw.ImageDraw, n: int, box: Box, title: str, strip: float) -> None:
    """A panel's title, base and three labelled rods, inside `box`; `strip` is the label height."""
    x0, y0, x1, y1 = box
    base_y, slot, disk_h = _geometry(n, box, strip)
    render.draw_centered(draw, (x0, y0, x1, y0 + strip), title, render.TEXT, 0.8)
    draw.rectangle([x0 + slot * 0.05, base_y, x1 - slot * 0.05, base_y + max(2, disk_h * 0.2)], fill=render.WALL)
    for i in range(3):
        cx = x0 + slot * (i + 0.5)
        rod_top = base_y - disk_h * (n + 0.5)
        draw.rectangle([cx - max(1, slot * 0.015), rod_top, cx + max(1, slot * 0.015), base_y], fill=render.WALL)
        render.draw_centered(draw, (cx - slot / 2, base_y, cx + slot / 2, y1), RODS[i], render.TEXT, 0.8)


def _disks(rods: Rods, n: int, box: Box, strip: float) -> list[render.Piece]:
    """The disks on a panel's rods, each a piece named by panel, rod, height and disk."""
    x0 = box[0]
    base_y, slot, disk_h = _geometry(n, box, strip)
    pieces = []
    for i, rod in enumerate(rods):
        cx = x0 + slot * (i + 0.5)
        for level, disk in enumerate(rod):
            half = slot * (0.14 + 0.32 * disk / max(n, 1))
            gap = disk_h * 0.06
            disk_box = (cx - half, base_y - disk_h * (level + 1) + gap, cx + half, base_y - disk_h * level - gap)
            draw = functools.partial(_draw_disk, box=disk_box, disk=disk, height=disk_h)
            pieces.append(render.Piece(("disk", box, n, i, level, disk), draw))
    return pieces


def _draw_disk(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], disk: int, height: float) -> None:
    colour = DISK_COLOURS[(disk - 1) % len(DISK_COLOURS)]
    draw.rounded_rectangle(box, radius=height * 0.25, fill=colour, outline=render.GRID_LINE)
    render.draw_centered(draw, box, str(disk), _ink(colour), 0.95)


def _ink(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """Dark text on light disks, white on dark ones."""
    r, g, b = colour
    return render.TEXT if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (255, 255, 255)
