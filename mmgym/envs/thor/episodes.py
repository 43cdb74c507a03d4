"""What the AI2-THOR envs play: an EB-ALFRED or EB-Navigation episode as plain data, and the default ones.

`reset(options={"episode": ...})` takes one of these models (or its dict). Benchmarks read them from
their authors' released files (`mmgym.tasks.embodiedbench`); the envs read no such file. Without an
episode, the seed picks one of the base episodes of the stand-in build, shipped in this format
(`default_episodes.json`), so that `gym.make` and `check_env` users can play.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from mmgym.errors import ConfigError

DEFAULTS_FILE = "default_episodes.json"  # track -> its base episodes, as dicts of the track's model
EpisodeT = TypeVar("EpisodeT", bound=BaseModel)


class AlfredEpisode(BaseModel):
    """What an env needs to restore and score one EB-ALFRED episode."""

    model_config = ConfigDict(frozen=True)

    subset: str
    index: int
    task: str  # ALFRED's trajectory folder, `<task_type>-<object>-...-<scene>/trial_...`
    repeat_idx: int
    instruction: str
    task_type: str
    pddl_params: dict[str, Any]
    scene: str  # FloorPlanN
    object_poses: list[dict[str, Any]]
    object_toggles: list[dict[str, Any]]
    dirty_and_empty: bool
    init_action: dict[str, Any]
    reference_plan: list[str]


class NavEpisode(BaseModel):
    """One EB-Navigation task: where to start, what to reach, in which scene."""

    model_config = ConfigDict(frozen=True)

    subset: str
    index: int
    scene: str
    instruction: str
    target_type: str
    target_id: str
    target_position: dict[str, float]
    start_position: dict[str, float]
    start_rotation: float
    start_horizon: float


def episode_for_reset(options: dict[str, Any] | None, seed: int | None, model: type[EpisodeT], track: str) -> EpisodeT:
    """`options["episode"]` (a dict or the model), as the suites pass it; without one, the seed modulo their number
    picks one of the track's default episodes (None: the first)."""
    if options and "episode" in options:
        return model.model_validate(options["episode"])
    if options:
        raise ConfigError(f"unknown reset option(s) {', '.join(map(repr, options))}; valid: 'episode'")
    episodes = default_episodes(model, track)
    return episodes[(seed or 0) % len(episodes)]


@functools.cache
def default_episodes(model: type[EpisodeT], track: str) -> tuple[EpisodeT, ...]:
    """The stand-in build's base episodes of a track (`eb_alfred`, `eb_navigation`), as shipped."""
    shipped = json.loads((resources.files("mmgym.envs.thor") / DEFAULTS_FILE).read_text())
    return tuple(model.model_validate(episode) for episode in shipped[track])
