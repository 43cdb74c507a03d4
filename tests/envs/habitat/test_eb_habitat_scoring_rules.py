"""EB-Habitat's goal predicates, task progress and success on constructed symbolic states.

Each predicate is checked where it holds and where it just does not; progress is the share of the
episode's subgoals reached, a subgoal once reached stays counted, and success needs every goal at once."""

from __future__ import annotations

import gymnasium as gym
import pytest

import mmgym.envs  # noqa: F401  (registers the envs)
from mmgym.envs.habitat import ENV_ID
from mmgym.envs.habitat.scene import Goal, Scene
from mmgym.envs.habitat.skills import SKILL_WORDS, Skill
from mmgym.envs.habitat.standin import StandInHabitat
from mmgym.envs.habitat.state import State

SCENE = Scene.model_validate(
    {
        "template": "test",
        "instruction": "Move the apple to the sofa and leave the fridge open.",
        "objects": [
            {"object": "apple", "receptacle": "table 1"},
            {"object": "lemon", "receptacle": "sofa"},
        ],
        "goals": [
            {"predicate": "on", "object": "apple", "place": "sofa"},
            {"predicate": "opened", "place": "refrigerator"},
        ],
        "subgoals": [
            [{"predicate": "holding", "object": "apple"}],
            [{"predicate": "robot_at", "place": "sofa"}, {"predicate": "holding", "object": "apple"}],
            [{"predicate": "on", "object": "apple", "place": "sofa"}],
            [{"predicate": "opened", "place": "refrigerator"}],
        ],
    }
)


def state(where: dict[str, str], held: str | None = None, robot: str | None = None, opened=()) -> State:
    built = State.start(SCENE)
    built.where, built.held, built.robot, built.opened = dict(where), held, robot, set(opened)
    return built


@pytest.mark.parametrize(
    ("goal", "holds", "fails"),
    [
        (Goal(predicate="on", object="apple", place="sofa"), state({"apple": "sofa"}), state({"apple": "table 1"})),
        (Goal(predicate="on", object="apple", place="sofa"), state({"apple": "sofa"}), state({}, held="apple")),
        (Goal(predicate="off", object="lemon", place="sofa"), state({"lemon": "table 1"}), state({"lemon": "sofa"})),
        (Goal(predicate="off", object="lemon", place="sofa"), state({}, held="lemon"), state({"lemon": "sofa"})),
        (Goal(predicate="holding", object="apple"), state({}, held="apple"), state({}, held="lemon")),
        (Goal(predicate="holding", object="apple"), state({}, held="apple"), state({"apple": "sofa"})),
        (Goal(predicate="not_holding"), state({"apple": "sofa"}), state({}, held="apple")),
        (Goal(predicate="robot_at", place="sofa"), state({}, robot="sofa"), state({}, robot="table 1")),
        (Goal(predicate="robot_at", place="sofa"), state({}, robot="sofa"), state({})),
        (Goal(predicate="opened", place="refrigerator"), state({}, opened={"refrigerator"}), state({})),
        (
            Goal(predicate="opened", place="refrigerator"),
            state({}, opened={"refrigerator"}),
            state({}, opened={"cabinet 7"}),
        ),
        (Goal(predicate="closed", place="refrigerator"), state({}), state({}, opened={"refrigerator"})),
    ],
)
def test_each_predicate_holds_exactly_where_it_says(goal: Goal, holds: State, fails: State) -> None:
    assert holds.holds(goal) and not fails.holds(goal)


@pytest.fixture
def sim() -> StandInHabitat:
    sim = StandInHabitat(32)
    sim.load(SCENE)
    return sim


def act(sim: StandInHabitat, words: str) -> dict:
    return sim.step(SKILL_WORDS.index(words))[3]


def test_progress_counts_subgoals_reached_and_keeps_them(sim: StandInHabitat) -> None:
    _, info = sim.reset()
    assert (info["task_progress"], sim.subgoals_met(), info["predicate_task_success"]) == (0.0, 0, False)
    act(sim, "navigate to the table 1")
    info = act(sim, "pick up the apple")
    assert info["task_progress"] == 0.25 and sim.subgoals_met() == 1
    info = act(sim, "navigate to the sofa")
    assert info["task_progress"] == 0.5
    info = act(sim, "navigate to the table 1")  # away from the sofa again: the subgoal stays counted
    assert info["task_progress"] == 0.5 and sim.goals_met() == [False, False]
    act(sim, "navigate to the sofa")
    info = act(sim, "place at the sofa")
    assert info["task_progress"] == 0.75 and not info["predicate_task_success"]
    assert sim.goals_met() == [True, False]  # one goal of two: not a success


def test_success_needs_every_goal_and_then_progress_is_full(sim: StandInHabitat) -> None:
    sim.reset()
    sim.state.apply(Skill("navigate", "refrigerator"))
    info = act(sim, "open the refrigerator")
    assert info["task_progress"] == 0.25 and not info["predicate_task_success"]
    sim.state.where["apple"] = "sofa"  # put there directly: success without the other subgoals
    info = act(sim, "navigate to the sofa")
    assert info["predicate_task_success"] and info["task_progress"] == 1.0 and sim.subgoals_met() == 2


def test_an_invalid_skill_is_reported_and_a_scene_without_subgoals_has_no_progress() -> None:
    sim = StandInHabitat(32)
    sim.load(SCENE.model_copy(update={"subgoals": ()}))
    _, info = sim.reset()
    assert info["task_progress"] == 0.0 and not info["was_prev_action_invalid"]
    info = act(sim, "pick up the apple")  # not at the table
    assert info["was_prev_action_invalid"] and info["task_progress"] == 0.0


def test_one_subgoal_reached_is_full_progress_without_success() -> None:
    sim = StandInHabitat(32)
    sim.load(SCENE.model_copy(update={"subgoals": SCENE.subgoals[:1]}))  # holding the apple
    sim.reset()
    act(sim, "navigate to the table 1")
    info = act(sim, "pick up the apple")
    assert info["task_progress"] == 1.0 and not info["predicate_task_success"]


def test_the_envs_info_reads_missing_simulator_keys_as_no_success_and_no_progress() -> None:
    """A simulator's info without EB-Habitat's keys (the real adapter's before its first step) scores nothing;
    `subgoals_met` is the stand-in's count, and 0 for a simulator that does not count them."""
    env = gym.make(ENV_ID, image_size=32).unwrapped
    env.reset(options={"scene": SCENE})
    env._info_sim = {"lang_goal": SCENE.instruction}
    info = env._info(True, "")
    assert (info["success"], info["progress"], info["subgoals_met"]) == (False, 0.0, 0)
    env.sim.state.robot = "sofa"
    env.sim.state.where["apple"] = "sofa"
    env.sim._info(False, "")  # the stand-in counts the reached subgoals
    assert env._info(True, "")["subgoals_met"] == 1
    env.simulator = "habitat"  # a simulator that does not count subgoals
    assert env._info(True, "")["subgoals_met"] == 0
    env.simulator = "standin"
    env.close()
