"""The Agent protocol: what a policy receives each turn and what it answers.

An agent is built once per episode from config (`agent._target_`), told about the episode by
`reset`, then asked to `act` each turn. Both are async so that model-backed agents can await
their backend while other episodes run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from mmgym.core.spec import PlayRules


@dataclass(frozen=True)
class ExpertAdvice:
    """What an env's expert says from the true state: the actions to take, and why when it can say."""

    actions: list[str]
    reasoning: str = ""


Expert = Callable[[], Awaitable[ExpertAdvice]]


@dataclass(frozen=True)
class EpisodeContext:
    """What an agent knows about its episode before the first observation.

    `rules` and `action_grammar` are the env's own words for prompts; `play` says how turns work
    (how many actions a reply may carry, what is observed, whether history is shown, the step
    limit). An env that cannot list its actions may give `action_vector` instead: its actions are
    integer vectors `[a, b, ...]` within those bounds (see core.language_env). `expert`, when the
    env has one, returns a plan from the true state (and the reasons, when the env gives them):
    privileged, for expert agents only.
    """

    episode_id: str
    env_id: str
    seed: int
    play: PlayRules
    rules: str
    action_grammar: str
    valid_actions: tuple[str, ...] = ()  # every well-formed action, when the env can list them
    action_vector: tuple[tuple[int, int], ...] = ()  # bounds of each element when actions are integer vectors
    expert: Expert | None = None

    @property
    def max_steps(self) -> int:
        return self.play.max_steps


@dataclass(frozen=True)
class StepView:
    """One past step as the agent may see it in its history."""

    index: int
    action: str
    valid: bool
    feedback: str


@dataclass(frozen=True)
class Turn:
    """The agent's input for one turn.

    `observation` already follows the play rules (no `image` when only text is observed, no `text`
    when only the image is); `info` is the env's last info without the keys the rules hide;
    `history` is empty when the rules show no history.
    """

    observation: Mapping[str, Any]
    info: Mapping[str, Any]
    history: tuple[StepView, ...] = field(default=())


def current_actions(context: EpisodeContext, turn: Turn) -> tuple[str, ...]:
    """The actions the env lists now: this turn's `candidate_actions` info (an env whose menu changes
    from step to step gives them there), else those listed at reset."""
    listed = turn.info.get("candidate_actions")
    return tuple(listed) if listed else context.valid_actions


class ModelExchange(BaseModel):
    """What a model-backed agent sent and got back in one turn, so every turn can be audited and
    replayed: `model_input` (messages, images as their shapes), `model_output`, the parser's
    `parse_path` or `parse_error`, and `usage` (prompt_tokens, completion_tokens, latency_s,
    cost_usd, cached). Scripted agents leave it empty."""

    # `model_input`/`model_output` are ours; pydantic before 2.10 warns about them on stderr unless told.
    model_config = ConfigDict(protected_namespaces=())

    actions: list[str] = Field(default_factory=list)
    reasoning: str = ""
    model_input: list[dict[str, Any]] | None = None
    model_output: str | None = None
    parse_path: str | None = None
    parse_error: str | None = None
    usage: dict[str, float] = Field(default_factory=dict)


class AgentReply(ModelExchange):
    """Actions to execute in order, as the play rules allow (one, a plan, or a whole solution).

    An empty `actions` with a `parse_error` is an unparseable reply: it costs the episode a step
    and the error is fed back; no action is ever made up. `stop_reason` ends the episode as a
    failure (e.g. too many unparseable replies in a row).
    """

    stop_reason: str | None = None


@runtime_checkable
class Agent(Protocol):
    async def reset(self, context: EpisodeContext) -> None: ...

    async def act(self, turn: Turn) -> AgentReply: ...
