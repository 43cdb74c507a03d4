"""The AI2-THOR adapter through ai2thor's real `Controller`, started against mmgym's stand-in build.

Covers the wire protocol, EB-ALFRED's skills and goal conditions on every stand-in episode,
EB-Navigation's actions and expert, and the failure paths (a skill not listed, a missing object, an
action the simulator rejects, ten failures, a simulator process that dies mid-episode). The
stand-in's episodes are read with EmbodiedBench's loaders (`mmgym.tasks.embodiedbench`).
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

if importlib.util.find_spec("ai2thor") is None:
    pytest.skip("ai2thor is not installed (pip install 'mmgym[thor]')", allow_module_level=True)

from mmgym.envs.thor.alfred_env import MAX_INVALID, EBAlfredEnv
from mmgym.envs.thor.alfred_goals import Changed, conditions_met, with_goal_steps
from mmgym.envs.thor.alfred_skills import global_skills, match_skill, skill_index
from mmgym.envs.thor.episodes import AlfredEpisode
from mmgym.envs.thor.nav_env import ACTIONS, EBThorNavEnv
from mmgym.envs.thor.session import ThorConfig, ThorSession
from mmgym.errors import ConfigError, SimulatorLost
from mmgym.tasks.embodiedbench import alfred_data, nav_data
from mmgym.tasks.embodiedbench.thor import standin_data

ALFRED = standin_data("eb_alfred")
NAVIGATION = standin_data("eb_navigation")


def alfred_episodes() -> list[AlfredEpisode]:
    return [e for subset in alfred_data.SUBSETS for e in alfred_data.load_subset(ALFRED, subset)]


@pytest.fixture(scope="module")
def alfred() -> EBAlfredEnv:
    env = EBAlfredEnv(image_size=64, executable="standin")
    yield env
    env.close()


def reset(env: EBAlfredEnv, subset: str, index: int = 0) -> dict:
    episode = alfred_data.load_subset(ALFRED, subset)[index]
    return env.reset(options={"episode": episode.model_dump()})[1]


def play_expert(env, limit: int) -> tuple[dict, int]:
    info, steps = {"success": False}, 0
    while not info["success"] and steps < limit and (plan := env.expert_plan()):
        info = env.step(plan[0])[4]
        assert info["valid"], info["feedback"]
        steps += 1
    return info, steps


def test_the_real_controller_talks_to_the_standin_build() -> None:
    session = ThorSession(ThorConfig(executable="standin", width=96, height=64))
    try:
        event = session.reset("FloorPlan1")
        assert event.frame.shape == (64, 96, 3) and event.metadata["sceneName"] == "FloorPlan1"
        types = {o["objectType"] for o in event.metadata["objects"]}
        assert {"Fridge", "SinkBasin", "Apple", "Knife", "Cabinet"} <= types
        before = event.metadata["agent"]["position"]
        moved = session.step({"action": "MoveAhead", "moveMagnitude": 0.25})
        assert moved.metadata["lastActionSuccess"] and moved.metadata["agent"]["position"]["z"] == before["z"] + 0.25
        refused = session.step({"action": "Fly"})  # the Controller raises ValueError on InvalidAction
        assert not refused.metadata["lastActionSuccess"] and "Invalid action" in refused.metadata["errorMessage"]
        assert session.alive()
    finally:
        session.close()


def test_the_expert_completes_every_standin_episode_with_one_simulator(alfred: EBAlfredEnv) -> None:
    episodes = alfred_episodes()
    assert {e.task_type for e in episodes} == {
        "pick_and_place_simple", "pick_two_obj_and_place", "look_at_obj_in_light", "pick_heat_then_place_in_recep",
        "pick_cool_then_place_in_recep", "pick_clean_then_place_in_recep", "pick_and_place_with_movable_recep",
    }  # fmt: skip
    for episode in episodes:
        info = alfred.reset(options={"episode": episode.model_dump()})[1]
        assert not info["success"] and info["progress"] < 1.0, episode.task
        n = len(episode.object_poses)
        assert info["poses_restored"] == f"{n}/{n}"
        info, steps = play_expert(alfred, 30)
        assert info["success"] and info["progress"] == 1.0, (episode.task, info)
        assert steps == len(with_goal_steps(episode.task_type, episode.reference_plan))
    assert alfred.session.starts == 1  # scenes change by reset, not by a new process


def test_skills_are_embodiedbenchs_global_list_plus_numbered_instances(alfred: EBAlfredEnv) -> None:
    reset(alfred, "base")
    skills = alfred.candidate_actions()
    assert skills[: len(global_skills())] == global_skills()
    assert sum(s.startswith("find a ") for s in global_skills()) == 80
    assert skills[len(global_skills()) :] == ["find a Cabinet_2", "open the Cabinet_2", "close the Cabinet_2",
                                              "find a Mug_2"]  # fmt: skip
    index = skill_index(skills)
    assert match_skill("Find an apple.", index) == "find a Apple"
    assert match_skill("find a sinkbasin", index) == "find a Sink"
    assert match_skill("put down the ladle", index) == "put down the object in hand"
    assert match_skill("fly to the moon", index) is None


def test_a_refused_skill_changes_nothing_and_says_why(alfred: EBAlfredEnv) -> None:
    reset(alfred, "common_sense")  # the potato is shut in a cabinet
    before = alfred.session.last_event.metadata
    snapshot = (before["agent"], before["objects"], before["inventoryObjects"])
    for action, reason in [
        ("juggle the apples", "not one of the listed skills"),
        ("find a Toilet", "Cannot find Toilet"),  # listed, but there is none in this kitchen
        ("pick up the Egg", "is not visible"),  # the simulator refuses: the egg is in the closed fridge
        ("put down the object in hand", "not holding any object"),
    ]:
        info = alfred.step(action)[4]
        assert not info["valid"] and reason in info["feedback"], (action, info["feedback"])
        after = alfred.session.last_event.metadata
        assert (after["agent"], after["objects"], after["inventoryObjects"]) == snapshot, action


def test_poses_of_objects_the_build_does_not_have_are_counted(alfred: EBAlfredEnv) -> None:
    """ALFRED recorded poses by object name in ai2thor 2.1.0; a build that names objects differently restores fewer."""
    episode = alfred_data.load_subset(ALFRED, "base")[0]
    poses = [{**episode.object_poses[0], "objectName": "Apple_2_1_0"}, *episode.object_poses[1:]]
    info = alfred.reset(options={"episode": episode.model_copy(update={"object_poses": poses}).model_dump()})[1]
    assert info["poses_restored"] == f"{len(poses) - 1}/{len(poses)}"
    assert "Apple" not in {o["objectType"] for o in alfred.session.last_event.metadata["objects"]}  # left out: removed


def test_the_tenth_failed_skill_ends_the_episode(alfred: EBAlfredEnv) -> None:
    reset(alfred, "base")
    for k in range(1, MAX_INVALID + 1):
        _, _, terminated, truncated, info = alfred.step("slice the Bread")  # no knife in hand
        assert not info["valid"] and not terminated
        assert truncated == (k == MAX_INVALID)
    assert "episode ends" in info["feedback"]


def test_a_simulator_that_dies_mid_episode_is_lost_then_restarted_at_the_next_reset() -> None:
    env = EBAlfredEnv(image_size=64, executable="standin")
    try:
        reset(env, "base")
        env.step("find a Apple")
        env.session.controller.server.unity_proc.kill()
        with pytest.raises(SimulatorLost, match="AI2-THOR process died during"):
            env.step("pick up the Apple")
        info = reset(env, "base")
        assert env.session.starts == 2 and env.session.alive()
        info, _ = play_expert(env, 30)
        assert info["success"]
    finally:
        env.close()


def test_a_simulator_that_crashes_while_stepping_is_noticed_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in dies on receiving its 12th action; ai2thor alone would wait out its 100 s server timeout."""
    monkeypatch.setenv("MMGYM_STANDIN_CRASH_AT", f"12:{tmp_path / 'crashed'}")
    env = EBAlfredEnv(image_size=64, executable="standin")
    try:
        reset(env, "common_sense")
        started = time.monotonic()
        with pytest.raises(SimulatorLost):
            for _ in range(20):
                env.step(env.expert_plan()[0])
        assert time.monotonic() - started < 30.0
        assert (tmp_path / "crashed").exists() and not env.session.alive()
        reset(env, "common_sense")  # the flag stops a second crash: a fresh process plays on
        assert env.session.starts == 2 and play_expert(env, 30)[0]["success"]
    finally:
        env.close()


