"""What a run keeps of each episode: one `EpisodeRecord` per line of `episodes.jsonl`."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from mmgym.core.agent import ModelExchange
from mmgym.core.spec import EpisodeSpec, OmitsLaterDefaults

ERROR_TYPES = "error_types"  # `extra` key of an error record: its exception's class names, most specific first


class StepRecord(OmitsLaterDefaults):
    """One env step: the action, what the env said back, and the info keys the spec's `step_data` names.

    `random_fallback` marks an action the rollout drew at random for an unparseable reply (play rules
    `unparseable: random`), not one the agent chose."""

    later_fields: ClassVar[tuple[str, ...]] = ("random_fallback",)

    index: int
    turn: int  # which agent call produced the action (several steps per turn when a reply carries a plan)
    action: str
    valid: bool
    feedback: str
    reward: float
    success: bool
    progress: float
    state_text: str  # the observation's text after the step
    reasoning: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    random_fallback: bool = False


class TurnRecord(ModelExchange):
    """One agent call: its actions and what the model was sent and answered (see ModelExchange)."""

    index: int  # 1-based; steps of this turn have `turn == index`


class VideoRecord(BaseModel):
    """An episode's video in the run directory, and which step each of its frames shows."""

    path: str  # relative to the run directory
    frame_steps: list[int]  # frame i shows the state after frame_steps[i] steps (0: the initial state)
    fps: float
    width: int
    height: int


class EpisodeRecord(BaseModel):
    """A finished (or failed) episode with its spec, steps, outcome and the suite's metrics."""

    id: str
    spec: EpisodeSpec
    status: Literal["done", "error"] = "done"
    error: str | None = None
    instruction: str = ""
    initial_text: str = ""
    initial_data: dict[str, Any] = Field(default_factory=dict)  # the `step_data` keys of the reset's info
    steps: list[StepRecord] = Field(default_factory=list)
    turns: list[TurnRecord] = Field(default_factory=list)  # agent calls that talked to a model
    agent_calls: int = 0
    actions_given: int = 0  # actions the agent proposed, executed or not
    success: bool = False
    progress: float = 0.0  # the env's progress at the end
    truncated: bool = False
    stop_reason: str | None = None  # the agent ended the episode (counts as a failure)
    usage: dict[str, float] = Field(default_factory=dict)  # model calls, parse failures, tokens, latency, cost
    metrics: dict[str, float] = Field(default_factory=dict)
    groups: dict[str, str] = Field(default_factory=dict)  # the episode's group in each of the suite's groupings
    video: VideoRecord | None = None  # the observation images
    render_video: VideoRecord | None = None  # the env's full render, for envs that have one
    started_at: float = 0.0
    duration_s: float = 0.0
    extra: dict[str, Any] = Field(default_factory=dict)

    def failed_with(self, error: type[BaseException]) -> bool:
        """Whether the episode ended in an error of this type (or a subclass), e.g. a failed model call."""
        return self.status == "error" and error.__name__ in self.extra.get(ERROR_TYPES, ())

    def final_data(self, key: str, default: Any = None) -> Any:
        """A `step_data` value as the episode ended: the last step's, or the reset's when no step was taken."""
        source = self.steps[-1].data if self.steps else self.initial_data
        return source.get(key, default)
