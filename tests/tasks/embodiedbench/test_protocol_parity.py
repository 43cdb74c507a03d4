"""EmbodiedBench's protocol (`suite.protocol=embodiedbench`), one test per row of the parity tables in
docs/suites/embodiedbench.md: scripted model replies played through the LLM agent, the rollout and
ai2thor's real Controller (against the stand-in build, on its episodes in EmbodiedBench's file format),
checked step by step. The authors' prompt files are hand-written fixtures in their layout."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("ai2thor") is None:
    pytest.skip("ai2thor is not installed (pip install 'mmgym[thor]')", allow_module_level=True)

from mmgym.agents.llm import LLMAgent
from mmgym.agents.models.base import GenerationConfig, ImagePart, Message, ModelResponse, Usage
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec
from mmgym.envs.thor.alfred_skills import global_skills
from mmgym.envs.thor.nav_env import ACTIONS
from mmgym.errors import ConfigError
from mmgym.runners.rollout import run_episode
from mmgym.tasks.embodiedbench.thor import EBAlfredSuite, EBThorNavSuite

STUB_MODEL = {"_target_": "mmgym.agents.models.openai_backend.OpenAIBackend", "name": "unused", "model": "unused",
              "base_url": "http://127.0.0.1:9/v1"}  # fmt: skip
SKILLS = global_skills()
NAV_ACTIONS = list(ACTIONS)
APPLE_TO_TABLE = ["find a Apple", "pick up the Apple", "find a DiningTable", "put down the object in hand"]


class ScriptedModel:
    """Answers the given texts in order (the last one repeats) and keeps every request."""

    name = "scripted"

    def __init__(self, replies: Sequence[str]) -> None:
        self.replies, self.requests = list(replies), []

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        self.requests.append(messages)
        return ModelResponse(self.replies[min(len(self.requests), len(self.replies)) - 1], Usage())

    async def close(self) -> None:
        pass

    def text(self, call: int) -> str:
        return self.requests[call][0].parts[-1].text


def plan(*ids: Any) -> str:
    return json.dumps({"reasoning_and_reflection": "r", "executable_plan": [{"action_id": i, "action_name": "?"}
                                                                             for i in ids]})  # fmt: skip


def skill_ids(*names: str) -> list[int]:
    return [SKILLS.index(name) for name in names]


def play(spec: EpisodeSpec, replies: Sequence[str]) -> tuple[EpisodeRecord, ScriptedModel]:
    agent = LLMAgent(model=STUB_MODEL)  # type: ignore[arg-type]
    agent.backend = model = ScriptedModel(replies)
    return asyncio.run(run_episode(spec, agent)), model


def alfred_spec(**fields: Any) -> EpisodeSpec:
    suite = EBAlfredSuite(executable="standin", image_size=64, protocol="embodiedbench", **fields)
    return suite.specs()[0]  # base/000: put an apple on the dining table


def nav_spec(**fields: Any) -> EpisodeSpec:
    return EBThorNavSuite(executable="standin", image_size=64, protocol="embodiedbench", **fields).specs()[0]


def scores(suite: Any, record: EpisodeRecord) -> dict[str, float]:
    return asyncio.run(suite.score(record))


# ---- EB-ALFRED ----------------------------------------------------------------------------------------------


def test_alfred_prompt_lists_every_skill_by_id_after_the_image_and_the_plan_runs_by_id() -> None:
    record, model = play(alfred_spec(), [plan(*skill_ids(*APPLE_TO_TABLE))])
    assert record.success and [s.action for s in record.steps] == APPLE_TO_TABLE and record.agent_calls == 1
    (message,) = model.requests[0]
    assert message.role == "user" and isinstance(message.parts[0], ImagePart)
    text = model.text(0)
    assert f"action id 0: {SKILLS[0]}\naction id 1: {SKILLS[1]}" in text
    assert "action id 162: find a Cabinet_2" in text  # the scene's numbered instances follow the 162
    assert "## The instruction: Put an apple on the dining table." in text
    assert "between 0 and 165" in text and '"executable_plan"' in text


def test_alfred_a_failed_skill_stops_the_plan_and_the_next_prompt_shows_each_step_by_id() -> None:
    first = plan(*skill_ids("find a Apple", "put down the object in hand", "find a DiningTable"))
    record, model = play(alfred_spec(), [first, plan(*skill_ids(*APPLE_TO_TABLE[1:]))])
    assert [s.action for s in record.steps[:2]] == ["find a Apple", "put down the object in hand"]
    assert [s.valid for s in record.steps[:2]] == [True, False] and record.success
    later = model.text(1)
    assert f"Step 0, action id {SKILLS.index('find a Apple')}, find a Apple, env feedback: Last action executed " \
           "successfully." in later  # fmt: skip
    assert f"Step 1, action id {SKILLS.index('put down the object in hand')}, put down the object in hand, env " \
           "feedback: Last action is invalid. Robot is not holding any object" in later  # fmt: skip


def test_alfred_unparseable_replies_use_no_step_and_the_tenth_invalid_ends_the_episode() -> None:
    record, model = play(alfred_spec(), ["I would look for the apple first."])
    assert len(model.requests) == 10 and record.steps == [] and not record.success
    assert record.stop_reason == "10 refused actions and unparseable replies (the limit is 10)"
    suite = EBAlfredSuite(executable="standin", protocol="embodiedbench")
    assert scores(suite, record)["invalid_actions"] == 10 and scores(suite, record)["steps"] == 0


def test_alfred_refused_skills_and_unparseable_replies_count_together_toward_ten() -> None:
    drop = plan(*skill_ids("put down the object in hand"))  # nothing in hand: refused
    record, model = play(alfred_spec(), [drop, "{broken", drop, "{broken"] * 3)
    assert len(model.requests) == 10 and len(record.steps) == 5 and not any(s.valid for s in record.steps)


def test_alfred_an_empty_plan_ends_the_episode() -> None:
    record, model = play(alfred_spec(), [plan()])
    assert len(model.requests) == 1 and record.steps == [] and record.stop_reason == "the reply's plan is empty"


def test_alfred_a_first_id_out_of_range_is_unparseable_and_a_later_one_cuts_the_plan() -> None:
    find_apple, pick_up = skill_ids("find a Apple", "pick up the Apple")
    record, _ = play(alfred_spec(), [plan(999, find_apple), plan(find_apple, pick_up, 999, find_apple)])
    assert record.turns[0].parse_error == "action id 999 is not one of 0 to 165"
    # the second reply's two actions before the bad id ran, then the third call (the same reply) came
    assert [(s.turn, s.action) for s in record.steps[:3]] == [(2, "find a Apple"), (2, "pick up the Apple"),
                                                             (3, "find a Apple")]  # fmt: skip


def test_alfred_the_episode_is_cut_at_thirty_steps() -> None:
    record, model = play(alfred_spec(), [plan(*skill_ids("find a Apple") * 40)])
    assert len(record.steps) == 30 and record.truncated and len(model.requests) == 1


def test_alfred_skipping_the_faucet_fails_a_clean_task_under_the_protocol() -> None:
    spec = EBAlfredSuite(executable="standin", image_size=64, protocol="embodiedbench").specs()[1]
    assert spec.metadata["task_type"] == "pick_clean_then_place_in_recep"
    no_faucet = ["find a Ladle", "pick up the Ladle", "find a Sink", "put down the object in hand", "find a Ladle",
                 "pick up the Ladle", "find a DiningTable", "put down the object in hand"]  # fmt: skip
    record, _ = play(spec, [plan(*skill_ids(*no_faucet)), plan()])
    assert all(s.valid for s in record.steps) and not record.success and record.progress == pytest.approx(1 / 3)
    with_faucet = [*no_faucet[:4], "find a Faucet", "turn on the Faucet", "turn off the Faucet", *no_faucet[4:]]
    record, _ = play(spec, [plan(*skill_ids(*with_faucet))])
    assert record.success


# ---- EB-Navigation --------------------------------------------------------------------------------------------


def test_navigation_prompt_lists_the_eight_actions_and_the_plan_runs_by_id() -> None:
    record, model = play(nav_spec(), [plan(0, 0, 2)])
    assert [s.action for s in record.steps[:3]] == [NAV_ACTIONS[0], NAV_ACTIONS[0], NAV_ACTIONS[2]]
    assert "".join(f"\naction id {i}: {a}" for i, a in enumerate(NAV_ACTIONS)) in model.text(0)
    assert "between 0 and 7" in model.text(0) and not any(s.random_fallback for s in record.steps)


@pytest.mark.parametrize("reply", ["no plan here", plan()], ids=["unparseable", "empty plan"])
def test_navigation_unparseable_replies_and_empty_plans_become_one_marked_random_action(reply: str) -> None:
    suite = EBThorNavSuite(executable="standin", image_size=64, protocol="embodiedbench")
    record, model = play(nav_spec(), [reply])
    assert len(record.steps) == len(model.requests) == 20  # one random action per call, no limit but the steps
    assert all(s.random_fallback and s.action in NAV_ACTIONS for s in record.steps)
    assert scores(suite, record)["random_actions"] == 20 and record.stop_reason is None


def test_navigation_an_id_out_of_range_ends_the_episode_after_the_actions_before_it() -> None:
    record, model = play(nav_spec(), [plan(0, 8, 0)])
    assert [s.action for s in record.steps] == [NAV_ACTIONS[0]] and len(model.requests) == 1
    assert record.stop_reason == "action id 8 is not one of 0 to 7: the episode ends"


def test_navigation_the_episode_is_cut_at_twenty_steps() -> None:
    record, _ = play(nav_spec(), [plan(*[4, 5] * 15)])  # turning on the spot: never there
    assert len(record.steps) == 20 and record.truncated


# ---- the authors' texts, read from a checkout ---------------------------------------------------------------


def write_checkout(root: Path) -> Path:
    """EmbodiedBench's files where its code keeps them, with hand-written texts in their format."""
    config = root / "embodiedbench" / "evaluator" / "config"
    config.mkdir(parents=True)
    (config / "system_prompts.py").write_text(
        "alfred_system_prompt = '''## AUTHORS' ALFRED PROMPT\nids 0 ~ {}: {}\n\n{}'''\n"
        "habitat_system_prompt = '''## HABITAT {} {} {}'''\n"
        "eb_navigation_system_prompt = '''## AUTHORS' NAV PROMPT ids 0 ~ {}: {}\n{}'''\n"
        "computed = f'{1 + 1}'\n"  # not a literal: skipped
    )
    (config / "alfred_examples.json").write_text(json.dumps([f"authors' example {i}" for i in range(12)]))
    (config / "alfred_long_horizon_examples.json").write_text(json.dumps(["authors' long example"]))
    (config / "eb_navigation_example.py").write_text("examples = ['''nav example A''', '''nav example B''']\n")
    planner = root / "embodiedbench" / "planner"
    planner.mkdir(parents=True)
    (planner / "planner_utils.py").write_text("import os\ntemplate = '''AUTHORS' FORMAT'''\ntemplate_lang = 'x'\n")
    return root


