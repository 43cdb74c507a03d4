"""The option menu: the numbered actions possible right now, and reading which one a reply chose.

EmbodiedEval's agent sees, at every step, a menu rebuilt from the state ("move forward", "pick up
the red ball", `answer "blue"`) and replies `Choice: [N]`. A reply may name an option by its number
(`[2]`, `2`, `Choice: [2]`, `[2] turn left`) or by its own words (`turn left`). A number outside
the menu is `out_of_range`; a reply that names no option is `no_match` (EmbodiedEval's two format
failures); neither changes the state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

ChoiceError = Literal["", "no_match", "out_of_range"]
OptionKind = Literal["move", "interact", "answer"]

_NUMBERED = re.compile(
    r"^(?:choice\s{0,3}[:：]?\s{0,3})?\[?\s{0,3}([+-]?\d{1,6})\s{0,3}\]?[.:)]?\s{0,3}(.{0,300})$", re.I | re.S
)


@dataclass(frozen=True)
class Option:
    """One menu entry: its words, what kind of action it is, and what the world needs to carry it out."""

    text: str
    kind: OptionKind = "move"
    payload: Any = None


def answer_option(answer: str) -> Option:
    """`answer "blue"`, EmbodiedEval's spelling of an answer option."""
    return Option(f'answer "{answer}"', "answer", answer)


def menu_text(options: Sequence[Option]) -> str:
    """`[1] move forward` lines, numbered from 1 as EmbodiedEval's prompts show them."""
    return "\n".join(f"[{number}] {option.text}" for number, option in enumerate(options, 1))


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def read_choice(reply: str, options: Sequence[Option]) -> tuple[int | None, ChoiceError]:
    """The chosen option's index (from 0) and "", or None and why: `no_match` or `out_of_range`.

    A number with words after it must agree with them: `[2] turn left` is no choice when option 2
    is "turn right".
    """
    text = reply.strip() if isinstance(reply, str) else ""
    by_words = {_words(option.text): i for i, option in enumerate(options)}
    match = _NUMBERED.match(text)
    if match:
        number, rest = int(match.group(1)), _words(match.group(2))
        if not 1 <= number <= len(options):
            return None, "out_of_range"
        if rest and by_words.get(rest, number - 1) != number - 1:
            return None, "no_match"
        return number - 1, ""
    index = by_words.get(_words(text))
    return (index, "") if index is not None else (None, "no_match")
