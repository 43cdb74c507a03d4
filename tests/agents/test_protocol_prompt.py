"""A benchmark's own prompt protocol: the turn's message (actions listed by id, history by id) and the reading
of a JSON plan of ids by the protocol's rules (empty plans, unlisted ids, items without an id)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mmgym.agents.models.base import ImagePart, TextPart
from mmgym.agents.protocol_prompt import action_listing, parse_protocol_reply, protocol_messages
from mmgym.core.agent import StepView
from mmgym.core.spec import PromptProtocol

ACTIONS = ("find a Apple", "pick up the Apple", "find a Fridge", "open the Fridge")
PROTOCOL = PromptProtocol(
    opening="Actions 0 to {0}:{1}\n\nExamples:\n{2}",
    examples=("first example", "second example"),
    closing_first="Plan with ids 0 to {max_id} for: {instruction}",
    closing_later="Replan with ids 0 to {max_id} for: {instruction}",
    reply_format="Answer in JSON.",
)
ENDING = PROTOCOL.model_copy(update={"empty_plan": "ends", "unknown_id": "ends"})


def plan(*ids: object, **fields: str) -> str:
    return json.dumps({**fields, "executable_plan": [{"action_id": i, "action_name": "whatever"} for i in ids]})


def test_the_first_turn_lists_every_action_by_id_after_the_image() -> None:
    image = ImagePart(np.zeros((4, 4, 3), np.uint8))
    (message,) = protocol_messages(PROTOCOL, "Chill an apple.", ACTIONS, (), image)
    assert message.role == "user" and message.parts[0] is image
    text = message.parts[1].text
    assert text.startswith("Actions 0 to 3:\naction id 0: find a Apple\naction id 1: pick up the Apple\n")
    assert "## Example 0:\nfirst example\n\n## Example 1:\nsecond example" in text
    assert "## The instruction: Chill an apple." in text
    assert text.endswith("Plan with ids 0 to 3 for: Chill an apple\nAnswer in JSON.")
    assert "steps so far" not in text


def test_later_turns_show_every_past_step_with_its_id_and_feedback() -> None:
    history = (
        StepView(0, "find a Apple", True, "Last action executed successfully."),
        StepView(1, "open the Fridge", False, "Last action is invalid. It is too far."),
    )
    (message,) = protocol_messages(PROTOCOL, "Chill an apple", ACTIONS, history, None)
    (part,) = message.parts
    assert isinstance(part, TextPart)
    assert (
        "## The steps so far:\n"
        "Step 0, action id 0, find a Apple, env feedback: Last action executed successfully.\n"
        "Step 1, action id 3, open the Fridge, env feedback: Last action is invalid. It is too far."
    ) in part.text
    assert "Replan with ids 0 to 3 for: Chill an apple" in part.text


def test_the_listing_is_one_line_per_action() -> None:
    assert action_listing(["a", "b"]) == "\naction id 0: a\naction id 1: b"


def test_a_plan_runs_by_id_and_its_reasoning_fields_are_the_thought() -> None:
    reply = parse_protocol_reply(plan(0, 1, reasoning_and_reflection="apple first"), PROTOCOL, ACTIONS)
    assert reply.actions == ("find a Apple", "pick up the Apple") and reply.thought == "apple first"
    assert reply.error is None and reply.stop_reason is None


def test_the_plan_is_found_in_fences_and_prose() -> None:
    text = f"Sure.\n```json\n{plan(2, 3)}\n```\nDone."
    assert parse_protocol_reply(text, PROTOCOL, ACTIONS).actions == ("find a Fridge", "open the Fridge")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("I would find the apple.", "no JSON object with an 'executable_plan' list"),
        ('{"executable_plan": "find the apple"}', "'executable_plan' is not a list"),
        ('{"executable_plan": [{"action_id": 0}, {"action_name": "x"}]}', "every item of 'executable_plan' needs"),
        ('{"executable_plan": [0, 1]}', "every item of 'executable_plan' needs"),
        (plan(7, 0), "action id 7 is not one of 0 to 3"),
        (plan("1"), "action id '1' is not one of 0 to 3"),
        (plan(True), "action id True is not one of 0 to 3"),
    ],
)
def test_unreadable_plans_are_unparseable_with_a_reason(text: str, error: str) -> None:
    reply = parse_protocol_reply(text, PROTOCOL, ACTIONS)
    assert reply.actions == () and reply.error.startswith(error) and reply.stop_reason is None


def test_an_unlisted_id_after_the_first_truncates_the_plan() -> None:
    reply = parse_protocol_reply(plan(0, 1, 99, 2), PROTOCOL, ACTIONS)
    assert reply.actions == ("find a Apple", "pick up the Apple") and reply.error is None


def test_an_unlisted_id_ends_the_episode_after_the_actions_before_it_when_the_protocol_says_so() -> None:
    reply = parse_protocol_reply(plan(0, -1, 2), ENDING, ACTIONS)
    assert (
        reply.actions == ("find a Apple",)
        and reply.stop_reason == "action id -1 is not one of 0 to 3: the episode ends"
    )
    first = parse_protocol_reply(plan(8), ENDING, ACTIONS)
    assert first.actions == () and first.stop_reason and first.error is None


def test_an_empty_plan_is_unparseable_or_ends_the_episode() -> None:
    assert parse_protocol_reply(plan(), PROTOCOL, ACTIONS).error == "the reply's plan is empty"
    ended = parse_protocol_reply(plan(), ENDING, ACTIONS)
    assert ended.stop_reason == "the reply's plan is empty" and ended.error is None
