"""The tabletop family: EmbodiedBench EB-Manipulation-style arm tasks on MuJoCo, as `mmgym/EBManip-v0`.

`register()` registers the env without importing MuJoCo (an optional extra, `pip install
'mmgym[mujoco]'`, loaded when the env is made); `mmgym.envs` calls it. The modules:

- `geometry`: the workspace, voxel coordinates, angle bins and the arm's reach;
- `things`: the objects' shapes, colours and common-sense names;
- `scene`: a scene as plain data (objects, containers, regions, goals, instruction);
- `world`: the MuJoCo model (a pooled tabletop and a floating gripper) and its moves;
- `actions`: EB-Manipulation's 7-D action, parsed strictly;
- `goals`: goal conditions checked on the simulator's state;
- `expert`: the scripted expert (approach, grasp, lift, move, release; push);
- `describe`: the text observation (privileged object positions);
- `env`: `EBManipEnv`, the gymnasium env;
- `episodes`: the capability subsets' generators and their frozen episode sets.
"""

from __future__ import annotations

import gymnasium as gym

ENV_ID = "mmgym/EBManip-v0"


def register() -> None:
    """Register `mmgym/EBManip-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.mujoco.env:EBManipEnv")
