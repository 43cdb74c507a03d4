"""EB-ALFRED's goal conditions and EB-Navigation's success radius on constructed states.

ALFRED's conditions are counted on hand-written object metadata in AI2-THOR's field names (what the
controller returns), one case per condition of each task type; the stand-in's visibility rule is
checked on a hand-placed world; navigation success and progress run through the real Controller
against the stand-in build, with targets placed at chosen distances from the start."""

from __future__ import annotations

import importlib.util
import math
from typing import Any

import pytest

if importlib.util.find_spec("ai2thor") is None:
    pytest.skip("ai2thor is not installed (pip install 'mmgym[thor]')", allow_module_level=True)

from mmgym.envs.thor.alfred_env import MAX_INVALID, EBAlfredEnv
from mmgym.envs.thor.alfred_goals import Changed, conditions_met, with_goal_steps
from mmgym.envs.thor.nav_env import SUCCESS_RADIUS, EBThorNavEnv
from mmgym.envs.thor.standin.world import HALF_FOV, VISIBILITY, Obj, World
from mmgym.tasks.embodiedbench import alfred_data, nav_data
from mmgym.tasks.embodiedbench.thor import standin_data


def obj(oid: str, *, pickupable: bool = False, receptacle: bool = False, toggleable: bool = False,
        holds: tuple[str, ...] = (), parents: tuple[str, ...] = (), toggled: bool = False,
        visible: bool = True) -> dict[str, Any]:  # fmt: skip
    """One object's metadata as AI2-THOR writes it (None, not [], for no contents or parents)."""
    return {
        "objectId": oid,
        "objectType": oid.split("|")[0],
        "pickupable": pickupable,
        "receptacle": receptacle,
        "toggleable": toggleable,
        "receptacleObjectIds": list(holds) or None,
        "parentReceptacles": list(parents) or None,
        "isToggled": toggled,
        "visible": visible,
    }


def count(task: str, params: dict[str, Any], objects: list[dict[str, Any]], held: str | None = None,
          changed: Changed | None = None) -> tuple[int, int]:  # fmt: skip
    metadata = {"objects": objects, "inventoryObjects": [{"objectId": held}] if held else []}
    return conditions_met(task, params, metadata, changed or Changed())


# ---- look at an object in the light ----------------------------------------------------------------------

LIGHT = {"object_target": "Book", "toggle_target": "DeskLamp"}
BOOK = obj("Book|1", pickupable=True)


@pytest.mark.parametrize(
    ("held", "lamp", "expected"),
    [
        ("Book|1", {"toggled": True, "visible": True}, (2, 2)),
        ("Book|1", {"toggled": True, "visible": False}, (1, 2)),  # the lamp is on, but not in view
        ("Book|1", {"toggled": False, "visible": True}, (1, 2)),  # in view, but off
        (None, {"toggled": True, "visible": True}, (1, 2)),  # holding nothing
        ("Pen|1", {"toggled": True, "visible": True}, (1, 2)),  # holding something else
        ("Pen|1", {"toggled": False, "visible": False}, (0, 2)),
    ],
)
def test_look_at_in_light_needs_the_object_held_and_a_lit_lamp_in_view(held, lamp, expected) -> None:
    objects = [BOOK, obj("Pen|1", pickupable=True), obj("DeskLamp|1", toggleable=True, **lamp)]
    assert count("look_at_obj_in_light", LIGHT, objects, held) == expected


def test_the_lit_lamp_and_the_lamp_in_view_must_be_the_same_lamp() -> None:
    lamps = [obj("DeskLamp|1", toggleable=True, toggled=True, visible=False),
             obj("DeskLamp|2", toggleable=True, toggled=False, visible=True)]  # fmt: skip
    assert count("look_at_obj_in_light", LIGHT, [BOOK, *lamps], "Book|1") == (1, 2)
    other_light = [obj("FloorLamp|1", toggleable=True, toggled=True, visible=True)]  # not the named lamp
    assert count("look_at_obj_in_light", LIGHT, [BOOK, *other_light], "Book|1") == (1, 2)


