"""EB-Habitat's pieces: the 70 skills in EBHabEnv's words and ids, the symbolic state's preconditions (failures
change nothing), the expert and subgoals, the frozen sets, and the real adapter's one-line error without habitat."""

from __future__ import annotations

import importlib.util

import pytest
from pydantic import ValidationError

from mmgym.envs.habitat.episodes import generate
from mmgym.envs.habitat.frozen import SUBSETS, load_subset
from mmgym.envs.habitat.planner import plan, subgoals
from mmgym.envs.habitat.real import RealHabitat, language_skills
from mmgym.envs.habitat.scene import Goal, Scene
from mmgym.envs.habitat.skills import SKILL_WORDS, SKILLS, Skill, parse_skill, receptacle_words
from mmgym.envs.habitat.state import State
from mmgym.errors import ConfigError

APPLE_IN_FRIDGE = {
    "template": "test",
    "instruction": "Move the apple from the fridge to the sofa.",
    "objects": [
        {"object": "apple", "receptacle": "refrigerator"},
        {"object": "bowl", "receptacle": "table 1"},
        {"object": "lemon", "receptacle": "sofa"},
    ],
    "goals": [{"predicate": "on", "object": "apple", "place": "sofa"}, {"predicate": "not_holding"}],
}


def test_seventy_skills_in_ebhabenvs_words_and_the_ids_of_its_prompt_examples() -> None:
    assert len(SKILL_WORDS) == 70 and len(set(SKILL_WORDS)) == 70
    examples = {  # EmbodiedBench's evaluator/config/habitat_examples.json
        6: "navigate to the table 1",
        8: "navigate to the TV stand",
        11: "navigate to the left counter in the kitchen",
        13: "navigate to the refrigerator",
        21: "pick up the scissors",
        33: "pick up the apple",
        47: "pick up the toy airplane",
        50: "place at the table 1",
        54: "place at the right counter in the kitchen",
        56: "place at the sofa",
        61: "close the refrigerator",
    }
    assert {i: SKILL_WORDS[i] for i in examples} == examples
    assert "open the cabinet 7" in SKILL_WORDS and "navigate to the refrigerator push point" in SKILL_WORDS
    assert "navigate to the left drawer of the kitchen counter" in SKILL_WORDS


def test_receptacles_are_named_from_habitats_entity_names() -> None:
    assert receptacle_words("receptacle_aabb_Tbl2_Top1_frl_apartment_table_02") == "table 2"
    assert receptacle_words("receptacle_aabb_Chr1_Top1_frl_apartment_chair_01") == "chair 1"
    assert receptacle_words("cab_push_point_5") == "cabinet 5"
    assert receptacle_words("fridge_push_point") == "refrigerator push point"
    assert receptacle_words("receptacle_aabb_sink_kitchen_counter") == "sink in the kitchen"
    with pytest.raises(ValueError, match="no words"):
        receptacle_words("receptacle_aabb_bed")


def test_the_real_adapter_words_habitats_groundings_as_ebhabenv() -> None:
    datas = [
        ("nav", ["receptacle_aabb_Tbl1_Top1_frl_apartment_table_01", "robot_0"]),
        ("pick_apple", ["robot_0"]),
        ("place", ["receptacle_aabb_Sofa_frl_apartment_sofa", "robot_0"]),
        ("open_fridge", ["fridge_push_point"]),
        ("close_cab", ["cab_push_point_4"]),
    ]
    assert language_skills(datas) == [
        "navigate to the table 1",
        "pick up the apple",
        "place at the sofa",
        "open the refrigerator",
        "close the cabinet 4",
    ]


def test_skills_parse_word_for_word_up_to_case_spaces_and_a_period() -> None:
    assert parse_skill("  Navigate to the  TV stand. ") == Skill("navigate", "TV stand")
    assert parse_skill("pick up the toy airplane") == Skill("pick", "toy airplane")
    for junk in ("navigate to the kitchen", "pick up apple", "", None, 6):
        assert parse_skill(junk) is None


@pytest.mark.skipif(importlib.util.find_spec("habitat_sim") is not None, reason="habitat-sim is installed")
def test_the_real_simulator_without_habitat_is_one_line_saying_what_to_install() -> None:
    with pytest.raises(ConfigError) as error:
        RealHabitat(64)
    message = str(error.value)
    assert "\n" not in message and "habitat_sim" in message and "conda install -y habitat-sim==0.3.0" in message


