"""BabyAI actions: primitives and skills, their refusals (which change nothing), numbering, progress."""

from __future__ import annotations

import copy
import itertools

import pytest

pytest.importorskip("minigrid")

from babyai_helpers import EAST, NORTH, WEST, front, room, snapshot
from minigrid.core.world_object import Ball, Box, Door, Key, Wall
from minigrid.envs.babyai.core.verifier import (
    AfterInstr,
    AndInstr,
    BeforeInstr,
    GoToInstr,
    ObjDesc,
    OpenInstr,
    PickupInstr,
)

from mmgym.envs.babyai import mission
from mmgym.envs.babyai.env import BabyAIEnv
from mmgym.envs.babyai.primitives import PRIMITIVES


def refused(env: BabyAIEnv, action: str, *reason: str) -> dict:
    """Step `action`, check it was refused with every word of `reason` and changed nothing."""
    before, text_before = snapshot(env), env._observation()["text"]
    observation, reward, terminated, truncated, info = env.step(action)
    assert not info["valid"], info["feedback"]
    assert info["feedback"].startswith("Invalid action: ") and all(word in info["feedback"] for word in reason), info
    assert snapshot(env) == before and observation["text"] == text_before
    assert (reward, terminated, truncated) == (0.0, False, False)
    return info


# ---- primitives --------------------------------------------------------------------------------


def test_primitive_vocabulary_is_balrogs_plus_done() -> None:
    env = BabyAIEnv()
    env.reset(seed=0)
    assert env.candidate_actions() == ["turn left", "turn right", "go forward", "pick up", "drop", "toggle", "done"]
    assert list(PRIMITIVES) == env.candidate_actions()


def test_primitive_matching_ignores_case_and_spacing() -> None:
    env = room(agent=(3, 4), facing=NORTH)
    _, _, _, _, info = env.step("  Go   FORWARD. ")
    assert info["valid"] and tuple(env.grid_env.agent_pos) == (3, 3) and info["primitive_steps"] == 1


def test_unknown_primitive_lists_the_valid_ones() -> None:
    info = refused(room(), "jump", "'jump' is not an action", "turn left", "toggle", "done")
    assert info["primitive_steps"] == 0


@pytest.mark.parametrize(
    ("setup", "action", "reasons"),
    [
        (dict(agent=(1, 4), facing=WEST), "go forward", ("a wall is in the way",)),
        (
            dict(objects={(3, 3): Door("red")}),
            "go forward",
            (
                "the closed red door is in the way",
                "toggle it",
            ),
        ),
        (dict(objects={(3, 3): Ball("blue")}), "go forward", ("the blue ball is in the way",)),
        (dict(), "pick up", ("nothing in front of you to pick up",)),
        (
            dict(objects={(3, 3): Ball("blue")}, carrying=Key("red")),
            "pick up",
            (
                "hands are full",
                "red key",
            ),
        ),
        (dict(objects={(3, 3): Door("red")}), "pick up", ("the closed red door cannot be picked up",)),
        (dict(), "drop", ("you carry nothing to drop",)),
        (dict(objects={(3, 3): Ball("blue")}, carrying=Key("red")), "drop", ("blue ball is in front of you",)),
        (dict(), "toggle", ("nothing to toggle",)),
        (dict(objects={(3, 3): Ball("blue")}), "toggle", ("nothing to toggle",)),
        (dict(objects={(3, 3): Door("red", is_locked=True)}), "toggle", ("locked and you carry no red key",)),
        (dict(objects={(3, 3): Door("red", is_locked=True)}, carrying=Key("blue")), "toggle", ("no red key",)),
        (dict(), "done", ("done completes no part of the mission",)),
    ],
)
def test_impossible_primitives_are_refused_and_change_nothing(setup: dict, action: str, reasons: tuple) -> None:
    env = room(**setup)
    refused(env, action, *reasons)


