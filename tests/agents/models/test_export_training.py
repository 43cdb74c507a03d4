"""An expert run of every suite exports to `sft` and `hf`; both load through `datasets`, and their rows go
through a vision-language model's chat template and processor into a training step.

The expert plays each suite of the catalogue at a small size; the export replays every episode to
rebuild its prompts. The rows must hold one turn per agent call, the expert's actions as the reply
(read back by the reply parser), and their images as files (`sft`) or as an `Image` feature (`hf`).
The tiny random LLaVA model's processor then renders a few rows of each and computes a loss on them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("datasets", reason="mmgym export needs datasets (pip install 'mmgym[export]')")

import datasets

from mmgym.agents.parsing import parse_reply
from mmgym.agents.scripted import ExpertAgent
from mmgym.cli.configs import HydraConfigs
from mmgym.core.language_env import format_vector
from mmgym.core.records import EpisodeRecord
from mmgym.results.run_dir import RunDir
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.views.training_export import ChatExport, write_hf, write_sft

pytestmark = pytest.mark.slow

INGVP_FILES = Path(__file__).parents[2] / "envs" / "puzzles" / "fixtures" / "ingvp"
SMALL: dict[str, list[str]] = {  # every suite config of the catalogue, a few episodes each
    "babyai": ["suite.episodes=1"],
    "eb_alfred": ["suite.executable=standin", "suite.episodes=1"],
    "eb_thor_nav": ["suite.executable=standin", "suite.episodes=1"],
    "eb_habitat": ["suite.episodes=1"],
    "eb_manip": ["suite.episodes=1"],
    "eb_nav": ["suite.episodes=1"],
    "embodied_eval": ["suite.episodes=1"],
    "ingvp": [
        "suite.games=[maze,sokoban]",
        "suite.levels=1",
        "suite.settings=[one_step-image_text,multi_step-text-history]",
    ],
    "ingvp_paper": [f"suite.data_dir={INGVP_FILES}", "suite.settings=[multi_step-image_text-history]"],
    "pca": ["suite.items=2", "suite.judge_check=0"],
    "pca_loop": ["suite.items=1", "suite.judge_check=0"],
    "puzzle_sprint": ["suite.games=[maze]", "suite.levels=1"],
}
TEMPLATED_ROWS = 3


def test_every_suite_in_the_catalogue_is_exported_here() -> None:
    from mmgym.cli.catalogue import config_options

    assert set(config_options("suite")) == set(SMALL), "add the suite to SMALL"


@pytest.fixture(scope="module")
def processor(tiny_vlm_dir: Path) -> Any:
    from transformers import AutoProcessor

    return AutoProcessor.from_pretrained(tiny_vlm_dir)


@pytest.fixture(scope="module")
def model(tiny_vlm_dir: Path) -> Any:
    from transformers import AutoModelForImageTextToText

    return AutoModelForImageTextToText.from_pretrained(tiny_vlm_dir)


def expert_run(suite: str, folder: Path) -> RunDir:
    configs = HydraConfigs()
    built = configs.build(configs.compose([f"suite={suite}", *SMALL[suite]]).suite, "suite")
    evaluate(built, ExpertAgent, folder, LocalRunner(concurrency=4), show_progress=False)
    return RunDir.open(folder)


@pytest.mark.parametrize("suite", sorted(SMALL))
def test_an_expert_run_exports_to_sft_and_hf_and_trains_the_tiny_model(
    suite: str, tmp_path: Path, processor: Any, model: Any
) -> None:
    run = expert_run(suite, tmp_path / "run")
    records = list(run.records())
    assert records and all(r.status == "done" for r in records)

    count = write_sft(run, ChatExport(), tmp_path / "sft" / "train.jsonl")
    rows = datasets.load_dataset("json", data_files=str(tmp_path / "sft" / "train.jsonl"), split="train")
    assert rows.num_rows == count.rows == sum(r.agent_calls for r in records)
    by_id = {r.id: r for r in records}
    for row in rows:
        assert row["messages"][-1]["role"] == "assistant" and row["messages"][0]["role"] == "system"
        shown = [p for m in row["messages"] for p in m["content"] if p["type"] == "image"]
        assert len(shown) == len(row["images"]) and all((tmp_path / "sft" / path).is_file() for path in row["images"])
        record = by_id[row["episode_id"]]
        chosen = [step.action for step in record.steps if step.turn == row["turn"]]
        assert reply_actions(row["messages"][-1]["content"][0]["text"], record) == chosen

    write_hf(run, ChatExport(), tmp_path / "hf")
    saved = datasets.load_from_disk(str(tmp_path / "hf"))
    assert saved.num_rows == rows.num_rows
    assert isinstance(saved.features["images"].feature, datasets.Image)
    with_images = [row for row in saved if row["images"]]
    if any(row["images"] for row in rows):
        assert with_images and with_images[0]["images"][0].mode == "RGB"

    batch = [saved[i] for i in range(min(TEMPLATED_ROWS, saved.num_rows))]
    train_step(processor, model, batch)


def reply_actions(text: str, record: EpisodeRecord) -> list[str]:
    """The actions a reply names: by mmgym's parser, or from a benchmark protocol's plan (ids with names)."""
    protocol = record.spec.rules.protocol
    if protocol is None:
        return list(parse_reply(text, plan=True, vector=record.spec.suite == "eb_manip").actions)
    plan = json.loads(text)[protocol.plan_key]
    return [format_vector(item) if protocol.actions == "vectors" else item["action_name"] for item in plan]


def train_step(processor: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """The rows through the chat template and the processor, then one forward pass with labels."""
    import torch

    for row in rows:
        text = processor.apply_chat_template(row["messages"], tokenize=False)
        assert text.count("<image>") == len(row["images"])
        assert row["messages"][-1]["content"][0]["text"] in text
        images = [image.convert("RGB") for image in row["images"]] or None
        inputs = processor(text=text, images=images, return_tensors="pt")
        if images:
            assert inputs["pixel_values"].shape[0] == len(images)
        with torch.no_grad():
            loss = model(**inputs, labels=inputs["input_ids"]).loss
        assert torch.isfinite(loss)


def test_the_installed_command_exports_sft_and_hf_with_data_urls_and_per_episode_rows(
    tmp_path: Path, run_cli, processor: Any
) -> None:
    run = expert_run("eb_nav", tmp_path / "run")
    episodes = list(run.records())
    args = ["export", str(tmp_path / "run"), "--format", "sft", "--images", "data-url", "--unit", "episode"]
    done = run_cli([*args, "-o", "episodes.jsonl"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{len(episodes)} rows from {len(episodes)} episodes written" in done.stdout
    rows = [json.loads(line) for line in (tmp_path / "episodes.jsonl").read_text().splitlines()]
    for row, record in zip(rows, episodes, strict=True):
        replies = [m for m in row["messages"] if m["role"] == "assistant"]
        assert len(replies) == record.agent_calls and row["turn"] is None
        assert all(url.startswith("data:image/png;base64,") for url in row["images"])
        text = processor.apply_chat_template(row["messages"], tokenize=False)
        assert text.count("<image>") == len(row["images"]) == record.agent_calls  # one view per turn
    done = run_cli(["export", str(tmp_path / "run"), "--format", "hf", "--successful", "-o", "hf"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert datasets.load_from_disk(str(tmp_path / "hf")).num_rows == sum(r.agent_calls for r in episodes)
