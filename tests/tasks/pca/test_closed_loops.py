"""The closed loop's outcomes per domain (`suite=pca_loop`): `reached` and `survived` on frozen scenes played
to a chosen end through the env. Driving's goal is to get through the loop's decisions without a crash (it
once needed 30 decisions where the suite allows 20, so it was never reached)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mmgym.agents.scripted import ExpertAgent
from mmgym.runners.evaluate import evaluate
from mmgym.tasks.pca.env import frozen
from mmgym.tasks.pca.env.env import PCAEnv
from mmgym.tasks.pca.suite import PCASuite


def play(domain: str, index: int, decisions: int, choose: Any) -> dict[str, Any]:
    """Play one frozen item's scene as a loop, choosing with `choose(item)`; the last info."""
    env = PCAEnv(image_size=32, decisions=decisions)
    try:
        env.reset(options={"item": frozen.load(domain)[index].model_dump()})
        for _ in range(decisions):
            _, _, terminated, truncated, info = env.step(choose(env.item))
            assert info["valid"], info["feedback"]
            if terminated or truncated:
                break
        return info
    finally:
        env.close()


def answer(item: Any) -> str:
    return item.answer


def test_driving_is_reached_by_getting_through_the_loops_decisions_without_a_crash() -> None:
    info = play("driving", 0, 4, answer)  # two decisions, then the road offers no further one
    assert info["decisions"] == 2 and info["reached"] and not info["failed"] and info["success"]
    keep = "Keep driving in the current lane"
    through = play("driving", 0, 4, lambda item: keep if keep in item.actions else item.answer)
    assert through["decisions"] == 4 and through["reached"] and not through["failed"]
    crashed = play("driving", 1, 4, lambda item: "Speed up")  # into the car ahead
    assert crashed["failed"] and not crashed["reached"] and not crashed["success"]


def test_domestic_is_reached_when_the_mission_is_done_and_failed_when_the_budget_is_spent() -> None:
    done = play("domestic", 0, 20, answer)
    assert done["reached"] and not done["failed"]
    wrong = play("domestic", 0, 20, lambda item: item.actions[(item.answer_index + 1) % len(item.actions)])
    assert not wrong["reached"] and (wrong["failed"] or wrong["decisions"] == 20)


def test_game_is_reached_when_the_wanted_achievement_unlocks() -> None:
    reached = [play("game", index, 20, answer)["reached"] for index in range(3)]
    assert any(reached)


@pytest.mark.parametrize("domain", ["driving", "domestic", "game"])
def test_the_suite_reports_reached_and_survived_from_the_loops(tmp_path: Path, domain: str) -> None:
    suite = PCASuite(closed_loop=True, decisions=6, items=3, domains=[domain], image_size=32)
    results = evaluate(suite, ExpertAgent, tmp_path, show_progress=False)
    overall = results.overall()
    assert results.errors == 0 and overall["reached"].mean > 0.0 and overall["survived"].mean > 0.0
