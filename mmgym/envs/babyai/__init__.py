"""The BabyAI family: minigrid's BabyAI levels as `mmgym/BabyAI-v0`, at primitive or skill level.

`register()` registers the env without importing minigrid (an optional extra, `pip install
'mmgym[babyai]'`, loaded when the env is made); `mmgym.envs` calls it. The modules:

- `grid`: minigrid's levels made, reset and read (their layout), the one place mmgym drives minigrid;
- `env`: `BabyAIEnv`, the gymnasium env;
- `view`: the egocentric view as words and pixels;
- `primitives`, `skills`: the two action vocabularies (skills with their planner);
- `mission`: the mission's instruction tree as subgoals and progress;
- `expert`: the privileged experts behind `expert_plan()`;
- `episodes`: capability subsets and their frozen episode sets.

Other families and benchmarks that play on minigrid use only the names exported here (`EXPORTS`);
each loads its module, and minigrid, on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

import gymnasium as gym

ENV_ID = "mmgym/BabyAI-v0"
EXPORTS = {  # name -> the module of this family that defines it
    "NEVER": "grid",
    "LevelPool": "grid",
    "bot": "grid",
    "check_level": "grid",
    "instruction_kind": "grid",
    "layout": "grid",
    "level_ids": "grid",
    "make_level": "grid",
    "reset_level": "grid",
    "describe_view": "view",
    "ego_view": "view",
    "render_full": "view",
    "render_view": "view",
    "name_objects": "skills",
    "name_of": "skills",
}


def register() -> None:
    """Register `mmgym/BabyAI-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.babyai.env:BabyAIEnv")
    importlib.import_module(f"{__name__}.levels").register()


def __getattr__(name: str) -> Any:
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if EXPORTS[name] != "grid":  # these modules import minigrid at once: `deps` first, for one line if it is missing
        importlib.import_module(f"{__name__}.deps")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)


__all__ = ["ENV_ID", "register", *EXPORTS]
