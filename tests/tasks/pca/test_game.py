"""The Crafter game domain: the rules on hand-built situations, every offered action tried in the rebuilt
Crafter state, rebuilt scenes and images, the closed loop, and the frozen set regenerating identically."""

from __future__ import annotations

import copy
import importlib.util
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from mmgym.tasks.pca.env import frozen
from mmgym.tasks.pca.env.game_rules import (
    ACTIONS,
    ATTACK,
    DRINK,
    EAT,
    ITEM_ORDER,
    MINE,
    PICKAXE,
    SLEEP,
    STAT_NAMES,
    TABLE,
    TABLE_WOOD,
    WOOD,
    ZOMBIE_NEAR,
    Situation,
    clear,
    decide,
    failure,
    make_item,
    paraphrase,
    question,
    reasoning,
    wrong_reasoning,
)
from mmgym.tasks.pca.env.item import DecisionItem

needs_crafter = pytest.mark.skipif(importlib.util.find_spec("crafter") is None, reason="crafter is not installed")


# ---- the rules, on hand-built situations -----------------------------------------------------------
@pytest.mark.parametrize(
    ("situation", "answer"),
    [
        (Situation(facing="zombie", health=5), ATTACK),
        (Situation(facing="zombie", health=2), None),  # too close to call
        (Situation(facing="tree", zombie=3), None),  # a zombie near blurs everything else
        (Situation(facing="tree", skeleton=4), None),
        (Situation(facing="water", drink=3, energy=2), DRINK),  # drinking comes before sleeping
        (Situation(facing="water", drink=8), None),
        (Situation(facing="cow", food=4), EAT),
        (Situation(facing="cow", food=9), None),
        (Situation(energy=3, table_near=True, inventory={"wood": 2}), SLEEP),
        (Situation(table_near=True, inventory={"wood": 1}), PICKAXE),
        (Situation(table_near=True, inventory={"wood": 1, "wood_pickaxe": 1}), None),
        (Situation(facing="stone", inventory={"wood_pickaxe": 1}), MINE),
        (Situation(facing="stone"), None),
        (Situation(facing="grass", inventory={"wood": TABLE_WOOD}), TABLE),
        (Situation(facing="water", inventory={"wood": TABLE_WOOD}), None),  # nowhere to put it
        (Situation(facing="tree", inventory={"wood": TABLE_WOOD}), WOOD),
        (Situation(facing="tree", inventory={"wood": 7}), None),
        (Situation(facing="zombie", sleeping=True), None),
    ],
)
def test_rules_pick_one_answer(situation: Situation, answer: str | None) -> None:
    decision = decide(situation)
    assert (decision.answer if decision else None) == answer


def test_wrong_actions_fail_their_precondition_or_do_harm() -> None:
    here = Situation(facing="grass", energy=9, inventory={"wood": 1})
    assert failure(DRINK, here) and failure(EAT, here) and failure(ATTACK, here) and failure(WOOD, here)
    assert failure(TABLE, here)  # one wood is not enough
    assert failure(PICKAXE, here)  # no table near
    assert failure(SLEEP, here)  # energy full
    assert failure(MINE, Situation(facing="stone"))  # no pickaxe
    assert failure(TABLE, Situation(facing="tree", inventory={"wood": 5}))  # no free ground
    assert failure(SLEEP, Situation(facing="zombie", energy=4, zombie=1))  # harm
    assert failure(SLEEP, Situation(energy=4)) is None
    assert failure(PICKAXE, Situation(table_near=True, inventory={"wood": 1})) is None