def test_the_authors_prompt_examples_and_format_are_read_from_a_checkout_and_recorded(tmp_path: Path) -> None:
    checkout = write_checkout(tmp_path / "EmbodiedBench")
    suite = EBAlfredSuite(executable="standin", image_size=64, protocol="embodiedbench", protocol_dir=str(checkout))
    record, model = play(suite.specs()[0], [plan(*skill_ids(*APPLE_TO_TABLE))])
    text = model.text(0)
    assert text.startswith("## AUTHORS' ALFRED PROMPT\nids 0 ~ 165: \naction id 0: ")
    assert "authors' example 9" in text and "authors' example 10" not in text  # EB-ALFRED's 10 shots
    assert text.endswith("AUTHORS' FORMAT") and record.success
    note = asyncio.run(suite.notes())["protocol"]
    assert note.shots == 10 and note.source.startswith(f"EmbodiedBench files in {checkout}: system_prompts.py")
    nav = EBThorNavSuite(executable="standin", protocol="embodiedbench", protocol_dir=str(checkout), shots=1)
    assert nav.specs()[0].rules.protocol.examples == ("nav example A",)


def test_a_checkout_without_the_authors_files_is_refused_in_one_line(tmp_path: Path) -> None:
    suite = EBAlfredSuite(executable="standin", protocol="embodiedbench", protocol_dir=str(tmp_path))
    with pytest.raises(ConfigError, match=r"system_prompts.py not found: suite.protocol_dir must be a checkout"):
        suite.specs()
    with pytest.raises(ValueError, match=r"apply only with suite\.protocol=embodiedbench"):
        EBAlfredSuite(executable="standin", protocol_dir=str(tmp_path))


