"""Prompts and replies in a benchmark's own protocol (`PromptProtocol`): actions listed by id, a JSON plan of ids.

Some benchmarks define their prompt and reply as part of what they measure: EmbodiedBench lists
every action as `action id i: <name>` and executes the `executable_plan` of the model's JSON reply
by id. A suite that plays such a benchmark's protocol puts it in its play rules; this module renders
the turn's one user message from it and reads the reply by its rules. The texts come from the
protocol (mmgym's wording, or the authors' read from their files); the structure is fixed here.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mmgym.agents.models.base import ImagePart, Message, Part, TextPart
from mmgym.agents.parsing import object_with_key
from mmgym.core.agent import StepView
from mmgym.core.language_env import format_vector
from mmgym.core.spec import PromptProtocol

Bounds = Sequence[tuple[int, int]]

ID_KEY = "action_id"


@dataclass(frozen=True)
class ProtocolReply:
    """A reply read by a protocol's rules: the actions to run in order; why none can run (`error`); and
    `stop_reason` when the reply ends the episode after its actions (an empty plan, an unlisted id)."""

    actions: tuple[str, ...]
    thought: str
    error: str | None = None
    stop_reason: str | None = None


def action_listing(actions: Sequence[str]) -> str:
    """The actions as the protocol lists them: one `action id i: <name>` per line."""
    return "".join(f"\naction id {i}: {name}" for i, name in enumerate(actions))


def protocol_messages(
    protocol: PromptProtocol,
    instruction: str,
    actions: Sequence[str],
    history: Sequence[StepView],
    image: ImagePart | None,
    state: str = "",
    bounds: Bounds = (),
) -> list[Message]:
    """The turn's one user message: the image, then the opening with the listed actions (or, for vector
    actions, their ranges) and examples, the instruction, the text observation `state` when the rules
    show one, every past step with its action id and the env's feedback, the closing and the format."""
    examples = "\n\n".join(f"## Example {i}:\n{example}" for i, example in enumerate(protocol.examples))
    task = instruction.rstrip(".")
    if protocol.actions == "vectors":
        max_id = len(bounds)
        text = protocol.opening.format(max_id, ", ".join(f"{low}-{high}" for low, high in bounds), examples)
    else:
        max_id = len(actions) - 1
        text = protocol.opening.format(max_id, action_listing(actions), examples)
    text += f"\n\n## The instruction: {task}."
    if state:
        text += f"\n\n## What you observe:\n{state}"
    if history:
        ids = {name: i for i, name in enumerate(actions)}
        text += "\n\n## The steps so far:"
        for i, step in enumerate(history):
            named = f"action {step.action}" if protocol.actions == "vectors" else (
                f"action id {ids.get(step.action, 'none')}, {step.action}")  # fmt: skip
            text += f"\nStep {i}, {named}, env feedback: {step.feedback}"
    closing = protocol.closing_later if history else protocol.closing_first
    text += "\n\n" + closing.format(max_id=max_id, instruction=task) + "\n" + protocol.reply_format
    parts: list[Part] = [image, TextPart(text)] if image is not None else [TextPart(text)]
    return [Message("user", tuple(parts))]


def parse_protocol_reply(text: str, protocol: PromptProtocol, actions: Sequence[str]) -> ProtocolReply:
    """The actions a reply's plan names by id (or spells out, for vector actions), by the protocol's rules.

    The last JSON object with the plan key is read, wherever it sits in the reply (the authors' code
    reads the whole reply as JSON). Its plan must be a list of objects with an integer `action_id`
    (or of vectors); an item without one makes the reply unparseable. An id outside the list truncates the plan there
    (unparseable when it is the first) or ends the episode after the actions before it, and an
    empty plan ends the episode or is unparseable, as the protocol says.
    """
    found = object_with_key(text, protocol.plan_key)
    if found is None:
        return ProtocolReply((), "", f"no JSON object with an {protocol.plan_key!r} list")
    fields = {str(key).lower(): value for key, value in found.items()}
    thought = "\n".join(str(fields[key]) for key in protocol.thought_keys if fields.get(key))
    plan = fields[protocol.plan_key.lower()]
    if not isinstance(plan, list):
        return ProtocolReply((), thought, f"{protocol.plan_key!r} is not a list")
    if not plan:
        if protocol.empty_plan == "ends":
            return ProtocolReply((), thought, stop_reason="the reply's plan is empty")
        return ProtocolReply((), thought, "the reply's plan is empty")
    if protocol.actions == "vectors":
        vectors = [_vector(item) for item in plan]
        if any(v is None for v in vectors):
            return ProtocolReply((), thought, f"every item of {protocol.plan_key!r} must be a list of numbers")
        return ProtocolReply(tuple(vectors), thought)  # type: ignore[arg-type]
    ids = [_action_id(item) for item in plan]
    if any(i is _MISSING for i in ids):
        return ProtocolReply((), thought, f"every item of {protocol.plan_key!r} needs an {ID_KEY!r}")
    names: list[str] = []
    for action_id in ids:
        if not _listed(action_id, actions):
            unlisted = f"action id {action_id!r} is not one of 0 to {len(actions) - 1}"
            if protocol.unknown_id == "ends":
                return ProtocolReply(tuple(names), thought, stop_reason=f"{unlisted}: the episode ends")
            if not names:
                return ProtocolReply((), thought, unlisted)
            break
        names.append(actions[action_id])
    return ProtocolReply(tuple(names), thought)


_MISSING = object()


def _action_id(item: Any) -> Any:
    if not isinstance(item, dict):
        return _MISSING
    return next((value for key, value in item.items() if str(key).lower() == ID_KEY), _MISSING)


def _vector(item: Any) -> str | None:
    """A plan item as a vector action: `[a, b, ...]`, `{"action": [a, b, ...]}`, or either spelt as a string."""
    if isinstance(item, dict):
        item = next((value for key, value in item.items() if str(key).lower() == "action"), None)
    if isinstance(item, str):
        try:
            item = ast.literal_eval(item.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    if isinstance(item, list | tuple) and item and all(_is_number(v) for v in item):
        return format_vector(item)
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _listed(action_id: Any, actions: Sequence[str]) -> bool:
    return isinstance(action_id, int) and not isinstance(action_id, bool) and 0 <= action_id < len(actions)
