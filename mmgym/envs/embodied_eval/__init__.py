"""EmbodiedEval-style tasks as `mmgym/EmbodiedEval-v0`: option-menu play, predicate scoring, an expert for SPL.

`register()` registers the env without importing a simulator (MiniWorld and minigrid load when a
task needs them); `mmgym.envs` calls it. The modules:

- `predicates`: at, near, not_near, holding, answered, closer, further, on a plain `WorldState`;
- `menu`: options, the numbered menu, and reading which option a reply chose;
- `task`: a task as data (category, words, scene, answers, predicates) and the categories;
- `world`, `miniworld_world`, `babyai_world`: what a simulator offers the menu, and the two adapters;
- `search`: the breadth-first search behind the experts; `grid_expert`: the BabyAI expert's search state;
- `env`: `EmbodiedEvalEnv`, the gymnasium env;
- `frozen`, `episodes`: the frozen task sets per category and their generator;
- `released`: a reader for EmbodiedEval's own task files (definitions only: its scenes need LEGENT).
"""

from __future__ import annotations

import gymnasium as gym

ENV_ID = "mmgym/EmbodiedEval-v0"


def register() -> None:
    """Register `mmgym/EmbodiedEval-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.embodied_eval.env:EmbodiedEvalEnv")
