"""Turn a model's free-form reply into environment actions, robustly and in bounded time.

Models answer in many shapes: a JSON object (bare, fenced, wrapped in prose or inside a larger
object, sometimes after a broken attempt), `Action: ...` lines, or just the action itself.
`parse_reply` tries three stages in order and reports which one produced the actions, so that an
evaluation can count format failures instead of silently turning them into random moves.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from mmgym.core.language_env import format_vector

ParsePath = Literal["json", "regex", "match", "none"]

MAX_SCAN_CHARS = 200_000
"""Only the last this-many characters of a reply are read: answers come last, and it bounds time."""

_JSON_BUDGET_CHARS = 2_000_000  # characters handed to json.loads per reply, over all candidates
_MAX_JSON_ATTEMPTS = 500  # json.loads calls per reply

_QUOTES_AND_PUNCT = " \t\r\n*`\"'“”‘’.,;!。"
_THOUGHT_KEYS = ("thought", "thoughts", "reasoning", "reasoning_and_reflection", "reason", "rationale")
_ITEM_KEYS = ("action", "action_name")
_LIST_ONLY_KEYS = ("executable_plan", "plan")  # a string here is prose (a "language plan"), not an action
_SCALAR_ONLY_KEYS = ("output",)  # one move or a step number; a list may be coordinates
_KEY_ORDER = {
    False: ("action", "actions", "executable_plan", "plan", "answer", "choice", "output"),  # an answer is an action
    True: ("executable_plan", "actions", "plan", "action", "output"),
}

# Every pattern below uses bounded repeats so that no input can make the regex engine backtrack badly.
_ACTION_KEY = re.compile(
    r'"[ \t]{0,3}(?:action|actions|action_name|executable_plan|plan|answer|choice|output)[ \t]{0,3}"\s{0,20}:', re.I
)
_TOKENS_WITH_STRINGS = re.compile(r'\\.|[{}"]', re.S)
_TOKENS_BRACES_ONLY = re.compile(r"\\.|[{}]", re.S)
_FENCE = re.compile("```")
_FENCE_TAG = re.compile(r"[\w+.-]{0,20}[ \t]{0,10}\r?\n?")
_FENCE_OPENER_AT_END = re.compile(r"```[\w+.-]{0,20}[ \t]{0,10}$")
_THINK_END = re.compile(r"</think(?:ing)?>", re.I)
_THINK_START = re.compile(r"^\s{0,20}<think(?:ing)?>", re.I)
_LABEL = re.compile(
    r"[ \t>*_#-]{0,12}(?:\d{1,3}[.)][ \t]{0,3})?[*_]{0,3}(?:(?:final|next|chosen|selected)[ \t]{1,3})?"
    r"(?P<label>actions|action|answer|choice|plan|thoughts|thought|reasoning|reason)"
    r"(?:[ \t]{0,3}\d{1,3})?[ \t]{0,3}[*_]{0,3}[ \t]{0,3}[:：]",
    re.I,
)
_LABEL_KIND = {"action": "action", "actions": "actions", "answer": "action", "choice": "action", "plan": "plan"}
# (anything else is a thought; `Answer:` and `Choice:` name a decision's one action)
_INLINE_ACTION = re.compile(r"(?<![\w-])action[ \t]{0,3}[*_]{0,3}[ \t]{0,3}[:：]", re.I)
_LIST_ITEM = re.compile(r"[ \t]{0,8}(?:\d{1,3}[.)]|[-*•+])[ \t]+")
_KEY_VALUE = re.compile(
    r"""["'][ \t]{0,3}action(?:_name)?[ \t]{0,3}["'][ \t]{0,3}[:：][ \t]{0,3}"""
    r"""(?:"([^"\n]{1,300})"|'([^'\n]{1,300})'|(-?\d{1,12}))""",
    re.I,
)
# Integer-vector actions (`vector=True`): a bracket group, its numbers, and the quoted pair of cut-off JSON.
_VECTOR = re.compile(r"\[[^\[\]\n]{0,200}\]")
_VECTOR_SEPARATOR = re.compile(r"[\s,;]{1,200}")
_NUMBER = re.compile(r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,12})?")  # ASCII digits only, as `format_vector` writes them
_KEY_VECTOR = re.compile(r"""["'][ \t]{0,3}action[ \t]{0,3}["'][ \t]{0,3}[:：][ \t]{0,3}(\[[^\[\]\n]{0,200}\])""", re.I)


@dataclass(frozen=True)
class ParsedReply:
    actions: tuple[str, ...]  # empty when nothing could be parsed
    thought: str  # the model's reasoning if it gave one ("" otherwise)
    path: ParsePath  # which stage produced the actions
    error: str | None  # one line saying why nothing parsed (None on success)


