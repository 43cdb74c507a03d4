"""EmbodiedEval's protocol as an env, `mmgym/EmbodiedEval-v0`: option-menu play, predicate scoring, an expert for SPL.

`register()` registers the env without importing a simulator (MiniWorld and minigrid load when a
task needs them); `import mmgym` calls it (`mmgym.tasks.registration`). The modules:

- `predicates`: at, near, not_near, holding, answered, closer, further, on a plain `WorldState`;
- `menu`: options, the numbered menu, and reading which option a reply chose;
- `task`: a task as data (category, words, scene, answers, predicates) and the categories;
- `world`, `miniworld_world`, `babyai_world`: what a simulator offers the menu, and the two adapters;
- `grid_expert`: the BabyAI expert's search state (`mmgym.envs.search` searches it);
- `env`: `EmbodiedEvalEnv`, the gymnasium env;
- `frozen`, `episodes`: the frozen task sets per category and their generator.
"""

from __future__ import annotations

import gymnasium as gym

from mmgym.envs.registry import add_fingerprint_family

ENV_ID = "mmgym/EmbodiedEval-v0"


def register() -> None:
    """Register `mmgym/EmbodiedEval-v0` once (safe to call again), and its frozen sets' fingerprints
    (`mmgym.envs.fingerprints`)."""
    add_fingerprint_family("embodied_eval", "mmgym.tasks.embodied_eval.env.frozen")
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.tasks.embodied_eval.env.env:EmbodiedEvalEnv")
