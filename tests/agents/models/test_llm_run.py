"""`mmgym run agent=llm` end to end against a local OpenAI-compatible server: records, cache, no secrets on disk."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_server import FaultServer

SECRET = "sk-mmgym-test-0123456789-SECRET"
REPLY = '{"thought": "the corridor leads right", "action": "right"}'


def llm_args(server: FaultServer, tmp_path: Path, run: str) -> list[str]:
    return [
        "run",
        "agent=llm",
        "model=gpt4o",
        f"model.base_url={server.base_url}",
        "model.api_key_env=MMGYM_TEST_KEY",
        f"model.cache_dir={tmp_path / 'cache'}",
        "suite.games=[maze]",
        "suite.levels=2",
        "suite.settings=[multi_step-image_text-history]",
        "suite.max_steps=3",
        "suite.image_size=64",
        f"output_dir={tmp_path / run}",
        "progress=false",
    ]


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


def test_llm_run_records_turns_caches_replies_and_never_writes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., object]
) -> None:
    monkeypatch.setenv("MMGYM_TEST_KEY", SECRET)
    with FaultServer(reply_text=REPLY) as server:
        first = run_cli(llm_args(server, tmp_path, "run1"), cwd=tmp_path)
        assert first.returncode == 0, first.stderr[-2000:]
        sent = server.count
        assert sent == 6  # 2 episodes x 3 steps (maze levels are 8 moves long)
        assert all(h.get("authorization") == f"Bearer {SECRET}" for h in server.headers)
        body = server.requests[0]
        images = [p for m in body["messages"] if isinstance(m["content"], list) for p in m["content"]]
        assert any(p.get("type") == "image_url" for p in images)

        second = run_cli(llm_args(server, tmp_path, "run2"), cwd=tmp_path)
        assert second.returncode == 0, second.stderr[-2000:]
        assert server.count == sent  # every reply came from the on-disk cache

    records = [json.loads(line) for line in (tmp_path / "run1" / "episodes.jsonl").read_text().splitlines()]
    assert len(records) == 2
    turn = records[0]["turns"][0]
    assert turn["model_output"] == REPLY and turn["parse_path"] == "json"
    assert turn["usage"]["prompt_tokens"] > 0
    assert records[0]["usage"]["model_calls"] == 3
    cached = [json.loads(line) for line in (tmp_path / "run2" / "episodes.jsonl").read_text().splitlines()]
    assert all(t["usage"]["cached"] == 1.0 for r in cached for t in r["turns"])

    written = files_under(tmp_path / "run1", tmp_path / "run2", tmp_path / "cache")
    assert written
    for path in written:
        assert SECRET not in path.read_text(errors="replace"), path
    config = (tmp_path / "run1" / "config.yaml").read_text()
    assert "MMGYM_TEST_KEY" in config  # the variable's name is kept, its value never
