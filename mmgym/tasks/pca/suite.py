"""The PCA suite: perception-cognition-action decisions from simulator states, scored by validated judges.

PCA-Bench poses one decision: an image, a question, a few actions; the model picks one and says
why. Its three links are scored as PCA-Eval defines them, with mmgym's own prompts:
- action: the choice is the right one (exact match);
- perception: the reasoning names a key concept (a judge decides);
- cognition: the reasoning agrees with the reference reasoning (a judge decides);
- genuine: all three;
- error localisation: the first failing link, perception then cognition then action
  (`error_perception`, `error_cognition`, `error_action`: their means are the distribution).

Items (`source=generated`, the default) come from the frozen sets of `mmgym.tasks.pca.env` (driving on
highway-env, a domestic robot on BabyAI, Crafter), 200 per domain, with exact ground truth;
`source=pcabench` reads PCA-Bench's own files from `data_dir` (PCA-EVAL's v1.0 folders, or the V1
open track's meta files with its images in `image_dir`); entries that are not valid items are
skipped and listed in `results.json` notes. `protocol=pcabench` shows the model PCA-Bench's own
prompt for each item (its `end2end_prompts.json`: the question with the state the answer depends
on), read from the data folder at run time. The judge is the `judge` config
group: `lexical` (the default, no second model) or `model` (any model backend); measure it with
`mmgym judge-check` before trusting it. `closed_loop=true` (an mmgym mode PCA-Bench lacks) lets
each scene go on after the chosen action for up to `decisions` decisions, scored by outcome:
survived (no crash or death), reached (the goal, where there is one) and the share of right choices.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from mmgym.construct import factory_from_dict
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import EpisodeSpec, PlayRules
from mmgym.errors import ConfigError, unknown_name
from mmgym.tasks.pca import pcabench
from mmgym.tasks.pca.env import ENV_ID, frozen
from mmgym.tasks.pca.env.item import DOMAINS, DecisionItem
from mmgym.tasks.pca.judge_check import NOTES_KEY, check_judge
from mmgym.tasks.pca.judges import Judge
from mmgym.tasks.scoring import Metric, Scores
from mmgym.tasks.suite import EpisodePlan, FloorBound, Notes, SpecSuite

LINKS = ("perception", "cognition", "action")
DECISION_METRICS = (
    Metric(name="action", description="the right action was chosen"),
    Metric(name="perception", description="the reasoning names a key concept (judged)"),
    Metric(name="cognition", description="the reasoning agrees with the reference (judged)"),
    Metric(name="genuine", description="all three links right"),
    *(
        Metric(name=f"error_{link}", higher_is_better=False, description=f"{link} is the first link to fail")
        for link in LINKS
    ),
    Metric(name="judge_unscored", higher_is_better=False, description="the judge gave no score for a link"),
)


def loop_metrics(decisions: int) -> tuple[Metric, ...]:
    """The closed loop's metrics; the decisions' scale runs to the loop's actual limit."""
    return (
        Metric(name="survived", description="no crash or death in the loop"),
        Metric(name="reached", description="the goal was reached (domains that have one)"),
        Metric(name="action", description="share of the loop's choices that were right"),
        Metric(name="decisions", scale=(0.0, float(decisions)), description="decisions made"),
    )


DEFAULT_JUDGE = {"_target_": "mmgym.tasks.pca.judges.LexicalJudge", "name": "lexical"}
SKIPPED_KEY = "skipped_items"
log = logging.getLogger(__name__)


class ChanceLevel(BaseModel):
    """The action score a uniformly random choice expects, from the items' own choice counts (the floor)."""

    overall: float
    by_domain: dict[str, float]


class SkippedItems(BaseModel):
    """Entries of PCA-Bench's files that are not valid items, each with why (kept in results.json notes)."""

    count: int
    entries: list[str]


