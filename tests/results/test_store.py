"""The results store: durable appends, reload, torn tails, duplicates, atomic JSON files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.results import store as store_module
from mmgym.results.store import EPISODES_FILE, ResultsStore
from mmgym.tasks.ingvp.settings import Setting
from mmgym.tasks.ingvp.suite import IngvpSuite


def make_record(index: int, success: bool = True) -> EpisodeRecord:
    spec = EpisodeSpec(
        suite="test",
        task=f"multi_step-text-history/maze/{index:03d}",
        env_id="mmgym/Maze-v0",
        env_kwargs={"image_size": 64},
        reset_options={"level_index": index},
        seed=0,
        rules=Setting.parse("multi_step-text-history").rules(10),
        metadata={"game": "maze", "setting": "multi_step-text-history"},
        step_data=IngvpSuite.step_data,
        tags=("maze",),
    )
    step = StepRecord(
        index=0,
        turn=1,
        action="up",
        valid=True,
        feedback="Applied 'up'.",
        reward=1.0,
        success=success,
        progress=1.0,
        state_text="#*#\n#.#",
        reasoning='ünïcode ✓ and "quotes"\nnewline',
        data={"state_changed": True, "optimal_remaining": 0, "optimal_length": 1},
    )
    return EpisodeRecord(
        id=spec.id,
        spec=spec,
        steps=[step],
        success=success,
        initial_data={"state_changed": False, "optimal_remaining": 1, "optimal_length": 1},
        metrics={"accuracy": 100.0},
        groups={"overall": "all", "setting": "multi_step-text-history", "game": "maze"},
    )


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_append_and_reload(tmp_path: Path) -> None:
    records = [make_record(i) for i in range(3)]
    store = ResultsStore(tmp_path / "run")
    for record in records:
        store.append(record)
    assert len(store) == 3 and all(r.id in store for r in records)
    reloaded = ResultsStore(tmp_path / "run")
    assert len(reloaded) == 3 and records[1].id in reloaded and "other" not in reloaded
    assert list(reloaded.records()) == records
    assert all(r.spec.id == r.id for r in reloaded.records())  # the stored spec reproduces its id
    assert len(lines(tmp_path / "run" / EPISODES_FILE)) == 3


def test_empty_store(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path / "new" / "nested")
    assert (tmp_path / "new" / "nested").is_dir()
    assert len(store) == 0 and list(store.records()) == []


def test_torn_last_line_is_cut_on_open(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.append(make_record(0))
    store.append(make_record(1))
    path = tmp_path / EPISODES_FILE
    whole = path.read_bytes()
    torn = make_record(2).model_dump_json().encode()
    with path.open("ab") as f:
        f.write(torn[: len(torn) // 2])  # a crash in the middle of a write
    reopened = ResultsStore(tmp_path)
    assert len(reopened) == 2 and make_record(2).id not in reopened
    assert path.read_bytes() == whole
    reopened.append(make_record(2))
    assert [r.id for r in ResultsStore(tmp_path).records()] == [make_record(i).id for i in range(3)]


def test_duplicate_append_is_ignored(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.append(make_record(0))
    store.append(make_record(0))
    store.append(make_record(0, success=False))  # same id, different content: still the first one wins
    assert len(lines(tmp_path / EPISODES_FILE)) == 1
    ResultsStore(tmp_path).append(make_record(0))  # and across reopen
    (record,) = ResultsStore(tmp_path).records()
    assert record.success is True


def test_write_json(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    payload = {"episodes": 3, "path": tmp_path, "nested": {"x": [1.5, None]}}
    path = store.write_json("results.json", payload)
    assert path == tmp_path / "results.json"
    assert json.loads(path.read_text()) == {"episodes": 3, "path": str(tmp_path), "nested": {"x": [1.5, None]}}
    store.write_json("results.json", {"episodes": 4})
    assert json.loads(path.read_text()) == {"episodes": 4}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]  # no temp file left behind


def test_write_json_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the process dies before the rename, the old file is still whole."""
    store = ResultsStore(tmp_path)
    store.write_json("results.json", {"version": 1})

    def crash(src: object, dst: object) -> None:
        raise KeyboardInterrupt("killed before rename")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.write_json("results.json", {"version": 2, "big": "x" * 100_000})
    assert json.loads((tmp_path / "results.json").read_text()) == {"version": 1}


def test_sync_flushes_the_episodes_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = store_module.os.fsync
    monkeypatch.setattr(store_module.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    store = ResultsStore(tmp_path, sync_interval_s=3600)
    store.sync()  # nothing to flush yet
    assert synced == []
    for i in range(5):
        store.append(make_record(i))
    before = len(synced)
    assert before <= 1  # appends are group-committed
    store.sync()
    assert len(synced) == before + 1 and len(lines(tmp_path / EPISODES_FILE)) == 5


def test_an_error_record_is_not_final_and_its_retry_supersedes_it(tmp_path: Path) -> None:
    failed, other = make_record(0, success=False), make_record(1)
    failed.status, failed.error = "error", "ModelError: cannot reach the endpoint"
    store = ResultsStore(tmp_path)
    store.append(failed)
    store.append(other)
    assert failed.id not in store and other.id in store and len(store) == 1  # a rerun plays the failed one again

    retried = make_record(0)
    store.append(retried)
    assert failed.id in store and len(store) == 2
    store.append(make_record(0, success=False))  # a finished episode is final: a later record is ignored
    reopened = ResultsStore(tmp_path)
    assert [(r.id, r.status) for r in reopened.records()] == [(other.id, "done"), (failed.id, "done")]
    assert [r.status for r in reopened.attempts()] == ["error", "done", "done"]  # the error line stays (its cost)
    assert failed.id in reopened and len(reopened) == 2


def test_an_episode_that_fails_twice_keeps_its_latest_error(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    for reason in ("first", "second"):
        record = make_record(0, success=False)
        record.status, record.error = "error", reason
        store.append(record)
    assert [r.error for r in ResultsStore(tmp_path).records()] == ["second"]
    assert make_record(0).id not in ResultsStore(tmp_path)
