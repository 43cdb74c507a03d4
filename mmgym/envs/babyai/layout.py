"""A minigrid env's layout as plain data: what its fingerprint hashes (`mmgym.envs.fingerprints`).

Every cell's object by minigrid's names (type, colour, a door's state, a box's content), the
agent's cell and direction, what it carries and the mission: what the agent sees and what decides
the score once minigrid has laid a level out from its seed. Names, not minigrid's integer
encoding, so that a renumbering of its tables alone does not read as a change.
"""

from __future__ import annotations

from typing import Any


def _thing(obj: Any) -> list[Any] | None:
    if obj is None:
        return None
    if obj.type == "door":
        return [obj.type, obj.color, bool(obj.is_open), bool(obj.is_locked)]
    contains = getattr(obj, "contains", None)
    return [obj.type, obj.color] + ([_thing(contains)] if contains is not None else [])


def layout(env: Any) -> dict[str, Any]:
    """The env's grid, agent and mission now (a reset or rebuilt minigrid env, unwrapped)."""
    x, y = env.agent_pos
    return {
        "size": [int(env.width), int(env.height)],
        "cells": [_thing(obj) for obj in env.grid.grid],
        "agent": [int(x), int(y), int(env.agent_dir)],
        "carrying": _thing(env.carrying),
        "mission": env.mission,
    }
