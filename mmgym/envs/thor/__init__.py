"""The AI2-THOR family: EmbodiedBench's EB-ALFRED and EB-Navigation through ai2thor's own `Controller`.

`register()` registers the envs without importing ai2thor (an optional extra, `pip install
'mmgym[thor]'`, loaded when an env is made); `mmgym.envs` calls it. The modules:

- `session`: one simulator process behind ai2thor's `Controller`, reused across episodes, its
  death noticed at once (`SimulatorLost`) and a new one started at the next reset;
- `alfred_skills`: EB-ALFRED's global skill list, numbered instances, reading a reply into a skill;
- `alfred_executor`: the skills carried out with AI2-THOR actions, and what was heated, cooled, cleaned;
- `alfred_goals`: ALFRED's goal conditions for its seven task types;
- `episodes`: an episode of either env as plain data (benchmarks read them from released files), and
  the stand-in's base episodes, played by a reset without one;
- `thor_env`: what both envs share (the session, spaces, render, close); `alfred_env`, `nav_env`: the
  gymnasium envs; `nav_expert`: EB-Navigation's search expert;
- `selfcheck`: every skill and action once against a simulator (`python -m mmgym.envs.thor.selfcheck`);
- `standin`: a stand-in AI2-THOR build (a program speaking its FIFO protocol over symbolic rooms).

Others use only the names exported here (`EXPORTS`); each loads its module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

import gymnasium as gym

ALFRED_ENV_ID = "mmgym/EBAlfred-v0"
NAV_ENV_ID = "mmgym/EBThorNav-v0"
EXPORTS = {"AlfredEpisode": "episodes", "NavEpisode": "episodes", "default_episodes": "episodes"}  # name -> module


def register() -> None:
    """Register both envs once; safe to call again."""
    if ALFRED_ENV_ID not in gym.registry:
        gym.register(ALFRED_ENV_ID, entry_point="mmgym.envs.thor.alfred_env:EBAlfredEnv")
    if NAV_ENV_ID not in gym.registry:
        gym.register(NAV_ENV_ID, entry_point="mmgym.envs.thor.nav_env:EBThorNavEnv")


def __getattr__(name: str) -> Any:
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)


__all__ = ["ALFRED_ENV_ID", "NAV_ENV_ID", "register", *EXPORTS]