def test_mmgyms_own_protocol_is_the_default_and_keeps_its_rules() -> None:
    rules = EBAlfredSuite(executable="standin").specs()[0].rules
    assert rules.protocol is None and rules.unparseable == "step" and rules.max_invalid is None
    protocol = alfred_spec().rules
    assert protocol.protocol.source == "mmgym" and len(protocol.protocol.examples) == 2


# ---- the expert and the random floor under the protocol -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("eb_alfred", {"executable": "standin"}),
        ("eb_thor_nav", {"executable": "standin"}),
        ("eb_nav", {"episodes": 2}),
        ("eb_habitat", {"episodes": 2}),
        ("eb_manip", {"episodes": 2}),
        ("babyai", {"episodes": 2}),
    ],
)
def test_the_expert_solves_every_episode_under_both_protocols(tmp_path: Path, name: str, fields: dict) -> None:
    from mmgym.agents.scripted import ExpertAgent, RandomAgent
    from mmgym.runners.evaluate import evaluate
    from mmgym.runners.local import LocalRunner
    from mmgym.tasks.babyai.suite import BabyAISuite
    from mmgym.tasks.embodiedbench import EBHabitatSuite, EBManipSuite, EBNavSuite

    kind = {"eb_alfred": EBAlfredSuite, "eb_thor_nav": EBThorNavSuite, "eb_nav": EBNavSuite,
            "eb_habitat": EBHabitatSuite, "eb_manip": EBManipSuite, "babyai": BabyAISuite}[name]  # fmt: skip
    for protocol in ("mmgym", "embodiedbench"):
        suite = kind(image_size=64, protocol=protocol, **fields)
        expert = evaluate(suite, ExpertAgent, tmp_path / protocol, LocalRunner(), show_progress=False)
        overall = expert.groups["overall"]["all"]
        assert expert.errors == 0 and overall["success"].mean == 100.0, (protocol, overall)
    floor = evaluate(suite, RandomAgent, tmp_path / "random", LocalRunner(), show_progress=False)
    assert floor.errors == 0 and floor.groups["overall"]["all"]["success"].n == overall["success"].n
    if name != "babyai":  # BabyAI's floor is high (a random agent solves most missions): a calibration issue
        assert floor.groups["overall"]["all"]["success"].mean < 50.0


