"""What each PCA domain provides: items generated from its simulator, their images, and closed-loop play.

A domain module (`driving`, `domestic`, `game`) exposes a `DOMAIN` object with this shape. Item
generation must be deterministic in (seed, index): the frozen item sets store only the items'
fields and `scene`, and `render` rebuilds the image from `scene` when an item is played. `view`
also returns the fingerprint of the rebuilt state (`mmgym.envs.fingerprints`), from the same
rebuild, so that a frozen item whose simulator now rebuilds another state is caught at reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from mmgym.tasks.pca.env.item import DecisionItem


@dataclass(frozen=True)
class Outcome:
    """What one closed-loop decision led to. `done` ends the episode; the flags say how it went."""

    done: bool
    failed: bool = False  # crashed, died, hit something
    reached: bool = False  # reached the goal, when the domain has one
    feedback: str = ""  # one line for the agent's history
    measures: dict[str, float] = field(default_factory=dict)  # the domain's own, e.g. {"distance_m": 120.0}


class ClosedLoop(Protocol):
    """A scene that goes on after each chosen action, for up to N decisions (`suite.closed_loop=true`)."""

    def item(self) -> DecisionItem | None:
        """The decision at the current state (image via `frame()`), or None if the state offers no clear one."""
        ...

    def frame(self, size: int) -> np.ndarray:
        """The current state's image, `size` pixels square."""
        ...

    def act(self, choice: str) -> Outcome:
        """Carry out one of the current item's actions (its text) and let the world run on to the next decision."""
        ...

    def fingerprint(self) -> str:
        """The fingerprint of the current state (at the start: the item's, as `Domain.view` gives it)."""
        ...

    def close(self) -> None: ...


class Domain(Protocol):
    name: str  # one of item.DOMAINS
    title: str  # PCA-Bench's name: "Autonomous Driving", "Domestic Robot", "Open-World Game"

    def generate(self, seed: int, index: int) -> DecisionItem | None:
        """An item from the state this seed leads to, or None when that state has no unique right action."""
        ...

    def render(self, item: DecisionItem, size: int) -> np.ndarray:
        """The item's image (H x W x 3 uint8, `size` pixels square), rebuilt from `item.scene`."""
        ...

    def view(self, item: DecisionItem, size: int) -> tuple[np.ndarray, str]:
        """`render`'s image and the fingerprint of the state it shows, from one rebuild."""
        ...

    def closed_loop(self, item: DecisionItem, decisions: int) -> ClosedLoop:
        """The item's scene as a world that continues after each decision, for up to `decisions` of them (a
        domain without a goal of its own, driving, reaches its goal by getting through them all)."""
        ...
