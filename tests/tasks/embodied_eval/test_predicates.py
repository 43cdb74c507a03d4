"""Every predicate on hand-built states, at and around EmbodiedEval's thresholds."""

from __future__ import annotations

import pytest

from mmgym.tasks.embodied_eval.env.predicates import (
    AGENT,
    Answered,
    At,
    Closer,
    Further,
    Holding,
    Near,
    NotNear,
    WorldState,
    check,
)

START = WorldState(agent=(0.0, 0.0), objects={"mug": (5.0, 0.0), "table": (0.0, 0.0), "door": (1.0, 0.0)})


def state(agent=(0.0, 0.0), mug=(5.0, 0.0), holding=None, answer=None) -> WorldState:
    return WorldState(agent=agent, objects={**START.objects, "mug": mug}, holding=holding, answer=answer)


@pytest.mark.parametrize(
    ("predicate", "now", "met"),
    [
        (At(subject=AGENT, object="mug"), state(agent=(4.8, 0.0)), True),  # 0.2 < 0.3
        (At(subject=AGENT, object="mug"), state(agent=(4.6, 0.0)), False),  # 0.4
        (At(subject="mug", object="table"), state(mug=(0.2, 0.1)), True),
        (Near(subject=AGENT, object="mug"), state(agent=(3.6, 0.0)), True),  # 1.4 < 1.5
        (Near(subject=AGENT, object="mug"), state(agent=(3.5, 0.0)), False),  # exactly 1.5 is not near
        (Near(subject="mug", object="door"), state(mug=(2.0, 1.0)), True),  # sqrt(2) < 1.5: a diagonal cell
        (NotNear(subject="mug", object="door"), state(mug=(2.6, 0.0)), True),  # 1.6 > 1.5
        (NotNear(subject="mug", object="door"), state(mug=(2.5, 0.0)), False),  # exactly 1.5 is not "not near"
        (Holding(object="mug"), state(holding="mug"), True),
        (Holding(object="mug"), state(holding="door"), False),
        (Holding(object="mug"), state(), False),
        (Answered(answer="blue"), state(answer="blue"), True),
        (Answered(answer="blue"), state(answer="red"), False),
        (Answered(answer="blue"), state(), False),
        (Closer(subject="mug", object="table"), state(mug=(2.9, 0.0)), True),  # 5 -> 2.9: 2.1 closer
        (Closer(subject="mug", object="table"), state(mug=(3.0, 0.0)), False),  # exactly 2 closer is not enough
        (Further(subject="mug", object="table"), state(mug=(6.1, 0.0)), True),  # 5 -> 6.1
        (Further(subject="mug", object="table"), state(mug=(6.0, 0.0)), False),
    ],
)
def test_each_predicate_at_its_threshold(predicate, now: WorldState, met: bool) -> None:
    assert predicate.met(now, START) is met


def test_a_held_object_is_where_the_agent_is() -> None:
    now = state(agent=(0.1, 0.0), holding="mug")  # carried to the table
    assert At(subject="mug", object="table").met(now, START)
    assert Closer(subject="mug", object="table").met(now, START)
    dropped = now.moved("mug", (9.0, 0.0))
    assert dropped.holding is None and Further(subject="mug", object="table").met(dropped, START)


def test_check_gives_one_verdict_per_predicate_and_names_unknown_objects() -> None:
    predicates = [Near(subject=AGENT, object="door"), Holding(object="mug"), Answered(answer="x")]
    assert check(predicates, state(answer="x"), START) == [True, False, True]
    with pytest.raises(KeyError, match="no object 'sofa'"):
        Near(subject=AGENT, object="sofa").met(START, START)