def parse_reply(
    text: str, *, plan: bool = False, valid_actions: Sequence[str] = (), vector: bool = False
) -> ParsedReply:
    """The actions in a model reply; the first of three stages that finds any wins.

    1. json: the last JSON object (code-fenced ones first, nested ones too) with an `action`,
       `actions`, `executable_plan` or `plan` key (single mode also `answer` or `choice`, as a
       decision replies), case-insensitive; items may be strings, numbers or objects with
       `action`/`action_name`. Single mode keeps a list's first item. Last comes an
       `output` key, read only when it holds one string or number (`{"output": 3}`).
    2. regex: `Action: x` lines (and `Answer: (B)`, `Choice: B`), markdown allowed (the last wins;
       in plan mode all of them, or the last `Actions: a, b` / `Plan: a; b` list), then a quoted
       `"action": "x"` pair.
    3. match: the whole reply or its last line equals one of `valid_actions` (in plan mode also
       `a, b, c` on the last line, or one valid action per line).

    `vector=True` is for envs whose actions are integer vectors (`action_vector` in
    core.language_env): a JSON list of numbers is then one action, not one action per number, and
    a list of such lists (or of `{"action": [...]}` objects) a plan; on labelled lines each `[...]`
    group is one action, and a bare `a, b, c` of numbers one vector. Vectors come back spelled by
    `format_vector` (`[57, 61, 20]`); a float stays a float (57.5, 57.0) for the env to refuse.

    Never raises and takes time roughly linear in the input: only the last `MAX_SCAN_CHARS`
    characters are read, regexes have bounded repeats, and JSON decoding has a fixed budget.
    Text after a closing `</think>` tag is parsed first, the reasoning before it only if that fails.
    When `valid_actions` is given, an action that equals one of them up to case, whitespace,
    quotes and trailing punctuation comes back in its canonical spelling, whichever stage found it.
    The thought is the object's `thought`-like key or `Thought:` text, else the prose before the
    action, else the `<think>` block.
    """
    try:
        lookup = _canonical_lookup(valid_actions)
        return _parse(_as_text(text)[-MAX_SCAN_CHARS:], plan, lookup, bool(vector))
    except Exception as exc:  # the contract is "never raises": a parser bug must not end an evaluation
        return ParsedReply((), "", "none", f"internal parser error: {type(exc).__name__}")


def _parse(text: str, plan: bool, lookup: dict[str, str], vector: bool) -> ParsedReply:
    answer, reasoning = _split_think(text)
    for part in (answer, reasoning) if reasoning else (answer,):
        found = _stages(part, plan, lookup, vector)
        if found is not None:
            path, actions, thought = found
            canonical = tuple(lookup.get(_normalise(a), a) for a in actions)
            return ParsedReply(canonical, thought or reasoning, path, None)
    return ParsedReply((), reasoning, "none", _failure_reason(answer, plan, lookup, after_think=bool(reasoning)))


def _stages(text: str, plan: bool, lookup: dict[str, str], vector: bool) -> tuple[ParsePath, list[str], str] | None:
    for path, stage in (("json", _json_stage), ("regex", _regex_stage), ("match", _match_stage)):
        found = stage(text, plan, lookup, vector)
        if found is not None and found[0]:
            return path, found[0], found[1]
    return None


def _failure_reason(answer: str, plan: bool, lookup: dict[str, str], after_think: bool) -> str:
    if not answer.strip():
        return "empty answer after the </think> reasoning" if after_think else "empty reply"
    key, line = ("'actions'", "'Actions:'") if plan else ("'action'", "'Action:'")
    match = "no valid action found" if lookup else "no valid actions given to match the reply against"
    return f"no JSON object with an {key} key, no {line} line, and {match}"


def _as_text(text: Any) -> str:
    if isinstance(text, str):
        return text
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        return bytes(text).decode("utf-8", errors="replace")
    return str(text)


def _canonical_lookup(valid_actions: Sequence[str]) -> dict[str, str]:
    """Normalised spelling -> canonical spelling; the first of several equal spellings wins."""
    lookup: dict[str, str] = {}
    for action in valid_actions if valid_actions is not None else ():
        key = _normalise(str(action))
        if key:
            lookup.setdefault(key, str(action))
    return lookup


def _clean(value: str) -> str:
    """A value without surrounding whitespace, markdown emphasis, quotes or trailing punctuation."""
    return value.strip(_QUOTES_AND_PUNCT)


def _normalise(value: str) -> str:
    return " ".join(_clean(value).split()).casefold()


