"""The reply parser: each stage on the shapes models really produce, and robustness on any input."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mmgym.agents.parsing import MAX_SCAN_CHARS, ParsedReply, parse_reply

MOVES = ["up", "down", "left", "right"]


def assert_consistent(reply: ParsedReply, valid: Sequence[str] = ()) -> None:
    """Paths, actions and errors agree; actions are stripped text unless spelled as in `valid`."""
    assert isinstance(reply, ParsedReply)
    assert isinstance(reply.thought, str)
    assert all(isinstance(a, str) and a.strip() and (a == a.strip() or a in valid) for a in reply.actions)
    assert (reply.path == "none") == (not reply.actions) == (reply.error is not None)
    if reply.error is not None:
        assert "\n" not in reply.error
        assert not reply.error.startswith("internal parser error"), reply.error


# --- stage 1: JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action", "thought"),
    [
        ('{"thought": "the goal is above", "action": "up"}', "up", "the goal is above"),
        ('```json\n{"thought": "t", "action": "left"}\n```', "left", "t"),
        ('```\n{"action": "left"}\n```', "left", ""),
        ('I will go up.\n```json\n{"action": "up"}\n```\nHope that helps!', "up", "I will go up."),
        ('Sure! {"thought": "go", "action": "down"} is my answer.', "down", "go"),
        ('{"response": {"thought": "inner", "action": "right"}, "confidence": 0.9}', "right", "inner"),
        ('{"steps": [{"note": "x"}, {"action": "left"}], "meta": {"k": [1, 2]}}', "left", ""),
        ('{"Thought": "caps", "ACTION": "up"}', "up", "caps"),
        ('{" action ": "up"}', "up", ""),
        ('{"action": 7}', "7", ""),
        ('{"action": "  up  "}', "up", ""),
        ('{"thought": "a } and a { inside", "action": "up"}', "up", "a } and a { inside"),
        ('{"thought": "say \\"hi\\" {", "action": "up"}', "up", 'say "hi" {'),
        ('{"thought": "raw\nnewline", "action": "up"}', "up", "raw\nnewline"),
        ('{"reasoning_and_reflection": "why", "action": "up"}', "up", "why"),
    ],
)
def test_json_object_shapes(text: str, action: str, thought: str) -> None:
    reply = parse_reply(text)
    assert reply == ParsedReply((action,), thought, "json", None)


def test_broken_json_followed_by_a_valid_object() -> None:
    for broken in ('{"action": "up", ', '{"action": "up}', '{"thought": "cut', "{action: up}", '{"action": "up",}'):
        reply = parse_reply(f'{broken}\nSorry, again:\n{{"thought": "fixed", "action": "down"}}')
        assert (reply.actions, reply.path, reply.thought) == (("down",), "json", "fixed"), broken


def test_last_matching_object_wins_and_fences_come_first() -> None:
    assert parse_reply('{"action": "up"} no wait {"action": "down"} and {"other": 1}').actions == ("down",)
    fenced_then_prose = '```json\n{"action": "left"}\n```\nI could also {"action": "right"}'
    assert parse_reply(fenced_then_prose).actions == ("left",)
    assert parse_reply('```json\n{"action": "up"}\n```\n```json\n{"action": "down"}\n```').actions == ("down",)


def test_object_without_action_is_skipped_for_an_earlier_one() -> None:
    reply = parse_reply('{"action": "left"}\n{"thought": "no action here", "action": ""}')
    assert reply.actions == ("left",)
    assert parse_reply('{"action": null} {"action": true} {"action": {}}').path == "none"


def test_unclosed_fence_of_a_truncated_reply_is_still_read() -> None:
    assert parse_reply('```json\n{"action": "up"}\n').actions == ("up",)


def test_single_mode_takes_the_first_item_of_a_list() -> None:
    assert parse_reply('{"action": ["left", "up"]}').actions == ("left",)
    assert parse_reply('{"actions": ["right", "up"]}').actions == ("right",)
    assert parse_reply('{"executable_plan": [{"action_id": 4, "action_name": "find a mug"}]}').actions == (
        "find a mug",
    )


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        ('{"thought": "t", "actions": ["up", "up", "left"]}', ("up", "up", "left")),
        ('{"actions": [3, 7, " 12 ", "", null]}', ("3", "7", "12")),
        ('{"action": "up"}', ("up",)),
        ('{"plan": ["left", "down"]}', ("left", "down")),
        ('{"plan": "first go left, then down", "actions": ["left"]}', ("left",)),
        (
            '{"visual_state_description": "a kitchen", "reasoning_and_reflection": "r", "language_plan": "p",'
            ' "executable_plan": [{"action_id": 3, "action_name": "find a Apple"},'
            ' {"action_id": 9, "action_name": "pick up the Apple"}]}',
            ("find a Apple", "pick up the Apple"),
        ),
        (
            '{"executable_plan": [{"Action": "open the fridge"}, "close the fridge", {"id": 1}]}',
            ("open the fridge", "close the fridge"),
        ),
    ],
)
def test_plan_mode_lists(text: str, actions: tuple[str, ...]) -> None:
    reply = parse_reply(text, plan=True)
    assert (reply.actions, reply.path) == (actions, "json")


def test_embodiedbench_reasoning_becomes_the_thought() -> None:
    text = '{"reasoning_and_reflection": "the apple is on the table", "executable_plan": [{"action_name": "find"}]}'
    assert parse_reply(text, plan=True).thought == "the apple is on the table"


def test_deep_and_wide_json_does_not_break_the_parser() -> None:
    deep_ok = '{"x": ' * 500 + '{"action": "up"}' + "}" * 500
    assert parse_reply(deep_ok).actions == ("up",)
    too_deep = '{"x": ' * 50_000 + '{"action": "up"}' + "}" * 50_000  # beyond json's recursion limit
    assert_consistent(parse_reply(too_deep))
    assert parse_reply('{"action": null}' * 5_000 + '{"action": "up"}').actions == ("up",)


# --- stage 2: labelled lines -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("Action: up", "up"),
        ("action: up", "up"),
        ("ACTION : up", "up"),
        ("**Action:** up", "up"),
        ("**Action**: `left`.", "left"),
        ("### Action: down", "down"),
        ("> - Action: 'right'", "right"),
        ("Final action: up", "up"),
        ("Action：up", "up"),
        ("Action:\n\n  down  ", "down"),
        ("Action: up\nAction: left", "left"),
        ("Thought: the goal is to the right. Action: right", "right"),
        ("Actions: left, up", "left"),
        ('{"thought": "long reasoning cut off by the token limit", "action": "right", "conf', "right"),
        ("{'thought': 'python dict', 'action': 'up'}", "up"),
    ],
)
def test_action_lines(text: str, action: str) -> None:
    reply = parse_reply(text)
    assert (reply.actions, reply.path, reply.error) == ((action,), "regex", None)


def test_action_lines_capture_the_thought() -> None:
    reply = parse_reply("Thought: the wall is left,\nso I go up.\nAction: up")
    assert reply.thought == "the wall is left,\nso I go up."
    assert parse_reply("The goal is below me.\nAction: down").thought == "The goal is below me."


def test_prose_mentioning_an_action_is_not_a_label() -> None:
    reply = parse_reply("The best action: up is blocked.\nMy next step is planning: none", valid_actions=MOVES)
    assert reply.path == "none"


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        ("Actions: up, up, left", ("up", "up", "left")),
        ("Thought: go\n**Actions:** `up`, `left`.", ("up", "left")),
        ("Plan: left; down; left", ("left", "down", "left")),
        ('Actions: ["up", "right"]', ("up", "right")),
        ("Action: up\nAction: right\nAction: right", ("up", "right", "right")),
        ("Action 1: up\nAction 2: left", ("up", "left")),
        ("Plan:\n1. up\n2. left\n\n3. down\nThat should work.", ("up", "left", "down")),
        ("Actions:\n- up\n- right", ("up", "right")),
        ("Actions:\nup, left", ("up", "left")),
        ("Plan: go around\nAction: up\nAction: left", ("up", "left")),
        ("Action: up\nActions: left, down", ("left", "down")),
    ],
)
def test_plan_lines(text: str, actions: tuple[str, ...]) -> None:
    reply = parse_reply(text, plan=True)
    assert (reply.actions, reply.path) == (actions, "regex")


# --- stage 3: the reply is a valid action ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("up", "up"),
        ("  UP.  ", "up"),
        ('"left"', "left"),
        ("`right`", "right"),
        ("**down**", "down"),
        ("I looked at the grid.\nThe goal is above.\n\nUp!", "up"),
        ("pick  up\tthe APPLE", "pick up the apple"),
    ],
)
def test_bare_valid_action_in_canonical_spelling(text: str, action: str) -> None:
    reply = parse_reply(text, valid_actions=[*MOVES, "pick up the apple"])
    assert (reply.actions, reply.path) == ((action,), "match")


def test_match_thought_is_the_text_before_the_action() -> None:
    assert parse_reply("The goal is above.\nup", valid_actions=MOVES).thought == "The goal is above."


def test_match_in_plan_mode() -> None:
    assert parse_reply("Here is my plan:\nUp, up, Left", plan=True, valid_actions=MOVES).actions == ("up", "up", "left")
    assert parse_reply("up\nleft\ndown", plan=True, valid_actions=MOVES).actions == ("up", "left", "down")
    assert parse_reply("up, jump", plan=True, valid_actions=MOVES).path == "none"


def test_valid_actions_canonicalise_every_stage() -> None:
    valid = ["Move Up", "Move Down"]
    assert parse_reply('{"action": "move up"}', valid_actions=valid).actions == ("Move Up",)
    assert parse_reply("Action: MOVE  DOWN.", valid_actions=valid).actions == ("Move Down",)
    assert parse_reply("Action: fly", valid_actions=valid).actions == ("fly",)  # unknown actions pass through


def test_first_of_equal_spellings_is_canonical() -> None:
    assert parse_reply("UP", valid_actions=["Up", "up"]).actions == ("Up",)


# --- integer-vector actions (vector=True) -----------------------------------------------------

ARM = "[57, 61, 20, 0, 0, 30, 1]"
BACK = "[7, 6, 5, 4, 3, 2, 1]"


@pytest.mark.parametrize(
    ("text", "plan", "actions", "path"),
    [
        ('{"action": [57, 61, 20, 0, 0, 30, 1]}', False, (ARM,), "json"),
        ('{"thought": "above the cube", "action": [57,61,20,0,0,30,1]}', False, (ARM,), "json"),
        ('{"action": [57, 61, 20, 0, 0, 30, 1]}', True, (ARM,), "json"),
        ('{"actions": [57, 61, 20, 0, 0, 30, 1]}', True, (ARM,), "json"),
        ('{"actions": [[57, 61, 20, 0, 0, 30, 1], [7, 6, 5, 4, 3, 2, 1]]}', True, (ARM, BACK), "json"),
        ('{"actions": [[57, 61, 20, 0, 0, 30, 1], [7, 6, 5, 4, 3, 2, 1]]}', False, (ARM,), "json"),
        (
            '{"executable_plan": [{"action": [57, 61, 20, 0, 0, 30, 1]}, {"action": [7, 6, 5, 4, 3, 2, 1]}]}',
            True,
            (ARM, BACK),
            "json",
        ),
        ('{"action": "[57,61,20,0,0,30,1]"}', False, (ARM,), "json"),
        ('{"action": [57.5, 61, 20.0]}', False, ("[57.5, 61, 20.0]",), "json"),
        ("Action: [57, 61, 20, 0, 0, 30, 1]", False, (ARM,), "regex"),
        ("**Action:** `[57,61,20,0,0,30,1]`.", False, (ARM,), "regex"),
        ("Action: 57, 61, 20, 0, 0, 30, 1", False, (ARM,), "regex"),
        ("Actions: [57, 61, 20, 0, 0, 30, 1], [7, 6, 5, 4, 3, 2, 1]", True, (ARM, BACK), "regex"),
        ("Actions: [57, 61, 20, 0, 0, 30, 1]; [7,6,5,4,3,2,1]", True, (ARM, BACK), "regex"),
        ("Actions: [[57, 61, 20, 0, 0, 30, 1], [7, 6, 5, 4, 3, 2, 1]]", True, (ARM, BACK), "regex"),
        ("Actions:\n- [57, 61, 20, 0, 0, 30, 1]\n- [7, 6, 5, 4, 3, 2, 1]", True, (ARM, BACK), "regex"),
        ("Plan:\n1. [57, 61, 20, 0, 0, 30, 1]\n2. [7, 6, 5, 4, 3, 2, 1]", True, (ARM, BACK), "regex"),
        ("Action: [57, 61, 20, 0, 0, 30, 1]\nAction: [7, 6, 5, 4, 3, 2, 1]", True, (ARM, BACK), "regex"),
        ("Actions: [57, 61, 20, 0, 0, 30, 1], [7, 6, 5, 4, 3, 2, 1]", False, (ARM,), "regex"),
        ('{"thought": "cut off", "action": [57, 61, 20, 0, 0, 30, 1], "confid', False, (ARM,), "regex"),
        ("Action: open the gripper", False, ("open the gripper",), "regex"),
    ],
)
def test_vector_actions(text: str, plan: bool, actions: tuple[str, ...], path: str) -> None:
    reply = parse_reply(text, plan=plan, vector=True)
    assert (reply.actions, reply.path, reply.error) == (actions, path, None)


def test_vector_floats_are_kept_for_the_env_to_judge_not_rounded() -> None:
    assert parse_reply('{"action": [57.5, 61, 20]}', vector=True).actions == ("[57.5, 61, 20]",)
    assert parse_reply("Action: [57.0, 61, 20]", vector=True).actions == ("[57.0, 61, 20]",)


def test_numeric_lists_are_one_action_per_number_without_vector() -> None:
    """The puzzle envs (the 15-puzzle's tiles) rely on this: `[3, 5, 7]` is three actions."""
    assert parse_reply('{"actions": [3, 5, 7]}', plan=True).actions == ("3", "5", "7")
    assert parse_reply('{"action": [3, 5, 7]}').actions == ("3",)
    assert parse_reply("Actions: [3, 5, 7]", plan=True).actions == ("3", "5", "7")
    assert parse_reply("Action: [3, 5, 7]").actions == ("[3, 5, 7]",)
    assert parse_reply("Action: 3, 5, 7").actions == ("3, 5, 7",)


def test_vector_mode_needs_a_list_to_make_a_vector() -> None:
    assert parse_reply('{"action": 57}', vector=True).actions == ("57",)  # a lone number stays as written
    assert parse_reply("Action: 57", vector=True).actions == ("57",)
    assert parse_reply("[57, 61, 20, 0, 0, 30, 1]", vector=True).path == "none"  # no label, no object: no guess
    assert parse_reply('{"action": [true, 1]}', vector=True).actions == ("1",)  # a boolean is no number: no vector


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from(
            ["{", "}", "[", "]", '"action": ', "Action:", "Actions:", "- ", ",", ";", " ", "\n", "7", "-3", "2.5"]
        ),
        max_size=60,
    ),
    plan=st.booleans(),
)
def test_vector_fragments_give_a_consistent_reply(parts: list[str], plan: bool) -> None:
    reply = parse_reply("".join(parts), plan=plan, vector=True)
    assert_consistent(reply)
    if not plan:
        assert len(reply.actions) <= 1