def test_goal_conditions_count_as_alfred_counts_them() -> None:
    table = {"objectId": "DiningTable|0", "objectType": "DiningTable", "receptacle": True, "pickupable": False,
             "receptacleObjectIds": ["Mug|1"], "parentReceptacles": None}  # fmt: skip
    mugs = [{"objectId": f"Mug|{k}", "objectType": "Mug", "receptacle": True, "pickupable": True,
             "receptacleObjectIds": [], "parentReceptacles": None} for k in (1, 2)]  # fmt: skip
    metadata = {"objects": [table, *mugs], "inventoryObjects": []}
    two = {"object_target": "Mug", "parent_target": "DiningTable"}
    assert conditions_met("pick_two_obj_and_place", two, metadata, Changed()) == (1, 2)
    assert conditions_met("pick_and_place_simple", two, metadata, Changed()) == (1, 1)
    heat = conditions_met("pick_heat_then_place_in_recep", two, metadata, Changed(heated={"Mug|2"}))
    assert heat == (2, 3)  # in place, heated, but not the same mug
    assert conditions_met("pick_heat_then_place_in_recep", two, metadata, Changed(heated={"Mug|1"})) == (3, 3)
    sliced = {"object_target": "Mug", "parent_target": "DiningTable", "object_sliced": True}
    assert conditions_met("pick_and_place_simple", sliced, metadata, Changed()) == (0, 2)  # no MugSliced anywhere
    with pytest.raises(ValueError, match="unknown ALFRED task type"):
        conditions_met("juggle", two, metadata, Changed())


