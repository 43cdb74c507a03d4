"""The EmbodiedEval-style suite played by the LLM agent on the tiny random VLM, through `transformers serve`
(the OpenAI-compatible path) and the in-process HF backend.

The tiny model's replies are nonsense; what is real is the whole path: the rendered view and the
numbered menu in the prompt, the backend, the parser (a reply that names no option executes
nothing), the env reading choices, and the failure rates in the scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("mmgym.envs.miniworld.deps")  # headless pyglet before miniworld
pytest.importorskip("minigrid")

from mmgym.agents.llm import LLMAgent
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.embodied_eval.suite import CATEGORIES, EmbodiedEvalSuite


def play_and_check(model: dict, run_dir: Path) -> None:
    suite = EmbodiedEvalSuite(episodes=1, max_steps=2, image_size=56)
    results = evaluate(suite, lambda: LLMAgent(model=model, max_tokens=12), run_dir, LocalRunner(concurrency=2), False)
    assert results.episodes == len(CATEGORIES) and set(results.groups["category"]) == set(CATEGORIES)
    for line in (run_dir / "episodes.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert record["status"] == "done", record.get("error")
        assert record["usage"]["model_calls"] == len(record["turns"]) >= 1
        user = record["turns"][0]["model_input"][-1]["content"]
        assert any(part["type"] == "image" for part in user)
        texts = " ".join(part.get("text", "") for part in user)
        assert "Options:\n[1] " in texts and "Choice: [2]" in texts  # the menu, and how to choose from it
        for turn, step in zip(record["turns"], record["steps"], strict=True):  # one choice per reply
            if not turn["actions"]:
                assert turn["parse_error"] and step["action"] == ""
            else:
                assert step["action"] == turn["actions"][0]
                assert step["valid"] or step["data"]["choice_error"] in ("no_match", "out_of_range")
        metrics = record["metrics"]
        assert set(metrics) == {"success", "goal_condition", "spl", "no_match", "out_of_range", "api_error", "steps"}
        assert metrics["api_error"] == 0.0 and 0.0 <= metrics["no_match"] + metrics["out_of_range"] <= 100.0


def test_openai_backend_plays_the_suite_against_transformers_serve(served_model: dict, tmp_path: Path) -> None:
    play_and_check(served_model, tmp_path)


def test_hf_backend_plays_the_suite(tiny_vlm_dir: Path, tmp_path: Path) -> None:
    play_and_check({"_target_": "mmgym.agents.models.hf_backend.HFBackend", "name": "tiny",
                    "model_path": str(tiny_vlm_dir)}, tmp_path)  # fmt: skip


def served_args(server, run_dir: Path) -> list[str]:
    return [
        "run", "suite=embodied_eval", "suite.subsets=[navigation]", "suite.episodes=1", "suite.max_steps=3",
        "suite.image_size=64", "agent=llm", "model=gpt4o", f"model.base_url={server.base_url}",
        "model.api_key_env=MMGYM_TEST_NO_KEY", "model.cache_dir=null",
        "record.video=false", "progress=false", f"output_dir={run_dir}",
    ]  # fmt: skip


def test_choices_out_of_range_unreadable_and_failed_calls_are_scored_as_embodied_eval_counts_them(
    tmp_path: Path, run_cli
) -> None:
    from fault_server import FaultServer, Reply

    script = [Reply(text="Choice: [99]"), Reply(text="Thought: the way ahead is open.\nChoice: [1]"), "garbage_text"]
    with FaultServer(script) as server:
        played = run_cli(served_args(server, tmp_path / "played"), cwd=tmp_path)
    assert played.returncode == 0, played.stderr[-2000:]
    [record] = [json.loads(line) for line in (tmp_path / "played" / "episodes.jsonl").read_text().splitlines()]
    assert [step["data"]["choice_error"] for step in record["steps"]] == ["out_of_range", "", ""]
    assert [step["valid"] for step in record["steps"]] == [False, True, False]
    assert record["steps"][0]["feedback"].startswith("Invalid choice: '[99]' is not a number on the menu")
    assert record["metrics"]["out_of_range"] == pytest.approx(100 / 3)
    assert record["metrics"]["no_match"] == pytest.approx(100 / 3)  # the unreadable reply took no action

    with FaultServer(default="400") as failing:
        failed = run_cli(served_args(failing, tmp_path / "failed"), cwd=tmp_path)
    assert failed.returncode == 4, failed.stderr[-2000:]  # a failed episode is loud: exit 4, and retried on rerun
    assert failed.stderr.strip().startswith("mmgym: failed: 1 of 1 episodes ended in an error")
    [record] = [json.loads(line) for line in (tmp_path / "failed" / "episodes.jsonl").read_text().splitlines()]
    assert record["status"] == "error" and record["error"].startswith("ModelError")
    assert record["metrics"]["api_error"] == 100.0 and record["metrics"]["success"] == 0.0