@pytest.mark.parametrize("name", ["5 MB of random bytes", "5 MB of unclosed action objects", "5 MB of empty labels"])
def test_huge_inputs_finish_quickly_in_vector_mode(name: str) -> None:
    for text in (HUGE[name](), "Actions: " + "[1, 2, 3], " * 500_000, "Action: [" + "1," * 2_500_000):
        start = time.perf_counter()
        assert_consistent(parse_reply(text, plan=True, vector=True))
        assert time.perf_counter() - start < 2.0


# --- stage order and failures ----------------------------------------------------------------


def test_stage_order_and_path() -> None:
    both = 'Action: left\n{"action": "up"}\nright'
    assert parse_reply(both, valid_actions=MOVES).path == "json"
    assert parse_reply("Action: left\nright", valid_actions=MOVES).path == "regex"
    assert parse_reply("right", valid_actions=MOVES).path == "match"


def test_failure_says_why_in_one_line() -> None:
    reply = parse_reply("I am not sure what to do.", valid_actions=MOVES)
    assert reply == ParsedReply(
        (), "", "none", "no JSON object with an 'action' key, no 'Action:' line, and no valid action found"
    )
    assert "no valid actions given" in (parse_reply("hmm").error or "")
    assert "'actions' key" in (parse_reply("hmm", plan=True).error or "")
    assert parse_reply("").error == "empty reply"
    assert parse_reply("   \n ").error == "empty reply"


