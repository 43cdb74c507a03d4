"""Prompts and replies in a benchmark's own protocol (`PromptProtocol`): actions listed by id, a JSON plan of ids.

Some benchmarks define their prompt and reply as part of what they measure: EmbodiedBench lists
every action as `action id i: <name>` and executes the `executable_plan` of the model's JSON reply
by id. A suite that plays such a benchmark's protocol puts it in its play rules; this module renders
the turn's one user message from it and reads the reply by its rules. The texts come from the
protocol (mmgym's wording, or the authors' read from their files); the structure is fixed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mmgym.agents.models.base import ImagePart, Message, Part, TextPart
from mmgym.agents.parsing import object_with_key
from mmgym.core.agent import StepView
from mmgym.core.spec import PromptProtocol

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
) -> list[Message]:
    """The turn's one user message: the image, then the opening with the listed actions and examples, the
    instruction, every past step with its action id and the env's feedback, the closing and the format."""
    max_id = len(actions) - 1
    examples = "\n\n".join(f"## Example {i}:\n{example}" for i, example in enumerate(protocol.examples))
    task = instruction.rstrip(".")
    text = protocol.opening.format(max_id, action_listing(actions), examples)
    text += f"\n\n## The instruction: {task}."
    if history:
        ids = {name: i for i, name in enumerate(actions)}
        text += "\n\n## The steps so far:"
        for i, step in enumerate(history):
            action_id = ids.get(step.action, "none")
            text += f"\nStep {i}, action id {action_id}, {step.action}, env feedback: {step.feedback}"
    closing = protocol.closing_later if history else protocol.closing_first
    text += "\n\n" + closing.format(max_id=max_id, instruction=task) + "\n" + protocol.reply_format
    parts: list[Part] = [image, TextPart(text)] if image is not None else [TextPart(text)]
    return [Message("user", tuple(parts))]


def parse_protocol_reply(text: str, protocol: PromptProtocol, actions: Sequence[str]) -> ProtocolReply:
    """The actions a reply's plan names by id, by the protocol's rules.

    The last JSON object with the plan key is read, wherever it sits in the reply (the authors' code
    reads the whole reply as JSON). Its plan must be a list of objects with an integer `action_id`; an
    item without one makes the reply unparseable. An id outside the list truncates the plan there
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


def _listed(action_id: Any, actions: Sequence[str]) -> bool:
    return isinstance(action_id, int) and not isinstance(action_id, bool) and 0 <= action_id < len(actions)
