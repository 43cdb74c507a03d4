"""The domestic-robot PCA domain: exact shortest plans, items checked against minigrid itself, images, the loop."""

from __future__ import annotations

import copy
import random
import subprocess
import sys

import numpy as np
import pytest

from mmgym.tasks.pca.env import domestic_rules as rules
from mmgym.tasks.pca.env.domestic_rules import DROP, FORWARD, LEFT, PICKUP, RIGHT, TOGGLE, Goal, Thing

BALL, KEY, BOX = Thing("ball", "red"), Thing("key", "yellow"), Thing("box", "green")
DOOR = Thing("door", "yellow")


def test_the_rules_module_needs_no_minigrid() -> None:
    code = "import sys, mmgym.tasks.pca.env.domestic; sys.exit('minigrid' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ---- shortest plans on hand-drawn rooms ---------------------------------------------------------

ROOM = ["######", "#....#", "#....#", "#....#", "#....#", "######"]


def world(rows: list[str], goal: Goal, **things: Thing) -> tuple[rules.World, rules.State]:
    return rules.parse(rows, goal, things)


def test_a_target_beside_the_agent_is_faced_with_one_turn() -> None:
    w, s = world(["######", "#....#", "#.<..#", "######"], Goal("goto", cells=frozenset({(2, 1)})))
    solution = rules.solve(w, s)
    # Facing west at (2, 2): the target (2, 1) is to the right (north); one right turn faces it.
    assert (solution.steps, solution.acceptable) == (1, frozenset({RIGHT}))


def test_a_target_straight_behind_makes_both_turns_shortest() -> None:
    w, s = world(["######", "#.b..#", "#....#", "#.v..#", "######"], Goal("pickup", objects=frozenset({0})), b=BALL)
    solution = rules.solve(w, s)
    assert solution.acceptable == frozenset({LEFT, RIGHT})
    assert solution.steps == 4  # turn, turn, forward, pick up


def test_walking_into_a_wall_or_grabbing_air_does_nothing_and_is_never_acceptable() -> None:
    w, s = world(["#####", "#.^.#", "#...#", "#b..#", "#####"], Goal("pickup", objects=frozenset({0})), b=BALL)
    for action in (FORWARD, PICKUP, DROP, TOGGLE):
        assert rules.step(w, s, action) == (s, False)
    assert not {FORWARD, PICKUP, DROP, TOGGLE} & rules.solve(w, s).acceptable


def test_a_locked_door_needs_its_key_first() -> None:
    rows = ["#####", "#...#", "#.>.D", "#k..#", "#####"]
    w, s = world(rows, Goal("open", doors=frozenset({0})), k=KEY, d=DOOR)
    assert rules.step(w, s._replace(pos=(3, 2)), TOGGLE)[0].doors == (rules.LOCKED,)  # no key: it stays locked
    solution = rules.solve(w, s)
    # Right, forward, right, pick up; then right, forward, right, forward, open: 9. Turning left first
    # (left, left, forward, left, pick up; left, forward, forward, open) is as short.
    assert (solution.steps, solution.acceptable) == (9, frozenset({LEFT, RIGHT}))
    holding = s._replace(pos=(3, 2), carrying=0, places=(None,))
    assert rules.solve(w, holding).acceptable == frozenset({TOGGLE})
    assert rules.solve(w, holding).steps == 1


def test_dropping_next_to_the_anchor_finishes_and_dropping_elsewhere_does_not() -> None:
    rows = ["######", "#....#", "#.^..#", "#....#", "#...x#", "######"]
    w, s = world(rows, Goal("putnext", objects=frozenset({0}), fixed=frozenset({1})), x=BOX)
    w = rules.World(w.walls, (BALL, BOX), w.doors, w.goal)
    holding = s._replace(carrying=0, places=(None, (4, 4)))
    assert rules.step(w, holding, DROP)[1] is False  # (2, 1) is not beside the box
    beside = holding._replace(pos=(3, 3), dir=0)  # facing (4, 3), right above the box
    assert rules.step(w, beside, DROP)[1] is True
    assert rules.solve(w, beside).acceptable == frozenset({DROP})


def test_toggling_a_box_removes_it_as_minigrid_does() -> None:
    w, s = world(["#####", "#>x.#", "#####"], Goal("goto", cells=frozenset({(3, 1)})), x=BOX)
    after, _ = rules.step(w, s, TOGGLE)
    assert after.places == (None,)


def _random_world(rng: random.Random) -> tuple[rules.World, rules.State]:
    cells = [(x, y) for x in range(1, 5) for y in range(1, 5)]
    rng.shuffle(cells)
    kinds = [Thing(rng.choice(["ball", "box", "key"]), rng.choice(["red", "blue"])) for _ in range(rng.randint(1, 4))]
    places = tuple(cells[: len(kinds)])
    walls = frozenset({(x, y) for x in range(6) for y in range(6) if x in (0, 5) or y in (0, 5)})
    kind = rng.choice(["goto", "pickup", "putnext"])
    if kind == "goto":
        goal = Goal("goto", cells=frozenset({places[0]}))
    elif kind == "pickup":
        goal = Goal("pickup", objects=frozenset({0}))
    else:
        goal = Goal("putnext", objects=frozenset({0}), fixed=frozenset({len(kinds) - 1}))
    state = rules.State(cells[len(kinds)], rng.randrange(4), -1, places, ())
    return rules.World(walls, tuple(kinds), (), goal), state


