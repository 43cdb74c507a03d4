"""ING-VP's metrics on hand-built records at their edges, and the puzzle env's progress on a real maze.

The records pin each term of the rules: efficiency's divisor (the optimal length, the moves given,
or the steps taken), which steps count as effective, where completion reads the solver's distance;
the env's `progress`, `optimal_length` and reward are read after real moves on hand-written levels."""

from __future__ import annotations

import gymnasium as gym
import pytest

import mmgym  # noqa: F401  (registers the envs)
from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.tasks.ingvp.settings import Setting
from mmgym.tasks.ingvp.suite import IngvpSuite, score_ingvp

ONE_STEP = "one_step-text"
MULTI_STEP = "multi_step-text-history"
CORRIDOR = "#######\n#P...G#\n#######"  # four moves right
WALLED_OFF = "#####\n#P#G#\n#####"  # the goal cannot be reached


def record(setting: str, length: int, steps: list[tuple[bool, bool]], remaining: int | None, given: int,
           success: bool = False) -> EpisodeRecord:  # fmt: skip
    """`steps` are (valid, state_changed); the solver's distance is `remaining` after the last step."""
    spec = EpisodeSpec(
        suite="ingvp",
        task=f"{setting}/maze/000",
        env_id="mmgym/Maze-v0",
        seed=0,
        rules=Setting.parse(setting).rules(50),
        metadata={"game": "maze", "setting": setting},
        step_data=IngvpSuite.step_data,
    )
    step_records = [
        StepRecord(index=i, turn=1, action="right", valid=valid, feedback="", reward=0.0, success=False,
                   progress=0.0, state_text="",
                   data={"state_changed": changed, "optimal_remaining": remaining, "optimal_length": length})
        for i, (valid, changed) in enumerate(steps)
    ]  # fmt: skip
    return EpisodeRecord(
        id=spec.id,
        spec=spec,
        steps=step_records,
        actions_given=given,
        success=success,
        initial_data={"state_changed": False, "optimal_remaining": length, "optimal_length": length},
    )


@pytest.mark.parametrize(
    ("length", "given", "steps", "expected"),
    [
        (8, 2, [(True, True)] * 2, 25.0),  # fewer moves than the optimal length: the optimal length divides
        (8, 7, [(True, True)] * 7, 87.5),
        (8, 9, [(True, True)] * 9, 100 * 9 / 9),  # more moves given than optimal: they divide
        (8, 9, [(True, True)] * 8 + [(True, False)], 100 * 8 / 9),
        (3, 4, [(True, True)] * 3 + [(False, False)], 75.0),  # a refused move is not effective
        (0, 0, [], 0.0),  # an already solved level and an empty reply: no division by zero
        (0, 2, [(True, True), (True, True)], 100.0),
        (5, 5, [(True, False)] * 5, 0.0),  # valid moves that change nothing are not effective
    ],
)
def test_one_step_efficiency_divides_by_the_larger_of_optimal_length_and_moves_given(length, given, steps,
                                                                                     expected) -> None:  # fmt: skip
    assert score_ingvp(record(ONE_STEP, length, steps, None, given))["efficiency"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("steps", "given", "expected"),
    [
        ([(True, True)] * 2, 2, 100.0),  # steps taken divide, not the optimal length (8)
        ([(True, True), (True, False), (False, False), (True, True)], 4, 50.0),
        ([(True, True), (True, False), (True, False)], 3, 100 / 3),  # a true division, not a floored one
        ([(True, True)] * 3, 10, 100.0),  # the moves given do not matter in multi-step play
        ([], 0, 0.0),
    ],
)
def test_multi_step_efficiency_is_effective_steps_over_steps_taken(steps, given, expected) -> None:
    assert score_ingvp(record(MULTI_STEP, 8, steps, 4, given))["efficiency"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("length", "remaining", "expected"),
    [
        (8, 0, 100.0),
        (8, 1, 87.5),
        (8, 7, 12.5),
        (8, 8, 0.0),
        (8, 9, 0.0),
        (4, None, 0.0),
        (0, 0, 100.0),
        (0, None, 0.0),
    ],
)
def test_completion_is_the_share_of_the_optimal_path_done_at_the_end(length, remaining, expected) -> None:
    scores = score_ingvp(record(MULTI_STEP, length, [(True, True)], remaining, 1))
    assert scores["completion"] == pytest.approx(expected)


def test_completion_reads_the_last_steps_distance_or_the_resets_when_no_step_was_taken() -> None:
    played = record(MULTI_STEP, 8, [(True, True)] * 2, 6, 2)
    played.steps[0].data["optimal_remaining"] = 0  # an earlier step's distance does not count
    assert score_ingvp(played)["completion"] == pytest.approx(25.0)
    unplayed = record(MULTI_STEP, 8, [], None, 0)
    assert score_ingvp(unplayed)["completion"] == 0.0  # the reset's distance: the whole path to go
    unplayed.initial_data["optimal_remaining"] = 2
    assert score_ingvp(unplayed)["completion"] == pytest.approx(75.0)


def test_accuracy_is_the_records_success_not_the_distance() -> None:
    assert score_ingvp(record(MULTI_STEP, 4, [(True, True)], 0, 1, success=True))["accuracy"] == 100.0
    assert score_ingvp(record(MULTI_STEP, 4, [(True, True)], 0, 1, success=False))["accuracy"] == 0.0


# ---- the env's progress, distance and reward -------------------------------------------------------------


@pytest.fixture
def maze():
    env = gym.make("mmgym/Maze-v0", image_size=64, observe_image=False).unwrapped
    yield env
    env.close()


def test_progress_is_the_share_of_the_optimal_length_covered_and_the_length_stays(maze) -> None:
    _, info = maze.reset(options={"level": CORRIDOR})
    assert (info["optimal_length"], info["optimal_remaining"], info["progress"]) == (4, 4, 0.0)
    _, reward, terminated, _, info = maze.step("right")
    assert (info["optimal_length"], info["optimal_remaining"], info["progress"]) == (4, 3, 0.25)
    assert info["state_changed"] and info["valid"] and reward == 0.0 and not terminated and not info["success"]
    _, _, _, _, info = maze.step("left")  # back to the start
    assert (info["optimal_length"], info["optimal_remaining"], info["progress"]) == (4, 4, 0.0)
    _, reward, _, _, info = maze.step("up")  # into the wall: refused, nothing changes
    assert not info["valid"] and not info["state_changed"] and reward == 0.0
    for _ in range(4):
        _, reward, terminated, _, info = maze.step("right")
    assert info["success"] and terminated and reward == 1.0
    assert (info["optimal_length"], info["optimal_remaining"], info["progress"]) == (4, 0, 1.0)


def test_an_unreachable_goal_has_no_distance_and_no_progress(maze) -> None:
    _, info = maze.reset(options={"level": WALLED_OFF})
    assert info["optimal_remaining"] is None and info["optimal_length"] == 0
    assert info["progress"] == 0.0 and not info["success"]


def test_a_level_solved_from_the_start_has_full_progress() -> None:
    env = gym.make("mmgym/Puzzle15-v0", image_size=64, observe_image=False).unwrapped
    _, info = env.reset(options={"level": "1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 0"})
    assert (info["optimal_length"], info["optimal_remaining"], info["progress"], info["success"]) == (0, 0, 1.0, True)
    env.close()
