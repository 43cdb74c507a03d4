"""EmbodiedEval's task-file schema, read from hand-written files; one-line errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmgym.errors import ConfigError
from mmgym.tasks.embodied_eval.env.predicates import (
    AGENT,
    Answered,
    At,
    Closer,
    Holding,
    Near,
    NotNear,
    WorldState,
    check,
)
from mmgym.tasks.embodied_eval.released import parse_predicate, read_task, read_tasks

QUESTION = {
    "scene_path": "scenes/HSSD/kitchen_7.glb",
    "task_text": "What colour is the kettle on the stove?",
    "agent_position": [1.5, 0.0, -2.0],
    "agent_rotation": [0, 90, 0],
    "options": [
        {"option_type": "Navigate", "option_text": "go to the stove"},
        {"option_type": "Answer", "option_text": "red"},
        {"option_type": "Answer", "option_text": "white"},
    ],
    "predicates": [{"predicate_type": "choose", "right_answer_content": "white"}],
}
CARRY = {
    **QUESTION,
    "task_text": "Put the mug next to the kettle.",
    "options": ["move forward", "pick up the mug"],
    "predicates": ["grab 4", "near 4 9", {"predicate_type": "agent_near", "objects": [9]}],
}


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_a_question_task_file(tmp_path: Path) -> None:
    task = read_task(write(tmp_path, "AttributeQuestionAnswering/kettle.json", QUESTION))
    assert task.category == "AttributeQuestionAnswering" and task.task_text.startswith("What colour")
    assert task.options == ("go to the stove", 'answer "red"', 'answer "white"')
    assert task.predicates == (Answered(answer="white"),)
    assert task.agent_position == (1.5, 0.0, -2.0) and task.agent_rotation == (0.0, 90.0, 0.0)
    assert not task.has_humans


def test_a_benchmark_folder_in_index_order_with_string_predicates(tmp_path: Path) -> None:
    write(tmp_path, "AttributeQuestionAnswering/kettle.json", QUESTION)
    write(tmp_path, "ObjectInteraction/mug.json", {**CARRY, "humans": [{"asset": "someone"}]})
    index = [{"index": 0, "task_file": "ObjectInteraction/mug.json"},
             {"index": 1, "task_file": "AttributeQuestionAnswering/kettle.json"}]  # fmt: skip
    write(tmp_path, "tasks.json", index)
    first, second = read_tasks(tmp_path)
    assert (first.category, second.category) == ("ObjectInteraction", "AttributeQuestionAnswering")
    assert first.predicates == (Holding(object="4"), Near(subject="4", object="9"), Near(subject=AGENT, object="9"))
    assert first.has_humans
    # the predicates evaluate on a state built from any simulator's instance ids
    state = WorldState(agent=(0.0, 0.0), objects={"4": (0.0, 0.0), "9": (1.0, 0.0)}, holding="4")
    assert check(first.predicates, state, state) == [True, True, True]


@pytest.mark.parametrize(
    ("entry", "predicate"),
    [
        ('choose answer "light blue"', Answered(answer="light blue")),
        ("agent_at 3", At(subject=AGENT, object="3")),
        ("not_near 3 5", NotNear(subject="3", object="5")),
        ("closer 3 5", Closer(subject="3", object="5")),
        ({"predicate_type": "at", "objects": [3, 5]}, At(subject="3", object="5")),
    ],
)
def test_predicate_forms(entry, predicate) -> None:
    assert parse_predicate(entry) == predicate


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "task file not found"),
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "a task file holds one JSON object"),
        ({**QUESTION, "task_text": None}, "'task_text' must be a str"),
        ({k: v for k, v in QUESTION.items() if k != "options"}, "missing 'options'"),
        ({**QUESTION, "agent_position": [1, 2]}, "'agent_position' must be three numbers"),
        ({**QUESTION, "predicates": ["levitate 1 2"]}, "unsupported predicate 'levitate'"),
        ({**QUESTION, "predicates": ["closer 4"]}, "needs 2 object id(s), got 1"),
        ({**QUESTION, "predicates": ["in 4"]}, "needs at least 2 object id(s), got 1"),
        ({**QUESTION, "predicates": ["special_action_success"]}, "names no option"),
        ({**QUESTION, "predicates": [{"predicate_type": "choose"}]}, "missing 'right_answer_content'"),
        ({**QUESTION, "predicates": [7]}, "a predicate is an object or a string"),
        ({**QUESTION, "options": [{"option_type": "Answer"}]}, "missing 'option_text'"),
    ],
)
def test_bad_task_files_fail_in_one_line(tmp_path: Path, content, message: str) -> None:
    path = tmp_path / "Navigation" / "bad.json"
    if content is not None:
        write(tmp_path, "Navigation/bad.json", content)
    with pytest.raises(ConfigError) as caught:
        read_task(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_bad_index_files_fail_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"task file not found: .*tasks\.json"):
        read_tasks(tmp_path)
    write(tmp_path, "tasks.json", [{"index": 0, "task_file": "flat.json"}])
    with pytest.raises(ConfigError, match=r"entry 0 needs a task_file .<category>/<file>\.json."):
        read_tasks(tmp_path)
    write(tmp_path, "tasks.json", [{"index": 0, "task_file": "Navigation/missing.json"}])
    with pytest.raises(ConfigError, match=r"task file not found: .*missing\.json"):
        read_tasks(tmp_path)
