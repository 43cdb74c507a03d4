"""Measure a judge before trusting it: labelled reasoning texts built from ground truth, and the judge's biases.

For each generated item, five cases with known labels (the choice is always the right one, so
only the judged links vary):

| case | text | perception | cognition |
|---|---|---|---|
| correct | the reference reasoning | 1 | 1 |
| paraphrase | the same reasoning reworded, synonyms for the concepts | 1 | 1 |
| omits_concept | the reference without one key concept's sentence | 1 if another concept remains | 0 |
| false_fact | the reference plus a statement false in this scene | 1 | 0 |
| wrong_reasoning | false or irrelevant reasons for the right answer | 0 | 0 |

Per link: agreement with the labels, precision and recall (1 is the positive class), and how
many verdicts were unscored. Two biases MLLM-as-a-Judge reports, as the share of verdicts that
change: `order` (the choices listed in another order, the same answer chosen) and `length` (the
reasoning padded with sentences that say nothing).

Templated cases flatter a judge that matches words: they reuse the reference's phrases. So the
check also scores `people_reasons.json`, 65 reasoning texts written by hand for the first ten
items of each domain, in people's varied wording and labelled by hand; a link whose agreement
there is under `TRUSTED` percent is flagged as not to be trusted, next to its scores in the report.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from pydantic import BaseModel

from mmgym.tasks.pca.env import frozen
from mmgym.tasks.pca.env.item import DecisionItem
from mmgym.tasks.pca.judges import Judge, Verdict

TRUSTED = 80.0  # percent agreement on people's reasons below which a link's judged scores are flagged

LINKS = ("perception", "cognition")
PADDING = (
    " I looked at the whole image carefully before deciding."
    " I considered each of the choices in turn."
    " After weighing them, my decision is as stated."
)


@dataclass(frozen=True)
class Case:
    """One labelled reasoning text for one item."""

    item: DecisionItem
    kind: str
    text: str
    perception: bool
    cognition: bool


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def cases_for(item: DecisionItem) -> list[Case]:
    """The labelled cases an item's ground truth gives (fewer when the item lacks a field)."""
    cases = [Case(item, "correct", item.reasoning, True, True)]
    if item.paraphrase:
        cases.append(Case(item, "paraphrase", item.paraphrase, True, True))
    omitted = item.key_concepts[0].name.lower()
    kept = [s for s in _sentences(item.reasoning) if omitted not in s.lower()]
    if len(kept) < len(_sentences(item.reasoning)):
        others = any(c.name.lower() in " ".join(kept).lower() for c in item.key_concepts[1:])
        cases.append(Case(item, "omits_concept", " ".join(kept), others, False))
    if item.false_facts:
        text = " ".join([*_sentences(item.reasoning)[:-1], item.false_facts[0], _sentences(item.reasoning)[-1]])
        cases.append(Case(item, "false_fact", text, True, False))
    if item.wrong_reasoning:
        cases.append(Case(item, "wrong_reasoning", item.wrong_reasoning, False, False))
    return cases


def people_cases() -> list[Case]:
    """The hand-written, hand-labelled reasoning texts of `people_reasons.json`, on their frozen items."""
    data = json.loads((resources.files("mmgym.tasks.pca") / "people_reasons.json").read_text())
    items = {(d, item.index): item for d in {c["domain"] for c in data["cases"]} for item in frozen.load(d)}
    return [
        Case(items[(c["domain"], c["index"])], "people", c["text"], bool(c["perception"]), bool(c["cognition"]))
        for c in data["cases"]
    ]


def reordered(item: DecisionItem, seed: int) -> DecisionItem:
    """The item with its choices in another order (a different one whenever there are two or more)."""
    order = list(range(len(item.actions)))
    rng = random.Random(seed)
    while order == sorted(order):
        rng.shuffle(order)
    actions = tuple(item.actions[i] for i in order)
    return item.model_copy(update={"actions": actions, "answer_index": order.index(item.answer_index)})


NOTES_KEY = "judge_check"  # where a PCA run keeps its judge's figures in results.json's notes


