"""EB-Navigation's released episodes, read as they are: `<data_dir>/<subset>.json`, each `{"tasks": [...]}`.

A task names its scene, the target (type, id, position) and the agent's start pose
(EmbodiedBench ships these files in `eb_navigation/datasets`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmgym.envs.thor import NavEpisode
from mmgym.errors import ConfigError
from mmgym.tasks.released import read_json

SUBSETS = ("base", "common_sense", "complex_instruction", "visual_appearance", "long_horizon")


def load_subset(data_dir: str | Path, subset: str) -> list[NavEpisode]:
    """Every task of one subset, in the released order."""
    path = Path(data_dir).expanduser() / f"{subset}.json"
    data = read_json(
        path, "EB-Navigation subset file", "suite.data_dir must be EmbodiedBench's eb_navigation/datasets folder"
    )
    try:
        tasks = data["tasks"]
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path} is not an EB-Navigation dataset file ({type(exc).__name__}: {exc})") from None
    return [_episode(subset, index, task) for index, task in enumerate(tasks)]


def _episode(subset: str, index: int, task: dict[str, Any]) -> NavEpisode:
    pose = task["agentPose"]
    return NavEpisode(
        subset=subset,
        index=index,
        scene=task["scene"],
        instruction=task["instruction"],
        target_type=task["targetObjectType"],
        target_id=task["targetObjectIds"],
        target_position=task["target_position"],
        start_position=pose["position"],
        start_rotation=float(pose["rotation"]),
        start_horizon=float(pose["horizon"]),
    )