def test_a_star_agrees_with_plain_breadth_first_search_on_random_rooms() -> None:
    rng = random.Random(3)
    for _ in range(60):
        w, s = _random_world(rng)
        fast, slow = rules.solve(w, s), rules.solve_bfs(w, s)
        assert (fast is None) == (slow is None)
        if fast is not None:
            assert (fast.steps, fast.acceptable) == (slow.steps, slow.acceptable)
            state = s
            for action in fast.plan[:-1]:
                state, done = rules.step(w, state, action)
                assert not done
            assert rules.step(w, state, fast.plan[-1])[1] and len(fast.plan) == fast.steps


# ---- generated items, checked against minigrid ----------------------------------------------------

pytest.importorskip("minigrid")

from mmgym.tasks.pca.env import domestic, frozen  # noqa: E402
from mmgym.tasks.pca.env.item import DecisionItem  # noqa: E402

ACTION_OF = {label: action for action, label in domestic.LABELS.items()}


@pytest.fixture(scope="module")
def items() -> list[DecisionItem]:
    return list(frozen.load("domestic")[:12])


def _remaining(env) -> int:
    """The shortest plan's length from the env's own state (re-read from minigrid after a real step)."""
    snap = domestic.snapshot(env)
    assert snap is not None
    solution = rules.solve(*snap)
    return solution.steps if solution is not None else 10**6


def test_the_right_action_shortens_the_plan_by_one_and_no_wrong_one_does(items: list[DecisionItem]) -> None:
    for item in items:
        env = domestic.rebuild(item.scene)
        before = _remaining(env)
        assert before == item.scene["optimal_steps"]
        for index, label in enumerate(item.actions):
            trial = copy.deepcopy(env)
            _, reward, terminated, _, _ = trial.step(ACTION_OF[label])
            after = 0 if terminated and reward > 0 else _remaining(trial)
            if index == item.answer_index:
                assert after == before - 1, (item.index, label)
            else:
                assert after >= before, (item.index, label)


def test_the_searched_plan_completes_the_mission_in_minigrid_and_the_bot_is_no_shorter(
    items: list[DecisionItem],
) -> None:
    for item in items:
        start = domestic.rebuild({**item.scene, "actions": ""})
        bot_steps = len(domestic.bot_actions(start) or []) - item.scene["steps"]  # the scene follows the bot
        env = domestic.rebuild(item.scene)
        plan = rules.solve(*domestic.snapshot(env)).plan
        for count, action in enumerate(plan, start=1):
            _, reward, terminated, _, _ = env.step(action)
            assert terminated == (count == len(plan))
        assert reward > 0 and bot_steps >= len(plan)


def test_items_rebuild_from_their_scene(items: list[DecisionItem]) -> None:
    for item in items[:6]:
        scene = {key: item.scene[key] for key in ("level", "seed", "actions")}
        env = domestic.rebuild(scene)
        assert f"'{env.mission}'" in item.question
        again = domestic.decide(env, domestic._rng(scene["seed"], len(scene["actions"])), item.index, scene)
        assert again == item
        assert again == domestic.DOMAIN.generate(item.scene["seed"], item.index)


def test_the_reference_texts_name_the_concepts_as_the_judge_expects(items: list[DecisionItem]) -> None:
    for item in items:
        reasoning, paraphrase, wrong = item.reasoning.lower(), item.paraphrase.lower(), item.wrong_reasoning.lower()
        assert 1 <= len(item.key_concepts) <= 3 and 2 <= len(item.false_facts) <= 3
        for concept in item.key_concepts:
            assert concept.name.lower() in reasoning and concept.name.lower() not in paraphrase
            assert any(synonym in paraphrase for synonym in concept.synonyms)
            assert not any(words in wrong for words in (concept.name.lower(), *concept.synonyms))
        assert item.answer in item.reasoning and item.answer in item.wrong_reasoning


def test_the_render_is_deterministic_square_and_shows_the_heading(items: list[DecisionItem]) -> None:
    item = items[0]
    image = domestic.DOMAIN.render(item, 256)
    assert image.shape == (256, 256, 3) and image.dtype == np.uint8 and image.std() > 10
    assert np.array_equal(image, domestic.DOMAIN.render(item, 256))
    assert domestic.DOMAIN.render(item, 100).shape == (100, 100, 3)
    env = domestic.rebuild(item.scene)
    headings = set()
    for direction in range(4):
        env.agent_dir = direction
        headings.add(domestic.render_env(env, 256).tobytes())
    assert len(headings) == 4


def test_the_closed_loop_fed_the_answers_finishes_the_mission(items: list[DecisionItem]) -> None:
    for item in items[:4]:
        loop = domestic.DOMAIN.closed_loop(item, 8)
        decisions, outcome = 0, None
        while outcome is None or not outcome.done:
            decision = loop.item()
            assert decision is not None and loop.frame(64).shape == (64, 64, 3)
            outcome = loop.act(decision.answer)
            decisions += 1
        assert outcome.reached and not outcome.failed
        assert decisions == item.scene["optimal_steps"] == outcome.measures["steps"]
        assert loop.item() is None
        loop.close()


def test_the_closed_loop_gives_up_when_the_budget_is_spent(items: list[DecisionItem]) -> None:
    loop = domestic.DOMAIN.closed_loop(items[0], 8)
    outcome = None
    for _ in range(loop.budget):
        outcome = loop.act("Turn left")
        if outcome.done:
            break
    assert outcome.done and outcome.failed and not outcome.reached


def test_the_first_frozen_items_regenerate_identically() -> None:
    fresh = [item.model_dump(mode="json") for item in frozen.generate("domestic", 10)]
    assert fresh == [item.model_dump(mode="json") for item in frozen.load("domestic")[:10]]
