"""What an unparseable reply costs under each play rule, the limit on refused actions, and replies that end
an episode after their actions; on the corridor maze (four moves right to the goal; `left` hits a wall)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from pydantic import ValidationError

from mmgym.core.agent import AgentReply, EpisodeContext, Turn
from mmgym.core.records import EpisodeRecord, StepRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.runners.rollout import run_episode

SpecFactory = Callable[..., EpisodeSpec]
UNPARSEABLE = AgentReply(parse_error="no JSON object", model_output="???")


class ReplyingAgent:
    """Gives the scripted replies in order (the last one repeats)."""

    def __init__(self, replies: Sequence[AgentReply]) -> None:
        self.replies = list(replies)
        self.calls = 0

    async def reset(self, context: EpisodeContext) -> None:
        self.context = context

    async def act(self, turn: Turn) -> AgentReply:
        self.calls += 1
        return self.replies[min(self.calls, len(self.replies)) - 1]


def moves(*actions: str) -> AgentReply:
    return AgentReply(actions=list(actions), model_output=" ".join(actions))


def under(spec: EpisodeSpec, **rules: Any) -> EpisodeSpec:
    return EpisodeSpec(**{**spec.model_dump(), "rules": PlayRules(**{**spec.rules.model_dump(), **rules})})


def play(spec: EpisodeSpec, replies: Sequence[AgentReply]) -> tuple[EpisodeRecord, ReplyingAgent]:
    agent = ReplyingAgent(replies)
    return asyncio.run(run_episode(spec, agent)), agent


def test_by_default_an_unparseable_reply_costs_a_step_that_changes_nothing(maze_spec: SpecFactory) -> None:
    record, _ = play(maze_spec(), [UNPARSEABLE, moves("right", "right", "right", "right")])
    assert record.success and [s.action for s in record.steps] == ["", "right", "right", "right", "right"]
    assert record.usage["parse_failures"] == 1 and record.usage["invalid_actions"] == 0
    assert "parse_failures_without_step" not in record.usage and "random_actions" not in record.usage


def test_a_free_unparseable_reply_uses_no_step_and_counts_toward_the_limit(maze_spec: SpecFactory) -> None:
    spec = under(maze_spec(), unparseable="free", max_invalid=3)
    record, agent = play(spec, [UNPARSEABLE, moves("left"), UNPARSEABLE, moves("right")])
    # two unparseable replies and one refused move: the third refusal ends the episode before the fourth call
    assert agent.calls == 3 and [s.action for s in record.steps] == ["left"]
    assert record.stop_reason == "3 refused actions and unparseable replies (the limit is 3)"
    assert not record.success and record.usage["parse_failures_without_step"] == 2
    assert record.usage["invalid_actions"] == 1 and len(record.turns) == 3


def test_the_limit_counts_refused_actions_of_a_plan(maze_spec: SpecFactory) -> None:
    spec = under(maze_spec(), max_invalid=2)
    record, agent = play(spec, [moves("left"), moves("left"), moves("right")])
    assert agent.calls == 2 and record.stop_reason.startswith("2 refused actions")


def test_a_free_reply_needs_a_limit() -> None:
    with pytest.raises(ValidationError, match="needs max_invalid"):
        PlayRules(unparseable="free")


def test_a_random_fallback_draws_a_listed_action_marks_its_step_and_replays_the_same(maze_spec: SpecFactory) -> None:
    spec = under(maze_spec(max_steps=6), unparseable="random")
    record, _ = play(spec, [UNPARSEABLE])
    assert len(record.steps) == 6 and all(s.random_fallback for s in record.steps)
    assert {s.action for s in record.steps} <= {"up", "down", "left", "right"}
    assert record.usage["random_actions"] == 6 and record.usage["parse_failures"] == 6
    assert record.steps[0].reasoning == "Unparseable reply (no JSON object): drawn at random."
    again, _ = play(spec, [UNPARSEABLE])
    assert [s.action for s in again.steps] == [s.action for s in record.steps]  # seeded by episode and call
    kept = StepRecord.model_validate_json(record.steps[0].model_dump_json())
    assert kept.random_fallback and '"random_fallback":true' in record.steps[0].model_dump_json()


def test_steps_the_agent_chose_do_not_carry_the_fallback_mark(maze_spec: SpecFactory) -> None:
    spec = under(maze_spec(), unparseable="random")
    record, _ = play(spec, [moves("right", "right", "right", "right")])
    assert record.success and "random_fallback" not in record.steps[0].model_dump_json()


def test_a_reply_that_ends_the_episode_runs_its_actions_first(maze_spec: SpecFactory) -> None:
    ending = AgentReply(actions=["right", "right"], model_output="...", stop_reason="action id 9 is not listed")
    record, agent = play(maze_spec(), [ending, moves("right", "right")])
    assert agent.calls == 1 and [s.action for s in record.steps] == ["right", "right"]
    assert record.stop_reason == "action id 9 is not listed" and not record.success


def test_new_play_rules_leave_old_spec_ids_unchanged(maze_spec: SpecFactory) -> None:
    spec = maze_spec()
    dumped = spec.model_dump(mode="json")["rules"]
    assert set(dumped) == {"actions_per_reply", "observation", "history", "max_steps", "single_reply", "hidden_info"}
    changed = under(spec, max_invalid=10)
    assert changed.id != spec.id and changed.model_dump(mode="json")["rules"]["max_invalid"] == 10


def test_a_run_plan_bounds_calls_by_the_steps_and_the_free_replies(maze_spec: SpecFactory) -> None:
    from mmgym.results.plan import max_calls_of

    assert max_calls_of(maze_spec(max_steps=20)) == 20
    assert max_calls_of(under(maze_spec(max_steps=20), unparseable="free", max_invalid=10)) == 30


def test_an_unparseable_reply_can_end_the_episode(maze_spec: SpecFactory) -> None:
    spec = under(maze_spec(), unparseable="ends")
    record, agent = play(spec, [moves("right"), UNPARSEABLE, moves("right")])
    assert agent.calls == 2 and [s.action for s in record.steps] == ["right"] and not record.success
    assert record.stop_reason == "unparseable reply (no JSON object): the play rules end the episode"
