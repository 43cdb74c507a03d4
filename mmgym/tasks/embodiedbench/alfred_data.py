"""EB-ALFRED's released episodes, read as they are from EmbodiedBench's data folder.

The folder (`eb_alfred/data` in EmbodiedBench) holds:
- `splits/splits.json`: subset -> [{task, repeat_idx, instruction}];
- `json_2.1.0/<task>/pp/ann_<repeat_idx>.json`: ALFRED's trajectory file (scene number, object
  poses, toggles, the start pose, task type and its parameters, the high-level PDDL plan);
- optionally `splits/<subset>.json`: the same episodes with EmbodiedBench's reference skills
  (`NL Steps`), keyed by `full_scene_name` and `repeat_idx`.

The reference plan is the `NL Steps` when given, else derived from ALFRED's high-level PDDL plan.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mmgym.envs.thor import AlfredEpisode
from mmgym.errors import ConfigError, unknown_name
from mmgym.tasks.released import read_json

SUBSETS = ("base", "common_sense", "complex_instruction", "spatial", "visual_appearance", "long_horizon")


def _read_json(path: Path, what: str) -> Any:
    return read_json(path, what, "suite.data_dir must be EmbodiedBench's eb_alfred/data folder")


def load_subset(data_dir: str | Path, subset: str) -> list[AlfredEpisode]:
    """Every episode of one subset, in the released order."""
    root = Path(data_dir).expanduser()
    split_file = root / "splits" / "splits.json"
    splits = _read_json(split_file, "EB-ALFRED's split file")
    if not isinstance(splits, dict):
        raise ConfigError(f"EB-ALFRED's split file {split_file} must map each subset to a list of episodes")
    if subset not in splits:
        raise unknown_name("EB-ALFRED subset", subset, splits)
    references = _references(root / "splits" / f"{subset}.json")
    episodes = []
    for index, entry in enumerate(splits[subset]):
        task, repeat = split_entry(split_file, subset, index, entry)
        traj = _read_json(root / "json_2.1.0" / task / "pp" / f"ann_{repeat}.json", "ALFRED trajectory")
        scene = traj["scene"]
        plan = references.get((task, repeat)) or plan_from_pddl(traj["plan"]["high_pddl"])
        episodes.append(
            AlfredEpisode(
                subset=subset,
                index=index,
                task=task,
                repeat_idx=repeat,
                instruction=entry["instruction"],
                task_type=traj["task_type"],
                pddl_params=traj["pddl_params"],
                scene=f"FloorPlan{scene['scene_num']}",
                object_poses=scene["object_poses"],
                object_toggles=scene.get("object_toggles", []),
                dirty_and_empty=bool(scene.get("dirty_and_empty", False)),
                init_action=scene["init_action"],
                reference_plan=plan,
            )
        )
    return episodes


SPLIT_KEYS = ("task", "repeat_idx", "instruction")


def split_entry(path: Path, subset: str, index: int, entry: Any) -> tuple[str, int]:
    """An entry's trajectory folder and repeat index, once it is known to hold every key an episode reads:
    a hand-edited split file fails here with one line, not deep in the loader with a KeyError."""
    where = f"EB-ALFRED's split file {path}: {subset}[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} is not an object; each entry needs {', '.join(SPLIT_KEYS)}")
    missing = [key for key in SPLIT_KEYS if key not in entry]
    if missing:
        raise ConfigError(f"{where} has no {', '.join(missing)}; each entry needs {', '.join(SPLIT_KEYS)}")
    try:
        return str(entry["task"]), int(entry["repeat_idx"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: repeat_idx must be an integer, not {entry['repeat_idx']!r}") from None


def _references(path: Path) -> dict[tuple[str, int], list[str]]:
    if not path.exists():
        return {}
    return {
        (e["full_scene_name"], int(e["repeat_idx"])): list(e["NL Steps"]) for e in _read_json(path, "reference plans")
    }


_INCOMPLETE_STEP = re.compile(
    r"\s*(?:find|pick up|put down|drop|open|close|turn on|turn off|slice)(?:\s+(?:a|an|the))?\s*", re.I
)


def malformed_steps(plan: list[str]) -> list[str]:
    """Reference steps that name no object (`"find an "`, `"pick up the "`): six of EB-ALFRED's long_horizon
    episodes have them. They are kept as released, and reported."""
    return [step for step in plan if _INCOMPLETE_STEP.fullmatch(step)]


def plan_from_pddl(high_pddl: list[dict[str, Any]]) -> list[str]:
    """EB-ALFRED skills for ALFRED's high-level PDDL plan (GotoLocation, PickupObject, HeatObject, ...)."""
    skills: list[str] = []
    for step in high_pddl:
        action = step["discrete_action"]["action"]
        args = step["discrete_action"].get("args", [])
        thing = args[0] if args else ""
        if action == "GotoLocation":
            skills.append(f"find a {thing}")
        elif action == "PickupObject":
            skills += [f"find a {thing}", f"pick up the {thing}"]
        elif action == "PutObject":
            skills.append("put down the object in hand")
        elif action in ("OpenObject", "CloseObject"):
            skills.append(f"{action[:-6].lower()} the {thing}")
        elif action == "ToggleObject":
            skills.append(f"turn on the {thing}")
        elif action == "SliceObject":
            skills.append(f"slice the {thing}")
        elif action == "CleanObject":  # ALFRED's expert: into the basin, the faucet on and off, then take it
            skills += ["put down the object in hand", "find a Faucet", "turn on the Faucet", "turn off the Faucet",
                       f"find a {thing}", f"pick up the {thing}"]  # fmt: skip
        elif action == "HeatObject":
            skills += ["open the Microwave", "put down the object in hand", "close the Microwave",
                       "turn on the Microwave", "turn off the Microwave", "open the Microwave",
                       f"find a {thing}", f"pick up the {thing}", "close the Microwave"]  # fmt: skip
        elif action == "CoolObject":
            skills += ["open the Fridge", "put down the object in hand", "close the Fridge", "open the Fridge",
                       f"find a {thing}", f"pick up the {thing}", "close the Fridge"]  # fmt: skip
    return skills
