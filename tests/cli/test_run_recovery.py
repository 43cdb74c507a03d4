"""A damaged or interrupted run through the installed command: a corrupt line in the middle of episodes.jsonl is
named by file and line alike by run, report, compare and --dry-run, and the run refuses to go on until
`mmgym doctor --quarantine` moves it aside; Ctrl-C prints one line with what is saved and how to resume."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import cli_command, cli_env

from mmgym.results.store import EPISODES_FILE, CorruptRecord, parse_line
from mmgym.tasks.ingvp.suite import IngvpSuite

RunCli = Callable[..., subprocess.CompletedProcess[str]]
SMALL = ["suite.games=[maze]", "suite.levels=1", "progress=false", "record.video=false"]
HALF_A_RECORD = '{"id": "half a record"}'
SLOW_AGENT = '''
import asyncio

from mmgym.agents.scripted import OracleAgent


class SlowOracle(OracleAgent):
    """The oracle, slowed down, logging every episode it starts."""

    def __init__(self, log: str) -> None:
        self.log = log

    async def reset(self, context):
        await super().reset(context)
        with open(self.log, "a") as f:
            f.write(context.episode_id + "\\n")

    async def act(self, turn):
        await asyncio.sleep(0.05)
        return await super().act(turn)
'''


def only_error_line(result: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def ids(run_dir: Path) -> list[str]:
    return [json.loads(line)["id"] for line in (run_dir / EPISODES_FILE).read_text().splitlines()]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6-episode oracle run made by the installed command (copied by each test that damages it)."""
    folder = tmp_path_factory.mktemp("finished")
    args = cli_command(["run", "agent=oracle", *SMALL, "output_dir=run"])
    result = subprocess.run(args, cwd=folder, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return folder / "run"


def damaged_copy(finished: Path, folder: Path, line: int, text: str) -> Path:
    run_dir = folder / "run"
    shutil.copytree(finished, run_dir)
    lines = (run_dir / EPISODES_FILE).read_text().splitlines(keepends=True)
    lines[line - 1] = text + "\n"
    (run_dir / EPISODES_FILE).write_text("".join(lines))
    return run_dir


def test_a_corrupt_middle_line_is_named_alike_and_stops_the_run_until_quarantined(
    run_cli: RunCli, tmp_path: Path, finished: Path
) -> None:
    run_dir = damaged_copy(finished, tmp_path, 3, HALF_A_RECORD)
    damaged = (run_dir / EPISODES_FILE).read_bytes()
    with pytest.raises(CorruptRecord) as parsed:  # the validator's words for what is missing, whatever they are
        parse_line(run_dir / EPISODES_FILE, 3, HALF_A_RECORD.encode())
    assert parsed.value.reason.startswith("spec: ")
    reason = f"line 3 is not an episode record: {parsed.value.reason}"
    hint = "move it aside with `mmgym doctor {} --quarantine`, then rerun"
    run_args = ["run", "agent=oracle", *SMALL, "output_dir=run"]
    refused = only_error_line(run_cli(run_args, cwd=tmp_path))
    absolute = run_dir.resolve()  # the run names the directory as Hydra does
    assert refused == f"mmgym: error: {absolute / EPISODES_FILE} {reason}; {hint.format(absolute)}"
    assert (run_dir / EPISODES_FILE).read_bytes() == damaged  # nothing appended, nothing cut
    expected = f"mmgym: error: run/{EPISODES_FILE} {reason}; {hint.format('run')}"
    assert only_error_line(run_cli([*run_args, "--dry-run"], cwd=tmp_path)) == expected
    assert only_error_line(run_cli(["report", "run", "-o", "report"], cwd=tmp_path)) == expected
    assert not (tmp_path / "report").exists()
    shutil.copytree(finished, tmp_path / "intact")
    assert only_error_line(run_cli(["compare", "intact", "run"], cwd=tmp_path)) == expected

    doctor = run_cli(["doctor", "run"], cwd=tmp_path)
    assert doctor.returncode == 1, doctor.stderr
    assert f"  problem: line 3: not an episode record: {parsed.value.reason}\n" in doctor.stdout
    assert "1 bad lines; `mmgym doctor run --quarantine` moves them to episodes.quarantine.jsonl" in doctor.stdout
    assert (run_dir / EPISODES_FILE).read_bytes() == damaged  # the doctor only looks without --quarantine

    quarantined = run_cli(["doctor", "run", "--quarantine"], cwd=tmp_path)
    assert quarantined.returncode == 0, quarantined.stdout + quarantined.stderr
    assert "moved 1 lines to run/episodes.quarantine.jsonl" in quarantined.stdout
    assert (run_dir / "episodes.quarantine.jsonl").read_text() == HALF_A_RECORD + "\n"
    kept = (run_dir / EPISODES_FILE).read_bytes()
    assert kept.count(b"\n") == 5 and b"half a record" not in kept

    resumed = run_cli(run_args, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert (run_dir / EPISODES_FILE).read_bytes().startswith(kept)  # only the quarantined episode was played again
    assert sorted(ids(run_dir)) == sorted(ids(finished))
    healthy = run_cli(["doctor", "run"], cwd=tmp_path)
    assert healthy.returncode == 0 and healthy.stdout.endswith("no problems: the run can resume\n"), healthy.stdout


def test_doctor_tells_a_retry_from_a_duplicate_and_quarantines_only_the_duplicate(
    run_cli: RunCli, tmp_path: Path, finished: Path
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(finished, run_dir)
    lines = (run_dir / EPISODES_FILE).read_text().splitlines(keepends=True)
    first = json.loads(lines[0])
    failed = json.dumps({**first, "status": "error", "error": "RuntimeError: the simulator fell over"}) + "\n"
    # An error record, then the retry's record of the same episode (legitimate); then the retry's record again.
    (run_dir / EPISODES_FILE).write_text("".join([failed, *lines, lines[0]]))
    report = run_cli(["doctor", "run"], cwd=tmp_path)
    assert report.returncode == 1, report.stderr
    assert "episodes.jsonl: 8 lines, 6 episodes finished, 1 error records superseded by a retry" in report.stdout
    assert f"  problem: line 8: episode {first['id']} already finished on line 2\n" in report.stdout
    assert "line 1" not in report.stdout
    assert run_cli(["doctor", "run", "--quarantine"], cwd=tmp_path).returncode == 0
    assert (run_dir / "episodes.quarantine.jsonl").read_text() == lines[0]
    assert (run_dir / EPISODES_FILE).read_text() == "".join([failed, *lines])


def test_doctor_on_a_folder_that_is_not_a_run_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    line = only_error_line(run_cli(["doctor", "nowhere"], cwd=tmp_path))
    assert line == "mmgym: error: nowhere is not a run directory (no episodes.jsonl); pass the output_dir of a run"


def wait_for_lines(path: Path, count: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or path.read_bytes().count(b"\n") < count:
        if process.poll() is not None:
            pytest.fail(f"the run ended (rc {process.returncode}) before it was interrupted: {process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {count} episodes in {timeout}s")
        time.sleep(0.01)


def test_ctrl_c_prints_what_is_saved_and_the_command_that_resumes(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "slow_agent.py").write_text(SLOW_AGENT)
    log = tmp_path / "started.log"
    agent = ["agent=custom", "agent._target_=slow_agent.SlowOracle", f"+agent.log={log}"]
    args = ["run", *agent, "suite.games=[maze]", "suite.levels=4", "runner.concurrency=2", "output_dir=out"]
    total = len(IngvpSuite(games=["maze"], levels=4).specs())
    # Its own process group, signalled as a terminal's Ctrl-C signals every process of the foreground job.
    process = subprocess.Popen(cli_command(args), cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    episodes = tmp_path / "out" / EPISODES_FILE
    wait_for_lines(episodes, 3, process)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    saved = episodes.read_bytes()
    count = saved.count(b"\n")
    assert 3 <= count < total, "the interrupt must land in the middle of the run"
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    command = shlex.join(["mmgym", *args])
    assert stderr == (
        f"mmgym: interrupted: {count} episodes saved in out; rerun the same command to resume: {command}\n"
    )
    started = log.read_text().count("\n")

    resumed = run_cli(args, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert episodes.read_bytes().startswith(saved)
    finished = Counter(ids(tmp_path / "out"))
    assert len(finished) == total and max(finished.values()) == 1  # every episode once, none twice
    assert log.read_text().count("\n") - started == total - count  # only the rest were played
