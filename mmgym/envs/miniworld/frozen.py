"""The frozen episode sets of the EB-Navigation subsets: what they are and how they are read.

Kept apart from `episodes` (which generates them on the simulator) so that the env can read them
without importing the generator. `FINGERPRINTS`: each scene's fingerprint, of what MiniWorld builds
from it (`SceneWorld.layout`), checked at every reset of a frozen scene.
"""

from __future__ import annotations

from mmgym.envs.fingerprints import Book
from mmgym.envs.frozen_scenes import Episode, EpisodeSet, SceneSets
from mmgym.envs.miniworld.scene import Scene

FORMAT_VERSION = 1
SUBSETS: dict[str, str] = {
    "base": "one room; the target named by colour and kind",
    "common_sense": "the target named by its use",
    "complex_instruction": "the target named by its relation to another object",
    "visual_appearance": "look-alikes of the target in other colours",
    "long_horizon": "the target in another room, out of view at the start",
}
SETS = SceneSets("mmgym.envs.miniworld", Scene, SUBSETS, FORMAT_VERSION)
check_subset = SETS.check
subset_path = SETS.path
load_subset = SETS.load


def _replay(limit: int | None) -> None:
    import gymnasium as gym

    from mmgym.envs.miniworld import ENV_ID

    SETS.replay(gym.make(ENV_ID, image_size=32, observe_image=False, map_size=32).unwrapped, limit)


FINGERPRINTS = Book("miniworld", SETS.folder(), ("miniworld", "pyglet", "numpy"), SETS.scenes, _replay)

__all__ = ["FORMAT_VERSION", "SUBSETS", "Episode", "EpisodeSet", "check_subset", "load_subset", "subset_path"]
