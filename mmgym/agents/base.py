"""The Agent protocol: what a policy receives each turn and what it answers.

An agent is built once per episode from config (`agent._target_`), told about the episode by
`reset`, then asked to `act` each turn. Both are async so that model-backed agents can await
their backend while other episodes run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from mmgym.tasks.spec import Setting


@dataclass(frozen=True)
class EpisodeContext:
    """What an agent knows about its episode before the first observation."""

    episode_id: str
    env_id: str
    seed: int
    setting: Setting
    rules: str
    action_grammar: str
    max_steps: int


@dataclass(frozen=True)
class StepView:
    """One past step as the agent may see it in its history."""

    index: int
    action: str
    valid: bool
    state_changed: bool
    feedback: str


@dataclass(frozen=True)
class Turn:
    """The agent's input for one turn.

    `observation` already respects the setting's modality (no `image` in text-only settings);
    `info` is the env's last info without the solver's scoring fields (`optimal_remaining`,
    `optimal_length`, `progress`); `history` is empty when the setting has no history.
    """

    observation: Mapping[str, Any]
    info: Mapping[str, Any]
    history: tuple[StepView, ...] = field(default=())


class AgentReply(BaseModel):
    """Actions to execute in order (one in multi-step play, a whole plan in one-step play)."""

    actions: list[str] = Field(default_factory=list)
    reasoning: str = ""


@runtime_checkable
class Agent(Protocol):
    async def reset(self, context: EpisodeContext) -> None: ...

    async def act(self, turn: Turn) -> AgentReply: ...
