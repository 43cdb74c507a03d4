"""The EmbodiedEval-style suite: option-menu play on MiniWorld and BabyAI, scored by predicates and SPL.

Episodes come from the frozen task sets of `mmgym.tasks.embodied_eval.env` (navigation, object
interaction, attribute and spatial question answering; EmbodiedEval's social interaction is left
out: no simulator here has people). Each step the agent chooses one option from a menu rebuilt
from the state (EmbodiedEval's `Choice: [N]`), within EmbodiedEval's 24 steps.

Metrics per episode, reported per category with CIs:
- success: every predicate holds at the end;
- goal_condition: the share of predicates that hold at the end (goal-condition success);
- spl: success weighted by path length, S * L / max(L, P), with L the reference path (the expert's
  number of options, or a human's trajectory with `reference=human`) and P the steps the agent took;
- no_match, out_of_range: replies that named no option (the parser found no action, or the env
  could read no option from it) or chose a number outside the menu;
- api_error: 100 when the episode ended because a model call failed;
- steps: env steps taken.

Two protocols (`protocol`). `mmgym` (the default): a reply that names no option is refused with
feedback and play goes on, so no_match and out_of_range are shares of replies, and the results add
a macro mean over categories. `embodiedeval`, as EmbodiedEval's own loop and metrics do: such a
reply ends the episode (the unparseable one counts as a step, as in EmbodiedEval's trajectories),
no_match and out_of_range say whether the episode ended so, and the overall figures are means over
episodes only.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationInfo, field_validator

from mmgym.agents.models.base import ModelError
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import PlayRules
from mmgym.envs.frozen_scenes import Episode
from mmgym.tasks.embodied_eval.env import ENV_ID
from mmgym.tasks.embodied_eval.env.frozen import SETS
from mmgym.tasks.embodied_eval.human import human_lengths
from mmgym.tasks.embodied_eval.released import LoadedTasks, SkippedTask, load_tasks
from mmgym.tasks.scene_suite import SceneSuite
from mmgym.tasks.scoring import Metric, Scores
from mmgym.tasks.suite import EpisodePlan, FloorBound, Notes

log = logging.getLogger(__name__)
CATEGORIES = tuple(SETS.subsets)
Protocol = Literal["mmgym", "embodiedeval"]
Reference = Literal["expert", "human"]


def spl(success: bool, reference: int, taken: int) -> float:
    """Success weighted by path length: S * L / max(L, P), in 0..1 (0 when both lengths are 0)."""
    longest = max(reference, taken)
    return float(success) * reference / longest if longest > 0 else 0.0


def ended_unparsed(record: EpisodeRecord) -> bool:
    """Whether the episode ended on a reply without an action (the `unparseable: ends` rule)."""
    last = record.turns[-1] if record.turns else None
    return (
        record.spec.rules.unparseable == "ends"
        and last is not None
        and not last.actions
        and last.index == record.agent_calls
    )


def episode_scores(record: EpisodeRecord, protocol: Protocol = "mmgym", reference: Reference = "expert") -> Scores:
    """The suite's metrics for one record (see the module docstring); spl is left out when the reference
    is human and the task has no human trajectory."""
    met = record.final_data("predicates_met", 0) or 0
    total = record.final_data("predicates_total", 0) or record.initial_data.get("predicates_total") or 1
    steps = record.steps
    errors = [step.data.get("choice_error") or ("no_match" if step.action == "" else "") for step in steps]
    taken = len(steps)
    if protocol == "embodiedeval":  # per episode: how it ended
        unparsed = ended_unparsed(record)
        taken += unparsed
        last = "no_match" if unparsed else (errors[-1] if errors else "")
        no_match, out_of_range = float(last == "no_match"), float(last == "out_of_range")
    else:  # per reply
        replies = max(len(steps), 1)
        no_match, out_of_range = errors.count("no_match") / replies, errors.count("out_of_range") / replies
    key = "human_plan_length" if reference == "human" else "expert_plan_length"
    length = record.spec.metadata.get(key, None if reference == "human" else 0)
    scores = {"success": 100.0 * record.success, "goal_condition": 100.0 * met / total}
    if length is not None:
        scores["spl"] = 100.0 * spl(record.success, int(length), taken)
    return scores | {
        "no_match": 100.0 * no_match,
        "out_of_range": 100.0 * out_of_range,
        "api_error": 100.0 * record.failed_with(ModelError),
        "steps": float(taken),
    }


class ProtocolNote(BaseModel):
    """Which protocol a run played, in words, for results.json."""

    protocol: Protocol
    unmatched_reply: str
    overall: str


class ReferenceNote(BaseModel):
    """SPL's reference path: whose, from where, and the episodes that had none (no spl for them)."""

    reference: Reference
    source: str
    episodes: int
    without_reference: list[str] = Field(default_factory=list)


