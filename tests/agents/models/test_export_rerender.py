"""Prompts rebuilt from a model run's records equal, byte for byte, what the backend sent.

Each suite in the catalogue is run by the installed `mmgym run agent=llm` against a local
OpenAI-compatible endpoint that keeps every request's body as it arrived. Its replies mix valid
and invalid actions, unparseable text and benchmark-protocol plans, so that the history, the
failure feedback and the menus all show in later prompts. Then the installed `mmgym export
--format sft --images data-url` rebuilds every turn from the run folder alone, and each exported
row, put back into the OpenAI wire format, must appear whole in exactly one captured body.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer

orjson = pytest.importorskip("orjson", reason="the openai backend needs orjson (pip install 'mmgym[openai]')")
pytest.importorskip("aiohttp", reason="the openai backend needs aiohttp (pip install 'mmgym[openai]')")

pytestmark = pytest.mark.slow

INGVP_FILES = Path(__file__).parents[2] / "envs" / "puzzles" / "fixtures" / "ingvp"
SUITES: dict[str, list[str]] = {  # every suite config, a few short episodes each (and two other prompt settings)
    "babyai": ["suite.episodes=1", "suite.max_steps=6", "agent.output_format=text"],
    "eb_alfred": ["suite.executable=standin", "suite.episodes=1"],
    "eb_thor_nav": ["suite.executable=standin", "suite.episodes=1"],
    "eb_habitat": ["suite.episodes=1"],
    "eb_manip": ["suite.episodes=1"],
    "eb_nav": ["suite.episodes=1"],
    "embodied_eval": ["suite.episodes=1"],
    "ingvp": [
        "suite.games=[maze,sokoban]",
        "suite.levels=1",
        "suite.max_steps=6",
        "suite.settings=[multi_step-image_text-history,one_step-image_text,multi_step-text-no_history]",
        "agent.history_images=2",
    ],
    "ingvp_paper": [
        f"suite.data_dir={INGVP_FILES}",
        "suite.settings=[multi_step-image_text-history]",
        "suite.max_steps=5",
    ],
    "pca": ["suite.items=2", "suite.judge_check=0"],
    "pca_loop": ["suite.items=1", "suite.judge_check=0"],
    "puzzle_sprint": ["suite.games=[maze]", "suite.levels=1"],
}
# Valid and invalid moves, text no parser reads, a plan, protocol plans by id and by vector, a letter choice.
REPLIES = (
    '{"thought": "go right", "action": "right"}',
    "I am not sure what to do here.",
    '{"executable_plan": [{"action_id": 0, "action_name": "first"}, {"action_id": 2}]}',
    '{"thought": "two moves", "actions": ["up", "left"]}',
    '{"executable_plan": [[50, 50, 20, 0, 60, 0, 1]]}',
    "Action: 1",
    '{"action": "B"}',
)


def replies() -> Callable[[dict[str, Any]], str]:
    cycle = itertools.cycle(REPLIES)
    return lambda request: next(cycle)


def wire_messages(row: dict[str, Any]) -> list[dict[str, Any]]:
    """An exported row's prompt (all but its reply) in the chat-completions wire format the backend sends:
    each `{"type": "image"}` part the row's next data URL, and a message of one text part a plain string."""
    images = iter(row["images"])
    wire = []
    for message in row["messages"][:-1]:
        parts = message["content"]
        if len(parts) == 1 and parts[0]["type"] == "text":
            wire.append({"role": message["role"], "content": parts[0]["text"]})
            continue
        content = [
            {"type": "text", "text": p["text"]} if p["type"] == "text"
            else {"type": "image_url", "image_url": {"url": next(images)}}
            for p in parts
        ]  # fmt: skip
        wire.append({"role": message["role"], "content": content})
    return wire


def sent_messages(body: bytes) -> bytes:
    """The raw bytes of a request body's `messages` array, as they arrived (no parsing and re-encoding)."""
    start = body.index(b'"messages":') + len(b'"messages":')
    end = start + len(orjson.dumps(orjson.loads(body)["messages"]))
    assert body[end : end + 1] in (b",", b"}"), "the backend's body is not compact JSON"
    return body[start:end]


def differences(rows: list[dict[str, Any]], rebuilt_only: Counter, sent_only: Counter) -> str:
    """Which rows were not sent as rebuilt, and whether their texts (without images) were sent at all."""

    def texts(wire: bytes) -> str:
        return re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "<image>", wire.decode())

    sent_texts = {texts(wire) for wire in sent_only}
    missing = [row["id"] for row in rows if orjson.dumps(wire_messages(row)) in rebuilt_only]
    same_text = sum(texts(wire) in sent_texts for wire in rebuilt_only)
    return f"{len(missing)} rows not sent as rebuilt ({same_text} differ only in their images): {missing}"


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_every_rebuilt_prompt_is_what_the_backend_sent(suite: str, run_cli, tmp_path: Path) -> None:
    with FaultServer(reply_text=replies()) as server:
        # PNG through zlib (png_level 2), whose deflate output depends on the pixels alone: ISA-L's (level 1, the
        # default) once gave the same frame other, equally valid bytes in another process (docs/guide/training-data.md)
        model = ["agent=llm", "model=gpt4o", f"model.base_url={server.base_url}", "model.cache_dir=null",
                 "model.api_key_env=MMGYM_TEST_UNSET_KEY", "+model.png_level=2"]  # fmt: skip
        args = [
            "run",
            f"suite={suite}",
            *SUITES[suite],
            *model,
            "record.video=false",
            "progress=false",
            "output_dir=run",
        ]
        done = run_cli(args, tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        bodies = list(server.bodies)
    records = [json.loads(line) for line in (tmp_path / "run" / "episodes.jsonl").read_text().splitlines()]
    assert records and all(r["status"] == "done" for r in records)

    done = run_cli(["export", "run", "--format", "sft", "--images", "data-url", "-o", "sft.jsonl"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]

    rebuilt = Counter(orjson.dumps(wire_messages(row)) for row in rows)
    sent = Counter(sent_messages(body) for body in bodies)
    assert rebuilt == sent, differences(rows, rebuilt - sent, sent - rebuilt)  # every request once, byte for byte
    assert len(rows) == len(bodies) == sum(len(r["turns"]) for r in records)
    outputs = Counter(t["model_output"] for r in records for t in r["turns"])
    assert Counter(row["messages"][-1]["content"][0]["text"] for row in rows) == outputs  # the model's own replies
    shown = [len(p) for r in records for t in r["turns"] for m in t["model_input"] for p in [m["content"]]]
    assert sum(shown) == sum(len(m["content"]) for row in rows for m in row["messages"][:-1])
    if any(s.get("shape") for r in records for t in r["turns"] for m in t["model_input"] for s in m["content"]):
        assert any(row["images"] for row in rows) and all(re.match(r"data:image/png;base64,", u)
                                                          for row in rows for u in row["images"])  # fmt: skip
