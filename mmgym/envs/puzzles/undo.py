"""Going back to the state after an earlier step: the puzzle env's optional undo (`undo=True`).

Steps are numbered from 1 in the order the env took them, and every step counts: moves, refused
actions and undos alike. The undo is a step too, so a model that goes back pays for it. States are
immutable, so the history is a list of references, one per step.
"""

from __future__ import annotations

import re
from typing import Any

from mmgym.envs.puzzles.core import Rejected

GRAMMAR = "or back to step N (N alone also works): return to the state after your step N, counted from 1"
NOT_OFFERED = "Going back to an earlier step is not offered here."
_UNDO = re.compile(r"(?:back[ \t]{1,3}to[ \t]{1,3}step[ \t]{0,3})?([+-]?[0-9]{1,9})[ \t]{0,3}\.?", re.I)


def undo_target(action: str) -> int | None:
    """The step number an undo names (`back to step 3`, `3`); None when the action is no undo."""
    match = _UNDO.fullmatch(action.strip())
    return int(match.group(1)) if match else None


class StepHistory:
    """The state after each step of the current episode."""

    def __init__(self) -> None:
        self.states: list[Any] = []

    def clear(self) -> None:
        self.states.clear()

    def record(self, state: Any) -> None:
        """Keep the state a step left (call once per step, the undo's own included)."""
        self.states.append(state)

    def back_to(self, number: int) -> Any:
        """The state after step `number`, or why there is none (a future step, 0, a negative number)."""
        if 1 <= number <= len(self.states):
            return self.states[number - 1]
        if not self.states:
            return Rejected(f"no step {number} to go back to: no step was taken yet")
        return Rejected(f"no step {number} to go back to; your steps so far are 1 to {len(self.states)}")
