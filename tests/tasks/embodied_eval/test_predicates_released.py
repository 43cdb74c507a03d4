"""The predicates of EmbodiedEval's predicate.py beyond mmgym's first seven: not_at in 3D, swap, in, noton,
and the three about the past (grab_once, agent_pass, special_action_success), tracked over an episode."""

from __future__ import annotations

import pytest

from mmgym.tasks.embodied_eval.env.predicates import (
    AGENT,
    ActionSucceeded,
    AllAt,
    HeldOnce,
    Holding,
    NoneNear,
    NotAt,
    Passed,
    PredicateTracker,
    Swapped,
    WorldState,
)

START = WorldState(agent=(0.0, 0.0), objects={"cup": (2.0, 0.0), "plate": (5.0, 0.0), "shelf": (2.0, 0.0)})


def now(**objects: tuple[float, float]) -> WorldState:
    return WorldState(agent=(0.0, 0.0), objects={**START.objects, **objects})


@pytest.mark.parametrize(
    ("predicate", "state", "met"),
    [
        # not_at counts height: the cup straight above the shelf, 0.5 up, is not at it; 0.2 up, it is
        (NotAt(subject="cup", object="shelf"), WorldState((0, 0), START.objects, heights={"cup": 0.5}), True),
        (NotAt(subject="cup", object="shelf"), WorldState((0, 0), START.objects, heights={"cup": 0.2}), False),
        (NotAt(subject="cup", object="shelf"), now(cup=(2.31, 0.0)), True),
        # swap: each within 1 of where the other started
        (Swapped(subject="cup", object="plate"), now(cup=(5.5, 0.5), plate=(2.0, 0.9)), True),
        (Swapped(subject="cup", object="plate"), now(cup=(5.5, 0.5), plate=(2.0, 1.0)), False),  # exactly 1 is not
        (Swapped(subject="cup", object="plate"), now(), False),
        # in: every listed object within 0.3 of the target (0.3 itself counts)
        (AllAt(objects=("cup", "plate"), target="shelf"), now(plate=(2.3, 0.0)), True),
        (AllAt(objects=("cup", "plate"), target="shelf"), now(plate=(2.31, 0.0)), False),
        # noton: none of them closer than 1 to the target (1 itself counts)
        (NoneNear(objects=("cup", "plate"), target="shelf"), now(cup=(3.0, 0.0)), True),
        (NoneNear(objects=("cup", "plate"), target="shelf"), now(cup=(2.99, 0.0)), False),
    ],
)
def test_each_released_predicate_at_its_threshold(predicate, state: WorldState, met: bool) -> None:
    assert predicate.met(state, START) is met


def test_grab_once_stays_met_after_the_object_is_put_down_while_grab_does_not() -> None:
    tracker = PredicateTracker([HeldOnce(object="cup"), Holding(object="cup")], START)
    assert tracker.update(START) == [False, False]
    held = WorldState((1.0, 0.0), START.objects, holding="cup")
    assert tracker.update(held) == [True, True]
    assert tracker.update(held) == [True, True]  # the same state again changes nothing
    assert tracker.update(held.moved("cup", (1.0, 0.0))) == [True, False]


def test_agent_pass_is_met_once_the_agent_came_within_0_3_and_stays_met() -> None:
    tracker = PredicateTracker([Passed(object="plate")], START)
    assert tracker.update(WorldState((4.69, 0.0), START.objects)) == [False]  # 0.31 away
    assert tracker.update(WorldState((4.75, 0.0), START.objects)) == [True]
    assert tracker.update(WorldState((0.0, 0.0), START.objects)) == [True]  # walked away: still passed


def test_special_action_success_needs_that_option_and_a_success_and_stays_met() -> None:
    tracker = PredicateTracker([ActionSucceeded(action="press the button")], START)
    assert tracker.update(WorldState((0, 0), START.objects, chosen="press the button", feedback="failed")) == [False]
    assert tracker.update(WorldState((0, 0), START.objects, chosen="turn left", feedback="success")) == [False]
    assert tracker.update(WorldState((0, 0), START.objects, chosen="press the button", feedback="success")) == [True]
    assert tracker.update(WorldState((0, 0), START.objects, chosen="turn left", feedback="success")) == [True]


def test_the_agent_can_be_the_subject_of_not_at() -> None:
    assert NotAt(subject=AGENT, object="cup").met(START, START)
    assert not NotAt(subject=AGENT, object="cup").met(WorldState((2.1, 0.0), START.objects), START)
