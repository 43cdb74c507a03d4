"""EB-Navigation's pieces that need no simulator: actions in words, lattice moves, the planner, bearings and views."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mmgym.envs.miniworld import planner
from mmgym.envs.miniworld.actions import ACTIONS, parse_action
from mmgym.envs.miniworld.scene import Scene, Thing
from mmgym.envs.miniworld.view import bearing, describe, in_view

ROOM = {"rooms": [{"x0": 0, "x1": 4, "z0": 0, "z1": 4}], "agent_x": 1.0, "agent_z": 1.0, "target": 0}


def test_eight_actions_in_eb_navigations_words_and_its_short_forms() -> None:
    assert len(ACTIONS) == 8
    assert parse_action("Move forward by 0.25") == "Move forward by 0.25"
    assert parse_action("  move FORWARD by 0.25. ") == "Move forward by 0.25"
    assert parse_action("rotateleft") == "Rotate to the left by 90 degrees"
    assert parse_action("lookdown") == "Tilt the camera downward by 30 degrees"
    for junk in ("", "forward", "Move forward by 0.5", "jump", None, 3):
        assert parse_action(junk) is None


@pytest.mark.parametrize(
    ("heading", "forward", "right"),
    [(0, (1, 0), (0, 1)), (1, (0, -1), (1, 0)), (2, (-1, 0), (0, -1)), (3, (0, 1), (-1, 0))],
)
def test_moves_follow_minipworlds_frame(heading: int, forward: tuple[int, int], right: tuple[int, int]) -> None:
    """Heading 0 faces +x; forward and rightward step one lattice cell; turns change the heading only."""
    start = (10, 10, heading)
    assert planner.apply_action(start, "Move forward by 0.25")[:2] == (10 + forward[0], 10 + forward[1])
    assert planner.apply_action(start, "Move backward by 0.25")[:2] == (10 - forward[0], 10 - forward[1])
    assert planner.apply_action(start, "Move rightward by 0.25")[:2] == (10 + right[0], 10 + right[1])
    assert planner.apply_action(start, "Rotate to the left by 90 degrees") == (10, 10, (heading + 1) % 4)
    assert planner.apply_action(start, "Rotate to the right by 90 degrees") == (10, 10, (heading - 1) % 4)


def test_the_planner_finds_the_shortest_way_round_a_wall() -> None:
    """A wall at x = 1.5 from z = -2 to 2 stands between the start and a target at (3, 0)."""

    def blocked(x: float, z: float) -> bool:
        return abs(x - 1.5) < 0.5 and abs(z) < 2.25

    plan = planner.shortest_plan((0, 0, 0), (3.0, 0.0), blocked)
    assert plan is not None
    pose = (0, 0, 0)
    for action in plan:
        pose = planner.apply_action(pose, action)
        assert not blocked(pose[0] * 0.25, pose[1] * 0.25)
    assert planner.reached(pose, (3.0, 0.0))
    open_plan = planner.shortest_plan((0, 0, 0), (3.0, 0.0), lambda x, z: False)
    assert open_plan == ["Move forward by 0.25"] * 8
    assert len(plan) > len(open_plan)
    assert planner.shortest_plan((0, 0, 0), (3.0, 0.0), lambda x, z: x > 0.1) is None


def test_bearing_is_counter_clockwise_from_the_heading() -> None:
    assert bearing(0, 0, 0, 2, 0) == pytest.approx(0)
    assert bearing(0, 0, 0, 0, -2) == pytest.approx(90)  # north (-z) is to the left when facing +x
    assert bearing(0, 0, 0, 0, 2) == pytest.approx(-90)
    assert bearing(0, 0, 90, 0, -2) == pytest.approx(0)
    assert abs(bearing(0, 0, 0, -2, 0)) == pytest.approx(180)


def test_the_view_lists_objects_in_the_field_of_view_and_not_behind_walls() -> None:
    ahead = Thing(kind="box", colour="red", x=3.0, z=0.3)
    behind = Thing(kind="ball", colour="blue", x=-3.0, z=0.0)
    walled = Thing(kind="chair", x=3.0, z=-1.0)
    wall = ((2.0, -2.0), (2.0, -0.5))
    seen = in_view(0.0, 0.0, 0.0, [ahead, behind, walled], [wall])
    assert [thing for thing, _, _ in seen] == [ahead]
    text = describe(0.0, 0.0, 0.0, -30, [ahead, behind, walled], [wall])
    assert text.startswith("In view: the red box, 3.0 m away, 6 degrees to your right.")
    assert text.endswith("Your camera is tilted 30 degrees down.")
    assert describe(0.0, 0.0, 180.0, 0, [ahead], []) == "No object in view."


def test_scenes_refuse_bad_data_in_one_line() -> None:
    thing = {"kind": "box", "colour": "red", "x": 2, "z": 2}
    assert Scene.model_validate({**ROOM, "things": [thing], "instruction": "Go."}).target_thing.label == "red box"
    bad = [
        ({**ROOM, "things": [{**thing, "kind": "sofa"}]}, "unknown object kind 'sofa'"),
        ({**ROOM, "things": [{**thing, "colour": "pink"}]}, "unknown colour 'pink'"),
        ({**ROOM, "things": [{"kind": "chair", "colour": "red", "x": 2, "z": 2}]}, "a chair takes no colour"),
        ({**ROOM, "things": [thing], "target": 3}, "target 3 is not one of the 1 objects"),
        ({**ROOM, "things": [thing], "agent_x": 1.1}, "on the 0.25 m grid"),
        ({**ROOM, "things": [thing], "agent_heading": 45}, "multiple of 90"),
    ]
    for data, message in bad:
        with pytest.raises(ValidationError, match=message):
            Scene.model_validate({"instruction": "Go.", **data})
