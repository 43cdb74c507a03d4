"""Frozen episode sets of scene-based envs: one JSON file of scenes per capability subset, in the package.

The embodied families (MiniWorld navigation, the MuJoCo tabletop) describe an episode as a
pydantic scene; each keeps its generated subsets as `episodes/<subset>.json` next to its modules.
`SceneSets` reads and writes those files for one family, so that envs and suites read them
without importing the generators; it also lists the scenes and replays them for the family's
fingerprints (`mmgym.envs.fingerprints`, `episodes/fingerprints.json`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from mmgym.errors import ConfigError, unknown_name

SceneT = TypeVar("SceneT", bound=BaseModel)


@dataclass(frozen=True)
class Episode(Generic[SceneT]):
    index: int
    plan_length: int  # the expert's plan from the start, when the set was made
    scene: SceneT


@dataclass(frozen=True)
class EpisodeSet(Generic[SceneT]):
    subset: str
    episodes: tuple[Episode[SceneT], ...]


class SceneSets(Generic[SceneT]):
    """The frozen subsets of one family: `package/episodes/<subset>.json`, scenes of `scene_type`."""

    def __init__(
        self,
        package: str,
        scene_type: type[SceneT],
        subsets: dict[str, str],
        format_version: int,
        default: str = "base",
    ) -> None:
        self.package, self.scene_type, self.subsets, self.format_version = package, scene_type, subsets, format_version
        self.default = default  # the subset a reset without a scene plays from
        self.load = functools.cache(self._load)

    def check(self, subset: str) -> str:
        if subset not in self.subsets:
            raise unknown_name("subset", subset, self.subsets)
        return subset

    def folder(self) -> Path:
        return Path(str(resources.files(self.package) / "episodes"))

    def path(self, subset: str) -> Path:
        return self.folder() / f"{subset}.json"

    def _load(self, subset: str) -> EpisodeSet[SceneT]:
        """The committed episodes of a subset (cached)."""
        path = self.path(self.check(subset))
        if not path.exists():
            raise ConfigError(
                f"no frozen episodes for subset {subset!r} at {path}; generate them with {self.package}.episodes"
            )
        data = json.loads(path.read_text())
        if data.get("format") != self.format_version:
            raise ConfigError(
                f"{path} has format {data.get('format')!r}; this mmgym reads format {self.format_version}"
            )
        episodes = tuple(
            Episode(e["index"], e["plan_length"], self.scene_type.model_validate(e["scene"])) for e in data["episodes"]
        )
        return EpisodeSet(subset, episodes)

    def scenes(self) -> dict[str, list[SceneT]]:
        """Every subset's frozen scenes in order: how a reset is recognised as a frozen episode's (fingerprints)."""
        return {subset: [e.scene for e in self.load(subset).episodes] for subset in self.subsets}

    def replay(self, env: Any, limit: int | None) -> None:
        """Reset `env` on the first `limit` frozen scenes of each subset (all if None) as the suites do; closes it."""
        try:
            for subset in self.subsets:
                for episode in self.load(subset).episodes[:limit]:
                    env.reset(options={"scene": episode.scene.model_dump(mode="json")})
        finally:
            env.close()

    def scene_for_reset(self, options: dict[str, Any] | None, seed: int | None) -> SceneT:
        """The scene a `reset` plays: `options["scene"]` (a dict or the model), else a frozen episode of the
        default subset picked by the seed, so that `check_env` and plain `gym.make` users can play."""
        options = dict(options or {})
        scene = options.pop("scene", None)
        if options:
            raise ConfigError(f"unknown reset option(s) {', '.join(map(repr, options))}; valid: 'scene'")
        if scene is None:
            episodes = self.load(self.default).episodes
            return episodes[(seed or 0) % len(episodes)].scene
        return scene if isinstance(scene, self.scene_type) else self.scene_type.model_validate(scene)

    def save(self, episode_set: EpisodeSet[SceneT], seed: int, path: Path | None = None) -> Path:
        path = path or self.path(episode_set.subset)
        data = {
            "format": self.format_version,
            "subset": episode_set.subset,
            "description": self.subsets[episode_set.subset],
            "seed": seed,
            "episodes": [
                {"index": e.index, "plan_length": e.plan_length, "scene": e.scene.model_dump(mode="json")}
                for e in episode_set.episodes
            ],
        }
        path.write_text(json.dumps(data, indent=1) + "\n")
        return path
