"""Read which of an item's actions a reply chose: its letter, `(B)`, or the action's own words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mmgym.tasks.pca.env.item import LETTERS

_LETTER = re.compile(r"^\(?\s*([A-Za-z])\s*\)?(?:[.:)\s]\s*(.*))?$", re.S)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def choice_index(text: str, actions: Sequence[str]) -> int | None:
    """The chosen action's index, or None when `text` names none (or names a letter out of range).

    `B`, `(B)`, `B.`, `(B) Slow down` and `slow down.` all choose the second action; a letter with
    words after it must agree with them, so `(B) Speed up` is no choice when B is "Slow down".
    """
    text = text.strip()
    by_words = {_words(action): i for i, action in enumerate(actions)}
    match = _LETTER.match(text)
    if match:
        index = LETTERS.index(match.group(1).upper())
        rest = _words(match.group(2) or "")
        if index >= len(actions) or (rest and by_words.get(rest, index) != index):
            return None
        return index
    return by_words.get(_words(text))
