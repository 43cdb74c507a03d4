"""The frozen task sets, one per category, and how they are read (`episodes` makes them).

`FINGERPRINTS`: each task's fingerprint, of the scene its simulator builds (`World.layout`), checked
at every reset of a frozen task.
"""

from __future__ import annotations

from mmgym.envs.fingerprints import Book
from mmgym.envs.frozen_scenes import SceneSets
from mmgym.tasks.embodied_eval.env.task import CATEGORIES, Task

FORMAT_VERSION = 1
SETS = SceneSets("mmgym.tasks.embodied_eval.env", Task, CATEGORIES, FORMAT_VERSION, default="navigation")
MINIWORLD, MINIGRID = ("miniworld", "pyglet", "numpy"), ("minigrid", "gymnasium", "numpy")
LIBRARIES = {
    "navigation": MINIWORLD,
    "object_interaction": MINIGRID,
    "attribute_qa": MINIWORLD,
    "spatial_qa": MINIWORLD,
}


def _replay(limit: int | None) -> None:
    import gymnasium as gym

    from mmgym.tasks.embodied_eval.env import ENV_ID

    SETS.replay(gym.make(ENV_ID, image_size=32, observe_image=False).unwrapped, limit)


FINGERPRINTS = Book("embodied_eval", SETS.folder(), LIBRARIES, SETS.scenes, _replay)
