"""PCA-Bench's protocol as an env: PCA-Bench-style items generated from simulator states, as `mmgym/PCA-v0`.

`register()` registers the env without importing any simulator; `import mmgym` calls it
(`mmgym.tasks.registration`). The modules:

- `item`: a decision item (image from a scene, question, actions, answer, key concepts, reasoning);
- `domain`: what each domain provides (generation, rendering, closed-loop play);
- `driving` (highway-env), `domestic` (BabyAI), `game` (Crafter): the three domains;
- `frozen`: the frozen item sets and their generator (`python -m mmgym.tasks.pca.env.frozen --check`);
- `choice`: which action a reply chose; `env`: `PCAEnv`, one decision or a closed loop.
"""

from __future__ import annotations

import gymnasium as gym

from mmgym.envs.registry import add_fingerprint_family

ENV_ID = "mmgym/PCA-v0"


def register() -> None:
    """Register `mmgym/PCA-v0` once (safe to call again), and its frozen sets' fingerprints
    (`mmgym.envs.fingerprints`)."""
    add_fingerprint_family("pca", "mmgym.tasks.pca.env.frozen")
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.tasks.pca.env.env:PCAEnv")
