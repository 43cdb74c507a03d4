"""Scripted baselines: a random policy (the floor), the env's expert (the ceiling), and between them a noisy
expert whose play worsens by a known amount.

The random agent draws from the actions the env lists (this step's, for an env whose menu changes
from step to step; else those listed at reset), or, for an env whose actions are
integer vectors, draws each element within its declared bounds. The expert agent follows the
plan the env's own expert gives from the true state (`expert_plan()` in the env contract), so it
works for any env that has one, wherever the env runs. The noisy expert takes the expert's action
with probability 1 - epsilon and a random one (as the random agent draws it) otherwise: a suite's
score against epsilon shows whether, and how finely, it separates better play from worse.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from mmgym.core.agent import AgentReply, EpisodeContext, Turn, current_actions
from mmgym.core.language_env import format_vector
from mmgym.errors import ConfigError

# What scripted agents write as reasoning when they have no reason to give: labels, not reasons.
_LABELS = re.compile(r"random|expert plan of \d+ actions|expert with epsilon [0-9.e+-]+")


def gives_a_reason(reasoning: str) -> bool:
    """Whether a scripted step's reasoning is a reason (the env's expert explaining itself), not a label."""
    return bool(reasoning) and _LABELS.fullmatch(reasoning) is None


class RandomAgent:
    """Uniformly random well-formed actions (legal or not); a plan of `plan_length` when a reply should solve."""

    def __init__(self, plan_length: int = 8) -> None:
        self.plan_length = plan_length

    async def reset(self, context: EpisodeContext) -> None:
        if not context.valid_actions and not context.action_vector:
            raise ConfigError(
                "the random agent needs an env that lists its actions or declares an action vector; "
                f"{context.env_id} does neither"
            )
        self.context = context
        self.rng = episode_rng(context)

    async def act(self, turn: Turn) -> AgentReply:
        count = self.plan_length if self.context.play.actions_per_reply == "solution" else 1
        return AgentReply(actions=random_actions(self.context, turn, self.rng, count), reasoning="random")


def episode_rng(context: EpisodeContext, salt: int = 0) -> np.random.Generator:
    """A generator seeded by the episode's readable name, not the spec hash that ends its id: the stream of
    draws then survives changes to the spec's format that do not change the episode."""
    name = context.episode_id.rsplit("-", 1)[0]
    seed = [context.seed, zlib.crc32(name.encode())]
    return np.random.default_rng([*seed, salt] if salt else seed)  # salt 0: the random agent's stream, as before


def random_actions(context: EpisodeContext, turn: Turn, rng: np.random.Generator, count: int) -> list[str]:
    """`count` uniformly random well-formed actions: listed ones, or vectors within their bounds."""
    candidates = current_actions(context, turn)
    if not candidates:  # integer vectors: each element uniform within its inclusive bounds
        low, high = np.array(context.action_vector).T
        draws = rng.integers(low, high, size=(count, len(low)), endpoint=True)
        return [format_vector(row) for row in draws.tolist()]
    return [candidates[i] for i in rng.integers(len(candidates), size=count)]


class ExpertAgent:
    """Follows the env's expert: its whole plan when one reply must solve the task, else its first action each
    turn (the expert replans from the true state, so a plan that runs to its end cannot go stale)."""

    context: EpisodeContext

    async def reset(self, context: EpisodeContext) -> None:
        if context.expert is None:
            raise ConfigError(f"{context.env_id} has no expert (expert_plan); agent=oracle needs one")
        self.context = context

    async def act(self, turn: Turn) -> AgentReply:
        assert self.context.expert is not None
        advice = await self.context.expert()
        plan = advice.actions
        if not (self.context.play.actions_per_reply == "solution" and self.context.play.single_reply):
            plan = plan[:1]
        return AgentReply(actions=plan, reasoning=advice.reasoning or f"expert plan of {len(plan)} actions")


OracleAgent = ExpertAgent  # the name benchmark papers and `agent=oracle` use


class NoisyExpertAgent(ExpertAgent):
    """The expert, but each action is replaced by a uniformly random well-formed one with probability
    `epsilon` (drawn as the random agent draws): epsilon 0 is the expert, 1 the random agent's play."""

    def __init__(self, epsilon: float = 0.1) -> None:
        if not 0.0 <= epsilon <= 1.0:
            raise ConfigError(f"agent.epsilon must be between 0 and 1, got {epsilon}")
        self.epsilon = epsilon

    async def reset(self, context: EpisodeContext) -> None:
        await super().reset(context)
        if self.epsilon and not context.valid_actions and not context.action_vector:
            raise ConfigError(f"agent=noisy_oracle needs an env that lists its actions; {context.env_id} does not")
        self.rng = episode_rng(context, salt=1)

    async def act(self, turn: Turn) -> AgentReply:
        reply = await super().act(turn)
        actions = [
            random_actions(self.context, turn, self.rng, 1)[0] if self.rng.random() < self.epsilon else action
            for action in reply.actions
        ]
        return AgentReply(actions=actions, reasoning=f"expert with epsilon {self.epsilon:g}")
