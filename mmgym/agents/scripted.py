"""Scripted baselines: a random policy (the floor) and the env's expert (the ceiling).

The random agent draws from the actions the env lists (this step's, for an env whose menu changes
from step to step; else those listed at reset), or, for an env whose actions are
integer vectors, draws each element within its declared bounds. The expert agent follows the
plan the env's own expert gives from the true state (`expert_plan()` in the env contract), so it
works for any env that has one, wherever the env runs.
"""

from __future__ import annotations

import zlib

import numpy as np

from mmgym.core.agent import AgentReply, EpisodeContext, Turn, current_actions
from mmgym.core.language_env import format_vector
from mmgym.errors import ConfigError


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
        # Seeded by the episode's readable name, not the spec hash that ends its id: the stream of
        # actions then survives changes to the spec's format that do not change the episode.
        name = context.episode_id.rsplit("-", 1)[0]
        self.rng = np.random.default_rng([context.seed, zlib.crc32(name.encode())])

    async def act(self, turn: Turn) -> AgentReply:
        candidates = current_actions(self.context, turn)
        count = self.plan_length if self.context.play.actions_per_reply == "solution" else 1
        if not candidates:  # integer vectors: each element uniform within its inclusive bounds
            low, high = np.array(self.context.action_vector).T
            draws = self.rng.integers(low, high, size=(count, len(low)), endpoint=True)
            return AgentReply(actions=[format_vector(row) for row in draws.tolist()], reasoning="random")
        picks = self.rng.integers(len(candidates), size=count)
        return AgentReply(actions=[candidates[i] for i in picks], reasoning="random")


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