@pytest.fixture(scope="module")
def navigation() -> EBThorNavEnv:
    env = EBThorNavEnv(image_size=64, executable="standin")
    yield env
    env.close()


def test_the_navigation_expert_reaches_every_target_within_20_steps(navigation: EBThorNavEnv) -> None:
    episodes = [e for subset in nav_data.SUBSETS for e in nav_data.load_subset(NAVIGATION, subset)]
    assert len(episodes) == 6
    for episode in episodes:
        info = navigation.reset(options={"episode": episode.model_dump()})[1]
        assert info["distance"] > 1.0 and not info["success"]
        info, _ = play_expert(navigation, 20)
        assert info["success"] and info["distance"] <= 1.0 and info["progress"] == 1.0, episode.instruction


def test_navigation_actions_and_refusals(navigation: EBThorNavEnv) -> None:
    episode = nav_data.load_subset(NAVIGATION, "base")[0]  # starts at (-1, -1) facing +x
    navigation.reset(options={"episode": episode.model_dump()})
    assert navigation.candidate_actions() == list(ACTIONS)
    info = navigation.step("rotate to the LEFT by 90 degrees")[4]
    assert info["valid"] and navigation.session.last_event.metadata["agent"]["rotation"]["y"] == 0.0
    for _ in range(2):
        info = navigation.step("Tilt the camera upward by 30 degrees.")[4]
    assert not info["valid"] and "cannot tilt" in info["feedback"]  # beyond -30 degrees
    info = navigation.step("teleport to the bread")[4]
    assert not info["valid"] and "not one of the eight actions" in info["feedback"]
    for _ in range(3):
        navigation.step("Move backward by 0.25")  # towards the wall behind
    position = navigation.session.last_event.metadata["agent"]["position"]
    info = navigation.step("Move backward by 0.25")[4]
    assert not info["valid"] and navigation.session.last_event.metadata["agent"]["position"] == position


def test_a_real_build_without_a_display_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(ConfigError, match=r"needs an X display.*platform=CloudRendering"):
        ThorSession(ThorConfig(executable="/nonexistent/thor-build")).reset("FloorPlan1")


def test_the_selfcheck_passes_on_the_standin(capsys: pytest.CaptureFixture[str]) -> None:
    from mmgym.envs.thor.selfcheck import main

    assert main(["--executable", "standin"]) == 0
    out = capsys.readouterr().out
    assert "all checks passed" in out and out.count("\nok ") + out.startswith("ok ") >= 24


@pytest.mark.parametrize("which", ["alfred", "navigation"])
def test_both_envs_meet_the_language_contract_through_gymnasium(which: str) -> None:
    import gymnasium as gym

    import mmgym.envs  # noqa: F401  (registers the envs)
    from mmgym.core.language_env import check_language_env
    from mmgym.envs.thor import ALFRED_ENV_ID, NAV_ENV_ID

    env_id, data, folder = (
        (ALFRED_ENV_ID, alfred_data, ALFRED) if which == "alfred" else (NAV_ENV_ID, nav_data, NAVIGATION)
    )
    env = gym.make(env_id, image_size=64, executable="standin")
    try:
        episode = data.load_subset(folder, "base")[0]
        check_language_env(env, options={"episode": episode.model_dump()})
        observation = env.reset(options={"episode": episode.model_dump()})[0]
        assert observation["image"].shape == (64, 64, 3) and env.observation_space.contains(observation)
        assert env.reset()[0]["instruction"] == observation["instruction"]  # no episode: the first shipped one
        with pytest.raises(ConfigError, match="unknown reset option\\(s\\) 'task'; valid: 'episode'"):
            env.reset(options={"task": episode.model_dump()})
    finally:
        env.close()
