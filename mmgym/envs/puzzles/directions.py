"""The four-direction action language shared by the grid-walking games (Maze, Sokoban)."""

from __future__ import annotations

from mmgym.envs.puzzles.core import Rejected

DELTAS: dict[str, tuple[int, int]] = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
ALIASES = {"u": "up", "d": "down", "l": "left", "r": "right", **{d: d for d in DELTAS}}
GRAMMAR = "one of up, down, left, right (or U, D, L, R)"


def parse_direction(text: str) -> str | Rejected:
    """Canonical direction name for `text`, or why it is not one."""
    word = text.strip().strip(".").lower()
    if word in ALIASES:
        return ALIASES[word]
    return Rejected(f"{text.strip()!r} is not a direction; expected {GRAMMAR}")
