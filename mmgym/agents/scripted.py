"""Scripted baselines: a random policy (the floor) and the exact-solver oracle (the ceiling).

The random agent draws from the actions the env lists at reset; the oracle reads the game state
from the observation's exact text. Neither needs privileged access to the env, so both work
wherever the env runs.
"""

from __future__ import annotations

import zlib

import numpy as np

from mmgym.core.agent import AgentReply, EpisodeContext, Turn
from mmgym.envs import game_of
from mmgym.envs.games import PuzzleGame, get_game
from mmgym.errors import ConfigError


class RandomAgent:
    """Uniformly random well-formed actions (legal or not); in one-step play a plan of `plan_length`."""

    def __init__(self, plan_length: int = 8) -> None:
        self.plan_length = plan_length

    async def reset(self, context: EpisodeContext) -> None:
        if not context.valid_actions:
            raise ConfigError(f"the random agent needs an env that lists its actions; {context.env_id} lists none")
        self.context = context
        # Seeded by the episode's readable name, not the spec hash that ends its id: the stream of
        # actions then survives changes to the spec's format that do not change the episode.
        name = context.episode_id.rsplit("-", 1)[0]
        self.rng = np.random.default_rng([context.seed, zlib.crc32(name.encode())])

    async def act(self, turn: Turn) -> AgentReply:
        candidates = self.context.valid_actions
        count = self.plan_length if self.context.setting.mode == "one_step" else 1
        picks = self.rng.integers(len(candidates), size=count)
        return AgentReply(actions=[candidates[i] for i in picks], reasoning="random")


class OracleAgent:
    """Follows the game's exact solver: the whole optimal plan in one-step play, its first move otherwise."""

    game: PuzzleGame
    context: EpisodeContext

    async def reset(self, context: EpisodeContext) -> None:
        self.context = context
        self.game = get_game(game_of(context.env_id))

    async def act(self, turn: Turn) -> AgentReply:
        plan = self.game.solve(self.game.from_text(turn.observation["text"])) or []
        if self.context.setting.mode == "multi_step":
            plan = plan[:1]
        return AgentReply(actions=plan, reasoning=f"optimal plan of {len(plan)} moves")
