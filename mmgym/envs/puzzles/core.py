"""The contract every puzzle game implements, so that one Gymnasium env class serves all six.

A game is pure rules: states are immutable and hashable, moves never mutate, and the solver is
exact. Rendering, level formats and generation live with the rules so that a game is one module.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

import numpy as np
from PIL import Image

from mmgym.envs.puzzles import render

State = TypeVar("State", bound=Hashable)
Move = TypeVar("Move")


@dataclass(frozen=True)
class Rejected:
    """Why an action was not applied: it was malformed or broke a rule. The state is unchanged."""

    reason: str


class PuzzleGame(ABC, Generic[State, Move]):
    """Rules, exact solver, text/image rendering and level generator of one puzzle.

    Subclasses set the class attributes and implement the abstract methods. Every method is
    a pure function of its arguments; the solver is memoised per state by `solve`.
    """

    name: ClassVar[str]  # registry key, e.g. "sokoban"
    title: ClassVar[str]  # display name and env id stem, e.g. "Sokoban"
    rules: ClassVar[str]  # short rules text for prompts
    action_grammar: ClassVar[str]  # the action language, e.g. "one of up, down, left, right"
    difficulty_meaning: ClassVar[str]  # what the generator's difficulty counts
    default_difficulty: ClassVar[int] = 8
    generator_version: ClassVar[int] = 1

    # ---- rules -------------------------------------------------------------------------
    @abstractmethod
    def parse_action(self, text: str) -> Move | Rejected:
        """Parse one action in the game's language; never raises."""

    @abstractmethod
    def apply(self, state: State, move: Move) -> State | Rejected:
        """Apply a parsed move, returning the new state or why it is illegal here."""

    @abstractmethod
    def is_solved(self, state: State) -> bool:
        """Whether the state is a goal state."""

    @abstractmethod
    def candidate_actions(self, state: State) -> list[str]:
        """Every well-formed action string (legal or not) in canonical spelling."""

    def format_action(self, move: Move) -> str:
        """Canonical spelling of a parsed move (the inverse of `parse_action`)."""
        return str(move)

    def step(self, state: State, action: str) -> State | Rejected:
        """Parse and apply an action string."""
        move = self.parse_action(action)
        if isinstance(move, Rejected):
            return move
        return self.apply(state, move)

    # ---- solver ------------------------------------------------------------------------
    @abstractmethod
    def _solve(self, state: State) -> list[str] | None:
        """An optimal action sequence from `state` to a goal, or None when unsolvable."""

    def solve(self, state: State) -> list[str] | None:
        """Memoised `_solve`: optimal actions to the goal, or None when no goal is reachable."""
        plan = _memo_solve(self, state)
        return None if plan is None else list(plan)

    def optimal_remaining(self, state: State) -> int | None:
        """The exact number of moves still needed, or None when the goal is unreachable."""
        plan = self.solve(state)
        return None if plan is None else len(plan)

    # ---- formats -----------------------------------------------------------------------
    @abstractmethod
    def to_text(self, state: State) -> str:
        """Exact text rendering of the state; `from_text(to_text(s)) == s` for every state.

        For an initial state this is the game's standard level format.
        """

    @abstractmethod
    def from_text(self, text: str) -> State:
        """Parse a state or level in the standard format; raises `LevelFormatError`."""

    def split_level_file(self, text: str) -> list[str]:
        """The level texts of a file of many: blocks separated by blank lines (games override for their formats)."""
        return [block for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]

    # ---- image: a level's background with the pieces that move pasted on it --------------
    def render(self, state: State, size: int) -> Image.Image:
        """The state as a `size` x `size` RGB image a vision model can read."""
        return Image.fromarray(self.frame(state, size))

    def frame(self, state: State, size: int, backgrounds: render.Backgrounds | None = None) -> np.ndarray:
        """The same image as a size x size x 3 uint8 array; `backgrounds` keeps the level's background between calls."""
        backgrounds = backgrounds or render.Backgrounds()
        background = backgrounds.get((self.background_key(state), size), lambda: self.draw_background(state, size))
        return render.compose(background, size, self.pieces(state, size), self.name)

    @abstractmethod
    def draw_background(self, state: State, size: int) -> Image.Image:
        """Everything in the image that `background_key` fixes (all of it, for a game without pieces)."""

    def background_key(self, state: State) -> Hashable:
        """What the background depends on; by default the whole state, so it is drawn again for every state."""
        return state

    def pieces(self, state: State, size: int) -> Iterable[render.Piece]:
        """The parts drawn over the background, each named by what and where (drawn once, then pasted)."""
        return ()

    # ---- levels ------------------------------------------------------------------------
    @abstractmethod
    def generate(self, rng: np.random.Generator, difficulty: int) -> State:
        """A random initial state whose exact optimal solution has `difficulty` moves
        (or whose difficulty is what `difficulty_meaning` says)."""

    def instruction(self, state: State) -> str:
        """The goal in one sentence, for the observation."""
        return f"Solve this {self.title} puzzle."


@functools.lru_cache(maxsize=200_000)
def _memo_solve(game: PuzzleGame, state: Hashable) -> tuple[str, ...] | None:
    plan = game._solve(state)
    return None if plan is None else tuple(plan)


def clear_solver_cache() -> None:
    """Forget every memoised solution (benchmarks use it so that each timed loop solves afresh)."""
    _memo_solve.cache_clear()


def replay(game: PuzzleGame, state: State, actions: Sequence[str]) -> State:
    """Apply actions in order, skipping rejected ones (a rejected action changes nothing)."""
    for action in actions:
        result = game.step(state, action)
        if not isinstance(result, Rejected):
            state = result
    return state
