"""The embodied suites' shared metrics (`goal_scores`: BabyAI, EB-ALFRED, EB-Navigation, EB-Manipulation,
EB-Habitat) on constructed records: a success counts as full progress, a failure keeps the env's progress,
steps are env steps, and only refused steps are invalid actions."""

from __future__ import annotations

import pytest

from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.tasks.scoring import goal_scores


def record(success: bool, progress: float, valid: list[bool]) -> EpisodeRecord:
    spec = EpisodeSpec(suite="test", task="t/000", env_id="mmgym/Maze-v0", seed=0)
    steps = [
        StepRecord(index=i, turn=1, action="a", valid=ok, feedback="", reward=0.0, success=False, progress=0.0,
                   state_text="")
        for i, ok in enumerate(valid)
    ]  # fmt: skip
    return EpisodeRecord(id=spec.id, spec=spec, steps=steps, success=success, progress=progress)


@pytest.mark.parametrize(
    ("success", "progress", "valid", "expected"),
    [
        (True, 0.5, [True, True], {"success": 100.0, "progress": 100.0, "steps": 2.0, "invalid_actions": 0.0}),
        (False, 0.5, [True, False, True], {"success": 0.0, "progress": 50.0, "steps": 3.0, "invalid_actions": 1.0}),
        (False, 0.0, [False, False], {"success": 0.0, "progress": 0.0, "steps": 2.0, "invalid_actions": 2.0}),
        (False, 1.0, [], {"success": 0.0, "progress": 100.0, "steps": 0.0, "invalid_actions": 0.0}),
        (True, 1.0, [], {"success": 100.0, "progress": 100.0, "steps": 0.0, "invalid_actions": 0.0}),
    ],
)
def test_goal_scores(success: bool, progress: float, valid: list[bool], expected: dict[str, float]) -> None:
    assert goal_scores(record(success, progress, valid)) == expected
