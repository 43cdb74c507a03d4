"""Judges of a decision's reasoning: did it perceive the key concepts, does it reason as the reference does?

PCA-Eval asks GPT-4 and trusts it. mmgym's judges are measured before they are trusted
(`mmgym judge-check`), and every verdict keeps its evidence in the episode record:

- `LexicalJudge` (the default: a run needs no second model): Perception when the reasoning names
  any key concept (its name or a synonym, as whole words); Cognition when it names every key
  concept and the last action it names, if any, is the chosen one. It cannot see a false statement
  added to a right argument, and the judge check says so in figures.
- `ModelJudge`: any mmgym model backend, asked with mmgym's own prompt for a 0/1 score per link
  with evidence first (PCA-Eval's protocol). A reply without both scores is an unscored verdict
  (`None`), counted as such, never guessed. With `protocol_dir` (a checkout of PCA-EVAL), it asks
  with PCA-EVAL's own grading prompt instead, read at run time from
  `pca-eval/evaluation/pca_auto_scoring.py` (its `template`, as data: the file is not run), filled as
  PCA-EVAL fills it (the agent's whole answer, the choices lettered, the key concepts as a list).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from mmgym.agents.models.base import GenerationConfig, Message
from mmgym.agents.models.registry import shared_backend
from mmgym.errors import ConfigError
from mmgym.tasks.pca.env.item import DecisionItem
from mmgym.tasks.released import python_literals

AUTHORS_RUBRIC = Path("pca-eval/evaluation/pca_auto_scoring.py")
AUTHORS_FIELDS = ("question", "actions", "model_output", "true_action", "key_concept", "reason", "domain")


class Verdict(BaseModel):
    """A judge's reading of one reasoning: each link 1 (right), 0 (wrong) or None (the judge gave no score)."""

    model_config = ConfigDict(frozen=True)

    perception: bool | None
    cognition: bool | None
    evidence: dict[str, Any] = {}  # what the judge saw and said: matched words, or its prompt and raw reply


class Judge(Protocol):
    name: str

    async def judge(self, item: DecisionItem, reasoning: str, choice: int) -> Verdict:
        """Judge `reasoning`, given with the chosen action's index (-1: none), against the item's ground truth."""
        ...


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split()) + " "


def _mentions(text: str, phrase: str) -> bool:
    return _words(phrase) in _words(text)


class LexicalJudge(BaseModel):
    """Concept and synonym matching on whole words; deterministic and free."""

    model_config = ConfigDict(extra="forbid")

    name: str = "lexical"

    async def judge(self, item: DecisionItem, reasoning: str, choice: int) -> Verdict:
        named = [next((p for p in (c.name, *c.synonyms) if _mentions(reasoning, p)), None) for c in item.key_concepts]
        argued = _last_action_named(reasoning, item.actions)
        consistent = argued is None or argued == choice
        return Verdict(
            perception=any(named),
            cognition=all(named) and consistent and choice >= 0,
            evidence={"concepts_named": named, "action_argued": argued},
        )


def _last_action_named(text: str, actions: tuple[str, ...]) -> int | None:
    """The action the reasoning names last (its conclusion), by whole words; None when it names none."""
    words = _words(text)
    positions = [(words.rfind(_words(a)), i) for i, a in enumerate(actions) if _words(a) in words]
    return max(positions)[1] if positions else None


PROMPT = """You grade one answer of an agent in a decision task about {domain}.
The agent saw an image and this question, with these choices:
[Question] {question}
[Choices] {choices}

[Agent's choice] {chosen}
[Agent's reasoning] {reasoning}

Ground truth, from the simulator the image was rendered from:
[Correct choice] {answer}
[Key concepts] {concepts}
[Reference reasoning] {reference}

Grade two links, each 1 or 0:
- perception: 1 if the agent's reasoning correctly states at least one of the key concepts, else 0.
- cognition: 1 if the agent's reasoning agrees with the reference reasoning (the same facts lead to the
  same conclusion, and it states nothing false about the scene), else 0.
Write your evidence first, then the scores, in exactly these four lines:
perception evidence: <evidence>
perception score: <0 or 1>
cognition evidence: <evidence>
cognition score: <0 or 1>"""

_SCORE = re.compile(r"^\W{0,4}(perception|cognition)[ \t]{0,3}score[ \t]{0,3}[:：][ \t*]{0,3}([01])\b", re.I | re.M)


def parse_scores(text: str) -> dict[str, bool | None]:
    """The last 0/1 given for each link; None for a link the reply did not score."""
    scores: dict[str, bool | None] = {"perception": None, "cognition": None}
    for match in _SCORE.finditer(text or ""):
        scores[match.group(1).lower()] = match.group(2) == "1"
    return scores


class ModelJudge(BaseModel):
    """A model backend (any of mmgym's) as the judge; deterministic decoding."""

    model_config = ConfigDict(extra="forbid")

    name: str = "model"
    model: dict[str, Any]  # a model config (`_target_` and arguments), as `model=` gives the agent
    max_tokens: int = 256
    protocol_dir: str | None = None  # a checkout of PCA-EVAL: grade with its own prompt

    def prompt(self, item: DecisionItem, reasoning: str, choice: int) -> str:
        if self.protocol_dir:
            chosen = item.labelled(choice) if choice >= 0 else "(none)"
            return authors_rubric(self.protocol_dir).format(
                question=item.question,
                actions=item.choices_text(),
                model_output=f"{reasoning.strip()}\nAnswer: {chosen}",
                true_action=item.labelled(item.answer_index),
                key_concept=[c.name for c in item.key_concepts],
                reason=item.reasoning,
                domain=item.domain,
            )
        return PROMPT.format(
            domain=item.domain,
            question=item.question,
            choices=item.choices_text(),
            chosen=item.labelled(choice) if choice >= 0 else "(none)",
            reasoning=reasoning.strip() or "(none)",
            answer=item.labelled(item.answer_index),
            concepts="; ".join(c.name for c in item.key_concepts),
            reference=item.reasoning,
        )

    async def judge(self, item: DecisionItem, reasoning: str, choice: int) -> Verdict:
        prompt = self.prompt(item, reasoning, choice)
        backend = shared_backend(self.model)
        config = GenerationConfig(max_tokens=self.max_tokens, temperature=0.0)
        try:
            response = await backend.generate([Message.text("user", prompt)], config)
            text, error = response.text, None
        except Exception as exc:  # a failed judge call leaves the verdict unscored, with the reason kept
            text, error = "", f"{type(exc).__name__}: {exc}"
        scores = parse_scores(text)
        evidence: Mapping[str, Any] = {"prompt": prompt, "output": text} | ({"error": error} if error else {})
        return Verdict(perception=scores["perception"], cognition=scores["cognition"], evidence=dict(evidence))


@functools.cache
def authors_rubric(checkout: str) -> str:
    """PCA-EVAL's grading prompt (`template` in its scoring script), read from a checkout; one line when the
    checkout has no such script or the prompt lacks a field PCA-EVAL fills."""
    path = Path(checkout).expanduser() / AUTHORS_RUBRIC
    template = python_literals(path, "judge.protocol_dir must be a checkout of pkunlp-icler/PCA-EVAL").get("template")
    if not isinstance(template, str) or any("{" + name + "}" not in template for name in AUTHORS_FIELDS):
        raise ConfigError(f"{path} has no grading `template` with the fields {', '.join(AUTHORS_FIELDS)}")
    return template
