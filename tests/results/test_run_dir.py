"""A run directory opened for reading: what it holds, read without changing a byte, and one line when it cannot be."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from mmgym.core.records import EpisodeRecord, VideoRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results.layout import EPISODES_FILE, RESULTS_FILE
from mmgym.results.run_dir import NotARunDir, RunDir, RunNotFinished, UnreadableFile
from mmgym.results.store import CorruptRecord, ResultsStore
from mmgym.results.summary import MetricInfo, RunResults


@pytest.fixture
def record(maze_spec: Callable[..., EpisodeSpec]) -> Callable[..., EpisodeRecord]:
    def make(index: int, status: str = "done") -> EpisodeRecord:
        spec = maze_spec(task=f"corridor-{index}")
        error = "ValueError: bad scene" if status == "error" else None
        return EpisodeRecord(id=spec.id, spec=spec, status=status, error=error)

    return make


def write(run_dir: Path, *records: EpisodeRecord, tail: bytes = b"") -> bytes:
    run_dir.mkdir(parents=True, exist_ok=True)
    data = b"".join(r.model_dump_json().encode() + b"\n" for r in records) + tail
    (run_dir / EPISODES_FILE).write_bytes(data)
    return data


def test_a_folder_without_episodes_is_not_a_run_directory_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(NotARunDir) as refused:
        RunDir.open(tmp_path / "nowhere")
    assert str(refused.value) == (
        f"{tmp_path / 'nowhere'} is not a run directory (no {EPISODES_FILE}); pass the output_dir of a run"
    )
    assert not (tmp_path / "nowhere").exists()  # looking creates nothing
    (tmp_path / "odd" / EPISODES_FILE).mkdir(parents=True)
    assert not RunDir(tmp_path / "odd").is_run_dir()  # a folder of that name is not the file


def test_records_are_each_ids_latest_in_the_order_the_store_gives_them(
    tmp_path: Path, record: Callable[..., EpisodeRecord]
) -> None:
    failed, done, retried = record(0, "error"), record(1), record(0)
    write(tmp_path, failed, done, retried)
    run_dir = RunDir.open(tmp_path)
    statuses = [(r.id, r.status) for r in run_dir.attempts()]
    assert statuses == [(failed.id, "error"), (done.id, "done"), (failed.id, "done")]
    assert [r.id for r in run_dir.records()] == [r.id for r in ResultsStore(tmp_path).records()] == [done.id, failed.id]
    assert [r.status for r in run_dir.records()] == ["done", "done"]


def test_reading_changes_nothing_a_torn_last_line_is_skipped_not_cut(
    tmp_path: Path, record: Callable[..., EpisodeRecord]
) -> None:
    data = write(tmp_path, record(0), record(1), tail=b'{"id": "half a rec')
    run_dir = RunDir.open(tmp_path)
    assert len(list(run_dir.records())) == 2
    assert (tmp_path / EPISODES_FILE).read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == [EPISODES_FILE]


def test_a_whole_line_that_is_not_a_record_names_the_file_and_line(
    tmp_path: Path, record: Callable[..., EpisodeRecord]
) -> None:
    write(tmp_path, record(0), tail=b'{"not": "a record"}\n')
    with pytest.raises(CorruptRecord, match=f"{EPISODES_FILE} line 2 is not an episode record"):
        list(RunDir.open(tmp_path).records())


def test_results_missing_unreadable_and_read(tmp_path: Path, record: Callable[..., EpisodeRecord]) -> None:
    write(tmp_path, record(0))
    run_dir = RunDir.open(tmp_path)
    with pytest.raises(RunNotFinished, match=f"has no {RESULTS_FILE}; rerun its `mmgym run` command"):
        run_dir.results()
    (tmp_path / RESULTS_FILE).write_text('{"suite": "test"}')
    with pytest.raises(UnreadableFile) as unreadable:
        run_dir.results()
    assert "\n" not in str(unreadable.value) and unreadable.value.problem.startswith("not readable (")
    results = RunResults(suite="test", metrics=[MetricInfo(name="success")], episodes=1, errors=0)
    ResultsStore(tmp_path).write_results(results)
    assert run_dir.results() == results


@pytest.mark.parametrize(
    ("text", "problem"),
    [(None, None), ("", None), ("agent: {name: a}\n", None), ("agent: [\n", "not readable YAML"),
     ("- a\n- b\n", "not a mapping of settings")],
)  # fmt: skip
def test_config_is_a_mapping_or_one_line(tmp_path: Path, text: str | None, problem: str | None) -> None:
    if text is not None:
        (tmp_path / "config.yaml").write_text(text)
    run_dir = RunDir(tmp_path)
    if problem is None:
        assert run_dir.config() == (yaml.safe_load(text or "") or {})
        return
    with pytest.raises(UnreadableFile) as unreadable:
        run_dir.config()
    assert unreadable.value.problem.startswith(problem) and "\n" not in str(unreadable.value)
    assert str(unreadable.value).endswith("restore it from .hydra/config.yaml or delete it")


def test_videos_and_replays_lie_where_the_layout_says(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path)
    video = VideoRecord(path="videos/a_b.mp4", frame_steps=[0], fps=2.0, width=8, height=8)
    assert run_dir.video_path(video) == tmp_path / "videos" / "a_b.mp4"
    assert run_dir.video_path(None) is None
    assert run_dir.replay_path("suite/task 1", ".gif") == tmp_path / "replays" / "suite_task_1.gif"
