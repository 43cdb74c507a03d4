"""The rollout's rules of play: what reaches the agent (history, modality), one-step plans, errors, limits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import pytest

from mmgym.agents.scripted import OracleAgent
from mmgym.core.agent import AgentReply, EpisodeContext, Turn
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.runners.env_session import make_env
from mmgym.runners.local import LocalRunner
from mmgym.runners.rollout import run_episode

SpecFactory = Callable[..., EpisodeSpec]
# On the corridor: a wall, a move, junk, then three moves to the goal.
SCRIPT = ["left", "right", "jump", "right", "right", "right"]


class RecordingAgent:
    """Replies with scripted action lists and keeps every context and turn it was given."""

    def __init__(self, replies: Sequence[Sequence[str]]) -> None:
        self.replies = [list(r) for r in replies]
        self.contexts: list[EpisodeContext] = []
        self.turns: list[Turn] = []

    async def reset(self, context: EpisodeContext) -> None:
        self.contexts.append(context)

    async def act(self, turn: Turn) -> AgentReply:
        self.turns.append(turn)
        reply = self.replies[min(len(self.turns), len(self.replies)) - 1]
        return AgentReply(actions=reply, reasoning=f"turn {len(self.turns)}")


class FailingAgent(OracleAgent):
    """Plays the oracle, but raises on odd seeds."""

    async def act(self, turn: Turn) -> AgentReply:
        if self.context.seed % 2:
            raise RuntimeError(f"boom on seed {self.context.seed}")
        return await super().act(turn)


def play(spec: EpisodeSpec, agent: Any) -> EpisodeRecord:
    return asyncio.run(run_episode(spec, agent))


def with_env_kwargs(spec: EpisodeSpec, **env_kwargs: Any) -> EpisodeSpec:
    """The spec with other env arguments (a new spec, so its id is computed afresh)."""
    return EpisodeSpec(**{**spec.model_dump(), "env_kwargs": {**spec.env_kwargs, **env_kwargs}})


def with_rules(spec: EpisodeSpec, **rules: Any) -> EpisodeSpec:
    """The spec under other play rules (a new spec, so its id is computed afresh)."""
    return EpisodeSpec(**{**spec.model_dump(), "rules": PlayRules(**{**spec.rules.model_dump(), **rules})})


def one_per_turn(actions: Sequence[str]) -> list[list[str]]:
    return [[a] for a in actions]


# ---- multi-step: history and modality ----------------------------------------------------------


def test_history_reaches_the_agent(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent(one_per_turn(SCRIPT))
    record = play(maze_spec("multi_step-text-history"), agent)
    assert record.success and len(record.steps) == len(agent.turns) == len(SCRIPT)
    assert [s.valid for s in record.steps] == [False, True, False, True, True, True]
    for k, turn in enumerate(agent.turns):
        assert len(turn.history) == k
        for view, step in zip(turn.history, record.steps[:k], strict=True):
            assert (view.index, view.action, view.valid, view.feedback) == (
                step.index,
                step.action,
                step.valid,
                step.feedback,
            )
    last = agent.turns[-1].history
    assert [v.action for v in last] == SCRIPT[:-1]
    assert last[0].valid is False and "wall" in last[0].feedback
    assert last[2].valid is False and "jump" in last[2].feedback


def test_agent_sees_the_current_state(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent(one_per_turn(SCRIPT))
    record = play(maze_spec("multi_step-text-history"), agent)
    seen = [turn.observation["text"] for turn in agent.turns]
    assert seen == [record.initial_text] + [s.state_text for s in record.steps[:-1]]
    assert seen[2] == "#######\n#.P..G#\n#######"
    assert agent.turns[2].info["valid"] is True and agent.turns[3].info["valid"] is False


def test_no_history_setting_sends_empty_history(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent(one_per_turn(SCRIPT))
    record = play(maze_spec("multi_step-text-no_history"), agent)
    assert record.success and len(agent.turns) == len(SCRIPT)
    assert all(turn.history == () for turn in agent.turns)


@pytest.mark.parametrize(
    ("setting", "has_image"),
    [
        ("multi_step-text-history", False),
        ("multi_step-text-no_history", False),
        ("one_step-text", False),
        ("multi_step-image_text-history", True),
        ("multi_step-image_text-no_history", True),
        ("one_step-image_text", True),
    ],
)
def test_modality_decides_whether_the_image_reaches_the_agent(
    maze_spec: SpecFactory, setting: str, has_image: bool
) -> None:
    agent = RecordingAgent(one_per_turn(SCRIPT))
    play(maze_spec(setting), agent)
    assert agent.turns
    for turn in agent.turns:
        assert ("image" in turn.observation) is has_image
        assert turn.observation["text"] and turn.observation["instruction"]
        if has_image:
            assert turn.observation["image"].shape == (64, 64, 3)


def test_context_describes_the_episode(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent([["right"] * 4])
    spec = maze_spec("one_step-image_text", max_steps=9, seed=3)
    play(spec, agent)
    (context,) = agent.contexts
    assert context.episode_id == spec.id and context.env_id == "mmgym/Maze-v0"
    assert context.seed == 3 and context.max_steps == 9 and context.play == spec.rules
    assert "wall" in context.rules and "up" in context.action_grammar
    assert context.expert is not None  # the puzzle env offers its exact solver as the expert


# ---- one-step play ------------------------------------------------------------------------------


def test_one_step_asks_once_and_runs_the_whole_plan(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent([SCRIPT])
    record = play(maze_spec("one_step-text"), agent)
    assert len(agent.turns) == record.agent_calls == 1
    assert [s.action for s in record.steps] == SCRIPT
    assert {s.turn for s in record.steps} == {1}
    assert record.success and record.actions_given == len(SCRIPT)
    assert record.steps[0].reasoning == "turn 1" and record.steps[1].reasoning == ""


def test_one_step_short_plan_is_not_asked_again(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent([["right", "right"], ["right", "right"]])
    record = play(maze_spec("one_step-text"), agent)
    assert len(agent.turns) == 1 and len(record.steps) == 2
    assert not record.success and record.final_data("optimal_remaining") == 2 and not record.truncated


def test_one_step_stops_executing_once_solved(maze_spec: SpecFactory) -> None:
    record = play(maze_spec("one_step-text"), RecordingAgent([["right"] * 7]))
    assert record.success and len(record.steps) == 4 and record.actions_given == 7


# ---- play rules ING-VP's settings do not use -----------------------------------------------------


def test_one_action_per_reply_runs_only_the_first(maze_spec: SpecFactory) -> None:
    """`one`: every reply is asked again after its first action, whatever else it held."""
    agent = RecordingAgent([["left", "right", "right"], ["right", "left", "left"]])
    record = play(with_rules(maze_spec(), actions_per_reply="one"), agent)
    assert [s.action for s in record.steps] == ["left", "right", "right", "right", "right"]
    assert [s.turn for s in record.steps] == [1, 2, 3, 4, 5]  # one step per reply, even after an invalid action
    assert record.success and record.agent_calls == len(agent.turns) == 5
    assert record.actions_given == 15  # proposed, not executed
    assert record.steps[0].valid is False and record.steps[1].valid is True
    # A whole plan in every reply: `one` still asks four times, `plan` runs it in one reply.
    ones = play(with_rules(maze_spec(), actions_per_reply="one"), RecordingAgent([["right"] * 4]))
    planned = play(with_rules(maze_spec(), actions_per_reply="plan"), RecordingAgent([["right"] * 4]))
    assert ones.success and planned.success
    assert [s.turn for s in ones.steps] == [1, 2, 3, 4] and [s.turn for s in planned.steps] == [1, 1, 1, 1]


def test_single_reply_ends_the_episode_after_one_reply(maze_spec: SpecFactory) -> None:
    """`single_reply`: one decision, then the episode is scored, whether or not the goal was reached."""
    agent = RecordingAgent([["right", "right"], ["right", "right"]])
    record = play(with_rules(maze_spec(), single_reply=True), agent)
    assert len(agent.turns) == record.agent_calls == 1
    assert [s.action for s in record.steps] == ["right", "right"]
    assert not record.success and not record.truncated and record.final_data("optimal_remaining") == 2
    one = play(with_rules(maze_spec(), single_reply=True, actions_per_reply="one"), RecordingAgent([["right"] * 4]))
    assert one.agent_calls == 1 and [s.action for s in one.steps] == ["right"] and one.actions_given == 4
    # Without it, the same plan is followed by further replies until the goal.
    several = play(maze_spec(), RecordingAgent([["right", "right"]]))
    assert several.success and several.agent_calls == 2


@pytest.mark.parametrize(
    ("observation", "sees_image", "sees_text"),
    [("image", True, False), ("text", False, True), ("image_text", True, True)],
)
def test_observation_rule_decides_what_reaches_the_agent(
    maze_spec: SpecFactory, observation: str, sees_image: bool, sees_text: bool
) -> None:
    agent = RecordingAgent(one_per_turn(SCRIPT))
    record = play(with_rules(maze_spec(), observation=observation), agent)
    assert record.success and len(agent.turns) == len(SCRIPT)
    for turn in agent.turns:
        assert ("image" in turn.observation) is sees_image
        assert ("text" in turn.observation) is sees_text
        assert turn.observation["instruction"]  # the task always reaches the agent
    assert record.initial_text and all(s.state_text for s in record.steps)  # the record keeps the text regardless


def test_hidden_info_keys_never_reach_the_agent(maze_spec: SpecFactory) -> None:
    spec = with_rules(maze_spec(), hidden_info=("feedback", "optimal_remaining"))
    agent = RecordingAgent(one_per_turn(SCRIPT))
    record = play(spec, agent)
    assert record.success and agent.turns
    for turn in agent.turns:
        assert not {"feedback", "optimal_remaining"} & set(turn.info)
        assert {"valid", "progress", "optimal_length"} <= set(turn.info)  # only the declared keys are hidden
    assert "wall" in record.steps[0].feedback and record.steps[0].data["optimal_remaining"] == 4  # still recorded
    # The generic default hides only the env's progress.
    default = RecordingAgent(one_per_turn(SCRIPT))
    play(with_rules(maze_spec(), hidden_info=PlayRules().hidden_info), default)
    assert PlayRules().hidden_info == ("progress",)
    assert all("progress" not in t.info and "optimal_remaining" in t.info for t in default.turns)


# ---- ending: success, step limit, silence --------------------------------------------------------


def test_multi_step_stops_at_success(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent(one_per_turn(["right"] * 10))
    record = play(maze_spec("multi_step-text-history"), agent)
    assert record.success and len(agent.turns) == len(record.steps) == 4
    assert record.steps[-1].reward == 1.0 and record.final_data("optimal_remaining") == 0


@pytest.mark.parametrize("setting", ["multi_step-text-history", "one_step-text"])
def test_max_steps_truncates(maze_spec: SpecFactory, setting: str) -> None:
    agent = RecordingAgent([["left", "up", "down"]] * 10)
    record = play(maze_spec(setting, max_steps=3), agent)
    assert len(record.steps) == 3 and record.truncated and not record.success
    assert record.final_data("optimal_remaining") == record.initial_data["optimal_length"] == 4


def test_empty_reply_costs_a_step(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent([[]])
    record = play(maze_spec("multi_step-text-no_history", max_steps=5), agent)
    assert len(agent.turns) == len(record.steps) == 5 and record.truncated
    assert all(not s.valid and s.action == "" for s in record.steps)
    one_step = play(maze_spec("one_step-text", max_steps=5), RecordingAgent([[]]))
    assert one_step.agent_calls == len(one_step.steps) == 1 and not one_step.steps[0].valid


def test_already_solved_level_asks_nothing(maze_spec: SpecFactory) -> None:
    agent = RecordingAgent([["right"]])
    record = play(maze_spec(level="###\n#*#\n###"), agent)
    assert record.success and record.steps == [] and agent.turns == []


# ---- failures stay inside their episode -------------------------------------------------------


def test_agent_error_becomes_an_error_record(maze_spec: SpecFactory) -> None:
    record = play(maze_spec(seed=1), FailingAgent())
    assert record.status == "error" and not record.success
    assert record.error == "RuntimeError: boom on seed 1"
    assert "boom" in record.extra["traceback"]


def test_other_episodes_finish_when_some_fail(maze_spec: SpecFactory) -> None:
    specs = [maze_spec(seed=seed, task=f"corridor-{seed}") for seed in range(6)]
    done: list[EpisodeRecord] = []
    asyncio.run(LocalRunner(concurrency=3).run(specs, FailingAgent, done.append))
    assert sorted(r.id for r in done) == sorted(s.id for s in specs)
    by_seed = {r.spec.seed: r for r in done}
    for seed, record in by_seed.items():
        if seed % 2:
            assert record.status == "error" and "boom" in (record.error or "")
        else:
            assert record.status == "done" and record.success and len(record.steps) == 4


def test_env_construction_error_becomes_an_error_record(maze_spec: SpecFactory) -> None:
    def env_factory(spec: EpisodeSpec) -> gym.Env:
        if spec.seed == 1:
            raise ValueError("no such simulator")
        return make_env(spec)

    # Each spec has its own env (image size), so none reuses another's and the factory runs for each.
    specs = [with_env_kwargs(maze_spec(seed=seed), image_size=64 + 16 * seed) for seed in range(3)]
    done: list[EpisodeRecord] = []
    asyncio.run(LocalRunner(concurrency=2).run(specs, OracleAgent, done.append, env_factory))
    statuses = {r.spec.seed: (r.status, r.error) for r in done}
    assert statuses == {0: ("done", None), 1: ("error", "ValueError: no such simulator"), 2: ("done", None)}


def test_bad_level_becomes_an_error_record(maze_spec: SpecFactory) -> None:
    record = play(maze_spec(level="#####\n#P..#\n#####"), OracleAgent())
    assert record.status == "error" and "LevelFormatError" in (record.error or "")


def test_oracle_episode_is_optimal(maze_spec: SpecFactory) -> None:
    record = play(maze_spec("multi_step-image_text-history"), OracleAgent())
    assert record.success and [s.action for s in record.steps] == ["right"] * 4
    assert record.initial_data["optimal_length"] == 4 and record.agent_calls == 4 and record.duration_s > 0


def test_agent_factory_error_fails_only_its_episode(maze_spec: SpecFactory) -> None:
    """A constructor that raises for one episode gives that episode an error record; the others finish."""
    specs = [maze_spec(seed=s) for s in range(3)]
    calls = iter(range(3))

    def factory() -> OracleAgent:
        if next(calls) == 1:
            raise RuntimeError("no model today")
        return OracleAgent()

    records: list[EpisodeRecord] = []
    asyncio.run(LocalRunner(concurrency=1).run(specs, factory, records.append))
    assert sorted(r.status for r in records) == ["done", "done", "error"]
    failed = next(r for r in records if r.status == "error")
    assert failed.error == "RuntimeError: no model today"
    assert "no model today" in failed.extra["traceback"]


def test_agent_never_sees_the_solver_scoring_fields(maze_spec: SpecFactory) -> None:
    """optimal_remaining and progress come from the exact solver: an agent that saw them would be told the answer."""
    seen: list[dict[str, Any]] = []

    class Spy(OracleAgent):
        async def act(self, turn: Turn) -> AgentReply:
            seen.append(dict(turn.info))
            return await super().act(turn)

    record = asyncio.run(run_episode(maze_spec(), Spy()))
    assert record.success and seen
    for info in seen:
        assert "valid" in info and "feedback" in info
        assert not {"optimal_remaining", "optimal_length", "progress"} & set(info)
    assert record.steps[0].data["optimal_remaining"] is not None  # still recorded for scoring
