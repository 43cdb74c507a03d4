"""Human reference trajectories for SPL, in EmbodiedEval's trajectory format.

EmbodiedEval's metrics take SPL's reference length L from a human's trajectory of the same task:
a `traj.json` holding the list of its step records, or, where that file is absent, one `<NNNN>a.json`
file per step (as its evaluation loop writes them). Here a folder holds one such trajectory per
task, under the task's name in the suite (`<folder>/navigation/003/traj.json`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mmgym.errors import ConfigError
from mmgym.tasks.released import read_json

TRAJECTORY = "traj.json"
STEP_FILES = "*a.json"


def trajectory_length(folder: Path) -> int | None:
    """The number of steps of the trajectory in `folder`; None when there is none."""
    whole = folder / TRAJECTORY
    if whole.is_file():
        steps = read_json(whole, "human trajectory")
        if not isinstance(steps, list):
            raise ConfigError(f"{whole}: a trajectory is a list of step records, got {type(steps).__name__}")
        return len(steps)
    found = list(folder.glob(STEP_FILES)) if folder.is_dir() else []
    return len(found) or None


def human_lengths(folder: str | Path, tasks: Iterable[str]) -> dict[str, int]:
    """Each task's human path length, for the tasks the folder has a trajectory of."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ConfigError(f"suite.human_trajectories: no folder {root} (one <task>/traj.json per task, e.g. "
                          "navigation/003/traj.json)")  # fmt: skip
    lengths = {task: trajectory_length(root / task) for task in tasks}
    return {task: length for task, length in lengths.items() if length is not None}
