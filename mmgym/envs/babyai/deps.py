"""Import minigrid (which registers the BabyAI levels), or fail in one line when the optional package is missing.

The BabyAI modules that need minigrid import this module first, so `gym.make("mmgym/BabyAI-v0")`
without the extra says how to install it instead of showing a bare `ModuleNotFoundError`.
"""

from __future__ import annotations

import importlib.util

from mmgym.errors import ConfigError

INSTALL_HINT = "pip install 'mmgym[babyai]'"

if importlib.util.find_spec("minigrid") is None:
    raise ConfigError(f"the BabyAI envs need the minigrid package, which is not installed; run {INSTALL_HINT}")

import minigrid  # noqa: E402, F401  (registers the BabyAI levels with Gymnasium)
