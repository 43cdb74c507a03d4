"""The LLM agent: prompt a model backend each turn, parse its reply, never invent an action.

Unparseable replies come back as an empty `AgentReply` with the parser's reason: the rollout
charges a step, feeds the reason back, and after `max_consecutive_failures` unparseable or invalid
replies in a row the agent stops the episode as a failure. When the episode's play rules carry a
benchmark's own `PromptProtocol`, the agent prompts and reads replies by it instead (its own
prompt options then do not apply), and the play rules' limits replace `max_consecutive_failures`.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Literal

import numpy as np

from mmgym.agents.models.base import GenerationConfig, ImagePart, ModelBackend, ModelResponse
from mmgym.agents.models.registry import shared_backend
from mmgym.agents.parsing import parse_reply
from mmgym.agents.prompts import (
    DEFAULT_SYSTEM,
    PromptConfig,
    build_messages,
    load_few_shot,
    messages_for_record,
    wants_plan,
)
from mmgym.agents.protocol_prompt import parse_protocol_reply, protocol_messages
from mmgym.core.agent import AgentReply, EpisodeContext, Turn, current_actions
from mmgym.errors import ConfigError


class LLMAgent:
    """A model-backed agent; `model` is the backend's config (`_target_` plus its arguments)."""

    def __init__(
        self,
        model: dict[str, Any],
        output_format: Literal["json", "text"] = "json",
        chain_of_thought: bool = True,
        plan: bool = False,
        history_window: int = 10,
        history_images: int = 0,
        few_shot_file: str | None = None,
        system_prompt: str = DEFAULT_SYSTEM,
        max_consecutive_failures: int = 5,
        max_tokens: int = 512,
        temperature: float = 0.0,
        top_p: float = 1.0,
        seed: int | None = None,
    ) -> None:
        self.backend: ModelBackend = shared_backend(model)
        self.prompt = PromptConfig(system_prompt, output_format, chain_of_thought, plan, history_window, history_images)
        self.few_shot_file = few_shot_file
        self.max_consecutive_failures = max_consecutive_failures
        self.generation = GenerationConfig(max_tokens=max_tokens, temperature=temperature, top_p=top_p, seed=seed)

    async def reset(self, context: EpisodeContext) -> None:
        self.context = context
        protocol = context.play.protocol
        if protocol is not None and protocol.actions == "ids" and not context.valid_actions:
            raise ConfigError(
                f"{context.env_id} does not list its actions, so it cannot play a protocol that names them by id"
            )
        if protocol is not None and protocol.actions == "vectors" and not context.action_vector:
            raise ConfigError(f"{context.env_id} has no vector actions, so it cannot play a protocol of vectors")
        self.config = PromptConfig(
            **{**self.prompt.__dict__, "few_shot": load_few_shot(self.few_shot_file, context.env_id)}
        )
        # Only the frames a later prompt can show: none unless the rules show history, in image settings.
        keep = self.prompt.history_images if context.play.history else 0
        self.past_images: deque[ImagePart] = deque(maxlen=keep)
        self.failures_in_a_row = 0
        self.turns = 0

    async def act(self, turn: Turn) -> AgentReply:
        if self.context.play.protocol is not None:
            return await self._act_by_protocol(turn)
        if self.turns and not turn.info.get("valid", True):
            self.failures_in_a_row += 1
        elif self.turns:
            self.failures_in_a_row = 0
        if self.failures_in_a_row >= self.max_consecutive_failures:
            return AgentReply(stop_reason=f"{self.failures_in_a_row} unparseable or invalid replies in a row")
        self.turns += 1
        image = turn.observation.get("image")
        current = ImagePart(np.asarray(image)) if image is not None else None
        messages = build_messages(self.context, turn, self.config, tuple(self.past_images), current)
        if current is not None and self.past_images.maxlen:
            self.past_images.append(current)  # the same part later: its encoding is reused
        response = await self.backend.generate(messages, self.generation)
        plan = wants_plan(self.context, self.config)
        vector = bool(self.context.action_vector)  # integer-vector actions: a list of numbers is one action
        valid = current_actions(self.context, turn)  # this step's menu, when the env's actions change
        parsed = parse_reply(response.text, plan=plan, valid_actions=valid, vector=vector)
        actions = list(parsed.actions) if plan else list(parsed.actions[:1])
        return AgentReply(
            actions=actions,
            reasoning=parsed.thought,
            model_input=messages_for_record(messages),
            model_output=response.text,
            parse_path=parsed.path,
            parse_error=parsed.error,
            usage=_usage(response),
        )

    async def _act_by_protocol(self, turn: Turn) -> AgentReply:
        """One turn in the benchmark's own protocol: its prompt, its reply schema, its reading of ids."""
        protocol = self.context.play.protocol
        assert protocol is not None
        image = turn.observation.get("image")
        current = ImagePart(np.asarray(image)) if image is not None else None
        actions = current_actions(self.context, turn)
        instruction = str(turn.observation.get("instruction", ""))
        state = str(turn.observation.get("text") or "")
        bounds = self.context.action_vector
        messages = protocol_messages(protocol, instruction, actions, turn.history, current, state, bounds)
        response = await self.backend.generate(messages, self.generation)
        parsed = parse_protocol_reply(response.text, protocol, actions)
        return AgentReply(
            actions=list(parsed.actions),
            reasoning=parsed.thought,
            model_input=messages_for_record(messages),
            model_output=response.text,
            parse_path="json" if parsed.actions or parsed.stop_reason else "none",
            parse_error=parsed.error,
            usage=_usage(response),
            stop_reason=parsed.stop_reason,
        )


def _usage(response: ModelResponse) -> dict[str, float]:
    usage = response.usage
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "latency_s": usage.latency_s,
        "cost_usd": usage.cost_usd,
        "cached": float(usage.cached),
    }
