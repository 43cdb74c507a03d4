"""The text observation: what the robot's camera shows, in words (an mmgym extension; EB-Habitat shows the image)."""

from __future__ import annotations

from mmgym.envs.habitat.skills import BY_NAME
from mmgym.envs.habitat.state import State
from mmgym.envs.habitat.world import PARTS


def describe(state: State) -> str:
    where = "at its starting point, near no receptacle" if state.robot is None else f"at the {state.robot}"
    lines = [f"The robot is {where}, holding {f'the {state.held}' if state.held else 'nothing'}."]
    for receptacle, kinds in state.visible().items():
        preposition = "In" if BY_NAME[receptacle].part else "On"
        lines.append(f"{preposition} the {receptacle}: {', '.join(kinds) if kinds else 'nothing'}.")
    fridge = "open" if "refrigerator" in state.opened else "closed"
    drawers = [part.name for part in PARTS if part.name != "refrigerator" and part.name in state.opened]
    drawn = f"open drawers: {', '.join(drawers)}" if drawers else "the kitchen counter's drawers are closed"
    lines.append(f"The refrigerator is {fridge}; {drawn}.")
    return "\n".join(lines)