@pytest.mark.parametrize("seed", range(12))
def test_items_offer_exactly_one_workable_action(seed: int) -> None:
    situations = [
        Situation(facing="zombie", health=6, energy=5, inventory={"wood": 3}),
        Situation(facing="water", drink=2, table_near=True),
        Situation(facing="cow", food=3, inventory={"sapling": 1}),
        Situation(energy=1),
        Situation(table_near=True, facing="tree", inventory={"wood": 4}),
        Situation(facing="stone", inventory={"wood_pickaxe": 1, "wood": 5}),
        Situation(facing="sand", inventory={"wood": 3}),
        Situation(facing="tree"),
    ]
    for s in situations:
        item = make_item(s, np.random.RandomState(seed), 0, {})
        assert item is not None and clear(s)
        assert 3 <= len(item.actions) <= 5
        wrong = [a for i, a in enumerate(item.actions) if i != item.answer_index]
        assert all(failure(a, s) for a in wrong), (s, item.actions)
        assert failure(item.answer, s) is None
        assert item == make_item(s, np.random.RandomState(seed), 0, {})  # deterministic in the seed
    answers = {make_item(s, np.random.RandomState(seed), 0, {}).answer for s in situations}
    assert answers == set(ACTIONS)


def _check_texts(item: DecisionItem) -> None:
    """Reasoning names every concept; the paraphrase only by synonyms; the wrong reasoning by neither."""
    for concept in item.key_concepts:
        assert concept.name in item.reasoning
        assert concept.name.lower() not in item.paraphrase.lower()
        assert any(word in item.paraphrase.lower() for word in concept.synonyms), (concept, item.paraphrase)
        assert all(word == word.lower() for word in concept.synonyms) and 2 <= len(concept.synonyms) <= 4
    words = [w.lower() for c in item.key_concepts for w in (c.name, *c.synonyms)]
    assert not [w for w in words if w in item.wrong_reasoning.lower()]
    for text in (item.reasoning, item.paraphrase, item.wrong_reasoning):
        assert f'"{item.answer}".' in text
    assert 2 <= len(item.false_facts) <= 3 and 1 <= len(item.key_concepts) <= 3


def test_texts_of_every_rule() -> None:
    for s in (Situation(facing="zombie"), Situation(facing="water", drink=1), Situation(facing="cow", food=1),
              Situation(energy=2), Situation(table_near=True, inventory={"wood": 2}),
              Situation(facing="stone", inventory={"wood_pickaxe": 1}), Situation(inventory={"wood": 2}),
              Situation(facing="tree"), Situation(facing="tree", inventory={"wood": 3})):  # fmt: skip
        decision = decide(s)
        assert decision is not None
        _check_texts(make_item(s, np.random.RandomState(0), 0, {}))
        assert paraphrase(decision) != reasoning(decision) != wrong_reasoning(decision)
    text = question(Situation(health=6, food=3, drink=2, energy=8, inventory={"wood": 2, "wood_pickaxe": 1}))
    assert "health is 6/9, food 3/9, drink 2/9, energy 8/9; you carry 2 wood and 1 wooden pickaxe." in text


def test_frozen_items_follow_the_rules() -> None:
    items = frozen.load("game")
    assert len(items) == frozen.ITEMS_PER_DOMAIN
    assert {item.answer for item in items} == set(ACTIONS)
    for item in items:
        s = Situation(**item.scene["state"])
        assert decide(s).answer == item.answer
        assert all(failure(a, s) for i, a in enumerate(item.actions) if i != item.answer_index)
        assert question(s) == item.question
        _check_texts(item)


# ---- in Crafter ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def game() -> ModuleType:
    from mmgym.tasks.pca.env import game

    return game


@needs_crafter
def test_constants_match_crafter() -> None:
    from crafter import constants

    assert constants.place["table"]["uses"] == {"wood": TABLE_WOOD}
    assert constants.make["wood_pickaxe"]["uses"] == {"wood": 1}
    assert constants.collect["stone"]["require"] == {"wood_pickaxe": 1}
    assert tuple(name for name in constants.items if name not in STAT_NAMES) == ITEM_ORDER


@needs_crafter
def test_fast_noise_builds_crafters_own_world(game: ModuleType) -> None:
    import crafter

    plain = crafter.Env(seed=3)
    plain.reset()
    ours = game._new_env(3)
    assert (plain._world._mat_map == ours._world._mat_map).all()
    assert [(type(o), tuple(o.pos)) for o in plain._world.objects] == [
        (type(o), tuple(o.pos)) for o in ours._world.objects
    ]


