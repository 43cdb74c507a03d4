"""Build the chat messages an LLM agent sends each turn.

The prompt holds, in order: a system text; the env's rules and action grammar; optional few-shot
exchanges; the instruction; a window of past steps (action, validity, env feedback) and, if
asked, the last few past images; the current observation as the play rules allow; and the
reply format. Everything comes from the episode context and the turn, so the same builder serves
every env.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from mmgym.agents.models.base import ImagePart, Message, Part, TextPart
from mmgym.core.agent import EpisodeContext, StepView, Turn
from mmgym.errors import ConfigError

OutputFormat = Literal["json", "text"]
SHIPPED_FEW_SHOT = Path(str(resources.files("mmgym.conf") / "few_shot"))

DEFAULT_SYSTEM = (
    "You are an agent acting in an interactive environment. Read the rules, look at the current "
    "state and choose actions that reach the goal. Use exactly the action language given."
)


@dataclass(frozen=True)
class FewShot:
    user: str
    assistant: str


@dataclass(frozen=True)
class PromptConfig:
    system: str = DEFAULT_SYSTEM
    output_format: OutputFormat = "json"
    chain_of_thought: bool = True
    plan: bool = False  # ask for a list of actions (one-step play asks for the whole solution regardless)
    history_window: int = 10
    history_images: int = 0
    few_shot: tuple[FewShot, ...] = field(default=())


def load_few_shot(path: str | None, env_id: str) -> tuple[FewShot, ...]:
    """Examples for `env_id` from a YAML file mapping env ids (or `default`) to lists of {user, assistant}.

    `path` is a file, or the name of a file shipped in mmgym/conf/few_shot/ (its stem).
    """
    if not path:
        return ()
    file = Path(path).expanduser()
    if not file.is_file():
        file = SHIPPED_FEW_SHOT / f"{path}.yaml"
    if not file.is_file():
        shipped = sorted(p.stem for p in SHIPPED_FEW_SHOT.glob("*.yaml"))
        raise ConfigError(f"few-shot file {path!r} not found; give a path or one of: {', '.join(shipped)}")
    data = yaml.safe_load(file.read_text()) or {}
    examples = data.get(env_id, data.get("default", []))
    try:
        return tuple(FewShot(str(e["user"]), str(e["assistant"])) for e in examples)
    except (KeyError, TypeError):
        raise ConfigError(f"few-shot file {path!r}: each example needs 'user' and 'assistant' keys") from None


def build_messages(
    context: EpisodeContext,
    turn: Turn,
    config: PromptConfig,
    past_images: Sequence[ImagePart] = (),
    current_image: ImagePart | None = None,
) -> list[Message]:
    """The full conversation for one turn (a single user message after the system and few-shot ones).

    `current_image` is the observation's frame as a part the agent keeps for later turns (made
    here from the observation when not given); `past_images` are such parts from earlier turns.
    """
    messages = [Message.text("system", config.system)]
    for example in config.few_shot:
        messages += [Message.text("user", example.user), Message.text("assistant", example.assistant)]
    parts: list[Part] = [TextPart(_task_text(context, turn))]
    parts += _history_parts(turn.history, config, past_images)
    parts += _observation_parts(turn, current_image)
    parts.append(TextPart(reply_format(config, wants_plan(context, config))))
    messages.append(Message("user", tuple(parts)))
    return messages


def wants_plan(context: EpisodeContext, config: PromptConfig) -> bool:
    """Whether to ask for a list of actions: the rules want a whole solution, or the agent plans."""
    if context.play.actions_per_reply == "one":
        return False
    return config.plan or context.play.actions_per_reply == "solution"


def _task_text(context: EpisodeContext, turn: Turn) -> str:
    instruction = turn.observation.get("instruction", "")
    lines = [f"Rules: {context.rules}", f"Action language: {context.action_grammar}."]
    if context.play.actions_per_reply == "solution":
        lines.append("Give the complete sequence of actions that solves the task; it will be executed in order.")
    elif context.play.single_reply:
        lines.append("Choose your action; you have one reply.")
    else:
        lines.append("Each turn you may act; the environment then shows you the new state.")
    if instruction:
        lines.append(f"Task: {instruction}")
    return "\n".join(lines)


def _history_parts(history: Sequence[StepView], config: PromptConfig, past_images: Sequence[ImagePart]) -> list[Part]:
    parts: list[Part] = []
    window = list(history)[-config.history_window :] if config.history_window > 0 else []
    if window:
        lines = [
            f"{s.index + 1}. {s.action or '(none)'} -> {'valid' if s.valid else 'INVALID'}: {s.feedback}"
            for s in window
        ]
        parts.append(TextPart("Previous steps (oldest first):\n" + "\n".join(lines)))
    images = list(past_images)[-config.history_images :] if config.history_images > 0 and history else []
    for i, image in enumerate(images):
        parts += [TextPart(f"Earlier view {i + 1} of {len(images)}:"), image]
    return parts


def _observation_parts(turn: Turn, current_image: ImagePart | None) -> list[Part]:
    parts: list[Part] = []
    last_valid = turn.info.get("valid", True)
    if not last_valid and not turn.history:
        parts.append(TextPart(f"Your last reply failed: {turn.info.get('feedback', '')}"))
    image = turn.observation.get("image")
    if current_image is None and image is not None:
        current_image = ImagePart(np.asarray(image))
    if current_image is not None:
        parts += [TextPart("Current view:"), current_image]
    text = turn.observation.get("text")
    if text:
        parts.append(TextPart(f"Current state:\n{text}"))
    return parts


def reply_format(config: PromptConfig, plan: bool) -> str:
    """The output-format instruction the parser expects."""
    if config.output_format == "json":
        value = '"actions": ["<action>", "<action>", ...]' if plan else '"action": "<action>"'
        thought = '"thought": "<your reasoning>", ' if config.chain_of_thought else ""
        return f"Reply with one JSON object and nothing else: {{{thought}{value}}}"
    lead = "Think step by step, then end" if config.chain_of_thought else "End"
    if plan:
        return f"{lead} your reply with one line 'Actions: <action>, <action>, ...'."
    return f"{lead} your reply with one line 'Action: <action>'."


def messages_for_record(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Messages as plain data for the episode record, images replaced by their size."""
    return [
        {
            "role": m.role,
            "content": [
                {"type": "text", "text": p.text}
                if isinstance(p, TextPart)
                else {"type": "image", "shape": list(np.asarray(p.image).shape)}
                for p in m.parts
            ],
        }
        for m in messages
    ]
