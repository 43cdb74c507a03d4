"""`mmgym run agent=llm` end to end against a local OpenAI-compatible server: records, cache, no secrets on disk."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer, Reply

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


# --- agent options, end to end: what reaches the model, and what the run makes of its replies --------------


def served_args(server: FaultServer, tmp_path: Path, *extra: str) -> list[str]:
    """`mmgym run agent=llm` on one text-only maze against `server`, no cache, no videos."""
    return [
        "run",
        "agent=llm",
        "model=gpt4o",
        f"model.base_url={server.base_url}",
        "model.api_key_env=MMGYM_TEST_NO_KEY",
        "model.cache_dir=null",
        "suite.games=[maze]",
        "suite.settings=[multi_step-text-history]",
        "suite.levels=1",
        "record.video=false",
        f"output_dir={tmp_path / 'run'}",
        "progress=false",
        *extra,
    ]


def user_texts(body: dict[str, Any]) -> list[str]:
    """The text parts of the last (user) message of a chat request as sent over the wire."""
    return [part["text"] for part in body["messages"][-1]["content"] if part.get("type") == "text"]


def records_of(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "episodes.jsonl").read_text().splitlines()]


HISTORY_LINE = re.compile(r"^(\d+)\. (\S+) -> (valid|INVALID): ")


def test_history_window_shows_exactly_the_last_n_steps(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    moves = iter(["left", "up", "right", "down", "right", "up", "right"])
    with FaultServer(reply_text=lambda payload: f"Action: {next(moves)}") as server:
        result = run_cli(served_args(server, tmp_path, "agent.history_window=2", "suite.max_steps=6"), cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        sent = [user_texts(body) for body in server.requests]
    [record] = records_of(tmp_path / "run")
    steps = record["steps"]
    assert len(sent) == len(steps) == 6
    assert [s["action"] for s in steps] == ["left", "up", "right", "down", "right", "up"]
    for turn, texts in enumerate(sent, start=1):  # turn t has played steps 1 .. t-1
        history = [t for t in texts if t.startswith("Previous steps (oldest first):\n")]
        shown = [HISTORY_LINE.match(line) for text in history for line in text.splitlines()[1:]]
        assert all(shown), history
        expected = list(range(max(1, turn - 2), turn))  # the last two
        assert [int(m[1]) for m in shown] == expected, (turn, history)
        assert [m[2] for m in shown] == [steps[n - 1]["action"] for n in expected]
        assert [m[3] == "valid" for m in shown] == [steps[n - 1]["valid"] for n in expected]
        assert len(history) == (turn > 1)


@pytest.mark.parametrize(
    ("output_format", "reply", "path"),
    [("json", '{"action": "right"}', "json"), ("text", "Action: right", "regex")],
)
def test_without_chain_of_thought_no_thought_is_asked_and_replies_still_parse(
    tmp_path: Path, run_cli: Callable[..., Any], output_format: str, reply: str, path: str
) -> None:
    with FaultServer(reply_text=reply) as server:
        args = served_args(
            server,
            tmp_path,
            "agent.chain_of_thought=false",
            f"agent.output_format={output_format}",
            "suite.max_steps=2",
        )
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        sent = [user_texts(body) for body in server.requests]
    asked = [texts[-1] for texts in sent]  # the reply format closes the prompt
    expected = {
        "json": 'Reply with one JSON object and nothing else: {"action": "<action>"}',
        "text": "End your reply with one line 'Action: <action>'.",
    }[output_format]
    assert asked == [expected] * 2
    assert not any(word in text.lower() for texts in sent for text in texts for word in ("thought", "step by step"))
    [record] = records_of(tmp_path / "run")
    assert [(t["parse_path"], t["actions"], t["reasoning"]) for t in record["turns"]] == [(path, ["right"], "")] * 2
    assert [s["action"] for s in record["steps"]] == ["right", "right"] and record["usage"]["parse_failures"] == 0


# --- cost: per call, per run, in the report ----------------------------------------------------------------

PRICE_IN, PRICE_OUT = 250.0, 1000.0  # dollars per million tokens: large, so the run's cost shows in cents


class VaryingUsage(FaultServer):
    """Reports different token counts for every request (and keeps them), so that each call costs its own amount."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.usages: list[tuple[int, int]] = []

    def _completion(self, payload: dict[str, Any], reply: Reply) -> dict[str, Any]:
        completion = super()._completion(payload, reply)
        prompt, output = 1000 + 7 * len(self.usages), 10 + 3 * len(self.usages)
        self.usages.append((prompt, output))
        completion["usage"] = {"prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output}
        return completion


class BoardCells(HTMLParser):
    """The leaderboard's header cells and rows of cells, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.in_board, self.cell, self.headers, self.rows = False, None, [], []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "board" in (dict(attrs).get("class") or ""):
            self.in_board = True
        elif self.in_board and tag == "tr":
            self.rows.append([])
        elif self.in_board and tag in ("th", "td"):
            self.cell = [tag, ""]

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_board = False
        elif self.cell is not None and tag == self.cell[0]:
            (self.headers if tag == "th" else self.rows[-1]).append(self.cell[1].strip())
            self.cell = None


def test_run_cost_is_the_sum_of_per_call_costs_and_the_report_shows_it(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    with VaryingUsage(reply_text='{"action": "right"}') as server:
        args = served_args(
            server,
            tmp_path,
            "suite.levels=2",
            "suite.max_steps=3",
            f"model.price_per_million_input={PRICE_IN}",
            f"model.price_per_million_output={PRICE_OUT}",
        )
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        billed = list(server.usages)
    run_dir = tmp_path / "run"
    turns = [turn for record in records_of(run_dir) for turn in record["turns"]]
    assert len(turns) == len(billed) == 6  # 2 episodes x 3 steps
    recorded = sorted((int(t["usage"]["prompt_tokens"]), int(t["usage"]["completion_tokens"])) for t in turns)
    assert recorded == sorted(billed)  # each call's tokens as the server reported them
    for turn in turns:
        tokens_in, tokens_out = turn["usage"]["prompt_tokens"], turn["usage"]["completion_tokens"]
        assert turn["usage"]["cost_usd"] == pytest.approx((tokens_in * PRICE_IN + tokens_out * PRICE_OUT) / 1e6)
    expected = sum(tokens_in * PRICE_IN + tokens_out * PRICE_OUT for tokens_in, tokens_out in billed) / 1e6
    usage = json.loads((run_dir / "results.json").read_text())["usage"]
    assert usage["cost_usd"] == pytest.approx(expected) and expected > 1.0
    assert usage["model_calls"] == 6 and usage["prompt_tokens"] == sum(t for t, _ in billed)

    report = run_cli(["report", str(run_dir), "-o", str(tmp_path / "report")], cwd=tmp_path)
    assert report.returncode == 0, report.stderr[-2000:]
    board = BoardCells()
    board.feed((tmp_path / "report" / "index.html").read_text())
    usage_headers = board.headers[-4:]
    [row] = [cells for cells in board.rows if cells]
    assert usage_headers == ["model calls", "unparsed", "tokens in / out", "cost $"]
    assert row[-4:] == [
        "6",
        "0",
        f"{int(usage['prompt_tokens']):,} / {int(usage['completion_tokens']):,}",
        f"{expected:.2f}",
    ]
