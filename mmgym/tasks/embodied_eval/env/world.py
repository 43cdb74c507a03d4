"""What the option-menu env needs of a simulator: the moves possible now, their effect, the state, the view.

Each simulator adapter (`miniworld_world`, `babyai_world`) offers this, so the menu, the answers,
the predicates and the expert's answer step are written once, in `env`.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from mmgym.tasks.embodied_eval.env.menu import Option
from mmgym.tasks.embodied_eval.env.predicates import WorldState
from mmgym.tasks.embodied_eval.env.task import Simulator, Task


class World(Protocol):
    def load(self, task: Task) -> None:
        """Build the task's scene and put the agent at its start."""

    def options(self) -> list[Option]:
        """The moves and interactions possible from the current state (not the answers)."""

    def apply(self, option: Option) -> str:
        """Carry out one of `options()`; returns what happened, in words."""

    def state(self) -> WorldState: ...

    def layout(self) -> dict[str, Any]:
        """What the simulator built for the loaded task, as plain data: what its fingerprint hashes."""

    def observe(self) -> tuple[np.ndarray | None, str]:
        """The agent's view (None when images are not observed) and the view in words."""

    def render(self) -> np.ndarray:
        """The whole scene from above."""

    def expert(self, task: Task, start: WorldState) -> list[str] | None:
        """Privileged: the options (by their words) that meet the task's predicates other than its answer
        and, for a question, bring its `look_at` objects into view; None when no way is known."""

    def close(self) -> None: ...


def make_world(simulator: Simulator, image_size: int, observe_image: bool) -> Any:
    """The adapter for `simulator` (its package is imported only now)."""
    if simulator == "miniworld":
        from mmgym.tasks.embodied_eval.env.miniworld_world import MiniWorldRooms

        return MiniWorldRooms(image_size, observe_image)
    from mmgym.tasks.embodied_eval.env.babyai_world import GridRoom

    return GridRoom(image_size, observe_image)
