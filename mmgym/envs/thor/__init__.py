"""The AI2-THOR family: EmbodiedBench's EB-ALFRED and EB-Navigation through ai2thor's own `Controller`.

`register()` registers the envs without importing ai2thor (an optional extra, `pip install
'mmgym[thor]'`, loaded when an env is made); `mmgym.envs` calls it.
"""

from __future__ import annotations

import gymnasium as gym

ALFRED_ENV_ID = "mmgym/EBAlfred-v0"
NAV_ENV_ID = "mmgym/EBThorNav-v0"


def register() -> None:
    """Register both envs once; safe to call again."""
    if ALFRED_ENV_ID not in gym.registry:
        gym.register(ALFRED_ENV_ID, entry_point="mmgym.envs.thor.alfred_env:EBAlfredEnv")
    if NAV_ENV_ID not in gym.registry:
        gym.register(NAV_ENV_ID, entry_point="mmgym.envs.thor.nav_env:EBThorNavEnv")
