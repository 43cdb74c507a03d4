"""The BabyAI family: minigrid's BabyAI levels as `mmgym/BabyAI-v0`, at primitive or skill level.

`register()` registers the env without importing minigrid (an optional extra, `pip install
'mmgym[babyai]'`, loaded when the env is made); `mmgym.envs` calls it. The modules:

- `env`: `BabyAIEnv`, the gymnasium env;
- `view`: the egocentric view as words and pixels;
- `primitives`, `skills`: the two action vocabularies (skills with their planner);
- `mission`: the mission's instruction tree as subgoals and progress;
- `expert`: the privileged experts behind `expert_plan()`;
- `episodes`: capability subsets and their frozen episode sets.
"""

from __future__ import annotations

import gymnasium as gym

ENV_ID = "mmgym/BabyAI-v0"


def register() -> None:
    """Register `mmgym/BabyAI-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.babyai.env:BabyAIEnv")
