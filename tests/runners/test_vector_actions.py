"""Envs whose actions are integer vectors: their bounds reach the agent, the random agent draws within
them, and the LLM agent's replies become vectors the env accepts."""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pytest

from mmgym.agents.llm import LLMAgent
from mmgym.agents.models.base import GenerationConfig, Message, ModelResponse, Usage
from mmgym.agents.scripted import RandomAgent
from mmgym.core.agent import AgentReply, EpisodeContext, Turn
from mmgym.core.language_env import ContractViolation, EnvTraits, check_language_env, format_vector
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.runners.env_session import describe_env
from mmgym.runners.rollout import run_episode

BOUNDS = ((0, 9), (0, 9), (0, 1))
TARGET = (1, 2, 1)


class VectorReach(gym.Env):
    """Name a hidden point `[x, y, z]` with integer-vector actions; a malformed or out-of-bounds vector is refused."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}
    traits: ClassVar[EnvTraits] = EnvTraits(cheap_steps=True)
    rules = "Name the hidden point."
    action_grammar = "[x, y, z]: x and y integers 0-9, z 0 or 1"

    def __init__(self, bounds: Sequence[Sequence[int]] = BOUNDS, target: Sequence[int] = TARGET) -> None:
        self.action_vector = bounds  # as given (lists from a spec's kwargs): describe_env makes tuples of ints
        self.target = list(target)
        self.guess: list[int] = []
        text = gym.spaces.Text(64, charset=string.printable)
        self.observation_space = gym.spaces.Dict({"text": text, "instruction": text})
        self.action_space = gym.spaces.Text(64, charset=string.printable)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        super().reset(seed=seed)
        self.guess = []
        return self._obs(), self._info(True, "Guess the point.")

    def step(self, action: str) -> Any:
        try:
            values = json.loads(action)
        except ValueError:
            values = None
        valid = (
            isinstance(values, list)
            and len(values) == len(self.action_vector)
            and all(
                type(v) is int and low <= v <= high for v, (low, high) in zip(values, self.action_vector, strict=True)
            )
        )
        if valid:
            self.guess = values
        done = self.guess == self.target
        feedback = f"you named {format_vector(self.guess)}" if valid else f"{action!r} is not a point"
        return self._obs(), float(done), done, False, self._info(valid, feedback)

    def candidate_actions(self) -> list[str]:
        return []  # far too many to list: the bounds say what is well formed

    def _obs(self) -> dict[str, Any]:
        return {"text": f"last guess: {self.guess}", "instruction": "Name the hidden point."}

    def _info(self, valid: bool, feedback: str) -> dict[str, Any]:
        hits = sum(a == b for a, b in zip(self.guess, self.target, strict=False))  # no guess yet: none hit
        return {"valid": valid, "feedback": feedback, "success": self.guess == self.target, "progress": hits / 3}


class Listed(VectorReach):
    """Breaks the contract: it declares an action vector and also lists actions."""

    def candidate_actions(self) -> list[str]:
        return ["[0, 0, 0]"]


if "test/VectorReach-v0" not in gym.registry:
    gym.register("test/VectorReach-v0", entry_point=f"{__name__}:VectorReach")


class Relabel(gym.Wrapper):
    """A wrapper of the user's own: the bounds are read through it."""


def reach_spec(actions_per_reply: str = "one", max_steps: int = 20, seed: int = 0) -> EpisodeSpec:
    rules = PlayRules(actions_per_reply=actions_per_reply, observation="text", max_steps=max_steps)  # type: ignore[arg-type]
    kwargs = {"bounds": [list(b) for b in BOUNDS], "target": list(TARGET)}
    return EpisodeSpec(
        suite="test", task="reach", env_id="test/VectorReach-v0", env_kwargs=kwargs, seed=seed, rules=rules
    )


def play(spec: EpisodeSpec, agent: Any) -> EpisodeRecord:
    return asyncio.run(run_episode(spec, agent))


# ---- the contract and the env's description -------------------------------------------------------


def test_the_vector_env_follows_the_language_env_contract() -> None:
    check_language_env(gym.make("test/VectorReach-v0"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (VectorReach(bounds=((0, 9), (5, 1))), "low <= high"),
        (VectorReach(bounds=((0, 9), (0.5, 1))), "integer pairs"),
        (VectorReach(bounds=((0, 9, 3),)), "integer pairs"),
        (VectorReach(bounds=()), "integer pairs"),
        (Listed(), "cannot list its actions"),
    ],
)
def test_the_contract_check_refuses_bad_action_vectors(env: gym.Env, message: str) -> None:
    with pytest.raises(ContractViolation, match=message):
        check_language_env(env)


