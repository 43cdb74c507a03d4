"""Replies written for actions that a scripted agent chose: the assistant turns of a demonstration.

An expert's run holds actions, not replies. To train a model on it, each turn needs the reply the
model should have written: the same actions, in the reply format its prompt asked for (mmgym's
JSON or `Action:` lines, or a benchmark's own protocol), so that the parser reads them back as
exactly those actions. `mmgym export` checks that it does before it writes a row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from mmgym.agents.prompts import PromptConfig
from mmgym.core.spec import PromptProtocol


def demonstration_reply(
    actions: Sequence[str],
    reasoning: str,
    prompt: PromptConfig,
    plan: bool,
    protocol: PromptProtocol | None = None,
    listed: Sequence[str] = (),
) -> str:
    """The reply that asks for `actions` in the format the turn's prompt requested.

    `plan`: the prompt asked for a list of actions. `protocol`: the episode plays a benchmark's own
    protocol, whose plan names `listed` actions by id (or spells out vectors).
    """
    if protocol is not None:
        return _protocol_reply(actions, reasoning, protocol, listed)
    if prompt.output_format == "json":
        reply: dict[str, object] = {"thought": reasoning} if prompt.chain_of_thought else {}
        reply.update({"actions": list(actions)} if plan else {"action": actions[0] if actions else ""})
        return json.dumps(reply, ensure_ascii=False)
    lead = f"{reasoning}\n" if prompt.chain_of_thought and reasoning else ""
    return f"{lead}Actions: {', '.join(actions)}" if plan else f"{lead}Action: {actions[0] if actions else ''}"


def _protocol_reply(actions: Sequence[str], reasoning: str, protocol: PromptProtocol, listed: Sequence[str]) -> str:
    reply: dict[str, object] = dict.fromkeys(protocol.thought_keys, "")
    if protocol.thought_keys:
        reply[protocol.thought_keys[0]] = reasoning
    if protocol.actions == "vectors":
        reply[protocol.plan_key] = [json.loads(action) for action in actions]
    else:
        ids = {name: i for i, name in enumerate(listed)}
        reply[protocol.plan_key] = [{"action_id": ids.get(name, -1), "action_name": name} for name in actions]
    return json.dumps(reply, ensure_ascii=False)
