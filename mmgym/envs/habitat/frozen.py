"""The frozen episode sets of the EB-Habitat subsets: what they are and how they are read.

Kept apart from `episodes` (which generates them) so that the env can read them without
importing the generator. `FINGERPRINTS`: each scene's fingerprint, of what the stand-in shows at its
start, checked at every reset of a frozen scene (the stand-in is mmgym's own code: the check guards
the frozen sets against a change of it).
"""

from __future__ import annotations

from mmgym.envs.fingerprints import Book
from mmgym.envs.frozen_scenes import Episode, EpisodeSet, SceneSets
from mmgym.envs.habitat.scene import Scene

FORMAT_VERSION = 1
SUBSETS: dict[str, str] = {  # EB-Habitat's six, in its order
    "base": "move objects between receptacles named plainly; open or close the fridge",
    "common_sense": "the object is named by what it is for",
    "complex_instruction": "a distracting clause, or a condition on whether the fridge is open",
    "spatial_relationship": "the target receptacle is named by where it is relative to another",
    "visual_appearance": "the object is named by its colour and shape",
    "long_horizon": "three objects to three places, some inside the closed fridge or a drawer",
}
SETS = SceneSets("mmgym.envs.habitat", Scene, SUBSETS, FORMAT_VERSION)
check_subset = SETS.check
subset_path = SETS.path
load_subset = SETS.load


def _replay(limit: int | None) -> None:
    import gymnasium as gym

    from mmgym.envs.habitat import ENV_ID

    SETS.replay(gym.make(ENV_ID, image_size=32, observe_image=False).unwrapped, limit)


FINGERPRINTS = Book("habitat", SETS.folder(), ("mmgym",), SETS.scenes, _replay)

__all__ = ["FORMAT_VERSION", "SUBSETS", "Episode", "EpisodeSet", "check_subset", "load_subset", "subset_path"]
