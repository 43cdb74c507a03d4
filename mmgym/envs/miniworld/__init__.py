"""The MiniWorld family: EmbodiedBench EB-Navigation-style object navigation in 3D rooms, as `mmgym/EBNav-v0`.

`register()` registers the env without importing MiniWorld (an optional extra, `pip install
'mmgym[miniworld]'`, loaded when the env is made); `mmgym.envs` calls it. The modules:

- `scene`: a scene as plain data (rooms, doorways, objects, the agent's pose, the target);
- `things`: the objects' names, sizes and common-sense descriptions;
- `world`: a MiniWorld env that builds a scene (headless OpenGL through EGL);
- `actions`: EB-Navigation's eight actions in words;
- `planner`: the privileged expert, a shortest path on the true map;
- `describe`: the optional text observation (objects in view, with distance and bearing);
- `env`: `EBNavEnv`, the gymnasium env;
- `episodes`: the capability subsets' generators and their frozen episode sets.
"""

from __future__ import annotations

import gymnasium as gym

ENV_ID = "mmgym/EBNav-v0"


def register() -> None:
    """Register `mmgym/EBNav-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.miniworld.env:EBNavEnv")