# ---- the CPU tracks: the same interface -----------------------------------------------------------------------


def manip_spec() -> EpisodeSpec:
    from mmgym.tasks.embodiedbench import EBManipSuite

    return EBManipSuite(image_size=64, protocol="embodiedbench", episodes=1).specs()[0]


def vectors(*actions: list[int]) -> str:
    return json.dumps({"executable_plan": [{"action": a} for a in actions]})


def test_manipulation_plans_list_vectors_and_run_to_their_end_past_a_refused_action() -> None:
    record, model = play(manip_spec(), [vectors([50, 58, 40, 0, 0, 0, 1], [50, 58, 40, 0, 0, 0, 7],
                                                [50, 58, 30, 0, 0, 0, 1]), vectors()])  # fmt: skip
    assert [s.valid for s in record.steps] == [True, False, True]  # the gripper value 7 is refused, the plan goes on
    assert record.stop_reason == "the reply's plan is empty" and len(model.requests) == 2
    first = model.text(0)
    assert "a list of 7 integers, [x, y, z, roll, pitch, yaw, gripper], in these ranges: 0-99" in first
    assert "## What you observe:\nGripper pose: [50, 58, 62, 0, 0, 0, 1]" in first  # the positions, as EB gives them
    assert "Step 1, action [50, 58, 40, 0, 0, 0, 7], env feedback:" in model.text(1)


def test_manipulation_unparseable_replies_become_random_vectors_within_the_bounds() -> None:
    record, _ = play(manip_spec(), ["move the gripper to the triangle"])
    assert len(record.steps) == 15 and all(s.random_fallback for s in record.steps)
    for step in record.steps:
        values = json.loads(step.action)
        assert len(values) == 7 and all(0 <= v <= 119 for v in values[:6]) and values[6] in (0, 1)


def test_babyai_skills_are_listed_by_id_and_the_put_skills_join_once_an_object_is_carried() -> None:
    from mmgym.tasks.babyai.suite import BabyAISuite

    suite = BabyAISuite(image_size=64, protocol="embodiedbench", subsets=["base"], episodes=1)
    spec = suite.specs()[0]
    _, model = play(spec, [plan(0)])  # go to the first object listed, then the same again until the limit
    first = model.text(0)
    listed = [line.split(": ", 1)[1] for line in first.splitlines() if line.startswith("action id ")]
    assert listed and not any(s.startswith("put ") for s in listed)
    pick = next(i for i, s in enumerate(listed) if s.startswith("pick up"))
    _, model = play(spec, [plan(pick), plan()])
    later = [line.split(": ", 1)[1] for line in model.text(1).splitlines() if line.startswith("action id ")]
    carried = listed[pick].removeprefix("pick up the ")
    assert any(s.startswith(f"put the {carried} next to ") for s in later)  # this turn's list, with its ids