class PCASuite(SpecSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "pca"
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=45.0,
        metric="action",
        reason="one choice among each item's 2 to 7: chance is 26 over the frozen items (notes.chance_level, "
        "computed from their choice counts), and a small sample's random score spreads around it",
    )
    domains: list[str] = Field(default_factory=lambda: list(DOMAINS), description="driving, domestic, game")
    source: Literal["generated", "pcabench"] = Field(
        default="generated", description="generated (mmgym's frozen items) or pcabench (PCA-Bench's files in data_dir)"
    )
    data_dir: str | None = Field(default=None, description="PCA-Bench's data folder, for source=pcabench")
    image_dir: str | None = Field(
        default=None, description="the V1 open track's images, one folder per domain (source=pcabench)"
    )
    protocol: Literal["mmgym", "pcabench"] = Field(
        default="mmgym",
        description="mmgym (the question and the choices) or pcabench (PCA-Bench's own prompt per item, with "
        "the state it depends on, from end2end_prompts.json in data_dir)",
    )
    items: int | None = Field(default=None, ge=1, description="first N items of each domain; null for all")
    closed_loop: bool = Field(
        default=False, description="the scene goes on after each choice, scored by outcome (an mmgym mode)"
    )
    decisions: int = Field(default=8, ge=2, le=20, description="the closed loop's most decisions")
    observation: Literal["image", "image_text", "text"] = Field(
        default="image", description="image (PCA-Bench's), image_text (adds the question as text too) or text"
    )
    image_size: int = Field(default=256, ge=32, description="frame side in pixels")
    judge: dict[str, Any] = Field(
        default_factory=lambda: dict(DEFAULT_JUDGE),
        description="the judge config; choose with suite/judge=lexical|model",
    )
    judge_check: int = Field(default=5, ge=0, description="items per domain of the judge's check in results.json")

    env_id: ClassVar[str] = ENV_ID
    group_by: ClassVar[tuple[str, ...]] = ("domain",)
    macro_over: ClassVar[tuple[str, ...]] = ("domain",)
    step_data: ClassVar[tuple[str, ...]] = ("choice", "correct", "failed", "reached", "decisions", "right_decisions")

    @field_validator("domains")
    @classmethod
    def _known_domains(cls, domains: list[str]) -> list[str]:
        for name in domains:
            if name not in DOMAINS:
                raise unknown_name("PCA domain", name, DOMAINS)
        return domains

    @model_validator(mode="after")
    def _pcabench_options(self) -> PCASuite:
        if self.source != "pcabench" and (self.protocol == "pcabench" or self.image_dir):
            raise ValueError("suite.protocol=pcabench and suite.image_dir need suite.source=pcabench")
        return self

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return loop_metrics(self.decisions) if self.closed_loop else DECISION_METRICS

    def judge_object(self) -> Judge:
        return factory_from_dict(dict(self.judge), "judge", drop=())()

    def rules(self) -> PlayRules:
        return PlayRules(
            actions_per_reply="one",
            observation=self.observation,
            history=self.closed_loop,
            max_steps=self.decisions if self.closed_loop else 1,
            single_reply=not self.closed_loop,
            hidden_info=("progress", "correct", "right_decisions"),
        )

    def load(self, domain: str) -> pcabench.Loaded:
        if self.source == "pcabench":
            if not self.data_dir:
                raise ConfigError("suite.data_dir is required with suite.source=pcabench: PCA-Bench's data folder")
            return pcabench.load_domain(self.data_dir, domain, self.protocol == "pcabench", self.image_dir)
        return pcabench.Loaded(items=list(frozen.load(domain)))

    def specs(self) -> list[EpisodeSpec]:
        if self.closed_loop and self.source == "pcabench":
            raise ConfigError("suite.closed_loop=true needs generated items (PCA-Bench's images have no simulator)")
        return super().specs()

    def plans(self) -> Iterable[EpisodePlan]:
        sees_image = self.rules().sees_image
        skipped = []
        for domain in self.domains:
            loaded = self.load(domain)
            skipped += loaded.skipped
            env_kwargs = {
                "image_size": self.image_size,
                "observe_image": sees_image,
                "decisions": self.decisions if self.closed_loop else 1,
                "image_dir": loaded.image_dir,
            }
            for item in loaded.items[: self.items]:
                yield EpisodePlan(
                    task=f"{domain}/{item.index:03d}",
                    env_kwargs=env_kwargs,
                    reset_options={"item": item.model_dump(mode="json")},
                    target={"answer_index": item.answer_index},
                    metadata={"domain": domain, "source": item.source, "question": item.question},
                    tags=(domain,),
                )
        if skipped:
            log.warning("PCA-Bench data: %d entries are not valid items and are skipped (e.g. %s); results.json "
                        "notes list them", len(skipped), skipped[0])  # fmt: skip

    def chance(self) -> ChanceLevel:
        """The random floor of the action score: the mean over the items played of 1 / their number of choices."""
        counts = {d: [len(i.actions) for i in self.load(d).items[: self.items]] for d in self.domains}
        by_domain = {d: 100.0 * sum(1 / n for n in c) / len(c) for d, c in counts.items() if c}
        every = [n for c in counts.values() for n in c]
        return ChanceLevel(overall=100.0 * sum(1 / n for n in every) / max(len(every), 1), by_domain=by_domain)

    def skipped(self) -> SkippedItems:
        """The entries of the data that are not valid items, in the domains this suite plays."""
        entries = [entry for domain in self.domains for entry in self.load(domain).skipped]
        return SkippedItems(count=len(entries), entries=entries)

    async def score(self, record: EpisodeRecord) -> Scores:
        if self.closed_loop:
            return loop_scores(record)
        item = DecisionItem.model_validate(record.spec.reset_options["item"])
        first = record.steps[0] if record.steps else None
        choice = int(first.data.get("choice", -1)) if first else -1
        reasoning = first.reasoning if first else ""
        verdict = await self.judge_object().judge(item, reasoning, choice)
        record.extra["judge"] = {"name": self.judge.get("name", "judge"), **verdict.model_dump(mode="json")}
        return decision_scores(choice == item.answer_index, verdict.perception, verdict.cognition)

    async def notes(self) -> Notes:
        """The judge's check on `judge_check` generated items per domain (`mmgym judge-check`), kept with
        the results so that every run's scores come with their judge's figures; the action score's chance
        level from the items' choice counts (the floor); and the skipped entries of PCA-Bench's files."""
        notes: dict[str, BaseModel] = {}
        if self.source == "pcabench" and (skipped := self.skipped()).count:
            notes[SKIPPED_KEY] = skipped
        if not self.closed_loop:
            notes["chance_level"] = self.chance()
        if self.closed_loop or not self.judge_check:
            return notes
        items = [item for domain in self.domains for item in frozen.load(domain)[: self.judge_check]]
        return {**notes, NOTES_KEY: await check_judge(self.judge_object(), items)}


def decision_scores(action: bool, perception: bool | None, cognition: bool | None) -> Scores:
    """The three links, genuine PCA, and which link failed first (an unscored link counts as failed)."""
    links = {"perception": bool(perception), "cognition": bool(cognition), "action": action}
    first_failure = next((link for link in LINKS if not links[link]), None)
    scores = {link: 100.0 * ok for link, ok in links.items()}
    scores["genuine"] = 100.0 * all(links.values())
    scores |= {f"error_{link}": 100.0 * (link == first_failure) for link in LINKS}
    scores["judge_unscored"] = 100.0 * (perception is None or cognition is None)
    return scores


def loop_scores(record: EpisodeRecord) -> Scores:
    """A closed loop's outcome: survived, reached, the share of right choices, decisions made."""
    decisions = float(record.final_data("decisions", 0) or 0)
    right = float(record.final_data("right_decisions", 0) or 0)
    return {
        "survived": 100.0 * (decisions > 0 and not record.final_data("failed", False)),
        "reached": 100.0 * bool(record.final_data("reached", False)),
        "action": 100.0 * right / decisions if decisions else 0.0,
        "decisions": decisions,
    }
