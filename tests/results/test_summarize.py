"""The run's summary from its records: errors kept on one line, and the suite's order whatever finished first."""

from __future__ import annotations

from collections.abc import Callable

from mmgym.core.records import EpisodeRecord
from mmgym.results.summarize import ERROR_LINE_CHARS, ScoredEpisode, one_line, summarize_run, summarize_stored
from mmgym.tasks.ingvp.suite import IngvpSuite

MULTI_LINE = "ValueError: \nScene 'FloorPlan12_physics' not contained in build.\nPlease choose one of:\n  FloorPlan1"


def test_the_summary_keeps_a_multi_line_error_on_one_line(maze_record: Callable[..., EpisodeRecord]) -> None:
    assert ScoredEpisode.of(maze_record(0, MULTI_LINE), {}).error.startswith("ValueError: Scene 'FloorPlan12_physics'")
    assert len(one_line("x" * 1000) or "") == ERROR_LINE_CHARS and one_line(" \n ") == "error"


def test_stored_records_are_summarized_in_the_suites_order() -> None:
    suite = IngvpSuite(games=["maze"], settings=["multi_step-text-history"], levels=3)
    specs = suite.specs()
    records = []
    for number, spec in enumerate(specs):
        record = EpisodeRecord(id=spec.id, spec=spec, started_at=0.0, success=number != 1)
        record.metrics = {"accuracy": 100.0 * record.success, "completion": 0.0}
        record.groups = {name: group for name, key in suite.groupings().items() if (group := key(record)) is not None}
        records.append(record)
    shuffled = [records[2], records[0], records[1]]
    assert summarize_stored(suite, specs, shuffled) == summarize_run(suite, records)
    assert summarize_stored(suite, specs[:2], shuffled).episodes == 2  # a record of no spec asked for is left out