@pytest.mark.parametrize("junk", [None, b'{"action": "up"}', 42, 3.5, ["up"], object()])
def test_non_string_input_never_raises(junk: Any) -> None:
    reply = parse_reply(junk, valid_actions=MOVES)
    assert_consistent(reply)
    if isinstance(junk, bytes):
        assert reply.actions == ("up",)


def test_valid_actions_of_any_sequence_type() -> None:
    assert parse_reply("7", valid_actions=(7, 8)).actions == ("7",)  # type: ignore[arg-type]
    assert parse_reply("up", valid_actions=None).path == "none"  # type: ignore[arg-type]


# --- reasoning models ------------------------------------------------------------------------


def test_think_block_drafts_do_not_count() -> None:
    text = '<think>Maybe {"action": "left"}?\nAction: left\nNo.</think>\nAction: up'
    reply = parse_reply(text)
    assert (reply.actions, reply.path) == (("up",), "regex")
    assert reply.thought.startswith('Maybe {"action": "left"}')
    plan = parse_reply("<think>Action: left\nAction: left</think>Action: up\nAction: down", plan=True)
    assert plan.actions == ("up", "down")


def test_think_block_is_the_fallback_when_the_answer_is_empty() -> None:
    reply = parse_reply("<think>I should go down.\nAction: down</think>\n")
    assert (reply.actions, reply.thought) == (("down",), "I should go down.")
    failed = parse_reply("<think>no idea</think>\n")
    assert (failed.path, failed.thought, failed.error) == (
        "none",
        "no idea",
        "empty answer after the </think> reasoning",
    )


