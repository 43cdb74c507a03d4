"""The tiny random VLM on the PCA suite, as the agent and as the judge, through `transformers serve` (the
OpenAI-compatible path) and the in-process HF backend.

Its replies are nonsense; what is real is the path: the scene's image and the lettered choices in the
prompt, the backend, the parser (a reply that names no choice is no choice), the judge's prompt and
raw reply kept in the record, and a judge reply without scores counted as unscored, never guessed.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("highway_env")
pytest.importorskip("crafter")

from cli_helpers import cli_command, cli_env

from mmgym.agents.llm import LLMAgent
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.pca.env import frozen
from mmgym.tasks.pca.judge_check import check_judge
from mmgym.tasks.pca.judges import ModelJudge
from mmgym.tasks.pca.suite import PCASuite


def hf_model(tiny_vlm_dir: Path) -> dict:
    return {"_target_": "mmgym.agents.models.hf_backend.HFBackend", "name": "tiny", "model_path": str(tiny_vlm_dir)}


def play(model: dict, judge: dict, run_dir: Path) -> None:
    suite = PCASuite(items=1, image_size=56, judge=judge, judge_check=0)  # the check: its own test below
    results = evaluate(suite, lambda: LLMAgent(model=model, max_tokens=16), run_dir, show_progress=False)
    assert results.episodes == 3 and results.errors == 0
    assert set(results.groups["domain"]) == {"driving", "domestic", "game"}
    for line in (run_dir / "episodes.jsonl").read_text().splitlines():
        record = json.loads(line)
        (turn,) = record["turns"]
        user = turn["model_input"][-1]["content"]
        assert any(part["type"] == "image" for part in user)
        texts = " ".join(part.get("text", "") for part in user)
        assert "(A) " in texts and "(B) " in texts  # the lettered choices
        assert turn["actions"] or turn["parse_error"]  # no made-up choice
        verdict = record["extra"]["judge"]
        if judge["_target_"].endswith("ModelJudge"):
            assert "[Reference reasoning]" in verdict["evidence"]["prompt"] and "output" in verdict["evidence"]
            unscored = verdict["perception"] is None or verdict["cognition"] is None
            assert record["metrics"]["judge_unscored"] == 100.0 * unscored


def test_served_model_is_the_agent_and_the_judge(served_model: dict, tmp_path: Path) -> None:
    play(served_model, {"_target_": "mmgym.tasks.pca.judges.ModelJudge", "name": "served", "model": served_model},
         tmp_path)  # fmt: skip


def test_hf_model_is_the_agent_and_the_judge(tiny_vlm_dir: Path, tmp_path: Path) -> None:
    model = hf_model(tiny_vlm_dir)
    play(model, {"_target_": "mmgym.tasks.pca.judges.ModelJudge", "name": "hf", "model": model}, tmp_path)


def test_a_model_judge_is_measured_on_labelled_cases(tiny_vlm_dir: Path) -> None:
    judge = ModelJudge(name="hf", model=hf_model(tiny_vlm_dir), max_tokens=24)
    items = [frozen.load(domain)[0] for domain in ("driving", "game")]
    figures = asyncio.run(check_judge(judge, items))
    assert figures.cases == sum(5 for _ in items) and set(figures.links) == {"perception", "cognition"}
    for link in figures.links.values():  # nonsense replies: mostly unscored, and counted so
        assert link.n == figures.cases and 0 <= link.unscored <= link.n


def test_judge_check_prints_the_tables_for_a_served_model_judge(served_model: dict, tmp_path: Path) -> None:
    base = served_model["base_url"]
    args = ["judge-check", "suite/judge=model", "model@suite.judge.model=gpt4o", f"suite.judge.model.base_url={base}",
            f"suite.judge.model.model={served_model['model']}", "suite.judge.max_tokens=24",
            "--items", "1", "--domains", "driving", "-o", "check.json"]  # fmt: skip
    done = subprocess.run(cli_command(args), cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "agreement %" in done.stdout and "choices reordered" in done.stdout
    figures = json.loads((tmp_path / "check.json").read_text())
    assert figures["cases"] == 5 and figures["judge"].startswith("judge-")