def _faced(env: Any) -> tuple:
    player = env._player
    target = player.pos + np.array(player.facing)
    return target, *env._world[target]


def _does_what_it_says(env: Any, action: str) -> bool:
    """Apply the action's primitive once in a copy of `env` and look at what changed (independent of the rules)."""
    env = copy.deepcopy(env)
    player = env._player
    target, _, creature = _faced(env)
    before = dict(player.inventory)
    health = creature.health if creature is not None else None
    primitive = {SLEEP: "sleep", TABLE: "place_table", PICKAXE: "make_wood_pickaxe"}.get(action, "do")
    env.step(env.action_names.index(primitive))
    after = player.inventory
    if action in (ATTACK, EAT):
        kind = "zombie" if action == ATTACK else "cow"
        return type(creature).__name__.lower() == kind and (creature.removed or creature.health < health)
    return {
        WOOD: after["wood"] == before["wood"] + 1,
        MINE: after["stone"] == before["stone"] + 1,
        DRINK: after["drink"] == before["drink"] + 1,
        TABLE: env._world[target][0] == "table" and after["wood"] == before["wood"] - TABLE_WOOD,
        PICKAXE: after["wood_pickaxe"] == before["wood_pickaxe"] + 1,
        SLEEP: bool(player.sleeping),
    }[action]


def _zombie_distance(env: Any) -> int:
    zombies = [o for o in env._world.objects if type(o).__name__ == "Zombie"]
    return min((int(np.abs(o.pos - env._player.pos).sum()) for o in zombies), default=99)


@needs_crafter
def test_frozen_items_regenerate_identically() -> None:
    fresh = frozen.generate("game", 3)
    assert [i.model_dump(mode="json") for i in fresh] == [i.model_dump(mode="json") for i in frozen.load("game")[:3]]


@needs_crafter
@pytest.mark.parametrize("answer", ACTIONS)
def test_offered_actions_in_crafter(game: ModuleType, answer: str) -> None:
    """The first frozen item of each answer: every offered action applied to the rebuilt Crafter state."""
    item = next(item for item in frozen.load("game") if item.answer == answer)
    env = game._rebuild(item.scene)
    assert game.situation(env).to_json() == item.scene["state"]  # the rebuilt scene is the stored one
    assert _does_what_it_says(env, item.answer), item.answer
    for action in item.actions:
        if action == item.answer:
            continue
        if action == SLEEP and item.scene["state"]["energy"] < 9:
            assert _zombie_distance(env) <= ZOMBIE_NEAR  # it works, but next to a zombie
        else:
            assert not _does_what_it_says(env, action), action


@needs_crafter
def test_render_is_deterministic_sized_and_shows_the_inventory(game: ModuleType) -> None:
    item = frozen.load("game")[0]
    image = game.DOMAIN.render(item, 96)
    assert image.shape == (96, 96, 3) and image.dtype == np.uint8
    assert (image == game.DOMAIN.render(item, 96)).all()
    assert image.std() > 10
    unit = 96 // 9
    assert image[7 * unit : 9 * unit].max() > 0  # the stats and inventory rows under the map
    assert game.DOMAIN.render(item, 64).shape == (64, 64, 3)


@needs_crafter
def test_closed_loop_runs_several_decisions(game: ModuleType) -> None:
    item = frozen.load("game")[1]
    loop = game.DOMAIN.closed_loop(item, 8)
    assert loop.item() == item
    decisions = 0
    while decisions < 4:
        current = loop.item()
        if current is None:
            break
        frame = loop.frame(64)
        assert frame.shape == (64, 64, 3)
        if decisions:  # a later decision's scene rebuilds to the loop's own state
            assert (game.DOMAIN.render(current, 64) == frame).all()
        outcome = loop.act(current.answer)
        decisions += 1
        assert {"health", "food", "drink", "energy", "achievements"} <= set(outcome.measures)
        assert outcome.feedback
        if outcome.done:
            assert outcome.failed == (outcome.measures["health"] <= 0)
            break
    assert decisions >= 2
    with pytest.raises(ValueError, match="not a game action"):
        loop.act("Fly away")
    loop.close()
