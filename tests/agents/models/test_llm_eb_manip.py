"""EB-Manipulation episodes played by the LLM agent on the tiny random VLM, with MuJoCo camera frames and 7-D actions,
through `transformers serve` (the OpenAI-compatible path) and the in-process HF backend.

The tiny model's replies are nonsense; what is real is the whole path: the rendered front camera in the
prompt, the 7-D action grammar in the prompt, the backend, parsing (an unparseable reply
never becomes a made-up action), records and scoring.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

if importlib.util.find_spec("mujoco") is None:
    pytest.skip("mujoco is not installed (pip install 'mmgym[mujoco]')", allow_module_level=True)

from mmgym.agents.llm import LLMAgent
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.eb_manip import EBManipSuite


def play_and_check(model: dict, run_dir: Path, observation: str) -> None:
    subsets = ["base", "spatial"]
    suite = EBManipSuite(subsets=subsets, episodes=1, observation=observation, max_steps=2, image_size=56)
    results = evaluate(suite, lambda: LLMAgent(model=model, max_tokens=12), run_dir, LocalRunner(concurrency=2), False)
    assert results.episodes == 2 and set(results.groups["subset"]) == {"base", "spatial"}
    for line in (run_dir / "episodes.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert record["status"] == "done", record.get("error")
        assert record["usage"]["model_calls"] == len(record["turns"]) >= 1
        user = record["turns"][0]["model_input"][-1]["content"]
        assert any(part["type"] == "image" for part in user) == ("image" in observation)
        texts = " ".join(part.get("text", "") for part in user)
        assert record["instruction"] in texts and "[x, y, z, roll, pitch, yaw, gripper]" in texts
        assert ("Gripper pose:" in texts) == ("text" in observation)
        for turn in record["turns"]:  # a reply that names no action executes nothing
            if not turn["actions"]:
                assert turn["parse_error"]
        proposed = {action for turn in record["turns"] for action in turn["actions"]}
        for step in record["steps"]:  # an unparseable reply costs a step that does nothing ("" is no action)
            assert step["action"] in proposed or (step["action"] == "" and "No action taken" in step["feedback"])
        assert set(record["metrics"]) == {"success", "progress", "steps", "invalid_actions"}


@pytest.mark.parametrize("observation", ["image", "image_text"])
def test_openai_backend_plays_eb_manip_against_transformers_serve(
    transformers_server: tuple[str, str], tmp_path: Path, observation: str
) -> None:
    base_url, served = transformers_server
    model = {
        "_target_": "mmgym.agents.models.openai_backend.OpenAIBackend",
        "name": "served-tiny",
        "model": served,
        "base_url": base_url,
        "timeout_s": 60,
    }
    play_and_check(model, tmp_path, observation)


def test_hf_backend_plays_eb_manip(tiny_vlm_dir: Path, tmp_path: Path) -> None:
    model = {"_target_": "mmgym.agents.models.hf_backend.HFBackend", "name": "tiny", "model_path": str(tiny_vlm_dir)}
    play_and_check(model, tmp_path, "image")
