"""BabyAI episodes played by the LLM agent through real backends on the tiny random VLM, at both action
levels, with image and with text observations.

The tiny model's replies are nonsense; what is real is the whole path: BabyAI's egocentric frame and
text description in the prompt, the backend, parsing, feedback, records and scoring.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("minigrid", reason="minigrid is not installed (pip install 'mmgym[babyai]')")

from mmgym.agents.llm import LLMAgent
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.babyai.suite import BabyAISuite

CASES = [("skill", "image_text"), ("skill", "text"), ("primitive", "image_text"), ("primitive", "text")]


def play(model: dict, run_dir: Path, action_level: str, observation: str) -> list[dict]:
    suite = BabyAISuite(
        subsets=["base", "complex_instruction"],
        episodes=1,
        action_level=action_level,
        observation=observation,
        max_steps=2,
        image_size=56,
    )
    results = evaluate(suite, lambda: LLMAgent(model=model, max_tokens=12), run_dir, LocalRunner(concurrency=2), False)
    assert results.episodes == 2 and set(results.groups["subset"]) == {"base", "complex_instruction"}
    return [json.loads(line) for line in (run_dir / "episodes.jsonl").read_text().splitlines()]


def check(records: list[dict], observation: str, action_level: str) -> None:
    for record in records:
        assert record["status"] == "done", record.get("error")
        assert record["usage"]["model_calls"] == len(record["turns"]) >= 1
        user = record["turns"][0]["model_input"][-1]["content"]
        has_image = any(part["type"] == "image" for part in user)
        texts = " ".join(part.get("text", "") for part in user)
        assert has_image == (observation == "image_text")
        assert "Current state:" in texts and record["instruction"] in texts  # the view described in words
        grammar = "go to the" if action_level == "skill" else "turn left"
        assert grammar in texts
        assert set(record["metrics"]) == {"success", "progress", "efficiency", "steps", "invalid_actions"}


@pytest.mark.parametrize(("action_level", "observation"), CASES)
def test_hf_backend_plays_babyai(tiny_vlm_dir: Path, tmp_path: Path, action_level: str, observation: str) -> None:
    model = {"_target_": "mmgym.agents.models.hf_backend.HFBackend", "name": "tiny", "model_path": str(tiny_vlm_dir)}
    check(play(model, tmp_path, action_level, observation), observation, action_level)


@pytest.mark.parametrize(("action_level", "observation"), CASES)
def test_openai_backend_plays_babyai_against_transformers_serve(
    served_model: dict, tmp_path: Path, action_level: str, observation: str
) -> None:
    check(play(served_model, tmp_path, action_level, observation), observation, action_level)
