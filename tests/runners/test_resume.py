"""Resume: a run killed with SIGKILL finishes on rerun with one record per episode; a finished run reruns nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmgym.agents.scripted import OracleAgent
from mmgym.core.records import EpisodeRecord
from mmgym.results.layout import EPISODES_FILE, RESULTS_FILE
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp.suite import IngvpSuite

SLOW_AGENT = '''
import asyncio

from mmgym.agents.scripted import OracleAgent


class SlowOracle(OracleAgent):
    """The oracle, slowed down, logging every episode it starts."""

    def __init__(self, log: str, delay: float = 0.02) -> None:
        self.log = log
        self.delay = delay

    async def reset(self, context):
        await super().reset(context)
        with open(self.log, "a") as f:
            f.write(context.episode_id + "\\n")

    async def act(self, turn):
        await asyncio.sleep(self.delay)
        return await super().act(turn)
'''
LEVELS = 8
TORN_ID = "torn-half-of-a-record"


def episode_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def wait_for_lines(path: Path, count: int, process: subprocess.Popen[Any], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while count_lines(path) < count:
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            pytest.fail(f"the run ended (rc {process.returncode}) before it could be interrupted: {stderr}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {count} episodes in {timeout}s")
        time.sleep(0.005)


def test_killed_run_resumes_to_exactly_one_record_per_episode(
    tmp_path: Path, cli_popen: Callable[..., subprocess.Popen[Any]], run_cli: Callable[..., Any]
) -> None:
    (tmp_path / "slowagent.py").write_text(textwrap.dedent(SLOW_AGENT))
    run_dir, log = tmp_path / "run", tmp_path / "started.log"
    args = [
        "run",
        "agent=custom",
        "agent._target_=slowagent.SlowOracle",
        f"+agent.log={log}",
        "suite.games=[maze]",
        f"suite.levels={LEVELS}",
        "runner.concurrency=2",
        f"output_dir={run_dir}",
        "progress=false",
    ]
    spec_ids = {spec.id for spec in IngvpSuite(games=["maze"], levels=LEVELS).specs()}
    episodes = run_dir / EPISODES_FILE

    process = cli_popen(args, cwd=tmp_path)
    wait_for_lines(episodes, 4, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    data = episodes.read_bytes()
    kept = data[: data.rfind(b"\n") + 1]  # a torn tail, if the kill landed mid-write, is cut on resume
    done_before = kept.count(b"\n")
    assert 4 <= done_before < len(spec_ids), "the kill must land in the middle of the run"
    assert not (run_dir / RESULTS_FILE).exists()
    started_before = count_lines(log)
    # Make sure the resume meets a torn tail, as a kill in the middle of a write leaves: half a record, no newline.
    first = json.loads(kept.splitlines()[0])
    torn = json.dumps({**first, "id": TORN_ID}).encode()
    with episodes.open("ab") as f:
        f.write(torn[: len(torn) // 2])

    finished = run_cli(args, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    resumed = episodes.read_bytes()
    assert resumed.endswith(b"\n") and TORN_ID.encode() not in resumed  # the torn half is gone
    records = [EpisodeRecord.model_validate_json(line) for line in resumed.splitlines()]  # all whole records
    ids = [record.id for record in records]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert set(ids) == spec_ids and len(ids) == len(spec_ids)
    assert resumed.startswith(kept)  # finished episodes were kept, not rerun
    assert count_lines(log) - started_before == len(spec_ids) - done_before
    results = json.loads((run_dir / RESULTS_FILE).read_text())
    assert results["episodes"] == len(spec_ids) and results["errors"] == 0
    assert results["groups"]["overall"]["all"]["accuracy"]["mean"] == 100.0

    # A finished run, rerun as is, plays nothing and changes nothing.
    before, started = episodes.read_bytes(), count_lines(log)
    again = run_cli(args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert episodes.read_bytes() == before and count_lines(log) == started
    assert json.loads((run_dir / RESULTS_FILE).read_text())["episodes"] == len(spec_ids)


class CountingFactory:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> OracleAgent:
        self.calls += 1
        return OracleAgent()


def test_finished_run_reruns_zero_episodes(tmp_path: Path) -> None:
    suite = IngvpSuite(games=["maze"], levels=2, image_size=64)
    first = CountingFactory()
    results = evaluate(suite, first, tmp_path, LocalRunner(concurrency=4), show_progress=False)
    assert first.calls == results.episodes == 12
    assert json.loads((tmp_path / RESULTS_FILE).read_text()) == results.model_dump(mode="json")
    before = (tmp_path / EPISODES_FILE).read_bytes()

    second = CountingFactory()
    again = evaluate(suite, second, tmp_path, LocalRunner(concurrency=4), show_progress=False)
    assert second.calls == 0
    assert (tmp_path / EPISODES_FILE).read_bytes() == before
    assert again == results


def test_growing_a_run_plays_only_the_new_episodes(tmp_path: Path) -> None:
    evaluate(IngvpSuite(games=["maze"], levels=2), OracleAgent, tmp_path, show_progress=False)
    factory = CountingFactory()
    results = evaluate(IngvpSuite(games=["maze"], levels=3), factory, tmp_path, show_progress=False)
    assert factory.calls == 6 and results.episodes == 18
    # results only count the suite's own episodes, even if the directory holds others
    smaller = evaluate(IngvpSuite(games=["maze"], levels=1), factory, tmp_path, show_progress=False)
    assert factory.calls == 6 and smaller.episodes == 6
    assert len(episode_ids(tmp_path / EPISODES_FILE)) == 18
