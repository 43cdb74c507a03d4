"""Tower of Hanoi with any number of rods and lettered disks: ING-VP's variant (4 rods A-D, disks a-e).

Disks are letters, 'a' the largest; each rod lists its disks from bottom to top, e.g. 'B: a b'
(disk b on top of disk a). A move names two rods, 'AC': the top disk of A onto C, never onto a
smaller disk. The goal is every disk stacked on one rod (ING-VP: the last rod, D).

Exact solver: breadth-first search over all rods^disks legal configurations (1,024 for ING-VP's
5 disks and 4 rods), backwards from the goal once per goal; a plan follows the distances down.
The 3-rod game with numbered disks stays in `hanoi.py`.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from mmgym.envs.puzzles import render
from mmgym.envs.puzzles.core import PuzzleGame, Rejected
from mmgym.envs.puzzles.hanoi import DISK_COLOURS
from mmgym.errors import LevelFormatError

ROD_NAMES = string.ascii_uppercase
MIN_RODS, MAX_RODS = 3, 8
MAX_STATES = 1 << 20  # rods ** disks the breadth-first solver may visit
Rods = tuple[tuple[int, ...], ...]  # per rod, disk sizes bottom to top; size 1 is the smallest disk
Positions = tuple[int, ...]  # the rod of disk size 1, 2, ...
Move = tuple[int, int]

_MOVE = re.compile(r"^(?:move\s+)?(?:from\s+)?(?:rod\s+)?([a-z])\s*(?:->|→|-|,|\bto\b)?\s*(?:rod\s+)?([a-z])$")
_ROD_LINE = re.compile(r"^([A-Z])\s*:(.*)$")
_GOAL_LINE = re.compile(r"^goal\s*:\s*([A-Z])$", re.IGNORECASE)


@dataclass(frozen=True)
class HanoiRodsState:
    rods: Rods
    goal_rod: int  # every disk ends stacked on this rod

    @property
    def disks(self) -> int:
        return sum(len(rod) for rod in self.rods)


def letter(size: int, disks: int) -> str:
    """A disk's letter: 'a' is the largest of `disks` disks."""
    return string.ascii_lowercase[disks - size]


def positions(rods: Rods) -> Positions:
    where = {disk: i for i, rod in enumerate(rods) for disk in rod}
    return tuple(where[disk] for disk in range(1, len(where) + 1))


def rods_of(pos: Positions, count: int) -> Rods:
    return tuple(tuple(d for d in range(len(pos), 0, -1) if pos[d - 1] == rod) for rod in range(count))


def _neighbours(pos: Positions, count: int) -> list[tuple[Move, Positions]]:
    """Every legal move from `pos` and the configuration it leads to."""
    top: dict[int, int] = {}
    for disk in range(len(pos), 0, -1):  # the smallest disk on a rod ends up as its top
        top[pos[disk - 1]] = disk
    out = []
    for src, disk in top.items():
        for dst in range(count):
            if dst != src and (dst not in top or top[dst] > disk):
                out.append(((src, dst), (*pos[: disk - 1], dst, *pos[disk:])))
    return out


@functools.lru_cache(maxsize=64)
def distances(count: int, disks: int, goal_rod: int) -> dict[Positions, int]:
    """Fewest moves from every configuration to the tower on `goal_rod` (moves are reversible)."""
    goal = (goal_rod,) * disks
    dist = {goal: 0}
    queue = deque([goal])
    while queue:
        pos = queue.popleft()
        for _, nxt in _neighbours(pos, count):
            if nxt not in dist:
                dist[nxt] = dist[pos] + 1
                queue.append(nxt)
    return dist


