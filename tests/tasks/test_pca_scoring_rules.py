"""PCA's metrics on constructed records: the three links and the first failing one for every combination,
which reply is scored (the first step's choice, against the item's answer), and the closed loop's outcome."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.tasks.pca.suite import LINKS, PCASuite, decision_scores, loop_scores


@pytest.mark.parametrize(
    ("action", "perception", "cognition"),
    list(itertools.product([True, False], [True, False, None], [True, False, None])),
)
def test_links_genuine_and_first_failure_for_every_verdict(action: bool, perception, cognition) -> None:
    """An unscored link (None) counts as failed; the first failure in perception, cognition, action order is named."""
    scores = decision_scores(action, perception, cognition)
    links = {"perception": perception is True, "cognition": cognition is True, "action": action}
    first = next((link for link in LINKS if not links[link]), None)
    assert {link: scores[link] for link in LINKS} == {link: 100.0 * ok for link, ok in links.items()}
    assert scores["genuine"] == 100.0 * (perception is True and cognition is True and action)
    assert [link for link in LINKS if scores[f"error_{link}"] == 100.0] == ([first] if first else [])
    assert sum(scores[f"error_{link}"] for link in LINKS) == (0.0 if first is None else 100.0)
    assert scores["judge_unscored"] == 100.0 * (perception is None or cognition is None)


def step(index: int, data: dict, reasoning: str = "") -> StepRecord:
    return StepRecord(index=index, turn=index + 1, action="x", valid=True, feedback="", reward=0.0, success=False,
                      progress=0.0, state_text="", reasoning=reasoning, data=data)  # fmt: skip


@pytest.fixture(scope="module")
def decision_spec():
    return PCASuite(domains=["driving"], items=1, image_size=32).specs()[0]


def score(suite: PCASuite, record: EpisodeRecord) -> dict[str, float]:
    return asyncio.run(suite.score(record))


def test_the_first_steps_choice_is_scored_against_the_items_answer(decision_spec) -> None:
    suite = PCASuite(domains=["driving"], items=1, image_size=32)
    answer = decision_spec.reset_options["item"]["answer_index"]
    right = EpisodeRecord(id="r", spec=decision_spec, steps=[step(0, {"choice": answer})])
    assert score(suite, right)["action"] == 100.0 and "judge" in right.extra
    wrong = EpisodeRecord(id="w", spec=decision_spec, steps=[step(0, {"choice": answer + 1})])
    assert score(suite, wrong)["action"] == 0.0
    later = EpisodeRecord(
        id="l", spec=decision_spec, steps=[step(0, {"choice": answer + 1}), step(1, {"choice": answer})]
    )
    assert score(suite, later)["action"] == 0.0  # only the first reply counts
    none = EpisodeRecord(id="n", spec=decision_spec)
    assert score(suite, none)["action"] == 0.0 and score(suite, none)["genuine"] == 0.0


@pytest.mark.parametrize("answer", [0, 1])
def test_no_reply_matches_no_option_whatever_the_answer(decision_spec, answer: int) -> None:
    suite = PCASuite(domains=["driving"], items=1, image_size=32)
    item = {**decision_spec.reset_options["item"], "answer_index": answer}
    spec = decision_spec.model_copy(update={"reset_options": {**decision_spec.reset_options, "item": item}})
    assert score(suite, EpisodeRecord(id="n", spec=spec))["action"] == 0.0
    assert score(suite, EpisodeRecord(id="s", spec=spec, steps=[step(0, {})]))["action"] == 0.0  # no choice read


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"decisions": 4, "right_decisions": 3, "failed": False, "reached": True},
            {"survived": 100.0, "reached": 100.0, "action": 75.0, "decisions": 4.0},
        ),
        (
            {"decisions": 4, "right_decisions": 4, "failed": True, "reached": False},
            {"survived": 0.0, "reached": 0.0, "action": 100.0, "decisions": 4.0},
        ),
        (
            {"decisions": 0, "right_decisions": 0, "failed": False, "reached": False},
            {"survived": 0.0, "reached": 0.0, "action": 0.0, "decisions": 0.0},
        ),  # no decision: not a survival
        (
            {"decisions": 1, "right_decisions": 0, "failed": False, "reached": False},
            {"survived": 100.0, "reached": 0.0, "action": 0.0, "decisions": 1.0},
        ),
        (
            {"decisions": 3, "right_decisions": 1, "failed": False, "reached": False},
            {"survived": 100.0, "reached": 0.0, "action": pytest.approx(100 / 3), "decisions": 3.0},
        ),
        ({}, {"survived": 0.0, "reached": 0.0, "action": 0.0, "decisions": 0.0}),  # a last step that reports nothing
        ({"decisions": 2}, {"survived": 100.0, "reached": 0.0, "action": 0.0, "decisions": 2.0}),  # none right
        (
            {"decisions": 2, "right_decisions": 2},  # no failure and no arrival reported
            {"survived": 100.0, "reached": 0.0, "action": 100.0, "decisions": 2.0},
        ),
        (
            {"decisions": None, "right_decisions": None, "failed": None, "reached": None},
            {"survived": 0.0, "reached": 0.0, "action": 0.0, "decisions": 0.0},
        ),
    ],
)
def test_the_closed_loop_is_scored_on_its_last_step(decision_spec, data: dict, expected: dict) -> None:
    first = {"decisions": 1, "right_decisions": 1, "failed": False, "reached": True}  # earlier steps do not count
    record = EpisodeRecord(id="c", spec=decision_spec, steps=[step(0, first), step(1, data)])
    assert loop_scores(record) == expected
    suite = PCASuite(domains=["driving"], items=1, image_size=32, closed_loop=True)
    assert score(suite, record) == expected
