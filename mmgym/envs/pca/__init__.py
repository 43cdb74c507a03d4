"""PCA decisions: PCA-Bench-style items generated from simulator states, as `mmgym/PCA-v0`.

`register()` registers the env without importing any simulator; `mmgym.envs` calls it. The modules:

- `item`: a decision item (image from a scene, question, actions, answer, key concepts, reasoning);
- `domain`: what each domain provides (generation, rendering, closed-loop play);
- `driving` (highway-env), `domestic` (BabyAI), `game` (Crafter): the three domains;
- `frozen`: the frozen item sets and their generator (`python -m mmgym.envs.pca.frozen --check`);
- `pcabench`: PCA-Bench's own released files, read as they are;
- `choice`: which action a reply chose; `env`: `PCAEnv`, one decision or a closed loop.
"""

from __future__ import annotations

import gymnasium as gym

ENV_ID = "mmgym/PCA-v0"


def register() -> None:
    """Register `mmgym/PCA-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.pca.env:PCAEnv")
