"""Rebuild the prompt of every turn of a recorded episode, by playing the episode again from its record.

A record keeps each turn's text and the shapes of its images, not the frames. The frames, the
history and the menu of each turn are rebuilt exactly by replaying the episode: its env is reset
from the spec's seed and stepped with the recorded actions, through the same rollout a run uses,
while mmgym's LLM agent builds each turn's messages. Its backend is a stand-in that answers with
the recorded reply: the model's own for a model run, or, for a scripted agent (the expert, a
person), a reply written for the actions it chose in the format the prompt asked for
(`agents.demonstration`). The replay must retrace the record step for step (actions, validity,
feedback, state text, outcome); an episode that does not is refused with `ReplayMismatch`, so a
row is never built from a prompt the episode did not show.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mmgym.agents.demonstration import demonstration_reply
from mmgym.agents.llm import LLMAgent
from mmgym.agents.models.base import GenerationConfig, Message, ModelResponse
from mmgym.agents.models.registry import BackendRegistry
from mmgym.agents.prompts import wants_plan
from mmgym.agents.scripted import gives_a_reason
from mmgym.core.agent import AgentReply, EpisodeContext, Turn, current_actions
from mmgym.core.records import EpisodeRecord
from mmgym.errors import ConfigError, MmgymError
from mmgym.runners.in_process import InProcessEnvs
from mmgym.runners.rollout import run_episode

LLM_AGENT = f"{LLMAgent.__module__}.{LLMAgent.__qualname__}"
# The LLM agent's own arguments (besides its model) that a run's agent config may carry.
PROMPT_KEYS = (
    "output_format",
    "chain_of_thought",
    "plan",
    "history_window",
    "history_images",
    "few_shot_file",
    "system_prompt",
    "max_consecutive_failures",
    "max_tokens",
    "temperature",
    "top_p",
    "seed",
)


class ReplayMismatch(MmgymError):
    """A recorded episode that its replay does not retrace (another env version, a nondeterministic env)."""


@dataclass(frozen=True)
class RenderedTurn:
    """One agent call: the messages its model was sent (or, for a scripted agent, would have been) and the reply."""

    index: int  # the agent call, 1-based, as `StepRecord.turn` counts them
    messages: list[Message]
    reply: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class RenderedEpisode:
    record: EpisodeRecord
    turns: list[RenderedTurn]


@dataclass(frozen=True)
class PromptSource:
    """How a run's turns are prompted: the LLM agent's arguments, and whether the replies are the model's own."""

    agent_args: dict[str, Any]
    model_replies: bool

    @classmethod
    def of_run(
        cls, agent_config: dict[str, Any], prompt_overrides: dict[str, Any] | None = None, reasons: bool = True
    ) -> PromptSource:
        """The run's own prompt when its agent is mmgym's LLM agent; else the LLM agent's default prompt with
        `prompt_overrides` (a scripted agent's run has no prompt of its own), asking for a thought only when
        the agent gave `reasons` (an expert that explains itself), so that no reply holds an empty one. A
        scripted agent never gives up on a run of failures, so neither may the prompt that replays it."""
        overrides = dict(prompt_overrides or {})
        unknown = sorted(set(overrides) - set(PROMPT_KEYS))
        if unknown:
            raise ConfigError(f"unknown prompt setting {unknown[0]!r}; valid: {', '.join(PROMPT_KEYS)}")
        if agent_config.get("_target_") == LLM_AGENT:
            if overrides:
                raise ConfigError(
                    "prompt settings apply to runs of scripted agents only: a model run's turns are rebuilt "
                    "with the prompt its model answered"
                )
            return cls({key: agent_config[key] for key in PROMPT_KEYS if key in agent_config}, model_replies=True)
        defaults = {"max_consecutive_failures": sys.maxsize, "chain_of_thought": reasons}
        return cls({**defaults, **overrides}, model_replies=False)


class _RecordedReplies:
    """A model backend that keeps the messages it is sent and answers with the reply it is handed."""

    name = "recorded-replies"

    def __init__(self) -> None:
        self.answer: Callable[[], str] = lambda: ""
        self.sent: list[Message] | None = None

    async def generate(self, messages: list[Message], config: GenerationConfig) -> ModelResponse:
        self.sent = list(messages)
        return ModelResponse(self.answer())

    async def close(self) -> None:
        return None


