"""The frozen episode sets of the EB-Navigation subsets: what they are and how they are read.

Kept apart from `episodes` (which generates them on the simulator) so that the env can read them
without importing the generator.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mmgym.envs.miniworld.scene import Scene
from mmgym.errors import ConfigError, unknown_name

FORMAT_VERSION = 1
SUBSETS: dict[str, str] = {
    "base": "one room; the target named by colour and kind",
    "common_sense": "the target named by its use",
    "complex_instruction": "the target named by its relation to another object",
    "visual_appearance": "look-alikes of the target in other colours",
    "long_horizon": "the target in another room, out of view at the start",
}


@dataclass(frozen=True)
class Episode:
    index: int
    plan_length: int
    scene: Scene


@dataclass(frozen=True)
class EpisodeSet:
    subset: str
    episodes: tuple[Episode, ...]


def check_subset(subset: str) -> str:
    if subset not in SUBSETS:
        raise unknown_name("subset", subset, SUBSETS)
    return subset


def subset_path(subset: str) -> Path:
    return Path(str(resources.files("mmgym.envs.miniworld") / "episodes" / f"{subset}.json"))


@functools.cache
def load_subset(subset: str) -> EpisodeSet:
    """The committed episodes of a subset."""
    path = subset_path(check_subset(subset))
    if not path.exists():
        raise ConfigError(f"no frozen episodes for subset {subset!r} at {path}; generate them (see this module)")
    data = json.loads(path.read_text())
    if data.get("format") != FORMAT_VERSION:
        raise ConfigError(f"{path} has format {data.get('format')!r}; this mmgym reads format {FORMAT_VERSION}")
    episodes = tuple(Episode(e["index"], e["plan_length"], Scene.model_validate(e["scene"])) for e in data["episodes"])
    return EpisodeSet(subset, episodes)
