"""EB-Navigation's eight atomic actions, in its own words, and what each does to the agent's pose.

Moves are 0.25 m in the agent's frame (forward, backward, rightward, leftward), turns are 90
degrees, and tilts move the camera 30 degrees up or down (the camera can look 30 degrees up and 60
down, as AI2-THOR's agent can). Short forms EmbodiedBench's prompts also use ("moveahead",
"rotateleft", "lookup", ...) are accepted and mean the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mmgym.envs.miniworld.scene import GRID


@dataclass(frozen=True)
class Motion:
    forward: float = 0.0  # metres along the heading
    right: float = 0.0  # metres to the agent's right
    turn: int = 0  # degrees, counter-clockwise (left) positive
    tilt: int = 0  # degrees, up positive


ACTIONS: dict[str, Motion] = {
    f"Move forward by {GRID}": Motion(forward=GRID),
    f"Move backward by {GRID}": Motion(forward=-GRID),
    f"Move rightward by {GRID}": Motion(right=GRID),
    f"Move leftward by {GRID}": Motion(right=-GRID),
    "Rotate to the right by 90 degrees": Motion(turn=-90),
    "Rotate to the left by 90 degrees": Motion(turn=90),
    "Tilt the camera upward by 30 degrees": Motion(tilt=30),
    "Tilt the camera downward by 30 degrees": Motion(tilt=-30),
}
SHORT_FORMS = dict(
    zip(
        ("moveahead", "moveback", "moveright", "moveleft", "rotateright", "rotateleft", "lookup", "lookdown"),
        ACTIONS,
        strict=True,
    )
)
PITCH_RANGE = (-60, 30)  # degrees the camera may look down and up

RULES = (
    "You are a robot in a house of one or more rooms, seeing through your own camera. Walk to the "
    "object the instruction names: the task succeeds as soon as you are within 1 metre of it. You "
    f"move {GRID} m at a time and turn 90 degrees at a time; you cannot walk through walls or "
    "objects (a blocked move is refused and changes nothing). Doorways lead to other rooms. "
    "Tilting the camera changes only what you see."
)
GRAMMAR = "one of: " + "; ".join(ACTIONS)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", " ", text.lower()).strip().rstrip(".").strip()


_BY_KEY = {_key(name): name for name in ACTIONS} | {_key(short): name for short, name in SHORT_FORMS.items()}


def parse_action(text: str) -> str | None:
    """The canonical action a reply names (case, punctuation and spacing aside), or None."""
    return _BY_KEY.get(_key(text)) if isinstance(text, str) else None