class LinkFigures(BaseModel):
    """How one link's verdicts compare with the labels."""

    n: int
    agreement: float  # percent of scored verdicts equal to the label
    precision: float | None  # percent of verdicts 1 that are labelled 1 (None: no verdict was 1)
    recall: float | None  # percent of labels 1 the judge gave 1 (None: no label was 1)
    unscored: int


class JudgeFigures(BaseModel):
    """A judge's check: figures per link, per case kind, and its sensitivity to order and length."""

    judge: str
    items: int
    cases: int
    links: dict[str, LinkFigures]
    by_case: dict[str, dict[str, float]]  # case kind -> link -> percent of verdicts equal to the label
    order_flips: float  # percent of verdicts (both links) that change when the choices are reordered
    length_flips: float  # percent that change when the reasoning is padded
    length_positive_shift: float  # points by which the share of verdicts 1 rises with padding
    people: dict[str, LinkFigures] = {}  # per link, on the hand-written reasons (people_reasons.json)

    @property
    def untrusted(self) -> list[str]:
        """Links whose agreement on people's reasons is under `TRUSTED`: their judged scores are not to be trusted."""
        return [link for link, f in self.people.items() if f.agreement < TRUSTED]


def _figures(labels: Sequence[bool], verdicts: Sequence[bool | None]) -> LinkFigures:
    scored = [(label, v) for label, v in zip(labels, verdicts, strict=True) if v is not None]
    agree = sum(label == v for label, v in scored)
    said_yes = [label for label, v in scored if v]
    truly_yes = [v for label, v in scored if label]
    return LinkFigures(
        n=len(labels),
        agreement=100.0 * agree / len(scored) if scored else 0.0,
        precision=100.0 * sum(said_yes) / len(said_yes) if said_yes else None,
        recall=100.0 * sum(truly_yes) / len(truly_yes) if truly_yes else None,
        unscored=len(labels) - len(scored),
    )


async def check_judge(judge: Judge, items: Sequence[DecisionItem], concurrency: int = 8) -> JudgeFigures:
    """Run the judge on every case of `items` (and the order and length variants) and compare."""
    cases = [case for item in items for case in cases_for(item)]
    limit = asyncio.Semaphore(concurrency)

    async def ask(item: DecisionItem, text: str) -> Verdict:
        async with limit:
            return await judge.judge(item, text, item.answer_index)

    written = people_cases()
    plain, shuffled, padded, by_people = await asyncio.gather(
        asyncio.gather(*(ask(c.item, c.text) for c in cases)),
        asyncio.gather(*(ask(reordered(c.item, k), c.text) for k, c in enumerate(cases))),
        asyncio.gather(*(ask(c.item, c.text + PADDING) for c in cases)),
        asyncio.gather(*(ask(c.item, c.text) for c in written)),
    )
    links = {link: _figures([getattr(c, link) for c in cases], [getattr(v, link) for v in plain]) for link in LINKS}
    by_case: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(c.kind for c in cases):
        chosen = [(c, v) for c, v in zip(cases, plain, strict=True) if c.kind == kind]
        by_case[kind] = {
            link: 100.0 * sum(getattr(c, link) == getattr(v, link) for c, v in chosen) / len(chosen) for link in LINKS
        }
    pairs = [(getattr(a, link), getattr(b, link)) for link in LINKS for a, b in zip(plain, shuffled, strict=True)]
    padded_pairs = [(getattr(a, link), getattr(b, link)) for link in LINKS for a, b in zip(plain, padded, strict=True)]
    total = max(len(pairs), 1)
    return JudgeFigures(
        judge=getattr(judge, "name", type(judge).__name__),
        items=len(items),
        cases=len(cases),
        links=links,
        by_case=by_case,
        order_flips=100.0 * sum(a != b for a, b in pairs) / total,
        length_flips=100.0 * sum(a != b for a, b in padded_pairs) / total,
        length_positive_shift=100.0
        * (sum(bool(b) for _, b in padded_pairs) - sum(bool(a) for a, _ in padded_pairs))
        / total,
        people={
            link: _figures([getattr(c, link) for c in written], [getattr(v, link) for v in by_people]) for link in LINKS
        },
    )