def test_describe_env_reads_the_bounds_through_wrappers_as_tuples_of_ints() -> None:
    made = gym.make("test/VectorReach-v0", bounds=[[0, 9], [0, 9], [0, 1]])
    assert made.unwrapped is not made  # gym.make wraps it (order enforcing, the passive checker)
    for env in (made, Relabel(made), Relabel(VectorReach(bounds=[[np.int64(0), np.int64(9)]]))):
        description = describe_env(env)
        assert description.valid_actions == ()
        assert all(type(b) is int for pair in description.action_vector for b in pair)
    assert describe_env(Relabel(made)).action_vector == BOUNDS
    assert describe_env(VectorReach(bounds=[[np.int64(0), np.int64(9)]])).action_vector == ((0, 9),)


def test_an_env_without_an_action_vector_describes_none() -> None:
    assert describe_env(gym.make("mmgym/Maze-v0")).action_vector == ()


class RecordingAgent:
    """Keeps its context and gives up at once."""

    async def reset(self, context: EpisodeContext) -> None:
        self.context = context

    async def act(self, turn: Turn) -> AgentReply:
        return AgentReply(stop_reason="only looking")


def test_the_rollout_gives_the_agent_the_bounds() -> None:
    agent = RecordingAgent()
    play(reach_spec(), agent)
    assert agent.context.action_vector == BOUNDS and agent.context.valid_actions == ()


# ---- agents on the env ----------------------------------------------------------------------------


def test_random_plays_well_formed_vectors_within_the_bounds_reproducibly() -> None:
    record = play(reach_spec(max_steps=30), RandomAgent())
    assert record.status == "done", record.error
    assert len(record.steps) > 1 and all(step.valid for step in record.steps)
    vectors = [json.loads(step.action) for step in record.steps]
    assert all(all(low <= v <= high for v, (low, high) in zip(vector, BOUNDS, strict=True)) for vector in vectors)
    assert len({tuple(v) for v in vectors}) > 1
    again = play(reach_spec(max_steps=30), RandomAgent())
    assert [s.action for s in again.steps] == [s.action for s in record.steps]
    other = play(reach_spec(max_steps=30, seed=1), RandomAgent())
    assert [s.action for s in other.steps] != [s.action for s in record.steps]


class ScriptedBackend:
    """Answers the given texts in order (the last one repeats)."""

    name = "scripted"

    def __init__(self, replies: Sequence[str]) -> None:
        self.replies = list(replies)
        self.calls = 0

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        self.calls += 1
        return ModelResponse(self.replies[min(self.calls, len(self.replies)) - 1], Usage())

    async def close(self) -> None:
        pass


def llm_agent(replies: Sequence[str], **kwargs: Any) -> LLMAgent:
    # The agent builds its backend from config (a local endpoint that is never called); the scripted one replaces it.
    model = {"_target_": "mmgym.agents.models.openai_backend.OpenAIBackend", "name": "unused", "model": "unused"}
    agent = LLMAgent(model={**model, "base_url": "http://127.0.0.1:9/v1"}, **kwargs)
    agent.backend = ScriptedBackend(replies)  # type: ignore[assignment]
    return agent


def test_the_llm_agents_json_list_of_numbers_is_one_vector_action() -> None:
    agent = llm_agent(['{"thought": "a guess", "action": [0, 0, 0]}', '{"action": [1,2,1]}'])
    record = play(reach_spec("one"), agent)
    assert record.success, record.error
    assert [s.action for s in record.steps] == ["[0, 0, 0]", "[1, 2, 1]"]
    assert all(s.valid for s in record.steps) and record.turns[0].parse_path == "json"


def test_the_llm_agents_plan_of_vectors_runs_in_order() -> None:
    agent = llm_agent(["Actions: [0, 0, 0], [1, 2, 1]"], plan=True)
    record = play(reach_spec("plan"), agent)
    assert record.success and record.agent_calls == 1, record.error
    assert [s.action for s in record.steps] == ["[0, 0, 0]", "[1, 2, 1]"]
