"""A model endpoint that fails: the run ends loudly (exit 4, one line), and a rerun retries every failed episode.

Through the installed command against the local scripted endpoint, as a user meets an outage.
"""

from __future__ import annotations

import html
import json
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fault_server import FaultServer

REPLY = '{"thought": "try the corridor", "action": "right"}'


def outage_args(base_url: str, tmp_path: Path, *extra: str) -> list[str]:
    """Three one-step mazes through the llm agent, failing fast on a bad endpoint (no retries, no backoff)."""
    return [
        "run",
        "agent=llm",
        "model=gpt4o",
        f"model.base_url={base_url}",
        "model.api_key_env=MMGYM_TEST_NO_KEY",
        "model.cache_dir=null",
        "+model.max_retries=0",
        "+model.timeout_s=5",
        "suite.games=[maze]",
        "suite.settings=[one_step-text]",
        "suite.levels=3",
        "record.video=false",
        f"output_dir={tmp_path / 'run'}",
        "progress=false",
        *extra,
    ]


def records_of(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "episodes.jsonl").read_text().splitlines()]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_outage_exits_4_with_one_line_and_a_rerun_completes_every_episode(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    down = f"http://127.0.0.1:{closed_port()}/v1"
    failed = run_cli(outage_args(down, tmp_path), cwd=tmp_path)
    assert failed.returncode == 4, failed.stderr[-2000:]
    lines = [line for line in failed.stderr.splitlines() if line.startswith("mmgym:")]
    assert len(lines) == 1 and "Traceback" not in failed.stderr
    assert lines[0].startswith("mmgym: failed: 3 of 3 episodes ended in an error (most common, 3 episodes: ModelError")
    assert lines[0].endswith("rerun the same command to retry them")
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["errors"] == 3 and results["group_errors"]["game"] == {"maze": 3}
    table = [line.split("│")[1:4] for line in failed.stdout.splitlines() if line.startswith("│ maze ")]
    assert [[cell.strip() for cell in row] for row in table] == [["maze", "3", "3"]]  # group, n, errors
    report = run_cli(["report", "run", "-o", "report"], cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "report" / "index.html").read_text()
    banner = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())  # the page's text
    where = "by setting: one_step-text 3 by game: maze 3"
    assert f"llm-gpt-4o : {lines[0].removeprefix('mmgym: failed: ')} {where}" in banner

    with FaultServer(reply_text=REPLY) as server:  # the endpoint is back (at another address: that may change)
        rerun = run_cli(outage_args(server.base_url, tmp_path), cwd=tmp_path)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert server.count == 3  # only the three failed episodes were played again
    records = records_of(tmp_path / "run")
    assert [r["status"] for r in records] == ["error"] * 3 + ["done"] * 3  # the errors stay, superseded
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert (results["episodes"], results["errors"], results["group_errors"]) == (3, 0, {})

    again = run_cli(outage_args(server.base_url, tmp_path), cwd=tmp_path)
    assert again.returncode == 0 and len(records_of(tmp_path / "run")) == 6  # nothing left to retry


def test_a_run_whose_first_episodes_all_fail_alike_stops_early(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    with FaultServer(default="401") as server:  # a wrong key: every call is refused
        args = outage_args(server.base_url, tmp_path, "suite.levels=20", "fail_fast=4", "runner.concurrency=1")
        result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 4, result.stderr[-2000:]
    [line] = [line for line in result.stderr.splitlines() if line.startswith("mmgym:")]
    assert line.startswith("mmgym: failed: the first 4 episodes all failed with ModelError; stopped early")
    assert "HTTP 401" in line and "Traceback" not in result.stderr
    assert 4 <= len(records_of(tmp_path / "run")) <= 5  # at most the one in flight besides: 15 were never started


def test_an_error_rate_within_max_error_rate_exits_0(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    with FaultServer(script=["401"], reply_text=REPLY) as server:  # the first call fails, the others succeed
        args = outage_args(server.base_url, tmp_path, "max_error_rate=0.5", "runner.concurrency=1")
        result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["status"] for r in records_of(tmp_path / "run")] == ["error", "done", "done"]