# --- unicode ---------------------------------------------------------------------------------


def test_unicode_actions_and_text() -> None:
    assert parse_reply('{"thought": "向上走 🙂", "action": "上"}').actions == ("上",)
    assert parse_reply('{"action": "\\u4e0a"}').actions == ("上",)
    assert parse_reply("Gedanke: nach oben\nAction: Straße").actions == ("Straße",)
    assert parse_reply("STRASSE", valid_actions=["straße"]).actions == ("straße",)
    assert parse_reply("مرحبا\nAction: يسار").actions == ("يسار",)
    assert parse_reply("\ud800 lone surrogate\nAction: up").actions == ("up",)


# --- bounded time on huge inputs ------------------------------------------------------------


def _random_text(size: int) -> str:
    return random.Random(0).randbytes(size).decode("latin-1")


HUGE = {
    "5 MB of {": lambda: "{" * 5_000_000,
    "5 MB of }": lambda: "}" * 5_000_000,
    "5 MB of quotes": lambda: '"' * 5_000_000,
    "5 MB of random bytes": lambda: _random_text(5_000_000),
    "5 MB of spaces and stars": lambda: " *" * 2_500_000,
    "5 MB of unclosed action objects": lambda: '{"action": [' * 420_000,
    "5 MB ending in 28k nested objects": lambda: (
        "x" * 4_800_000 + '{"a": ' * 28_000 + '{"action": null}' + "}" * 28_000
    ),
    "5 MB ending in 18k nested actions": lambda: "x" * 4_800_000 + '{"action": ' * 18_000 + "1" + "}" * 18_000,
    "5 MB of empty objects": lambda: "{}" * 2_500_000,
    "5 MB of action objects": lambda: '{"action": null}' * 310_000,
    "5 MB of empty labels": lambda: "Actions:\n" * 550_000,
    "5 MB of fences": lambda: "```json\n[" * 550_000,
    "5 MB of think tags": lambda: "</think>" * 625_000,
}


