"""Game episodes played by the LLM agent through real model backends on the tiny random VLM.

The model's replies are nonsense, so nothing here asserts on what it says; what is real is the
whole path: prompt with image, backend, parsing, feedback, records, batching, determinism.
"""

from __future__ import annotations

import json
from pathlib import Path

from mmgym.agents.llm import LLMAgent
from mmgym.agents.models.registry import shared_backend
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp.suite import IngvpSuite

SUITE = {"games": ["maze"], "settings": ["multi_step-image_text-history"], "levels": 4, "max_steps": 3}


def run(model: dict, run_dir: Path, concurrency: int = 4) -> list[dict]:
    suite = IngvpSuite(**SUITE, image_size=56)
    evaluate(suite, lambda: LLMAgent(model=model, max_tokens=12), run_dir, LocalRunner(concurrency=concurrency), False)
    return [json.loads(line) for line in (run_dir / "episodes.jsonl").read_text().splitlines()]


def test_hf_backend_batches_concurrent_episodes_and_is_deterministic(tiny_vlm_dir: Path, tmp_path: Path) -> None:
    model = {
        "_target_": "mmgym.agents.models.hf_backend.HFBackend",
        "name": "tiny",
        "model_path": str(tiny_vlm_dir),
        "max_batch_size": 8,
        "batch_wait_ms": 50,
    }
    backend = shared_backend(model)
    records = run(model, tmp_path / "a")
    assert len(records) == 4 and all(r["status"] == "done" for r in records)
    assert sum(r["usage"]["model_calls"] for r in records) == 12  # 4 episodes x 3 turns
    assert max(backend.batch_sizes) > 1  # one generate call served several episodes
    assert backend.generate_calls < 12
    for record in records:
        assert all(not s["data"]["state_changed"] for s in record["steps"] if s["action"] == "")
        turn = record["turns"][0]
        assert turn["usage"]["prompt_tokens"] > 0 and 0 < turn["usage"]["completion_tokens"] <= 12
        assert any(part["type"] == "image" for m in turn["model_input"] for part in m["content"])

    again = run(model, tmp_path / "b")  # greedy decoding: the same outputs, turn by turn
    outputs = {r["id"]: [t["model_output"] for t in r["turns"]] for r in records}
    assert {r["id"]: [t["model_output"] for t in r["turns"]] for r in again} == outputs


def test_openai_backend_plays_against_transformers_serve(served_model: dict, tmp_path: Path) -> None:
    records = run(served_model, tmp_path / "run", concurrency=2)
    assert len(records) == 4 and all(r["status"] == "done" for r in records), records[0].get("error")
    assert all(len(r["turns"]) >= 1 and r["turns"][0]["model_output"] is not None for r in records)
    assert all(r["usage"]["model_calls"] == len(r["turns"]) for r in records)
