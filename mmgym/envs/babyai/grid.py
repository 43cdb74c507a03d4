"""minigrid's BabyAI levels, made, reset and read in one place for every mmgym user of minigrid.

Levels are made unwrapped (nothing here reads Gymnasium's wrappers), and a reset keeps minigrid's
message for each rejected level draw off stdout. minigrid loads on first use (`deps`: one line if
it is missing), not when this module is imported.

`layout` is a level's state as plain data, what its fingerprint hashes (`mmgym.envs.fingerprints`):
every cell's object by minigrid's names (type, colour, a door's state, a box's content), the agent's
cell and direction, what it carries and the mission. Names, not minigrid's integer encoding, so that
a renumbering of its tables alone does not read as a change.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import gymnasium as gym

from mmgym.envs.babyai import levels
from mmgym.errors import unknown_name

NEVER = 10**9  # a step limit out of reach: the suite sets the episode's own


def level_ids() -> list[str]:
    """Every BabyAI level id: minigrid's and mmgym's own (`levels`)."""
    from mmgym.envs.babyai import deps  # noqa: F401  (imports minigrid, which registers the levels)

    return sorted(env_id for env_id in gym.registry if env_id.startswith("BabyAI-") or env_id in levels.LEVELS)


def check_level(level: Any) -> str:
    """`level` when minigrid registers it; otherwise one line listing the levels."""
    levels = level_ids()
    if not isinstance(level, str) or level not in levels:
        raise unknown_name("BabyAI level", str(level), levels)
    return level


def make_level(level: str, max_steps: int | None = None) -> Any:
    """A fresh minigrid env (unwrapped) for a BabyAI level; `max_steps` overrides the level's own limit."""
    from mmgym.envs.babyai import deps  # noqa: F401  (imports minigrid, which registers the levels)

    limit = {} if max_steps is None else {"max_steps": max_steps}
    return gym.make(level, disable_env_checker=True, **limit).unwrapped


def reset_level(env: Any, seed: int) -> None:
    """Lay the level out from `seed`."""
    with contextlib.redirect_stdout(io.StringIO()):  # minigrid prints each rejected level draw
        env.reset(seed=seed)


def _no_observation() -> dict[str, Any]:
    """Stands in for minigrid's per-step observation, for callers that never read it (it costs ~0.3 ms)."""
    return {}


class LevelPool:
    """One minigrid env per level, made on first use and reused: a reset lays out any episode of its level.

    `observe=False` skips minigrid's own observation at every step and reset, for callers that read the
    grid instead.
    """

    def __init__(self, max_steps: int | None = None, observe: bool = True) -> None:
        self.max_steps, self.observe = max_steps, observe
        self._levels: dict[str, Any] = {}

    def get(self, level: str) -> Any:
        if level not in self._levels:
            env = make_level(level, self.max_steps)
            if not self.observe:
                env.gen_obs = _no_observation
            self._levels[level] = env
        return self._levels[level]

    def reset(self, level: str, seed: int) -> Any:
        """The level's env, laid out from `seed`."""
        env = self.get(level)
        reset_level(env, seed)
        return env

    def __len__(self) -> int:
        return len(self._levels)

    def clear(self) -> None:
        self._levels.clear()


def bot(env: Any) -> Any:
    """minigrid's `BabyAIBot` for `env`'s mission (it asserts on states it was not written for)."""
    from minigrid.utils.baby_ai_bot import BabyAIBot

    return BabyAIBot(env)


def instruction_kind(instr: Any) -> str | None:
    """'goto', 'pickup', 'open' or 'putnext' for a BabyAI instruction of one of those kinds; None otherwise."""
    from minigrid.envs.babyai.core.verifier import GoToInstr, OpenInstr, PickupInstr, PutNextInstr

    kinds = ((GoToInstr, "goto"), (PickupInstr, "pickup"), (OpenInstr, "open"), (PutNextInstr, "putnext"))
    return next((kind for cls, kind in kinds if isinstance(instr, cls)), None)


# ---- the layout, for fingerprints ---------------------------------------------------------------


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