def test_pick_needs_the_robot_at_the_object_an_empty_hand_and_an_open_fridge() -> None:
    state = State.start(Scene.model_validate(APPLE_IN_FRIDGE))
    assert "near the robot" in state.apply(Skill("pick", "bowl"))
    assert state.apply(Skill("navigate", "table 1")) is None
    assert state.apply(Skill("pick", "bowl")) is None and state.held == "bowl"
    assert "holding the bowl" in state.apply(Skill("pick", "lemon"))
    state.apply(Skill("place", "table 1"))
    state.apply(Skill("navigate", "refrigerator"))
    assert state.visible() == {}  # a closed fridge hides what is inside
    assert "inside the closed refrigerator" in state.apply(Skill("pick", "apple"))
    assert state.apply(Skill("open", "refrigerator")) is None and state.visible() == {"refrigerator": ["apple"]}
    assert "already open" in state.apply(Skill("open", "refrigerator"))
    assert state.apply(Skill("pick", "apple")) is None


def test_place_needs_holding_being_there_and_an_open_drawer_and_failures_change_nothing() -> None:
    state = State.start(Scene.model_validate(APPLE_IN_FRIDGE))
    state.apply(Skill("navigate", "sofa"))
    assert "holding nothing" in state.apply(Skill("place", "sofa"))
    state.apply(Skill("pick", "lemon"))
    assert "not at the table 1" in state.apply(Skill("place", "table 1"))
    state.apply(Skill("navigate", "cabinet 7"))  # the left drawer's marker reaches it
    before = state.copy()
    for skill in (Skill("place", "left drawer of the kitchen counter"), Skill("close", "cabinet 7")):
        assert state.apply(skill) is not None
        assert state == before
    assert "not at the cabinet 5" in state.apply(Skill("open", "cabinet 5"))
    state.apply(Skill("open", "cabinet 7"))
    assert state.apply(Skill("place", "left drawer of the kitchen counter")) is None
    assert state.where["lemon"] == "left drawer of the kitchen counter"


def test_navigation_always_succeeds() -> None:
    state = State.start(Scene.model_validate(APPLE_IN_FRIDGE))
    for skill in SKILLS:
        if skill.verb == "navigate":
            assert state.apply(skill) is None and state.robot == skill.target


def test_the_expert_opens_the_fridge_and_subgoals_follow_its_plan() -> None:
    scene = Scene.model_validate(APPLE_IN_FRIDGE)
    words = [skill.words for skill in plan(State.start(scene), scene.goals)]
    assert words == [
        "navigate to the refrigerator",
        "open the refrigerator",
        "pick up the apple",
        "navigate to the sofa",
        "place at the sofa",
    ]
    steps = subgoals(scene)
    assert len(steps) == 5
    assert Goal(predicate="on", object="apple", place="sofa") in steps[-1]
    assert steps[1] == (
        Goal(predicate="robot_at", place="refrigerator"),
        Goal(predicate="opened", place="refrigerator"),
    )


def test_the_expert_puts_down_what_it_holds_and_clears_a_place() -> None:
    scene = Scene.model_validate(
        APPLE_IN_FRIDGE
        | {"goals": [{"predicate": "off", "object": "lemon", "place": "sofa"}, {"predicate": "not_holding"}]}
    )
    state = State.start(scene)
    state.apply(Skill("navigate", "table 1"))
    state.apply(Skill("pick", "bowl"))
    steps = plan(state, scene.goals)
    for skill in steps:
        assert state.apply(skill) is None
    assert all(state.holds(goal) for goal in scene.goals) and state.where["bowl"] == "table 1"


def test_scenes_reject_unknown_names_and_second_objects_of_a_kind() -> None:
    with pytest.raises(ValidationError, match="one object of each kind"):
        Scene.model_validate(APPLE_IN_FRIDGE | {"objects": [{"object": "apple", "receptacle": "sofa"}] * 2})
    with pytest.raises(ValidationError, match="unknown object"):
        Scene.model_validate(APPLE_IN_FRIDGE | {"objects": [{"object": "fork", "receptacle": "sofa"}]})
    with pytest.raises(ValidationError, match="needs one of"):
        Goal(predicate="on", object="apple", place="kitchen")


@pytest.mark.parametrize("subset", list(SUBSETS))
def test_the_frozen_subsets_regenerate_identically_and_start_unsolved(subset: str) -> None:
    episodes = load_subset(subset)
    assert generate(subset) == episodes and len(episodes.episodes) == 20
    for episode in episodes.episodes:
        state = State.start(episode.scene)
        assert not all(state.holds(goal) for goal in episode.scene.goals)
        assert episode.plan_length == len(plan(state, episode.scene.goals)) <= 30
        assert len(episode.scene.subgoals) >= 1