def _split_think(text: str) -> tuple[str, str]:
    """(answer, reasoning): the text after the last `</think>` and the reasoning before it."""
    ends = list(_THINK_END.finditer(text))
    if not ends:
        return text, ""
    last = ends[-1]
    return text[last.end() :], _THINK_START.sub("", text[: last.start()], count=1).strip()


# --- stage 1: JSON objects -------------------------------------------------------------------


def _json_stage(text: str, plan: bool, lookup: dict[str, str], vector: bool) -> tuple[list[str], str] | None:
    """Actions of the last JSON object (fenced ones first) whose keys follow the action schema."""
    for start, value in _decoded_objects(text, _ACTION_KEY):
        found = _last_action_object(value, plan, vector)
        if found is not None:
            actions, obj = found
            return actions, _thought_of(obj) or _prose_before(text, start)
    return None


def object_with_key(text: str, key: str) -> dict[str, Any] | None:
    """The last JSON object in a reply (code-fenced ones first, nested ones too) that has `key`, in any
    case; None if there is none. Read as `parse_reply` reads objects: bounded in time, never raising."""
    try:
        text = _as_text(text)[-MAX_SCAN_CHARS:]
        key_pattern = re.compile(r'"[ \t]{0,3}' + re.escape(key) + r'[ \t]{0,3}"\s{0,20}:', re.I)
        for _, value in _decoded_objects(text, key_pattern):
            found, stack = None, [value]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    if key.lower() in _lower_keys(node):
                        found = node
                        continue
                    stack.extend(reversed(list(node.values())))
                elif isinstance(node, list):
                    stack.extend(reversed(node))
            if found is not None:
                return found
    except Exception:  # the contract is "never raises", as for parse_reply
        return None
    return None


def _decoded_objects(text: str, key: re.Pattern[str]) -> Iterator[tuple[int, Any]]:
    """(start, decoded value) of the `{...}` spans that contain a match of `key`, in `_candidates` order,
    within the per-reply decoding budget; spans inside one already decoded are skipped."""
    key_positions = [m.start() for m in key.finditer(text)]
    if not key_positions:
        return
    budget, attempts, parsed = _JSON_BUDGET_CHARS, 0, []
    for start, end in _candidates(text):
        first_key = bisect_right(key_positions, start)
        if first_key == len(key_positions) or key_positions[first_key] >= end:
            continue  # no key inside: cannot match the schema
        if end - start > budget or any(s <= start and end <= e for s, e in parsed):
            continue  # over budget, or inside an object already decoded and walked
        if attempts >= _MAX_JSON_ATTEMPTS:
            return
        attempts, budget = attempts + 1, budget - (end - start)
        try:
            value = json.loads(text[start:end], strict=False)
        except (ValueError, RecursionError):
            continue
        parsed.append((start, end))
        yield start, value


def _candidates(text: str) -> list[tuple[int, int]]:
    """Balanced `{...}` spans, those inside code fences first, each group last-ending first."""
    fenced: set[tuple[int, int]] = set()
    for start, end in _fence_bodies(text):
        fenced.update(_brace_spans(text, start, end, _TOKENS_WITH_STRINGS))
        fenced.update(_brace_spans(text, start, end, _TOKENS_BRACES_ONLY))
    anywhere = set(_brace_spans(text, 0, len(text), _TOKENS_WITH_STRINGS))
    anywhere.update(_brace_spans(text, 0, len(text), _TOKENS_BRACES_ONLY))
    order = sorted(fenced, key=lambda span: (-span[1], span[0]))
    return order + sorted(anywhere - fenced, key=lambda span: (-span[1], span[0]))


def _brace_spans(text: str, start: int, end: int, tokens: re.Pattern[str]) -> list[tuple[int, int]]:
    """Matching brace pairs in one linear pass.

    Two passes complement each other: with string tracking, braces inside JSON strings are
    ignored; without it, an unbalanced quote in a broken object cannot hide the objects after it.
    Quotes are only tracked inside braces, so quotes in prose never matter.
    """
    spans, opens, in_string = [], [], False
    for m in tokens.finditer(text, start, end):
        token, at = m.group(), m.start()
        if len(token) == 2:  # a backslash pair: an escape inside a JSON string, plain prose outside
            if in_string:
                continue
            token, at = token[1], at + 1
        if token == '"':
            in_string = bool(opens) and not in_string
        elif in_string:
            continue
        elif token == "{":
            opens.append(at)
        elif opens:
            spans.append((opens.pop(), m.end()))
    return spans


