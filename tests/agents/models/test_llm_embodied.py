"""The embodied suites played by the LLM agent on the tiny random VLM, with the simulators' camera frames,
through `transformers serve` (the OpenAI-compatible path) and the in-process HF backend.

The tiny model's replies are nonsense; what is real is the whole path: the rendered view in the
prompt, the suite's action grammar in the prompt, the backend, parsing (an unparseable reply never
becomes a made-up action), records and scoring. EB-Navigation runs on MiniWorld (eight actions in
words), EB-Manipulation on MuJoCo (7-D integer actions), EB-ALFRED and EB-Navigation on AI2-THOR's
Controller with the stand-in build (high-level skills from a list of 162; eight actions). Each also plays
EmbodiedBench's own protocol (`suite.protocol=embodiedbench`): actions by id, its rules for unparseable replies.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from mmgym.agents.llm import LLMAgent
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner


@dataclass(frozen=True)
class EmbodiedCase:
    suite: str  # "module:Class"
    subsets: tuple[str, str]
    grammar: str  # words of the action grammar the prompt must show
    text_markers: tuple[str, ...]  # the text observation starts with one of these
    package: str  # the simulator, an optional extra
    options: tuple[tuple[str, str], ...] = ()  # further suite fields

    def make_suite(self, observation: str, **fields: object):
        module, name = self.suite.split(":")
        suite_type = getattr(importlib.import_module(module), name)
        return suite_type(
            subsets=list(self.subsets),
            episodes=1,
            observation=observation,
            max_steps=2,
            image_size=56,
            **dict(self.options),
            **fields,
        )


def case(suite: str, subsets: tuple[str, str], grammar: str, text_markers: tuple[str, ...], package: str, **options):
    missing = importlib.util.find_spec(package) is None
    mark = pytest.mark.skipif(missing, reason=f"{package} is not installed")
    embodied = EmbodiedCase(suite, subsets, grammar, text_markers, package, tuple(options.items()))
    return pytest.param(embodied, marks=mark, id=suite.split(":")[1])


CASES = [
    case(
        "mmgym.tasks.embodiedbench.nav:EBNavSuite",
        ("base", "long_horizon"),
        "Rotate to the left by 90 degrees",
        ("In view:", "No object in view."),
        "miniworld",
    ),
    case(
        "mmgym.tasks.embodiedbench.manip:EBManipSuite",
        ("base", "spatial"),
        "[x, y, z, roll, pitch, yaw, gripper]",
        ("Gripper pose:",),
        "mujoco",
    ),
    case(  # AI2-THOR through ai2thor's Controller, against the stand-in build
        "mmgym.tasks.embodiedbench.thor:EBAlfredSuite",
        ("base", "spatial"),
        "put down the object in hand",
        ("You see:",),
        "ai2thor",
        executable="standin",
    ),
    case(
        "mmgym.tasks.embodiedbench.thor:EBThorNavSuite",
        ("base", "long_horizon"),
        "Move forward by 0.25",
        ("You stand at",),
        "ai2thor",
        executable="standin",
    ),
]


def play_and_check(embodied: EmbodiedCase, model: dict, run_dir: Path, observation: str) -> None:
    suite = embodied.make_suite(observation)
    results = evaluate(suite, lambda: LLMAgent(model=model, max_tokens=12), run_dir, LocalRunner(concurrency=2), False)
    assert results.episodes == 2 and set(results.groups["subset"]) == set(embodied.subsets)
    for line in (run_dir / "episodes.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert record["status"] == "done", record.get("error")
        assert record["usage"]["model_calls"] == len(record["turns"]) >= 1
        user = record["turns"][0]["model_input"][-1]["content"]
        assert any(part["type"] == "image" for part in user) == ("image" in observation)
        texts = " ".join(part.get("text", "") for part in user)
        assert record["instruction"] in texts and embodied.grammar in texts
        assert any(marker in texts for marker in embodied.text_markers) == ("text" in observation)
        for turn in record["turns"]:  # a reply that names no action executes nothing
            if not turn["actions"]:
                assert turn["parse_error"]
        proposed = {action for turn in record["turns"] for action in turn["actions"]}
        for step in record["steps"]:  # an unparseable reply costs a step that does nothing ("" is no action)
            assert step["action"] in proposed or (step["action"] == "" and "No action taken" in step["feedback"])
        assert set(record["metrics"]) == {"success", "progress", "steps", "invalid_actions"}


@pytest.mark.parametrize("embodied", CASES)
@pytest.mark.parametrize("observation", ["image", "image_text"])
def test_openai_backend_plays_the_suite_against_transformers_serve(
    served_model: dict, tmp_path: Path, embodied: EmbodiedCase, observation: str
) -> None:
    play_and_check(embodied, served_model, tmp_path, observation)


@pytest.mark.parametrize("embodied", CASES)
def test_hf_backend_plays_the_suite(tiny_vlm_dir: Path, tmp_path: Path, embodied: EmbodiedCase) -> None:
    model = {"_target_": "mmgym.agents.models.hf_backend.HFBackend", "name": "tiny", "model_path": str(tiny_vlm_dir)}
    play_and_check(embodied, model, tmp_path, "image")


@pytest.mark.parametrize("embodied", CASES)
def test_the_tiny_model_plays_embodiedbenchs_protocol_through_transformers_serve(
    served_model: dict, tmp_path: Path, embodied: EmbodiedCase
) -> None:
    """The real path under the benchmark's protocol: one user message with the image and the actions by id
    (or a vector's ranges), the nonsense reply read by the protocol's rules: no step but a count toward
    ten (EB-ALFRED), or a random action marked as such (EB-Navigation, EB-Manipulation)."""
    suite = embodied.make_suite("image", protocol="embodiedbench")
    results = evaluate(suite, lambda: LLMAgent(model=served_model, max_tokens=12), tmp_path,
                       LocalRunner(concurrency=2), False)  # fmt: skip
    rules = suite.specs()[0].rules
    assert results.episodes == 2 and results.errors == 0 and results.notes["protocol"]["source"] == "mmgym"
    for line in (tmp_path / "episodes.jsonl").read_text().splitlines():
        record = json.loads(line)
        (message,) = record["turns"][0]["model_input"]  # one user message, the image first
        assert message["role"] == "user" and message["content"][0]["type"] == "image"
        text = message["content"][1]["text"]
        listed = "in these ranges: 0-99" if rules.protocol.actions == "vectors" else "\naction id 0: "
        assert listed in text and f"## The instruction: {record['instruction'].rstrip('.')}." in text
        unparsed = [turn for turn in record["turns"] if not turn["actions"] and not turn.get("stop_reason")]
        if rules.unparseable == "free":  # no step; the tenth ends the episode
            assert record["steps"] == [] or all(s["action"] for s in record["steps"])
            assert record["usage"]["parse_failures_without_step"] == len(unparsed) == 10
            assert record["metrics"]["invalid_actions"] >= 10
        else:  # each becomes a random action, marked, and counted
            fallbacks = [s for s in record["steps"] if s.get("random_fallback")]
            assert len(fallbacks) == len(unparsed) and record["metrics"]["random_actions"] == len(fallbacks)
