"""The frozen episode sets of the EB-Manipulation subsets: what they are and how they are read.

Kept apart from `episodes` (which generates them) so that the env can read them without
importing the generator. `FINGERPRINTS`: each scene's fingerprint, of the state MuJoCo settles it
into (`EBManipEnv.layout`), checked at every reset of a frozen scene.
"""

from __future__ import annotations

from mmgym.envs.fingerprints import Book
from mmgym.envs.frozen_scenes import Episode, EpisodeSet, SceneSets
from mmgym.envs.mujoco.scene import Scene

FORMAT_VERSION = 1
SUBSETS: dict[str, str] = {
    "base": "objects named by colour and shape",
    "common_sense": "objects and containers named by what their shape and colour are like",
    "complex_instruction": "long, indirect requests naming an object by its relation to another",
    "spatial": "look-alike objects told apart only by where they are",
    "visual_appearance": "distractors sharing the target's colour or its shape",
}
TASKS = ("pick_place", "stack", "sort", "push")
SETS = SceneSets("mmgym.envs.mujoco", Scene, SUBSETS, FORMAT_VERSION)
check_subset = SETS.check
subset_path = SETS.path
load_subset = SETS.load


def _replay(limit: int | None) -> None:
    import gymnasium as gym

    from mmgym.envs.mujoco import ENV_ID

    SETS.replay(gym.make(ENV_ID, image_size=32, observe_image=False, render_size=32).unwrapped, limit)


FINGERPRINTS = Book("mujoco", SETS.folder(), ("mujoco", "numpy"), SETS.scenes, _replay)

__all__ = ["FORMAT_VERSION", "SUBSETS", "TASKS", "Episode", "EpisodeSet", "check_subset", "load_subset", "subset_path"]
