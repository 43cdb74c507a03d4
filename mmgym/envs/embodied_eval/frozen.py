"""The frozen task sets, one per category, and how they are read (`episodes` makes them)."""

from __future__ import annotations

from mmgym.envs.embodied_eval.task import CATEGORIES, Task
from mmgym.envs.frozen_scenes import SceneSets

FORMAT_VERSION = 1
SETS = SceneSets("mmgym.envs.embodied_eval", Task, CATEGORIES, FORMAT_VERSION, default="navigation")