class _Replayer:
    """The agent of a replay: mmgym's LLM agent on the recorded replies, keeping each turn's messages."""

    def __init__(self, record: EpisodeRecord, source: PromptSource) -> None:
        self.record = record
        self.source = source
        self.backend = _RecordedReplies()
        with BackendRegistry(lambda config: self.backend).in_effect():
            self.agent = LLMAgent(model={"_target_": _RecordedReplies.name}, **source.agent_args)
        self.model_outputs: Iterator[str] = iter(t.model_output for t in record.turns if t.model_output is not None)
        self.turns: list[RenderedTurn] = []

    async def reset(self, context: EpisodeContext) -> None:
        self.context = context
        self.calls = 0
        await self.agent.reset(context)

    async def act(self, turn: Turn) -> AgentReply:
        self.calls += 1
        written = self._written_reply(turn)
        self.backend.answer = self._next_model_output if self.source.model_replies else lambda: written
        self.backend.sent = None
        reply = await self.agent.act(turn)
        if self.backend.sent is not None:
            text = reply.model_output or ""
            if not self.source.model_replies and list(reply.actions) != self._chosen():
                raise ReplayMismatch(
                    f"episode {self.record.id}, turn {self.calls}: the reply written for the actions "
                    f"{self._chosen()} reads back as {list(reply.actions)}; choose another prompt format"
                )
            self.turns.append(RenderedTurn(self.calls, self.backend.sent, text, tuple(reply.actions)))
        return reply

    def _next_model_output(self) -> str:
        output = next(self.model_outputs, None)
        if output is None:
            raise ReplayMismatch(f"episode {self.record.id}: the replay asks the model more often than the record")
        return output

    def _chosen(self) -> list[str]:
        """The actions the scripted agent chose at this call (those the rollout ran)."""
        return [step.action for step in self.record.steps if step.turn == self.calls]

    def _written_reply(self, turn: Turn) -> str:
        if self.source.model_replies:
            return ""
        config = self.agent.config
        reasoning = next((step.reasoning for step in self.record.steps if step.turn == self.calls), "")
        reasoning = reasoning if gives_a_reason(reasoning) else ""
        plan = wants_plan(self.context, config)
        listed = current_actions(self.context, turn)
        return demonstration_reply(self._chosen(), reasoning, config, plan, self.context.play.protocol, listed)


async def rerender_episode(record: EpisodeRecord, source: PromptSource, envs: InProcessEnvs) -> RenderedEpisode:
    """Replay `record` in an env from `envs` and return each turn's messages and reply.

    `ReplayMismatch` when the replay departs from the record; the record's own error when it is an
    error record (nothing to rebuild from a failed episode).
    """
    if record.status != "done":
        raise ConfigError(f"episode {record.id} ended in an error; only finished episodes can be rebuilt")
    replayer = _Replayer(record, source)
    replayed = await run_episode(record.spec, replayer, envs)
    if replayed.status != "done":
        raise ReplayMismatch(f"episode {record.id} failed on replay: {replayed.error}")
    _check_retraced(record, replayed)
    return RenderedEpisode(record, replayer.turns)


STEP_FIELDS = ("action", "valid", "feedback", "state_text", "turn")


def _check_retraced(record: EpisodeRecord, replayed: EpisodeRecord) -> None:
    for original, again in zip(record.steps, replayed.steps, strict=False):
        for name in STEP_FIELDS:
            if getattr(original, name) != getattr(again, name):
                raise ReplayMismatch(
                    f"episode {record.id}, step {original.index}: the record's {name} is "
                    f"{getattr(original, name)!r}, the replay's {getattr(again, name)!r}"
                )
    if len(record.steps) != len(replayed.steps) or record.success != replayed.success:
        raise ReplayMismatch(
            f"episode {record.id}: the record has {len(record.steps)} steps (success {record.success}), "
            f"the replay {len(replayed.steps)} (success {replayed.success})"
        )