def test_possible_primitives_do_what_they_say() -> None:
    door = Door("red", is_locked=True)
    env = room(objects={(3, 3): door}, carrying=Key("red"))
    assert env.step("toggle")[4]["valid"] and door.is_open and not door.is_locked
    assert env.step("go forward")[4]["valid"] and tuple(env.grid_env.agent_pos) == (3, 3)
    assert env.step("drop")[4]["valid"] and front(env).type == "key" and env.grid_env.carrying is None
    assert env.step("pick up")[4]["valid"] and env.grid_env.carrying.type == "key"


def test_done_counts_when_it_completes_a_go_to() -> None:
    # GoToLocal seed 0 asks for the green ball; stand facing it, as an agent could be at the start.
    env = BabyAIEnv("BabyAI-GoToLocal-v0")
    env.reset(seed=0)
    grid_env = env.grid_env
    (x, y) = grid_env.instrs.desc.obj_poss[0]
    grid_env.agent_pos, grid_env.agent_dir = (x - 1, y), EAST
    if grid_env.grid.get(x - 1, y) is not None:
        grid_env.agent_pos, grid_env.agent_dir = (x + 1, y), WEST
    _, reward, terminated, _, info = env.step("done")
    assert info["valid"] and info["success"] and terminated and reward == 1.0 and info["progress"] == 1.0


def test_steps_after_the_end_are_refused() -> None:
    env = BabyAIEnv("BabyAI-GoToLocal-v0")
    env.reset(seed=0)
    while not env.step(env.expert_plan()[0])[2]:
        pass
    _, _, terminated, _, info = env.step("turn left")
    assert not info["valid"] and terminated and info["success"] and "episode is over" in info["feedback"]
    assert env.expert_plan() == []


# ---- skills ------------------------------------------------------------------------------------

CORNERED = {(1, 1): Ball("red"), (2, 1): Box("grey"), (1, 2): Box("blue")}
TWO_BALLS = {(1, 1): Ball("red"), (2, 2): Ball("red")}
LOCKED = "the yellow door is locked and you carry no yellow key"
NOT_HELD = "you are not carrying the red ball: pick it up first"


def test_skill_list_comes_from_the_levels_objects() -> None:
    env = room("skill", objects={(2, 2): Ball("red"), (5, 5): Key("blue"), (4, 1): Box("grey")})
    assert env.candidate_actions() == [
        "go to the blue key",
        "go to the grey box",
        "go to the red ball",
        "pick up the blue key",
        "pick up the grey box",
        "pick up the red ball",
        "drop",
    ]
    env.step("pick up the red ball")
    assert "put the red ball next to the blue key" in env.candidate_actions()
    assert "put the red ball next to the red ball" not in env.candidate_actions()


def test_duplicates_are_numbered_in_reading_order_and_keep_their_numbers() -> None:
    first, second = Ball("red"), Ball("red")  # first lies higher on the map, so it is number 1
    env = room("skill", agent=(3, 4), facing=NORTH, objects={(5, 2): first, (2, 5): second})
    assert {"go to the red ball 1", "go to the red ball 2", "pick up the red ball 2"} <= set(env.candidate_actions())
    _, _, _, _, info = env.step("go to the red ball 2")
    assert info["valid"] and front(env) is second and "red ball 2" in info["feedback"]
    assert info["primitive_steps"] == 3  # turn left, go forward, turn left: facing (2, 5) from (2, 4)
    assert env.step("pick up the red ball 1")[4]["valid"]  # "pick up" walks there first
    assert env.grid_env.carrying is first
    env.step("drop")
    assert "go to the red ball 1" in env.candidate_actions()  # the number stays with the ball


def test_a_name_without_its_number_means_the_nearest() -> None:
    near, far = Ball("red"), Ball("red")
    env = room("skill", agent=(3, 4), facing=NORTH, objects={(1, 1): far, (3, 5): near})  # 5 steps away, 2 steps
    _, _, _, _, info = env.step("go to the red ball")
    assert info["valid"] and front(env) is near and "red ball 2" in info["feedback"]