class ReleasedNote(BaseModel):
    """EmbodiedEval's task files read from `data_dir`: how many loaded, per category, and those skipped, why."""

    folder: str
    loaded: int
    by_category: dict[str, int]
    predicate_kinds: dict[str, int]
    skipped: int
    reasons: list[SkippedTask]


class EmbodiedEvalSuite(SceneSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "embodied_eval"
    floor_bound: ClassVar[FloorBound] = FloorBound(
        most=15.0,
        reason="a random choice from the option menu completes a short task now and then: 8.8% of the 80 episodes",
    )
    subsets: list[str] = Field(default_factory=lambda: list(CATEGORIES), description="the categories to play")
    observation: Literal["image", "image_text", "text"] = "image"
    episodes: int | None = Field(default=None, ge=1, description="first N tasks of each category; null for all")
    max_steps: int = Field(default=24, ge=1, description="EmbodiedEval's 24")
    protocol: Protocol = Field(
        default="mmgym",
        description="mmgym: an unmatched reply is refused and play goes on, plus a macro mean over categories; "
        "embodiedeval: it ends the episode, and overall figures are means over episodes",
    )
    reference: Reference = Field(
        default="expert", description="SPL's reference path: the expert's plan, or human (needs human_trajectories)"
    )
    human_trajectories: str | None = Field(
        default=None,
        validate_default=True,
        description="a folder of human trajectories, <category>/<NNN>/traj.json per task",
    )
    data_dir: str | None = Field(
        default=None,
        description="EmbodiedEval's task folder (its tasks.json; `mmgym data get embodied_eval`): read and checked, "
        "with skipped tasks and why in results.json notes (playing them needs LEGENT)",
    )

    env_id: ClassVar[str] = ENV_ID
    sets: ClassVar = SETS
    hidden_info: ClassVar[tuple[str, ...]] = ("progress", "predicates_met")  # the agent is not told its score
    step_data: ClassVar[tuple[str, ...]] = ("choice_error", "predicates_met", "predicates_total", "answer")
    actions_per_reply: ClassVar[str] = "one"  # one menu choice per reply
    group_by: ClassVar[tuple[str, ...]] = ("category",)

    _released: LoadedTasks | None = PrivateAttr(default=None)

    @field_validator("human_trajectories")
    @classmethod
    def _human_needs_trajectories(cls, folder: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("reference") == "human" and not folder:
            raise ValueError(
                "suite.reference=human needs a folder with <category>/<NNN>/traj.json per task; mmgym's frozen "
                "tasks ship none (suite.reference=expert uses the expert's plans)"
            )
        return folder

    @property
    def macro_over(self) -> tuple[str, ...]:  # type: ignore[override]
        return () if self.protocol == "embodiedeval" else ("category",)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        per = "the episode ended on a reply" if self.protocol == "embodiedeval" else "share of replies"
        reference = "a human's trajectory" if self.reference == "human" else "the expert's path length"
        return (
            Metric(name="success", description="every predicate holds at the end"),
            Metric(name="goal_condition", description="share of the predicates that hold at the end"),
            Metric(name="spl", description=f"success weighted by {reference} over the path taken"),
            Metric(name="no_match", higher_is_better=False, description=f"{per} that named no option"),
            Metric(name="out_of_range", higher_is_better=False, description=f"{per} choosing outside the menu"),
            Metric(name="api_error", higher_is_better=False, description="the episode ended on a failed model call"),
            Metric(
                name="steps", scale=(0.0, float(self.max_steps)), higher_is_better=False, description="env steps taken"
            ),
        )

    def rules(self) -> PlayRules:
        rules = super().rules()
        return rules.model_copy(update={"unparseable": "ends"}) if self.protocol == "embodiedeval" else rules

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        ending = {"refusal_ends": True} if self.protocol == "embodiedeval" else {}  # default specs keep their ids
        return super().env_kwargs(rules) | {"max_steps": rules.max_steps} | ending

    def episode_metadata(self, episode: Episode[Any], rules: PlayRules) -> dict[str, Any]:
        task = episode.scene
        return {"category": task.category, "instruction": task.text, "simulator": task.simulator}

    def plans(self) -> Iterable[EpisodePlan]:
        plans = list(super().plans())
        if self.data_dir is not None:
            self._check_released()
        if self.reference == "human":
            lengths = human_lengths(self.human_trajectories or "", [plan.task for plan in plans])
            for plan in plans:
                if plan.task in lengths:
                    plan.metadata["human_plan_length"] = lengths[plan.task]
            if len(lengths) < len(plans):
                log.warning("EmbodiedEval SPL: %d of %d tasks have no human trajectory in %s; they get no spl "
                            "(listed in results.json notes)", len(plans) - len(lengths), len(plans),
                            self.human_trajectories)  # fmt: skip
        return plans

    def _check_released(self) -> LoadedTasks:
        if self._released is None:
            self._released = load_tasks(self.data_dir or "")
            skipped, total = self._released.skipped, len(self._released.skipped) + len(self._released.tasks)
            if skipped:
                log.warning("EmbodiedEval task files: %d of %d skipped (first: %s); the reasons are in results.json "
                            "notes", len(skipped), total, skipped[0].reason)  # fmt: skip
        return self._released

    async def score(self, record: EpisodeRecord) -> Scores:
        return episode_scores(record, self.protocol, self.reference)

    async def notes(self) -> Notes:
        found: dict[str, BaseModel] = {"protocol": self._protocol_note(), "spl_reference": self._reference_note()}
        if self.data_dir is not None:
            loaded = self._check_released()
            kinds = Counter(p.kind for task in loaded.tasks for p in task.predicates)
            found["released_tasks"] = ReleasedNote(
                folder=loaded.folder,
                loaded=len(loaded.tasks),
                by_category=dict(Counter(task.category for task in loaded.tasks)),
                predicate_kinds=dict(sorted(kinds.items())),
                skipped=len(loaded.skipped),
                reasons=loaded.skipped,
            )
        return found

    def _protocol_note(self) -> ProtocolNote:
        if self.protocol == "embodiedeval":
            return ProtocolNote(protocol=self.protocol, unmatched_reply="ends the episode",
                                overall="mean over episodes")  # fmt: skip
        return ProtocolNote(protocol=self.protocol, unmatched_reply="refused with feedback; play goes on",
                            overall="mean over episodes, and a macro mean over categories")  # fmt: skip

    def _reference_note(self) -> ReferenceNote:
        plans = list(SceneSuite.plans(self))
        if self.reference == "expert":
            return ReferenceNote(reference="expert", source="the expert's shortest plans", episodes=len(plans))
        lengths = human_lengths(self.human_trajectories or "", [plan.task for plan in plans])
        without = [plan.task for plan in plans if plan.task not in lengths]
        return ReferenceNote(reference="human", source=str(self.human_trajectories), episodes=len(plans),
                             without_reference=without)  # fmt: skip
