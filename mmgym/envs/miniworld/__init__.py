"""The MiniWorld family: EmbodiedBench EB-Navigation-style object navigation in 3D rooms, as `mmgym/EBNav-v0`.

`register()` registers the env without importing MiniWorld (an optional extra, `pip install
'mmgym[miniworld]'`, loaded when the env is made); `mmgym.envs` calls it. The modules:

- `scene`: a scene as plain data (rooms, doorways, objects, the agent's pose, the target);
- `things`: the objects' names, sizes and common-sense descriptions;
- `world`: a MiniWorld env that builds a scene (headless OpenGL through EGL), the one place mmgym
  drives MiniWorld: walls, collisions, the camera's pose, the frames;
- `actions`: EB-Navigation's eight actions in words;
- `planner`: lattice poses and the privileged expert, a shortest path on the true map;
- `view`: the optional text observation (objects in view, with distance and bearing);
- `env`: `EBNavEnv`, the gymnasium env;
- `episodes`: the capability subsets' generators and their frozen episode sets.

Other families and benchmarks that play in MiniWorld rooms use only the names exported here
(`EXPORTS`); each loads its module on first use (`SceneWorld` loads MiniWorld).
"""

from __future__ import annotations

import importlib
from typing import Any

import gymnasium as gym

ENV_ID = "mmgym/EBNav-v0"
EXPORTS = {  # name -> the module of this family that defines it
    "GRID": "scene",
    "Scene": "scene",
    "COLOURS": "things",
    "KINDS": "things",
    "Pose": "planner",
    "apply_action": "planner",
    "pose_of": "planner",
    "Segment": "view",
    "describe": "view",
    "in_view": "view",
    "load_subset": "frozen",
    "SceneWorld": "world",
}


def register() -> None:
    """Register `mmgym/EBNav-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.miniworld.env:EBNavEnv")


def __getattr__(name: str) -> Any:
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{EXPORTS[name]}"), name)


__all__ = ["ENV_ID", "register", *EXPORTS]
