"""Reading a choice from a reply, and the menu as the env rebuilds it each step (BabyAI: no 3D render needed)."""

from __future__ import annotations

import pytest

pytest.importorskip("minigrid")

from mmgym.tasks.embodied_eval.env.env import EmbodiedEvalEnv
from mmgym.tasks.embodied_eval.env.frozen import SETS
from mmgym.tasks.embodied_eval.env.menu import Option, answer_option, menu_text, read_choice

MENU = [Option("move forward"), Option("turn left"), Option("turn right"), answer_option("blue")]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("[2]", (1, "")),
        ("2", (1, "")),
        ("Choice: [4]", (3, "")),
        ("choice 1", (0, "")),
        ("[2] turn left", (1, "")),
        ("Turn Right.", (2, "")),
        ('answer "blue"', (3, "")),
        ("[5]", (None, "out_of_range")),
        ("0", (None, "out_of_range")),
        ("[-1]", (None, "out_of_range")),
        ("[2] turn right", (None, "no_match")),  # the number and the words disagree
        ("fly", (None, "no_match")),
        ("", (None, "no_match")),
    ],
)
def test_read_choice(reply: str, expected: tuple) -> None:
    assert read_choice(reply, MENU) == expected


def test_the_menu_is_numbered_from_one_and_answers_are_quoted() -> None:
    assert menu_text(MENU).splitlines() == ["[1] move forward", "[2] turn left", "[3] turn right", '[4] answer "blue"']


@pytest.fixture(scope="module")
def grid_env():
    env = EmbodiedEvalEnv(image_size=32, observe_image=False)
    yield env
    env.close()


def first(category: str):
    return SETS.load(category).episodes[0].scene


def test_out_of_range_and_unreadable_choices_are_refused_with_feedback_and_change_nothing(grid_env) -> None:
    obs, info = grid_env.reset(options={"scene": first("object_interaction")})
    menu = info["candidate_actions"]
    for reply, error in ((f"[{len(menu) + 1}]", "out_of_range"), ("dance", "no_match")):
        after, reward, terminated, _, info = grid_env.step(reply)
        assert not info["valid"] and info["choice_error"] == error and not terminated and reward == 0.0
        assert f"[1] to [{len(menu)}]" in info["feedback"]
        assert after["text"] == obs["text"] and info["candidate_actions"] == menu


def test_the_menu_is_rebuilt_from_the_state_each_step(grid_env) -> None:
    task = first("object_interaction")
    obs, info = grid_env.reset(options={"scene": task})
    assert "[1] move forward" in obs["instruction"] and obs["instruction"].startswith(task.text)
    plan = grid_env.expert_plan()
    pick = next(i for i, option in enumerate(plan) if option.startswith("pick up"))
    assert pick > 0 and plan[pick] not in info["candidate_actions"]  # not facing the object yet
    for option in plan[:pick]:
        *_, info = grid_env.step(option)
    assert plan[pick] in info["candidate_actions"]  # facing it now: picking it up is offered
    obs, _, _, _, info = grid_env.step(f"[{info['candidate_actions'].index(plan[pick]) + 1}]")
    held = plan[pick].removeprefix("pick up ")
    assert info["valid"] and not any(o.startswith("pick up") for o in info["candidate_actions"])
    assert f"put down {held}" in info["candidate_actions"] or grid_env.world.env.grid.get(*grid_env.world.env.front_pos)
    assert obs["instruction"].endswith(f"[{len(info['candidate_actions'])}] {info['candidate_actions'][-1]}")


def test_an_answer_ends_the_episode_right_or_wrong() -> None:
    env = EmbodiedEvalEnv(image_size=32, observe_image=False, max_steps=3)
    try:
        task = first("spatial_qa")
        right = task.predicates[0].answer
        wrong = next(a for a in task.answers if a != right)
        for answer, success in ((wrong, False), (right, True)):
            _, info = env.reset(options={"scene": task})
            *_, terminated, _, info = env.step(f'answer "{answer}"')
            assert terminated and info["success"] is success and info["answer"] == answer
            assert not env.step("[1]")[-1]["valid"]  # the episode is over
        env.reset(options={"scene": task})
        env.step("turn left")
        *_, info = env.step("turn left")  # the last of 3 steps: only the answers are offered
        assert info["candidate_actions"] == [f'answer "{a}"' for a in task.answers]
        env.reset(options={"scene": task})
        env.step("[99]")  # a refused choice uses up a step as well
        *_, info = env.step("turn left")
        assert info["candidate_actions"] == [f'answer "{a}"' for a in task.answers]
    finally:
        env.close()