def test_skills_navigate_through_closed_doors_and_say_so() -> None:
    objects = {(x, 3): Wall() for x in range(1, 7)}
    objects[(3, 3)] = Door("grey")
    objects[(3, 1)] = Key("red")
    env = room("skill", agent=(3, 5), facing=NORTH, objects=objects)
    _, _, _, _, info = env.step("pick up the red key")
    assert info["valid"] and env.grid_env.carrying.color == "red"
    assert "opened the grey door" in info["feedback"] and info["primitive_steps"] == 5  # fwd, toggle, fwd, fwd, pick


@pytest.mark.parametrize(
    ("setup", "skill", "reasons"),
    [
        # the red ball is walled into the corner by two boxes
        (dict(objects=CORNERED), "go to the red ball", ("no reachable red ball",)),
        (dict(objects=CORNERED), "pick up the red ball", ("no reachable red ball: the", "is in the way")),
        (dict(objects={(1, 1): Ball("red")}, carrying=Key("blue")), "pick up the red ball", ("hands full", "blue key")),
        (dict(objects={(1, 1): Ball("red")}, carrying=Key("blue")), "pick up the blue key", ("already carry",)),
        (dict(objects={(1, 1): Door("yellow", is_locked=True)}), "open the yellow door", (LOCKED,)),
        (
            dict(objects={(1, 1): Door("yellow", is_locked=True)}, carrying=Key("red")),
            "open the yellow door",
            (LOCKED,),
        ),
        (dict(objects={(1, 1): Door("yellow", is_open=True)}), "open the yellow door", ("already open",)),
        (dict(objects={(1, 1): Door("yellow")}), "close the yellow door", ("already closed",)),
        (dict(objects={(1, 1): Ball("red")}), "open the red ball", ("only doors",)),
        (dict(objects={(1, 1): Door("red")}), "pick up the red door", ("doors cannot be picked up",)),
        (dict(), "drop", ("you carry nothing to drop",)),
        (dict(objects={(1, 1): Ball("red")}, carrying=Key("blue")), "drop the red ball", ("you carry the blue key",)),
        (
            dict(objects={(1, 1): Ball("red"), (5, 5): Key("blue")}),
            "put the red ball next to the blue key",
            (NOT_HELD,),
        ),
        (dict(objects={(1, 1): Ball("red")}), "go to the purple box", ("there is no purple box in this level",)),
        (dict(objects=TWO_BALLS), "go to the red ball 3", ("there is no red ball 3", "red ball 1, red ball 2")),
        (dict(objects={(1, 1): Ball("red")}), "fly to the moon", ("not a skill", "go to the red ball")),
    ],
)
def test_impossible_skills_are_refused_with_the_reason_and_change_nothing(setup: dict, skill: str, reasons) -> None:
    env = room(
        "skill", **{**setup, "objects": {pos: copy.deepcopy(obj) for pos, obj in setup.get("objects", {}).items()}}
    )
    refused(env, skill, *reasons)


def test_a_locked_door_opens_with_its_key_in_hand() -> None:
    door = Door("yellow", is_locked=True)
    env = room("skill", objects={(1, 1): door}, carrying=Key("yellow"))
    _, _, _, _, info = env.step("open the yellow door")
    assert info["valid"] and door.is_open and "unlocked and opened the yellow door" in info["feedback"]
    assert env.step("close the yellow door")[4]["valid"] and not door.is_open


