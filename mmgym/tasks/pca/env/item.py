"""A PCA decision item: one image, one question, a few actions, exactly one right, and why.

PCA-Bench scores a decision on three links: Perception (did the reasoning notice the key
concepts), Cognition (does it reason as the reference does) and Action (is the choice right).
mmgym's items are generated from a simulator's state, so every field is exact ground truth:
the state decides the answer, names the concepts that decide it, and templates the reference
reasoning. The fields a judge check needs (statements false in this scene, a reasoning that
argues for a wrong action) are generated with the item. Items from PCA-Bench's own files carry
only what PCA-Bench gives (`source="pcabench"`).
"""

from __future__ import annotations

import string
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mmgym.core.spec import OmitsLaterDefaults

DOMAINS = ("driving", "domestic", "game")  # PCA-Bench's autonomous driving, domestic robot, open-world game
LETTERS = string.ascii_uppercase  # PCA-Bench's items have up to 8 choices: (A) to (H)


class Concept(BaseModel):
    """A key concept that decides the item, and the wordings that count as naming it (lower case)."""

    model_config = ConfigDict(frozen=True)

    name: str  # as the reference reasoning says it, e.g. "a slower car ahead in my lane"
    synonyms: tuple[str, ...] = ()  # other wordings a lexical judge accepts, e.g. ("car in front", "vehicle ahead")


class DecisionItem(OmitsLaterDefaults):
    """One decision; `scene` is what the domain needs to rebuild and render the state (no image is stored).

    `prompt`, for items read from PCA-Bench's files under its own protocol, is PCA-Bench's prompt for the
    item: the question with the state the answer depends on, and the choices."""

    model_config = ConfigDict(frozen=True)
    later_fields: ClassVar[tuple[str, ...]] = ("prompt",)

    domain: str
    index: int
    source: str = "generated"  # or "pcabench"
    question: str
    actions: tuple[str, ...] = Field(min_length=2, max_length=len(LETTERS))
    answer_index: int
    key_concepts: tuple[Concept, ...] = Field(min_length=1)
    # The reference reasoning, templated from the state: one sentence per key concept, each naming its concept
    # as `Concept.name` words it, then a sentence that concludes with the answer.
    reasoning: str
    # The fields below let `mmgym judge-check` build labelled cases from ground truth:
    paraphrase: str = ""  # the same reasoning reworded: the concepts by a synonym, other sentence shapes
    false_facts: tuple[str, ...] = ()  # statements about this scene that are false (each one sentence)
    wrong_reasoning: str = ""  # reasons that are false or beside the point for this scene, ending in the right answer
    scene: dict[str, Any] = Field(default_factory=dict)  # the domain's own: seed, steps taken, ...
    image: str | None = None  # a file name, for items read from PCA-Bench's data
    prompt: str | None = None

    @model_validator(mode="after")
    def _answer_in_range(self) -> DecisionItem:
        if not 0 <= self.answer_index < len(self.actions):
            raise ValueError(f"answer_index {self.answer_index} is not one of the {len(self.actions)} actions")
        if len(set(a.lower() for a in self.actions)) != len(self.actions):
            raise ValueError(f"the actions repeat: {self.actions}")
        return self

    @property
    def answer(self) -> str:
        return self.actions[self.answer_index]

    def choices_text(self) -> str:
        """`(A) Keep lane (B) Change to the left lane ...`, PCA-Bench's way of listing the actions."""
        return " ".join(self.labelled(i) for i in range(len(self.actions)))

    def labelled(self, index: int) -> str:
        """One action with its letter: `(B) Slow down`."""
        return f"({LETTERS[index]}) {self.actions[index]}"
