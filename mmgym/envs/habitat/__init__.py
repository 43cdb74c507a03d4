"""The habitat family: EmbodiedBench's EB-Habitat rearrangement skills, as `mmgym/EBHabitat-v0`.

`register()` registers the env without importing habitat (conda-only, loaded when the env is made
with the real simulator); `mmgym.envs` calls it. The modules:

- `world`: the ReplicaCAD apartment's receptacles, articulated parts and object kinds, as EB-Habitat has them;
- `skills`: the 70 skills in EBHabEnv's words and action-id order, parsed strictly; the rules for prompts;
- `scene`: an episode as plain data (objects, open parts, goal predicates, subgoals, instruction);
- `state`: the symbolic state and the skills' preconditions and effects;
- `planner`: the expert's plan from any state, and an episode's subgoals (EB-Habitat's task_progress);
- `render`, `describe`: the stand-in's floor-plan frames and their text;
- `standin`: a stand-in for habitat-lab's gym env (its observation and info keys), on the symbolic state;
- `real`: habitat-lab's gym env built from EmbodiedBench's config (conda only; untested here);
- `env`: `EBHabitatEnv`, the gymnasium env, with EBHabEnv's feedback and limits over either simulator;
- `frozen`, `episodes`: the capability subsets' frozen episode sets and their generator;
- `selfcheck`: every kind of skill once against a simulator (`python -m mmgym.envs.habitat.selfcheck`).
"""

from __future__ import annotations

import gymnasium as gym

ENV_ID = "mmgym/EBHabitat-v0"


def register() -> None:
    """Register `mmgym/EBHabitat-v0` once; safe to call again."""
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point="mmgym.envs.habitat.env:EBHabitatEnv")