def test_put_next_to_drops_beside_the_anchor_and_drop_keeps_passages_free() -> None:
    ball, key = Ball("red"), Key("blue")
    env = room("skill", agent=(3, 4), facing=NORTH, objects={(1, 1): ball, (5, 5): key})
    env.step("pick up the red ball")
    _, _, _, _, info = env.step("put the red ball next to the blue key")
    assert info["valid"] and info["feedback"] == "You put the red ball next to the blue key."
    (bx, by), (kx, ky) = ball.cur_pos, key.cur_pos
    assert abs(bx - kx) + abs(by - ky) == 1 and env.grid_env.carrying is None
    # In a one-cell-wide corridor (row 4, a niche at (6, 3)), "drop" does not put the key down in
    # front (3, 4), which would cut the corridor, but at a dead end: behind the agent.
    objects = {(x, y): Wall() for x in range(1, 7) for y in range(1, 7) if y != 4 and (x, y) != (6, 3)}
    key = Key("green")
    env = room("skill", agent=(2, 4), facing=EAST, objects=objects, carrying=key)
    _, _, _, _, info = env.step("drop")
    assert info["valid"] and tuple(key.cur_pos) == (1, 4) and "on a free cell nearby" in info["feedback"]


def test_skill_matching_ignores_case_articles_and_spacing() -> None:
    env = room("skill", objects={(1, 1): Ball("red")})
    assert env.step("  Pick Up  a RED ball. ")[4]["valid"] and env.grid_env.carrying is not None


# ---- subgoals and progress ---------------------------------------------------------------------


@pytest.mark.parametrize("action_level", ["primitive", "skill"])
@pytest.mark.parametrize(
    ("level", "seed", "mission"),
    [
        ("BabyAI-MiniBossLevel-v0", 1967111908, "open a door after you pick up a ball"),
        ("BabyAI-OpenTwoDoors-v0", 4, "open the purple door, then open the yellow door"),
    ],
)
def test_progress_reaches_half_after_the_first_of_two_parts(action_level: str, level: str, seed: int, mission: str):
    env = BabyAIEnv(level, action_level=action_level)
    _, info = env.reset(seed=seed)
    assert env.grid_env.mission == mission and info["subgoals_total"] == 2 and info["progress"] == 0.0
    seen = []
    while True:
        _, _, terminated, _, info = env.step(env.expert_plan()[0])
        seen.append((info["subgoals_done"], info["progress"], info["success"]))
        if terminated:
            break
    assert (1, 0.5, False) in seen and seen[-1] == (2, 1.0, True)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))  # never goes back


def test_subgoal_bookkeeping_follows_the_verifiers_record() -> None:
    pick, go = PickupInstr(ObjDesc("ball", "red")), GoToInstr(ObjDesc("key"))
    open_red, open_blue = OpenInstr(ObjDesc("door", "red")), OpenInstr(ObjDesc("door", "blue"))
    tree = AfterInstr(AndInstr(pick, go), AndInstr(open_red, open_blue))  # "A and B after you C and D"
    assert mission.leaves(tree) == [pick, go, open_red, open_blue]
    assert mission.execution_order(tree) == [open_red, open_blue, pick, go]
    tree.a_done = tree.b_done = False
    tree.instr_a.a_done = tree.instr_a.b_done = False
    tree.instr_b.a_done, tree.instr_b.b_done = "success", "continue"  # C done, D not yet
    assert mission.subgoals_done(tree, success=False) == 1
    assert mission.pending(tree, success=False) == [open_blue, pick, go]
    remaining = mission.remaining_tree(tree)
    assert isinstance(remaining, AfterInstr) and remaining.instr_b is open_blue and remaining.instr_a is tree.instr_a
    tree.b_done = "success"  # C and D done
    tree.instr_a.b_done = "success"  # and B
    assert mission.subgoals_done(tree, success=False) == 3
    assert mission.remaining_tree(tree) is pick
    assert mission.subgoals_done(tree, success=True) == 4 and mission.remaining_tree(tree, done=True) is None
    before = BeforeInstr(go, pick)  # "B, then A": A does not count before B, whatever A's own record says
    before.a_done, before.b_done = False, False
    assert mission.subgoals_done(before, success=False) == 0 and mission.pending(before, success=False) == [go, pick]