def _fence_bodies(text: str) -> list[tuple[int, int]]:
    """Spans of code-fence bodies (after the language tag); an unclosed last fence runs to the end."""
    marks = [m.start() for m in _FENCE.finditer(text)]
    bodies = []
    for i in range(0, len(marks), 2):
        tag = _FENCE_TAG.match(text, marks[i] + 3)
        body_start = tag.end() if tag else marks[i] + 3
        bodies.append((body_start, marks[i + 1] if i + 1 < len(marks) else len(text)))
    return bodies


def _last_action_object(value: Any, plan: bool, vector: bool) -> tuple[list[str], dict[str, Any]] | None:
    """The last object in document order that yields actions; a matching object's insides are not searched."""
    found, stack = None, [value]
    while stack:  # iterative: decoded JSON can nest deeper than Python's recursion limit allows
        node = stack.pop()
        if isinstance(node, dict):
            actions = _object_actions(node, plan, vector)
            if actions:
                found = (actions, node)
                continue
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def _object_actions(obj: dict[str, Any], plan: bool, vector: bool) -> list[str]:
    keys = _lower_keys(obj)
    for key in _KEY_ORDER[plan]:
        value = keys.get(key)
        if value is None or (key in _LIST_ONLY_KEYS and not isinstance(value, list)):
            continue
        if key in _SCALAR_ONLY_KEYS and isinstance(value, list | dict):
            continue
        items = _items(value, vector)
        if items:
            return items if plan else items[:1]
    return []


def _items(value: Any, vector: bool = False) -> list[str]:
    """Action strings from a scalar, or a list of scalars or of objects with an action key.

    With `vector`, a list of numbers is one action, and an item may be such a list.
    """
    if vector and _is_vector(value):
        return [format_vector(value)]
    items = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            keys = _lower_keys(item)
            item = next((keys[k] for k in _ITEM_KEYS if _action_text(keys.get(k), vector)), None)
        text = _action_text(item, vector)
        if text:
            items.append(text)
    return items


def _action_text(value: Any, vector: bool) -> str:
    """One action from a JSON value: a scalar, or with `vector` a list of numbers or a vector written in a string."""
    if vector and _is_vector(value):
        return format_vector(value)
    if vector and isinstance(value, str):
        return _vector_of(value) or _scalar(value)
    return _scalar(value)


def _is_vector(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_number(v) for v in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: Any) -> str:
    """A string, or a number as text (the 15-puzzle's tiles are numbers); anything else is no action."""
    if isinstance(value, str):
        return value.strip()
    if _is_number(value):
        return str(value)
    return ""


def _lower_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in obj.items()}


def _thought_of(obj: dict[str, Any]) -> str:
    keys = _lower_keys(obj)
    for key in _THOUGHT_KEYS:
        value = keys.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, dict | list) and value:
            return json.dumps(value, ensure_ascii=False)
    return ""


def _prose_before(text: str, position: int) -> str:
    return _FENCE_OPENER_AT_END.sub("", text[:position].rstrip()).strip()


# --- stage 2: labelled lines -----------------------------------------------------------------


def _regex_stage(text: str, plan: bool, lookup: dict[str, str], vector: bool) -> tuple[list[str], str] | None:
    """`Action:` lines (the last wins; in plan mode all, or the last `Actions:`/`Plan:` list).

    Falls back to a quoted `"action": "..."` pair, which rescues JSON cut off by the token limit.
    """
    lines = text.splitlines()
    labels = _labelled_lines(lines)
    label_rows = {row for row, _, _ in labels}
    found: dict[str, list[tuple[int, list[str]]]] = {"action": [], "actions": [], "plan": []}
    for row, kind, rest in labels:
        if kind in found:
            items = _label_items(lines, row, rest, label_rows, single=kind == "action", vector=vector)
            if items:
                found[kind].append((row, items))
    if plan:
        chosen = found["actions"][-1:] or found["action"] or found["plan"][-1:]
        actions = [a for _, items in chosen for a in items]
    else:
        chosen = found["action"][-1:] or found["actions"][-1:]
        actions = chosen[0][1][:1] if chosen else []
    if actions:
        return actions, _regex_thought(lines, labels, label_rows, first_action_row=chosen[0][0])
    found_pairs = [(m.start(), _clean(next(g for g in m.groups() if g is not None))) for m in _KEY_VALUE.finditer(text)]
    if vector:
        found_pairs += [(m.start(), v) for m in _KEY_VECTOR.finditer(text) for v in _vectors_in(m.group(1))[:1]]
    pairs = [p for _, p in sorted(found_pairs) if p]
    return (pairs if plan else pairs[-1:]), ""