class HanoiRods(PuzzleGame[HanoiRodsState, Move]):
    name = "hanoi_rods"
    title = "Tower of Hanoi"
    rules = (
        "There are several rods named by capital letters (A, B, C, D, ...) and disks named by small "
        "letters, 'a' the largest, then 'b', and so on. The text lists each rod's disks from bottom to "
        "top, e.g. 'B: a c' means disk c lies on disk a. Each action moves the top disk of one rod onto "
        "another rod. A larger disk may never be placed on a smaller one, and moving from an empty rod "
        "or onto the same rod is invalid. Stack all disks on the goal rod ('goal: D')."
    )
    action_grammar = "two rod letters, from and to, e.g. 'AC' moves the top disk of rod A onto rod C"
    difficulty_meaning = "number of moves in the shortest solution (5 disks, 4 rods, goal rod D)"
    generated_rods = 4
    generated_disks = 5

    def parse_action(self, text: str) -> Move | Rejected:
        words = " ".join(text.split()).strip(".").lower()
        match = _MOVE.match(words)
        if match is None:
            return Rejected(f"{text.strip()[:40]!r} is not a move; expected {self.action_grammar}")
        src, dst = (ROD_NAMES.index(g.upper()) for g in match.groups())
        if src == dst:
            return Rejected(f"a disk cannot move from rod {ROD_NAMES[src]} onto the same rod")
        return (src, dst)

    def format_action(self, move: Move) -> str:
        return f"{ROD_NAMES[move[0]]}{ROD_NAMES[move[1]]}"

    def apply(self, state: HanoiRodsState, move: Move) -> HanoiRodsState | Rejected:
        src, dst = move
        count = len(state.rods)
        if src >= count or dst >= count:
            return Rejected(f"there are only rods {', '.join(ROD_NAMES[:count])}")
        if not state.rods[src]:
            return Rejected(f"rod {ROD_NAMES[src]} is empty")
        disk = state.rods[src][-1]
        if state.rods[dst] and state.rods[dst][-1] < disk:
            n = state.disks
            return Rejected(
                f"disk {letter(disk, n)} cannot go on the smaller disk {letter(state.rods[dst][-1], n)} "
                f"on rod {ROD_NAMES[dst]}"
            )
        rods = list(state.rods)
        rods[src] = rods[src][:-1]
        rods[dst] = (*rods[dst], disk)
        return HanoiRodsState(tuple(rods), state.goal_rod)

    def is_solved(self, state: HanoiRodsState) -> bool:
        return len(state.rods[state.goal_rod]) == state.disks

    def candidate_actions(self, state: HanoiRodsState) -> list[str]:
        count = len(state.rods)
        return [self.format_action((a, b)) for a in range(count) for b in range(count) if a != b]

    def _solve(self, state: HanoiRodsState) -> list[str] | None:
        count, pos = len(state.rods), positions(state.rods)
        dist = distances(count, state.disks, state.goal_rod)
        plan = []
        while dist[pos]:
            move, pos = next((m, p) for m, p in _neighbours(pos, count) if dist[p] == dist[pos] - 1)
            plan.append(self.format_action(move))
        return plan

    # ---- formats -----------------------------------------------------------------------
    def to_text(self, state: HanoiRodsState) -> str:
        n = state.disks
        lines = [f"{ROD_NAMES[i]}: {' '.join(letter(d, n) for d in rod)}".rstrip() for i, rod in enumerate(state.rods)]
        return "\n".join([*lines, f"goal: {ROD_NAMES[state.goal_rod]}"])

    def from_text(self, text: str) -> HanoiRodsState:
        table: dict[int, list[str]] = {}
        goal: int | None = None
        for line in (raw.strip() for raw in text.splitlines()):
            if not line:
                continue
            if (whole := _GOAL_LINE.match(line)) is not None:
                if goal is not None:
                    raise LevelFormatError("hanoi text has more than one 'goal:' line")
                goal = ROD_NAMES.index(whole.group(1).upper())
                continue
            match = _ROD_LINE.match(line)
            if match is None:
                raise LevelFormatError(f"hanoi line {line[:40]!r} is not 'A: a b' or 'goal: D'")
            rod = ROD_NAMES.index(match.group(1))
            if rod in table:
                raise LevelFormatError(f"hanoi text lists rod {ROD_NAMES[rod]} twice")
            table[rod] = match.group(2).replace(",", " ").split()
        return from_letters([table.get(i) for i in range(max(table, default=-1) + 1)], goal)

    # ---- image -------------------------------------------------------------------------
    def background_key(self, state: HanoiRodsState) -> Hashable:
        return (len(state.rods), state.disks, state.goal_rod)

    def draw_background(self, state: HanoiRodsState, size: int) -> Image.Image:
        image, draw = render.new_canvas(size)
        count, n = len(state.rods), state.disks
        base_y, slot, disk_h, strip = _geometry(count, n, size)
        title = f"Goal: all disks on rod {ROD_NAMES[state.goal_rod]}"
        render.draw_centered(draw, (0, 0, size, strip * 1.5), title, render.TEXT, 0.8)
        pad = slot * 0.05
        draw.rectangle([pad, base_y, size - pad, base_y + max(2, disk_h * 0.2)], fill=render.WALL)
        for i in range(count):
            cx = slot * (i + 0.5)
            rod_top = base_y - disk_h * (n + 0.5)
            draw.rectangle([cx - max(1, slot * 0.015), rod_top, cx + max(1, slot * 0.015), base_y], fill=render.WALL)
            colour = render.GOAL if i == state.goal_rod else render.TEXT
            render.draw_centered(draw, (cx - slot / 2, base_y, cx + slot / 2, size), ROD_NAMES[i], colour, 0.8)
        return image

    def pieces(self, state: HanoiRodsState, size: int) -> list[render.Piece]:
        count, n = len(state.rods), state.disks
        base_y, slot, disk_h, _ = _geometry(count, n, size)
        pieces = []
        for i, rod in enumerate(state.rods):
            cx = slot * (i + 0.5)
            for level, disk in enumerate(rod):
                half = slot * (0.12 + 0.34 * disk / max(n, 1))
                gap = disk_h * 0.06
                box = (cx - half, base_y - disk_h * (level + 1) + gap, cx + half, base_y - disk_h * level - gap)
                draw = functools.partial(_draw_disk, box=box, disk=disk, label=letter(disk, n), height=disk_h)
                pieces.append(render.Piece(("disk", count, n, i, level, disk), draw))
        return pieces

    # ---- levels ------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator, difficulty: int) -> HanoiRodsState:
        count, n = self.generated_rods, self.generated_disks
        goal = count - 1
        dist = distances(count, n, goal)
        starts = sorted(p for p, d in dist.items() if d == difficulty)
        if not starts:
            raise ValueError(f"hanoi_rods difficulty must be in 0..{max(dist.values())}, got {difficulty}")
        return HanoiRodsState(rods_of(starts[rng.integers(len(starts))], count), goal)

    def instruction(self, state: HanoiRodsState) -> str:
        return (
            f"Move all disks onto rod {ROD_NAMES[state.goal_rod]}, never putting a larger disk on a smaller one "
            "('a' is the largest)."
        )