def test_a_held_object_that_cannot_be_picked_up_does_not_match() -> None:
    """Targets are matched among pickupable objects only (the held book here is flagged otherwise)."""
    lamp = obj("DeskLamp|1", toggleable=True, toggled=True)
    assert count("look_at_obj_in_light", LIGHT, [obj("Book|1"), lamp], "Book|1") == (1, 2)


# ---- pick and place with a movable receptacle ---------------------------------------------------------------

MOVABLE = {"object_target": "Pencil", "mrecep_target": "Mug", "parent_target": "Desk"}


def movable_scene(pencil_in_mug: bool, mug_listed_on_desk: bool, mug_parents: tuple[str, ...],
                  pencil_on_desk: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    on_desk = ("Mug|1",) * mug_listed_on_desk + ("Pencil|1",) * pencil_on_desk
    return [
        obj("Pencil|1", pickupable=True),
        obj("Mug|1", pickupable=True, receptacle=True, holds=("Pencil|1",) * pencil_in_mug, parents=mug_parents),
        obj("Desk|1", receptacle=True, holds=on_desk),
        obj("Shelf|1", receptacle=True),
    ]


@pytest.mark.parametrize(
    ("scene", "expected"),
    [
        (movable_scene(True, True, ("Desk|1",)), (3, 3)),
        (movable_scene(True, False, ()), (1, 3)),  # pencil in the mug, the mug not on the desk
        (movable_scene(False, True, ("Desk|1",)), (1, 3)),  # the mug on the desk, empty
        (movable_scene(True, False, ("Desk|1",)), (2, 3)),  # the desk's list lags its parent: third only
        (movable_scene(True, True, ("Shelf|1",)), (2, 3)),  # the mug with the pencil sits elsewhere
        (movable_scene(False, True, ("Desk|1",), pencil_on_desk=True), (1, 3)),  # the pencil on the desk itself
        (movable_scene(False, False, ()), (0, 3)),
    ],
)
def test_movable_receptacle_counts_object_in_it_it_in_place_and_both_at_once(scene, expected) -> None:
    assert count("pick_and_place_with_movable_recep", MOVABLE, scene) == expected


def test_the_movable_receptacle_must_be_pickupable_and_the_place_a_receptacle() -> None:
    scene = movable_scene(True, True, ("Desk|1",))
    scene[1]["pickupable"] = False  # a mug fixed in place is not a movable receptacle
    assert count("pick_and_place_with_movable_recep", MOVABLE, scene) == (0, 3)
    scene = movable_scene(True, True, ("Desk|1",))
    scene[2]["receptacle"] = False
    assert count("pick_and_place_with_movable_recep", MOVABLE, scene) == (1, 3)


# ---- simple, two objects, sliced ---------------------------------------------------------------------------

PLACE = {"object_target": "Mug", "parent_target": "Table"}


def mugs_on(*tables: tuple[str, ...], mugs: int = 3) -> list[dict[str, Any]]:
    return [obj(f"Mug|{k}", pickupable=True) for k in range(1, mugs + 1)] + [
        obj(f"Table|{i}", receptacle=True, holds=held) for i, held in enumerate(tables)
    ]


@pytest.mark.parametrize(
    ("tables", "simple", "two"),
    [
        (((),), (0, 1), (0, 2)),
        ((("Mug|1",),), (1, 1), (1, 2)),
        ((("Mug|1", "Mug|2"),), (1, 1), (2, 2)),
        ((("Mug|1", "Mug|2", "Mug|3"),), (1, 1), (2, 2)),  # a third mug adds nothing
        ((("Mug|1",), ("Mug|2",)), (1, 1), (1, 2)),  # two mugs on two tables: one table must hold both
        ((("Pen|1", "Mug|4"),), (0, 1), (0, 2)),  # neither is one of the scene's pickupable mugs
    ],
)
def test_objects_count_in_place_per_receptacle(tables, simple, two) -> None:
    objects = mugs_on(*tables)
    assert count("pick_and_place_simple", PLACE, objects) == simple
    assert count("pick_two_obj_and_place", PLACE, objects) == two


def test_a_receptacle_with_no_contents_list_holds_nothing() -> None:
    objects = [obj("Mug|1", pickupable=True), obj("Table|1", receptacle=True)]
    assert objects[1]["receptacleObjectIds"] is None
    assert count("pick_and_place_simple", PLACE, objects) == (0, 1)


@pytest.mark.parametrize(
    ("task", "slices", "expected"),
    [
        ("pick_and_place_simple", 0, (0, 2)),
        ("pick_and_place_simple", 1, (1, 2)),
        ("pick_and_place_simple", 3, (1, 2)),
        ("pick_two_obj_and_place", 1, (1, 4)),
        ("pick_two_obj_and_place", 2, (2, 4)),
        ("pick_two_obj_and_place", 3, (2, 4)),
    ],
)
def test_a_sliced_target_adds_one_condition_per_object_to_slice(task: str, slices: int, expected) -> None:
    params = {"object_target": "Apple", "parent_target": "Table", "object_sliced": True}
    objects = [obj(f"Apple|1|AppleSliced_{k}", pickupable=True) for k in range(slices)]
    objects += [obj("Apple|1", pickupable=True), obj("Table|1", receptacle=True)]
    assert count(task, params, objects) == expected


# ---- heat, cool, clean --------------------------------------------------------------------------------------

TREAT = {"object_target": "Potato", "parent_target": "Plate"}
TREATS = {"heat": "heated", "cool": "cooled", "clean": "cleaned"}


@pytest.mark.parametrize("verb", list(TREATS))
def test_each_treatment_reads_its_own_record_and_the_treated_object_must_be_the_placed_one(verb: str) -> None:
    task = f"pick_{verb}_then_place_in_recep"
    potatoes = [obj("Potato|1", pickupable=True), obj("Potato|2", pickupable=True)]
    placed = [*potatoes, obj("Plate|1", receptacle=True, holds=("Potato|1",))]
    empty = [*potatoes, obj("Plate|1", receptacle=True)]
    assert count(task, TREAT, placed, changed=Changed(**{TREATS[verb]: {"Potato|1"}})) == (3, 3)
    assert count(task, TREAT, placed, changed=Changed(**{TREATS[verb]: {"Potato|2"}})) == (2, 3)
    assert count(task, TREAT, empty, changed=Changed(**{TREATS[verb]: {"Potato|1"}})) == (1, 3)
    assert count(task, TREAT, placed) == (1, 3)
    others = Changed(**{field: {"Potato|1"} for field in TREATS.values() if field != TREATS[verb]})
    assert count(task, TREAT, placed, changed=others) == (1, 3)  # another treatment is not this one


def test_no_receptacle_of_the_named_kind_means_nothing_is_in_place() -> None:
    objects = mugs_on(("Mug|1", "Mug|2"))
    assert count("pick_two_obj_and_place", {"object_target": "Mug", "parent_target": "Shelf"}, objects) == (0, 2)
    assert count("pick_and_place_simple", {"object_target": "Mug", "parent_target": "Shelf"}, objects) == (0, 1)


@pytest.mark.parametrize("task", ["juggle", "walk_the_dog"])  # sorting before and after every known type
def test_an_unnamed_target_matches_nothing_and_an_unknown_task_is_refused(task: str) -> None:
    objects = mugs_on(("Mug|1",))
    assert count("pick_and_place_simple", {"parent_target": "Table"}, objects) == (0, 1)
    with pytest.raises(ValueError, match=f"unknown ALFRED task type '{task}'"):
        count(task, PLACE, objects)


# ---- the stand-in's visibility ----------------------------------------------------------------------------


def lamp_world(dx: float, dz: float, rotation: float = 0.0) -> tuple[World, Obj]:
    """The first room, the agent at the origin facing `rotation`, a point-sized lamp at (dx, dz)."""
    world = World.load("FloorPlan1")
    world.agent = [0.0, 0.0, rotation, 0.0]
    lamp = Obj("DeskLamp|test", "DeskLamp", dx, 0.8, dz, (0.0, 0.0))
    world.objects[lamp.object_id] = lamp
    return world, lamp


@pytest.mark.parametrize(
    ("dx", "dz", "rotation", "visible"),
    [
        (0.0, 1.0, 0.0, True),  # ahead
        (0.0, VISIBILITY - 0.01, 0.0, True),
        (0.0, VISIBILITY + 0.01, 0.0, False),  # too far
        (0.0, -1.0, 0.0, False),  # behind
        (0.0, -1.0, 180.0, True),  # behind, once the agent turns
        (math.sin(math.radians(HALF_FOV - 2)), math.cos(math.radians(HALF_FOV - 2)), 0.0, True),
        (math.sin(math.radians(HALF_FOV + 2)), math.cos(math.radians(HALF_FOV + 2)), 0.0, False),
        (-math.sin(math.radians(HALF_FOV + 2)), math.cos(math.radians(HALF_FOV + 2)), 0.0, False),  # left edge
        (0.0, -0.25, 0.0, True),  # right behind, but within arm's length
        (0.0, -0.35, 0.0, False),
        (0.0, -0.3, 0.0, False),  # arm's length is less than 0.3 m
        (0.0, VISIBILITY, 0.0, True),  # exactly 1.5 m is still in sight
        (0.0, 1.0, HALF_FOV, True),  # exactly at the edge of the field of view
        (0.0, 1.0, -HALF_FOV, True),
        (0.0, 1.0, HALF_FOV + 1, False),
    ],
)
def test_the_standin_sees_objects_within_15_m_and_the_field_of_view(dx, dz, rotation, visible) -> None:
    world, lamp = lamp_world(dx, dz, rotation)
    assert world.visible(lamp) is visible


def test_the_standin_does_not_see_a_held_object_or_one_in_a_closed_fridge() -> None:
    world, lamp = lamp_world(0.0, 1.0)
    world.held = lamp.object_id
    assert not world.visible(lamp)
    world, lamp = lamp_world(0.0, 1.0)
    fridge = Obj("Fridge|test", "Fridge", 0.0, 0.0, 1.0, (0.0, 0.0))
    world.objects[fridge.object_id] = fridge
    lamp.parent = fridge.object_id
    assert not world.visible(lamp)
    fridge.is_open = True
    assert world.visible(lamp)


# ---- navigation's success radius and progress -------------------------------------------------------------


@pytest.fixture(scope="module")
def navigation() -> EBThorNavEnv:
    env = EBThorNavEnv(image_size=32, executable="standin")
    yield env
    env.close()


def reset_with_target(env: EBThorNavEnv, dx: float) -> dict[str, Any]:
    """The first base episode (start (-1, -1) facing +x), its target moved `dx` metres straight ahead."""
    episode = nav_data.load_subset(standin_data("eb_navigation"), "base")[0].model_dump()
    start = episode["start_position"]
    episode["target_position"] = {"x": start["x"] + dx, "y": 0.8, "z": start["z"]}
    return env.reset(options={"episode": episode})[1]


@pytest.mark.parametrize(("dx", "success"), [(SUCCESS_RADIUS, True), (SUCCESS_RADIUS + 0.01, False), (0.5, True)])
def test_navigation_succeeds_within_1_m_of_the_target(navigation: EBThorNavEnv, dx: float, success: bool) -> None:
    info = reset_with_target(navigation, dx)
    assert info["success"] is success and info["distance"] == pytest.approx(dx, abs=1e-3)
    assert info["progress"] == (1.0 if success else 0.0)
    _, reward, terminated, truncated, info = navigation.step("Rotate to the left by 90 degrees.")
    assert info["success"] is success and terminated is success and reward == float(success) and not truncated
    assert info["feedback"].endswith("You reached the target.") is success


def test_navigation_reports_the_distance_to_the_millimetre(navigation: EBThorNavEnv) -> None:
    assert reset_with_target(navigation, 1.23456)["distance"] == 1.235


def test_navigation_progress_is_the_share_of_the_way_to_the_radius_covered(navigation: EBThorNavEnv) -> None:
    reset_with_target(navigation, 3.0)  # 2 m to go to the radius
    info = navigation.step("Move forward by 0.25")[4]
    assert info["valid"] and info["distance"] == pytest.approx(2.75) and info["progress"] == pytest.approx(0.125)
    info = navigation.step("Move backward by 0.25")[4]
    info = navigation.step("Move backward by 0.25")[4]  # farther than at the start: floored at 0
    assert info["valid"] and info["distance"] == pytest.approx(3.25) and info["progress"] == 0.0
    assert not info["success"]


# ---- EB-ALFRED's progress and its end through the env ------------------------------------------------------


@pytest.fixture(scope="module")
def alfred() -> EBAlfredEnv:
    env = EBAlfredEnv(image_size=32, executable="standin")
    yield env
    env.close()


def alfred_reset(env: EBAlfredEnv, subset: str, index: int) -> dict[str, Any]:
    episode = alfred_data.load_subset(standin_data("eb_alfred"), subset)[index]
    return env.reset(options={"episode": episode.model_dump()})[1]


def test_alfred_progress_is_the_share_of_conditions_met_after_each_skill(alfred: EBAlfredEnv) -> None:
    """The clean-then-place episode has three conditions; the expert's cleaning meets the first alone."""
    info = alfred_reset(alfred, "base", 1)
    seen = [(info["goal_conditions"], info["progress"], info["success"])]
    while not info["success"] and (plan := alfred.expert_plan()):
        info = alfred.step(plan[0])[4]
        seen.append((info["goal_conditions"], info["progress"], info["success"]))
    assert ("1/3", 1 / 3, False) in seen
    assert seen[0] == ("0/3", 0.0, False) and seen[-1] == ("3/3", 1.0, True)


def test_skipping_the_faucet_leaves_the_object_dirty_and_the_clean_task_failed(alfred: EBAlfredEnv) -> None:
    """EmbodiedBench's env cleans only what lies in the basin when the faucet is turned on: its own
    reference steps (into the sink, out again, to the table) meet the placement but not the cleaning."""
    episode = alfred_data.load_subset(standin_data("eb_alfred"), "base")[1]
    assert episode.task_type == "pick_clean_then_place_in_recep"
    assert not any("faucet" in step.lower() for step in episode.reference_plan)
    alfred_reset(alfred, "base", 1)
    for step in episode.reference_plan:
        info = alfred.step(step)[4]
        assert info["valid"], (step, info["feedback"])
    assert info["goal_conditions"] == "1/3" and not info["success"]  # on the table, never cleaned

    alfred_reset(alfred, "base", 1)
    plan = with_goal_steps(episode.task_type, episode.reference_plan)
    assert plan[4:7] == ["find a Faucet", "turn on the Faucet", "turn off the Faucet"]  # after the put-down in the sink
    for step in plan:
        info = alfred.step(step)[4]
    assert info["goal_conditions"] == "3/3" and info["success"]


def test_alfred_stays_truncated_after_the_tenth_failed_skill(alfred: EBAlfredEnv) -> None:
    alfred_reset(alfred, "base", 0)
    for _ in range(MAX_INVALID + 1):
        _, _, terminated, truncated, info = alfred.step("slice the Bread")  # no knife in hand
    assert truncated and not terminated and not info["success"]
