"""EmbodiedBench's released AI2-THOR episodes, read as they are (the stand-in's own, and hand-written files in
EmbodiedBench's schema); the base ones the AI2-THOR envs ship in their own format for a reset without an episode."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from mmgym.envs.thor import AlfredEpisode, NavEpisode, default_episodes
from mmgym.errors import ConfigError
from mmgym.tasks.embodiedbench import alfred_data, nav_data
from mmgym.tasks.embodiedbench.thor import standin_data, standin_defaults

ALFRED = standin_data("eb_alfred")
NAVIGATION = standin_data("eb_navigation")


def test_the_alfred_loader_reads_embodiedbenchs_files_as_they_are(tmp_path: Path) -> None:
    base = alfred_data.load_subset(ALFRED, "base")
    assert [e.task_type for e in base] == ["pick_and_place_simple", "pick_clean_then_place_in_recep"]
    first = base[0]
    assert first.scene == "FloorPlan1" and first.instruction == "Put an apple on the dining table."
    assert first.reference_plan == ["find a apple", "pick up a apple", "find a diningtable", "put down the apple"]
    assert first.init_action["action"] == "TeleportFull" and len(first.object_poses) == 13
    (long,) = alfred_data.load_subset(ALFRED, "long_horizon")  # no splits/long_horizon.json: plan from the PDDL
    assert long.reference_plan[:4] == ["find a countertop", "find a knife", "pick up the knife", "find a diningtable"]
    assert "slice the bread" in long.reference_plan and long.pddl_params["object_sliced"] is True
    with pytest.raises(ConfigError, match=r"unknown EB-ALFRED subset 'basse'.*Did you mean 'base'"):
        alfred_data.load_subset(ALFRED, "basse")
    with pytest.raises(ConfigError, match=r"split file not found.*eb_alfred/data folder"):
        alfred_data.load_subset(tmp_path, "base")
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "splits.json").write_text(json.dumps({"base": [{"task": "x/y", "repeat_idx": 0,
                                                                          "instruction": "hi"}]}))  # fmt: skip
    with pytest.raises(ConfigError, match="ALFRED trajectory not found"):
        alfred_data.load_subset(tmp_path, "base")


def test_alfreds_high_level_pddl_becomes_skills() -> None:
    def step(action: str, *args: str) -> dict:
        return {"discrete_action": {"action": action, "args": list(args)}}

    plan = alfred_data.plan_from_pddl([step("GotoLocation", "fridge"), step("CoolObject", "apple"),
                                       step("ToggleObject", "desklamp"), step("NoOp")])  # fmt: skip
    assert plan == ["find a fridge", "open the Fridge", "put down the object in hand", "close the Fridge",
                    "open the Fridge", "find a apple", "pick up the apple", "close the Fridge",
                    "turn on the desklamp"]  # fmt: skip
    # cleaning turns the faucet on with the object in the basin, as ALFRED's expert does
    assert alfred_data.plan_from_pddl([step("GotoLocation", "sinkbasin"), step("CleanObject", "ladle")]) == [
        "find a sinkbasin", "put down the object in hand", "find a Faucet", "turn on the Faucet",
        "turn off the Faucet", "find a ladle", "pick up the ladle"]  # fmt: skip


def test_the_navigation_loader_reads_embodiedbenchs_files(tmp_path: Path) -> None:
    (first, _) = nav_data.load_subset(NAVIGATION, "base")
    assert first.scene == "FloorPlan1" and first.target_type == "Bread" and first.start_rotation == 90.0
    with pytest.raises(ConfigError, match=r"subset file not found.*eb_navigation/datasets"):
        nav_data.load_subset(tmp_path, "base")
    (tmp_path / "base.json").write_text("[]")
    with pytest.raises(ConfigError, match="is not an EB-Navigation dataset file"):
        nav_data.load_subset(tmp_path, "base")


def test_the_envs_default_episodes_are_the_standins_base_episodes() -> None:
    shipped = json.loads((resources.files("mmgym.envs.thor") / "default_episodes.json").read_text())
    assert shipped == standin_defaults(), (
        "the stand-in's episodes changed: rewrite mmgym/envs/thor/default_episodes.json from "
        "mmgym.tasks.embodiedbench.thor.standin_defaults()"
    )
    assert default_episodes(AlfredEpisode, "eb_alfred") == tuple(alfred_data.load_subset(ALFRED, "base"))
    assert default_episodes(NavEpisode, "eb_navigation") == tuple(nav_data.load_subset(NAVIGATION, "base"))