def from_letters(rods: list[list[str] | None], goal: int | None = None) -> HanoiRodsState:
    """A state from each rod's disk letters, bottom to top ('a' the largest); the goal rod defaults to the last."""
    count = len(rods)
    if not MIN_RODS <= count <= MAX_RODS or any(rod is None for rod in rods):
        names = ", ".join(ROD_NAMES[: max(count, MIN_RODS)])
        raise LevelFormatError(f"hanoi needs {MIN_RODS}..{MAX_RODS} rods named from A on, one line each ({names})")
    letters = [d for rod in rods for d in rod or []]
    n = len(letters)
    if n < 1 or sorted(letters) != list(string.ascii_lowercase[:n]) or count**n > MAX_STATES:
        raise LevelFormatError(f"hanoi disks must be the letters a, b, c, ... once each, got {' '.join(letters)}")
    sizes = tuple(tuple(n - string.ascii_lowercase.index(d) for d in rod or []) for rod in rods)
    for i, rod in enumerate(sizes):
        if any(lower < upper for lower, upper in itertools.pairwise(rod)):
            raise LevelFormatError(f"rod {ROD_NAMES[i]} has a larger disk on a smaller one (a is the largest)")
    goal = count - 1 if goal is None else goal
    if not 0 <= goal < count:
        raise LevelFormatError(f"hanoi goal rod {ROD_NAMES[goal]} is not among rods A..{ROD_NAMES[count - 1]}")
    return HanoiRodsState(sizes, goal)


def _geometry(count: int, n: int, size: int) -> tuple[float, float, float, float]:
    """The base line, one rod's slot width, a disk's height and the label strip's height."""
    strip = size * 0.08
    base_y = size - strip * 1.3
    slot = size / count
    return base_y, slot, min((base_y - strip * 2) / (n + 0.7), slot * 0.3), strip


def _draw_disk(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], disk: int, label: str, height: float
) -> None:
    colour = DISK_COLOURS[(disk - 1) % len(DISK_COLOURS)]
    draw.rounded_rectangle(box, radius=height * 0.25, fill=colour, outline=render.GRID_LINE)
    render.draw_centered(draw, box, label, render.TEXT, 0.95)