@pytest.mark.parametrize("name", list(HUGE))
@pytest.mark.parametrize("plan", [False, True])
def test_huge_inputs_finish_quickly(name: str, plan: bool) -> None:
    text = HUGE[name]()
    start = time.perf_counter()
    reply = parse_reply(text, plan=plan, valid_actions=MOVES)
    elapsed = time.perf_counter() - start
    assert_consistent(reply)
    assert elapsed < 2.0, f"{name}: {elapsed:.2f} s"


def test_only_the_tail_of_a_huge_reply_is_read() -> None:
    padding = _random_text(5_000_000).replace("{", "(").replace("`", "'")
    assert parse_reply(padding + '\n{"action": "up"}').actions == ("up",)
    early = parse_reply('{"action": "up"}\n' + "x" * MAX_SCAN_CHARS)
    assert early.path == "none"


# --- properties ------------------------------------------------------------------------------

ACTION_KEYS = {"action", "actions", "action_name", "executable_plan", "plan"}
safe_keys = st.text(max_size=12).filter(lambda k: k.strip().lower() not in ACTION_KEYS and "</think" not in k)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20).filter(lambda s: "</think" not in s.lower())
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(safe_keys, inner, max_size=4),
    max_leaves=20,
)
prose = st.text(st.characters(blacklist_characters="{}`<"), max_size=80)
action_values = (
    st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and "</think" not in s.lower())
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(), plan=st.booleans(), valid=st.lists(st.text(max_size=10), max_size=5), vector=st.booleans())
@example(text='{"action": "up"', plan=False, valid=[], vector=False)
@example(text="```{```}", plan=True, valid=["}"], vector=False)
@example(text="\x00\u2028Action:\u2029", plan=False, valid=[""], vector=False)
@example(text="Action: [\u0661, 2]", plan=False, valid=[], vector=True)
def test_any_text_gives_a_consistent_reply(text: str, plan: bool, valid: list[str], vector: bool) -> None:
    reply = parse_reply(text, plan=plan, valid_actions=valid, vector=vector)
    assert_consistent(reply, valid)
    if not plan:
        assert len(reply.actions) <= 1


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from(
            ["{", "}", '"', "\\", "[", "]", ":", ",", "action", "Action:", "```", "\n", "x", "7", "<think>", "</think>"]
        ),
        max_size=60,
    ),
    plan=st.booleans(),
)
def test_json_like_fragments_give_a_consistent_reply(parts: list[str], plan: bool) -> None:
    assert_consistent(parse_reply("".join(parts), plan=plan, valid_actions=["x", "7"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    obj=st.dictionaries(safe_keys, json_values, max_size=5),
    action=st.none() | action_values,
    before=prose,
    after=prose,
    wrap=st.booleans(),
    ascii_only=st.booleans(),
    plan=st.booleans(),
)
def test_embedded_json_round_trips_its_action(
    obj: dict[str, Any], action: Any, before: str, after: str, wrap: bool, ascii_only: bool, plan: bool
) -> None:
    if action is not None:
        obj["action"] = action
    payload: Any = {"response": obj} if wrap else obj
    reply = parse_reply(f"{before}{json.dumps(payload, ensure_ascii=ascii_only)}{after}", plan=plan)
    assert_consistent(reply)
    if action is None:
        assert reply.path != "json"
    else:
        expected = action.strip() if isinstance(action, str) else str(action)
        assert (reply.actions, reply.path) == ((expected,), "json")


words = st.text(alphabet="abcé ", min_size=1, max_size=12).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(
    valid=st.lists(words, min_size=1, max_size=6, unique_by=lambda w: " ".join(w.split()).casefold()), data=st.data()
)
def test_a_bare_valid_action_matches_canonically(valid: list[str], data: st.DataObject) -> None:
    canonical = data.draw(st.sampled_from(valid))
    spelled = data.draw(st.sampled_from([canonical, canonical.upper(), f"  {canonical}. ", f"I see.\n`{canonical}`"]))
    for plan in (False, True):
        reply = parse_reply(spelled, plan=plan, valid_actions=valid)
        assert (reply.actions, reply.path) == ((canonical,), "match")


@pytest.mark.parametrize("prose", ["\\", "x \\", 'path C:\\ and "quote\\"'])
def test_backslash_in_prose_before_the_json_does_not_hide_it(prose: str) -> None:
    """Found by hypothesis: a `\\{` outside any string was taken for an escaped brace."""
    reply = parse_reply(prose + '{"action": "up"}')
    assert reply.actions == ("up",) and reply.path == "json"


# --- the last matching object wins, at every level ---------------------------------------------------
#
# Replies are built from trees of JSON values in which some objects match the action schema (`Act`)
# and some look as if they might but do not (`Decoy`: an action key with no usable value). Every
# matching object gets a unique label in document order, and the expected winner comes from a plain
# reading of the rule: fenced objects before the rest, then the last matching object in document
# order that is not inside another matching one (a matching object's insides are never searched).

PLAIN = st.text(alphabet="abcxyz019 _-.:", max_size=10)  # no braces, quotes, fences or tags: the rule alone
rule_keys = PLAIN.filter(lambda k: k.strip().lower() not in ACTION_KEYS)
rule_scalars = st.none() | st.booleans() | st.integers(-9, 99) | PLAIN
ACT_KINDS = ("action", " Action ", "ACTION", "actions", "executable_plan", "plan")
DECOY_VALUES = {
    "action": (None, "", "   ", [], {}, True),
    "actions": (None, [], [None, ""], "", False),
    "plan": ("first go left, then up", None, []),  # a string under `plan` is a language plan, not an action
    "executable_plan": ("find the apple", None, [{"action_id": 3}]),
}
rule_prose = st.text(alphabet="abc xyz.,!?:\n", max_size=30)


@dataclass(frozen=True)
class Act:
    """An object with one action key (of `kind`) at position `at` among `rest`'s keys."""

    kind: str
    at: int
    rest: dict[str, Any]


@dataclass(frozen=True)
class Decoy:
    key: str
    value: Any
    at: int
    rest: dict[str, Any]


def _with_key(rest: dict[str, Any], at: int, key: str, value: Any) -> dict[str, Any]:
    items = list(rest.items())
    items.insert(at % (len(items) + 1), (key, value))
    return dict(items)


def _act_value(kind: str, label: str) -> Any:
    if kind == "executable_plan":
        return [{"action_id": 1, "action_name": label}, {"action_name": f"{label}-next"}]
    return label if kind.strip().lower() == "action" else [label, f"{label}-next"]


def _act_actions(kind: str, label: str, plan: bool) -> tuple[str, ...]:
    single = kind.strip().lower() == "action"
    return (label,) if single or not plan else (label, f"{label}-next")


def materialize(node: Any, labels: list[str], winners: list[tuple[str, str]], inside_act: bool = False) -> Any:
    """Plain JSON for a tree; labels every `Act` in document order, and lists the ones not inside another."""
    if isinstance(node, Act):
        label = f"act{len(labels)}"
        labels.append(label)
        if not inside_act:
            winners.append((node.kind, label))
        rest = {k: materialize(v, labels, winners, True) for k, v in node.rest.items()}
        return _with_key(rest, node.at, node.kind, _act_value(node.kind, label))
    if isinstance(node, Decoy):
        rest = {k: materialize(v, labels, winners, inside_act) for k, v in node.rest.items()}
        return _with_key(rest, node.at, node.key, node.value)
    if isinstance(node, dict):
        return {k: materialize(v, labels, winners, inside_act) for k, v in node.items()}
    if isinstance(node, list):
        return [materialize(v, labels, winners, inside_act) for v in node]
    return node


def _nodes(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    rest = st.dictionaries(rule_keys, children, max_size=3)
    acts = st.builds(Act, st.sampled_from(ACT_KINDS), st.integers(0, 3), rest)
    decoys = st.sampled_from(sorted(DECOY_VALUES)).flatmap(
        lambda key: st.builds(Decoy, st.just(key), st.sampled_from(DECOY_VALUES[key]), st.integers(0, 3), rest)
    )
    return st.lists(children, max_size=4) | rest | acts | decoys


trees = st.recursive(
    rule_scalars | st.builds(Act, st.sampled_from(ACT_KINDS), st.integers(0, 1), st.just({})), _nodes, max_leaves=12
)


def render(segments: list[tuple[Any, bool]], prose: list[str], unclosed_last_fence: bool = False) -> tuple[str, Any]:
    """A reply of prose and JSON values (fenced or not), and the (kind, label) the rule says wins (None: none)."""
    text, labels, fenced_winners, all_winners = prose[0], [], [], []
    for i, (tree, fenced) in enumerate(segments):
        winners: list[tuple[str, str]] = []
        value = json.dumps(materialize(tree, labels, winners))
        all_winners += winners
        if fenced:
            fenced_winners += winners
            closing = "" if unclosed_last_fence and i == len(segments) - 1 else "\n```"
            value = f"```json\n{value}{closing}"
        text += value + prose[(i + 1) % len(prose)]
    winners = fenced_winners or all_winners
    return text, winners[-1] if winners else None


def check_winner(text: str, winner: tuple[str, str] | None) -> None:
    for plan in (False, True):
        reply = parse_reply(text, plan=plan)
        assert_consistent(reply)
        if winner is None:
            assert reply.path != "json", text
        else:
            assert (reply.path, reply.actions) == ("json", _act_actions(*winner, plan)), text


RULE_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RULE_SETTINGS
@given(tree=trees, before=rule_prose, after=rule_prose)
@example(tree={"draft": Act("action", 0, {}), "final": Act("action", 0, {})}, before="", after="")
@example(tree=[Act("actions", 0, {}), Act("action", 0, {})], before="", after="")
@example(tree=Act("action", 0, {"note": Act("action", 0, {})}), before="", after="")
@example(tree=Decoy("action", None, 0, {"a": Act("plan", 0, {}), "b": Act("action", 0, {})}), before="", after="")
def test_last_matching_object_inside_one_json_value_wins(tree: Any, before: str, after: str) -> None:
    text, winner = render([(tree, False)], [before, after])
    check_winner(text, winner)


@RULE_SETTINGS
@given(values=st.lists(trees, min_size=1, max_size=4), prose=st.lists(rule_prose, min_size=1, max_size=5))
@example(values=[Act("action", 0, {}), {"x": 1}, Act("action", 0, {})], prose=[" no wait "])
@example(values=[Act("action", 0, {}), [Act("action", 0, {}), Act("action", 0, {})], {"k": None}], prose=["\n"])
@example(values=[{"a": Act("action", 0, {}), "b": Act("action", 0, {})}, Decoy("action", "", 0, {})], prose=[""])
def test_last_json_value_with_a_matching_object_wins_among_several_in_prose(
    values: list[Any], prose: list[str]
) -> None:
    text, winner = render([(value, False) for value in values], prose)
    check_winner(text, winner)


@RULE_SETTINGS
@given(
    segments=st.lists(st.tuples(trees, st.booleans()), min_size=1, max_size=4),
    prose=st.lists(rule_prose, min_size=1, max_size=5),
    unclosed=st.booleans(),
)
@example(segments=[(Act("action", 0, {}), True), (Act("action", 0, {}), False)], prose=["\n"], unclosed=False)
@example(
    segments=[(Act("action", 0, {}), True), (Act("action", 0, {}), True), (Act("action", 0, {}), False)],
    prose=["\n"],
    unclosed=False,
)
@example(
    segments=[({"a": Act("action", 0, {}), "b": Act("actions", 0, {})}, True), ({"c": 1}, True)],
    prose=["\n"],
    unclosed=True,
)
def test_fenced_values_come_first_and_the_last_matching_object_among_them_wins(
    segments: list[tuple[Any, bool]], prose: list[str], unclosed: bool
) -> None:
    text, winner = render(segments, prose, unclosed_last_fence=unclosed)
    check_winner(text, winner)
