"""A benchmark folder in EmbodiedEval's layout (hand-written, `released_tasks/`): every predicate type of its
predicate.py loads, and the malformed tasks are skipped with their reasons, in one warning and the run's notes."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from mmgym.errors import ConfigError
from mmgym.tasks.embodied_eval.env.predicates import PredicateTracker, WorldState
from mmgym.tasks.embodied_eval.released import load_tasks, read_tasks
from mmgym.tasks.embodied_eval.suite import EmbodiedEvalSuite

FOLDER = Path(__file__).parent / "released_tasks"
# EmbodiedEval's predicate types (both spellings of predicate.py's build_predicate) -> mmgym's kinds
AUTHORS_TYPES = {
    "choose": "answered", "agent_at": "at", "agent_near": "near", "agent_pass": "passed", "at": "at",
    "near": "near", "not_near": "not_near", "not_at": "not_at", "closer": "closer", "further": "further",
    "grab": "holding", "grab_once": "held_once", "special_action_success": "action_succeeded", "on": "at",
    "swap": "swapped", "in": "all_at", "noton": "none_near",
}  # fmt: skip


def test_the_folder_loads_every_predicate_type_and_skips_the_bad_tasks_with_reasons() -> None:
    loaded = load_tasks(FOLDER)
    assert [t.category for t in loaded.tasks] == [
        "Navigation", "ObjectInteraction", "ObjectInteraction", "AttributeQuestionAnswering", "SocialInteraction",
    ]  # fmt: skip
    kinds = {p.kind for task in loaded.tasks for p in task.predicates}
    assert kinds == set(AUTHORS_TYPES.values())
    assert [(s.entry, s.task_file) for s in loaded.skipped] == [
        (5, "SpatialQuestionAnswering/broken.json"), (6, "Navigation/missing.json"), (7, "no_category.json"),
    ]  # fmt: skip
    reasons = [s.reason for s in loaded.skipped]
    assert "'agent_position' must be three numbers" in reasons[0]
    assert "task file not found" in reasons[1] and "needs a task_file '<category>/<file>.json'" in reasons[2]
    assert all("\n" not in reason for reason in reasons)


def test_read_tasks_still_refuses_the_folder_at_its_first_bad_task() -> None:
    with pytest.raises(ConfigError, match="'agent_position' must be three numbers"):
        read_tasks(FOLDER)


def test_a_released_task_is_met_step_by_step_on_states_built_from_instance_ids() -> None:
    """ObjectInteraction/mug_to_sink.json: grab the mug once, carry it to the sink, open the tap."""
    task = load_tasks(FOLDER).tasks[1]
    objects = {"5": (0.0, 0.0), "9": (3.0, 0.0), "3": (0.5, 0.0)}  # mug, sink, table
    start = WorldState((0.0, 1.0), objects)
    tracker = PredicateTracker(task.predicates, start)
    assert tracker.update(start) == [False, False, True, False, False, False, False, False]
    carrying = WorldState((2.9, 0.0), objects, holding="5", chosen="grab the blue mug", feedback="success")
    at_sink = WorldState((2.9, 0.0), {**objects, "5": (2.95, 0.0)}, chosen="open the tap", feedback="success")
    tracker.update(carrying)
    assert tracker.update(at_sink) == [True] * 8  # grabbed once (no longer held), at the sink, tap opened


def test_the_suite_reports_the_skipped_tasks_in_one_warning_and_in_its_notes(caplog) -> None:
    suite = EmbodiedEvalSuite(data_dir=str(FOLDER), episodes=1)
    with caplog.at_level(logging.WARNING):
        specs = suite.specs()
    assert len(specs) == 4  # the frozen tasks are played; the released ones are read and checked
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "3 of 8 skipped" in warnings[0] and "\n" not in warnings[0]
    notes = asyncio.run(suite.notes())
    released = notes["released_tasks"].model_dump()
    assert released["loaded"] == 5 and released["skipped"] == 3
    assert released["by_category"] == {"Navigation": 1, "ObjectInteraction": 2, "AttributeQuestionAnswering": 1,
                                       "SocialInteraction": 1}  # fmt: skip
    assert released["reasons"][0]["task_file"] == "SpatialQuestionAnswering/broken.json"
    assert set(released["predicate_kinds"]) == set(AUTHORS_TYPES.values())
