"""The early stop of a run whose first episodes all fail alike (the summary's error lines: test_summarize.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mmgym.core.records import EpisodeRecord
from mmgym.runners.evaluate import EpisodesFailing, FailFast

MULTI_LINE = "ValueError: \nScene 'FloorPlan12_physics' not contained in build.\nPlease choose one of:\n  FloorPlan1"


def test_the_stop_line_is_one_line_when_the_error_spans_several(maze_record: Callable[..., EpisodeRecord]) -> None:
    breaker = FailFast(2)
    breaker.observe(maze_record(0, MULTI_LINE))
    with pytest.raises(EpisodesFailing) as stopped:
        breaker.observe(maze_record(1, MULTI_LINE))
    assert "\n" not in str(stopped.value)
    assert "(last: ValueError: Scene 'FloorPlan12_physics' not contained in build. Please choose" in str(stopped.value)


def test_a_success_among_the_first_episodes_or_two_kinds_of_error_plays_on(
    maze_record: Callable[..., EpisodeRecord],
) -> None:
    mixed = FailFast(2)
    mixed.observe(maze_record(0, "ModelError: HTTP 401"))
    mixed.observe(maze_record(1, "ValueError: bad scene"))
    recovered = FailFast(2)
    recovered.observe(maze_record(0, "ModelError: HTTP 401"))
    recovered.observe(maze_record(1))
    recovered.observe(maze_record(2, "ModelError: HTTP 401"))  # past the first two: never stops
    assert (mixed.seen, recovered.seen) == (
        ["ModelError: HTTP 401", "ValueError: bad scene"],
        ["ModelError: HTTP 401", None],
    )
