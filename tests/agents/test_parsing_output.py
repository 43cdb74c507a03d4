"""The parser reads an `output` key (ING-VP's reply) when no action key is there, and only one value."""

from __future__ import annotations

import pytest

from mmgym.agents.parsing import parse_reply


@pytest.mark.parametrize(
    ("reply", "action"),
    [
        ('{"output": 3}', "3"),
        ('{"output": "L"}', "L"),
        ('I think I should go back.\n{"thought": "stuck", "output": 12}', "12"),
        ('```json\n{"output": "up"}\n```', "up"),
    ],
)
def test_a_scalar_output_is_the_action(reply: str, action: str) -> None:
    parsed = parse_reply(reply)
    assert (parsed.actions, parsed.path, parsed.error) == ((action,), "json", None)


def test_output_in_plan_mode_is_one_action() -> None:
    assert parse_reply('{"output": 2}', plan=True).actions == ("2",)


@pytest.mark.parametrize("reply", ['{"output": [2, 3]}', '{"output": {"23": 5}}', '{"output": true}'])
def test_a_list_or_an_object_under_output_is_no_action(reply: str) -> None:
    parsed = parse_reply(reply)
    assert parsed.actions == () and parsed.path == "none"


def test_an_action_key_wins_over_output() -> None:
    assert parse_reply('{"action": "up", "output": 3}').actions == ("up",)
    assert parse_reply('{"actions": ["up", "left"], "output": 3}', plan=True).actions == ("up", "left")


def test_an_output_value_is_canonicalised_like_any_action() -> None:
    assert parse_reply('{"output": "UP."}', valid_actions=["up", "down"]).actions == ("up",)
