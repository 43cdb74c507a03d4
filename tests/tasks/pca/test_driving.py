"""The PCA driving domain: its rules on hand-built states, and items checked against highway-env itself."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from mmgym.tasks.pca.env import driving, frozen
from mmgym.tasks.pca.env import driving_rules as rules
from mmgym.tasks.pca.env.item import DecisionItem

pytest.importorskip("highway_env")  # `driving` imports it lazily, so the module above loads without it

FAR = rules.LaneTraffic()  # nobody near in that lane


def state(lane: int, lanes: int, speed: float = 25.0, **per_lane: rules.LaneTraffic) -> rules.Traffic:
    """A hand-built state; `per_lane` keys are `l0`, `l1`, ... (lanes not given are empty)."""
    traffic = tuple(per_lane.get(f"l{i}", FAR) for i in range(lanes))
    return rules.Traffic(lanes, lane, speed, 30.0, 15.0, traffic)


SLOW_AHEAD = rules.LaneTraffic(ahead=rules.Neighbour(gap=15.0, rel_speed=-4.0))
BESIDE = rules.LaneTraffic(ahead=rules.Neighbour(gap=-2.0, rel_speed=0.0))


def test_a_slower_car_ahead_sends_me_to_a_free_left_lane_first() -> None:
    decision = rules.decide(state(1, 3, l1=SLOW_AHEAD))
    assert decision is not None and decision.answer == "LANE_LEFT"
    assert set(decision.wrong) == {"IDLE", "FASTER"}  # the free right lane and slowing down are not offered


def test_a_slower_car_ahead_with_the_left_lane_occupied_sends_me_right() -> None:
    decision = rules.decide(state(1, 3, l0=BESIDE, l1=SLOW_AHEAD))
    assert decision is not None and decision.answer == "LANE_RIGHT"
    assert set(decision.wrong) == {"IDLE", "FASTER", "LANE_LEFT"}


def test_a_slower_car_ahead_with_nowhere_to_go_means_slowing_down() -> None:
    decision = rules.decide(state(0, 2, l0=SLOW_AHEAD, l1=BESIDE))
    assert decision is not None and decision.answer == "SLOWER"
    assert set(decision.wrong) == {"IDLE", "FASTER", "LANE_LEFT", "LANE_RIGHT"}
    assert "no lane" in decision.wrong["LANE_LEFT"] and "beside me" in decision.wrong["LANE_RIGHT"]


def test_no_item_when_one_step_of_braking_cannot_help_or_someone_is_on_my_tail() -> None:
    closing_fast = rules.LaneTraffic(ahead=rules.Neighbour(gap=25.0, rel_speed=-8.0))
    assert rules.decide(state(0, 2, l0=closing_fast, l1=BESIDE)) is None
    tailgated = rules.LaneTraffic(ahead=SLOW_AHEAD.ahead, behind=rules.Neighbour(gap=4.0, rel_speed=0.0))
    assert rules.decide(state(0, 2, l0=tailgated, l1=BESIDE)) is None


def test_a_clear_road_means_speed_up_below_the_limit_and_keep_driving_at_it() -> None:
    below = rules.decide(state(1, 3, speed=20.0))
    assert below is not None and below.answer == "FASTER"
    assert set(below.wrong) == {"SLOWER", "LANE_LEFT", "LANE_RIGHT"}  # keeping the speed is not offered
    at_limit = rules.decide(state(0, 2, speed=30.0))
    assert at_limit is not None and at_limit.answer == "IDLE"
    assert "FASTER" not in at_limit.wrong and "no lane" in at_limit.wrong["LANE_LEFT"]


def test_following_a_car_at_my_speed_means_keeping_the_distance() -> None:
    following = rules.LaneTraffic(ahead=rules.Neighbour(gap=14.0, rel_speed=0.3))
    decision = rules.decide(state(0, 3, l0=following))
    assert decision is not None and decision.answer == "IDLE"
    assert set(decision.wrong) == {"FASTER", "LANE_LEFT"}
    assert rules.decide(state(1, 3, speed=30.0, l1=following)) is None  # nothing clearly wrong at the top speed


def test_emergencies_and_in_between_states_give_no_item() -> None:
    assert rules.ahead_status(state(1, 3, l1=rules.LaneTraffic(ahead=rules.Neighbour(6.0, -5.0)))) == "emergency"
    middle = rules.LaneTraffic(ahead=rules.Neighbour(gap=35.0, rel_speed=-3.0))
    assert rules.ahead_status(state(1, 3, l1=middle)) == "unclear"
    assert rules.decide(state(1, 3, l1=middle)) is None


def test_side_lanes_are_free_occupied_off_road_or_unclear() -> None:
    fast_from_behind = rules.LaneTraffic(behind=rules.Neighbour(gap=15.0, rel_speed=6.0))
    traffic = state(1, 3, l0=BESIDE, l2=fast_from_behind)
    assert rules.side_status(traffic, 0) == "occupied"
    assert rules.side_status(traffic, 2) == "unclear"
    assert rules.side_status(traffic, 3) == "off_road"
    assert rules.side_status(state(1, 3), 0) == "free"


# ---- generated items, checked against the simulator -------------------------------------------------------------


@pytest.fixture(scope="module")
def items() -> list[DecisionItem]:
    return frozen.generate("driving", 3)


def test_the_first_frozen_items_regenerate_identically(items: list[DecisionItem]) -> None:
    stored = frozen.load("driving")[: len(items)]
    assert [i.model_dump(mode="json") for i in items] == [i.model_dump(mode="json") for i in stored]


def test_items_have_one_right_action_and_words_a_judge_can_check(items: list[DecisionItem]) -> None:
    for item in items:
        assert 3 <= len(item.actions) <= 5 and set(item.actions) <= set(driving.TEXT.values())
        assert item.reasoning.endswith(f"to {item.answer.lower()}.")
        names = [c.name for c in item.key_concepts]
        words = [w for c in item.key_concepts for w in (c.name.lower(), *c.synonyms)]
        assert all(name in item.reasoning for name in names)
        assert not any(name in item.paraphrase for name in names)
        assert all(any(s in item.paraphrase.lower() for s in c.synonyms) for c in item.key_concepts)
        assert not any(word in item.wrong_reasoning.lower() for word in words)
        assert item.wrong_reasoning.endswith(f"to {item.answer.lower()}.")
        assert 2 <= len(item.false_facts) <= 3


def _rollout(env: Any, action: str, steps: int) -> tuple[int | None, float, float]:
    """Take `action`, then keep driving: (step of a crash or None, smallest gap to the car ahead, metres driven)."""
    env = copy.deepcopy(env)
    start, smallest = env.vehicle.position[0], np.inf
    for step in range(steps):
        driving._step(env, action if step == 0 else "IDLE")
        if env.vehicle.crashed:
            return step, 0.0, env.vehicle.position[0] - start
        ego = env.vehicle
        for other in env.road.vehicles:
            if other is not ego and other.lane_index == ego.lane_index and other.position[0] > ego.position[0]:
                smallest = min(smallest, other.position[0] - ego.position[0] - ego.LENGTH)
    return None, smallest, env.vehicle.position[0] - start


def test_the_simulator_confirms_the_answer_and_the_wrong_options(items: list[DecisionItem]) -> None:
    """Independent of the rules: the right action does not crash within 3 s; each wrong one crashes or comes
    within 3 m of a car within 6 s, or drives clearly less far, or changes lanes for no gain, or leaves the road."""
    for item in items:
        env = driving.build(item.scene)
        lane, lanes = env.vehicle.lane_index[2], env.config["lanes_count"]
        right_crash, _, right_metres = _rollout(env, driving.parse_action(item.answer), 6)
        assert right_crash is None or right_crash >= 3, item.index
        for text in item.actions:
            action = driving.parse_action(text)
            if text == item.answer:
                continue
            if (action, lane) in (("LANE_LEFT", 0), ("LANE_RIGHT", lanes - 1)):
                continue  # no such lane: wrong by the road's geometry (highway-env ignores the command)
            crash, gap, metres = _rollout(env, action, 6)
            lane_change_for_nothing = action.startswith("LANE") and metres <= right_metres + 1
            assert crash is not None or gap < 3 or metres < right_metres - 2 or lane_change_for_nothing, (item, text)
        driving.release(env)


def test_rebuilt_scenes_give_back_the_stored_item(items: list[DecisionItem]) -> None:
    for item in items[:4]:
        env = driving.build(item.scene)
        assert driving._item_at(env, item.scene, item.index) == item
        driving.release(env)


def test_render_is_square_deterministic_and_shows_the_green_ego_car(items: list[DecisionItem]) -> None:
    item = items[0]
    image = driving.DOMAIN.render(item, 256)
    assert image.shape == (256, 256, 3) and image.dtype == np.uint8
    driving._cached_view.cache_clear()
    assert np.array_equal(image, driving.DOMAIN.render(item, 256))
    assert image.std() > 10  # not blank
    green = (image[..., 1] > 150) & (image[..., 0] < 120) & (image[..., 2] < 80)
    assert green.sum() > 20  # highway-env draws the ego car green
    _, cols = np.nonzero(green)
    assert cols.mean() < 128  # 20 m behind, 50 m ahead: the ego car sits in the left part


def test_the_closed_loop_drives_several_decisions(items: list[DecisionItem]) -> None:
    loop = driving.DOMAIN.closed_loop(items[0], 8)
    try:
        first = loop.item()
        assert first == items[0]  # the loop starts from the item's own state
        for _ in range(4):
            current = loop.item()
            assert loop.frame(64).shape == (64, 64, 3)
            outcome = loop.act(current.answer if current else driving.TEXT["IDLE"])
            assert outcome.measures["distance_m"] > 0 and outcome.measures["speed"] > 0
            if outcome.done:
                break
        with pytest.raises(ValueError, match="not a driving action"):
            loop.act("fly")
    finally:
        loop.close()