def _labelled_lines(lines: list[str]) -> list[tuple[int, str, str]]:
    """(row, kind, text after the label) for every labelled line; `Thought: ... Action: x` gives both."""
    labels = []
    for row, line in enumerate(lines):
        m = _LABEL.match(line)
        if m is None:
            continue
        kind, rest = _LABEL_KIND.get(m.group("label").lower(), "thought"), line[m.end() :]
        inline = _INLINE_ACTION.search(rest) if kind == "thought" else None
        if inline is None:
            labels.append((row, kind, rest))
        else:
            labels += [(row, "thought", rest[: inline.start()]), (row, "action", rest[inline.end() :])]
    return labels


def _label_items(lines: list[str], row: int, rest: str, label_rows: set[int], single: bool, vector: bool) -> list[str]:
    """Items after a label; when the label ends its line, the list or line that follows it."""
    if _clean(rest):
        return _line_items(rest, single, vector)
    following = (i for i in range(row + 1, len(lines)) if lines[i].strip())
    first = next(following, None)
    if first is None or first in label_rows:
        return []
    if single:
        return _line_items(lines[first], True, vector)
    items, row = [], first
    while row is not None and row not in label_rows and (item := _LIST_ITEM.match(lines[row])) is not None:
        items += _line_items(lines[row][item.end() :], True, vector)
        row = next(following, None)
    return items or _line_items(lines[first], False, vector)


def _line_items(value: str, single: bool, vector: bool) -> list[str]:
    """The one action of a line (single) or its list of actions; with `vector`, its `[...]` groups when it has any."""
    vectors = _vectors_in(value) if vector else []
    if vectors:
        return vectors[:1] if single else vectors
    if single:
        return [_clean(value)] if _clean(value) else []
    return _split_items(value)


def _vectors_in(value: str) -> list[str]:
    """The numeric `[...]` groups in a line, else the whole line when it is only numbers (`57, 61, 20`)."""
    groups = [v for m in _VECTOR.finditer(value) if (v := _vector_of(m.group())) is not None]
    if groups:
        return groups
    whole = _vector_of(_clean(value))
    return [whole] if whole is not None else []


def _vector_of(text: str) -> str | None:
    """`[a, b, c]` from `[a,b,c]`, `[a b c]` or a bare `a, b, c` of two or more numbers; None for anything else."""
    body = text.strip()
    if len(body) > 202:
        return None
    bracketed = body.startswith("[") and body.endswith("]")
    tokens = [t for t in _VECTOR_SEPARATOR.split(body[1:-1] if bracketed else body) if t]
    if not tokens or not (bracketed or len(tokens) > 1) or not all(_NUMBER.fullmatch(t) for t in tokens):
        return None
    return format_vector([float(t) if "." in t else int(t) for t in tokens])


def _split_items(value: str) -> list[str]:
    """`a, b, c`, `a; b; c` or a JSON list `["a", "b"]` as items."""
    value = value.strip().strip("*` ")
    if value.startswith("["):
        try:
            items = _items(json.loads(value, strict=False))
        except (ValueError, RecursionError):
            items = []
        if items:
            return items
        value = value.strip("[]")
    parts = value.split(";" if ";" in value else ",")
    items = [_clean(_LIST_ITEM.sub("", p, count=1) if _LIST_ITEM.match(p) else p) for p in parts]
    return [i for i in items if i]


def _regex_thought(
    lines: list[str], labels: list[tuple[int, str, str]], label_rows: set[int], first_action_row: int
) -> str:
    """The `Thought:` text up to the next label, else the text before the first action line."""
    for row, kind, rest in labels:
        if kind == "thought":
            end = next((r for r in sorted(label_rows) if r > row), len(lines))
            return "\n".join([rest, *lines[row + 1 : end]]).strip()
    return "\n".join(lines[:first_action_row]).strip()


# --- stage 3: the reply is a valid action ----------------------------------------------------


def _match_stage(text: str, plan: bool, lookup: dict[str, str], vector: bool) -> tuple[list[str], str] | None:
    """The whole reply or its last line as a valid action; in plan mode also `a, b, c` or one per line."""
    if not lookup:
        return None
    text = text.strip()
    whole = lookup.get(_normalise(text))
    if whole is not None:
        return [whole], ""
    before, _, last = text.rpartition("\n")
    if plan:
        rows = [lookup.get(_normalise(line)) for line in text.splitlines() if line.strip()]
        if len(rows) > 1 and all(rows):
            return [r for r in rows if r], ""
        items = [lookup.get(_normalise(p)) for p in last.split(",")]
        if len(items) > 1 and all(items):
            return [i for i in items if i], before.strip()
    single = lookup.get(_normalise(last))
    return ([single], before.strip()) if single is not None else None
