"""The EmbodiedEval-style suite: option-menu play on MiniWorld and BabyAI, scored by predicates and SPL.

Episodes come from the frozen task sets of `mmgym.tasks.embodied_eval.env` (navigation, object
interaction, attribute and spatial question answering; EmbodiedEval's social interaction is left
out: no simulator here has people). Each step the agent chooses one option from a menu rebuilt
from the state (EmbodiedEval's `Choice: [N]`), within EmbodiedEval's 24 steps.

Metrics per episode, reported per category with CIs and as a macro mean over categories:
- success: every predicate holds at the end;
- goal_condition: the share of predicates that hold at the end (goal-condition success);
- spl: success weighted by path length, S * L / max(L, P), with L the expert's number of options
  (the reference path) and P the steps the agent took, unparseable and refused replies included;
- no_match, out_of_range: the share of the episode's replies that named no option (the parser found
  no action, or the env could read no option from it) or chose a number outside the menu;
- api_error: 100 when the episode ended because a model call failed;
- steps: env steps taken.
EmbodiedEval ends an episode at its first no-match or out-of-range reply and counts such episodes;
here such a reply is refused with feedback and play goes on, so these are shares of replies.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from mmgym.agents.models.base import ModelError
from mmgym.core.records import EpisodeRecord
from mmgym.core.spec import PlayRules
from mmgym.envs.frozen_scenes import Episode
from mmgym.tasks.embodied_eval.env import ENV_ID
from mmgym.tasks.embodied_eval.env.frozen import SETS
from mmgym.tasks.scene_suite import SceneSuite
from mmgym.tasks.scoring import Metric, Scores

CATEGORIES = tuple(SETS.subsets)


def spl(success: bool, reference: int, taken: int) -> float:
    """Success weighted by path length: S * L / max(L, P), in 0..1 (0 when both lengths are 0)."""
    longest = max(reference, taken)
    return float(success) * reference / longest if longest > 0 else 0.0


def episode_scores(record: EpisodeRecord) -> Scores:
    """The suite's metrics for one record (see the module docstring)."""
    met = record.final_data("predicates_met", 0) or 0
    total = record.final_data("predicates_total", 0) or record.initial_data.get("predicates_total") or 1
    steps = record.steps
    errors = [step.data.get("choice_error") or ("no_match" if step.action == "" else "") for step in steps]
    replies = max(len(steps), 1)
    reference = int(record.spec.metadata.get("expert_plan_length", 0))
    failed_call = record.failed_with(ModelError)
    return {
        "success": 100.0 * record.success,
        "goal_condition": 100.0 * met / total,
        "spl": 100.0 * spl(record.success, reference, len(steps)),
        "no_match": 100.0 * errors.count("no_match") / replies,
        "out_of_range": 100.0 * errors.count("out_of_range") / replies,
        "api_error": 100.0 * failed_call,
        "steps": float(len(steps)),
    }


class EmbodiedEvalSuite(SceneSuite):
    """Config and logic of the suite; every field can be overridden from the command line."""

    name: str = "embodied_eval"
    subsets: list[str] = Field(default_factory=lambda: list(CATEGORIES), description="the categories to play")
    observation: Literal["image", "image_text", "text"] = "image"
    episodes: int | None = Field(default=None, ge=1, description="first N tasks of each category; null for all")
    max_steps: int = Field(default=24, ge=1, description="EmbodiedEval's 24")

    env_id: ClassVar[str] = ENV_ID
    sets: ClassVar = SETS
    hidden_info: ClassVar[tuple[str, ...]] = ("progress", "predicates_met")  # the agent is not told its score
    step_data: ClassVar[tuple[str, ...]] = ("choice_error", "predicates_met", "predicates_total", "answer")
    macro_over: ClassVar[tuple[str, ...]] = ("category",)
    actions_per_reply: ClassVar[str] = "one"  # one menu choice per reply
    group_by: ClassVar[tuple[str, ...]] = ("category",)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return (
            Metric(name="success", description="every predicate holds at the end"),
            Metric(name="goal_condition", description="share of the predicates that hold at the end"),
            Metric(name="spl", description="success weighted by the expert's path length over the path taken"),
            Metric(name="no_match", higher_is_better=False, description="share of replies that named no option"),
            Metric(
                name="out_of_range", higher_is_better=False, description="share of replies choosing outside the menu"
            ),
            Metric(name="api_error", higher_is_better=False, description="the episode ended on a failed model call"),
            Metric(
                name="steps", scale=(0.0, float(self.max_steps)), higher_is_better=False, description="env steps taken"
            ),
        )

    def env_kwargs(self, rules: PlayRules) -> dict[str, Any]:
        return super().env_kwargs(rules) | {"max_steps": rules.max_steps}

    def episode_metadata(self, episode: Episode[Any], rules: PlayRules) -> dict[str, Any]:
        task = episode.scene
        return {"category": task.category, "instruction": task.text, "simulator": task.simulator}

    async def score(self, record: EpisodeRecord) -> Scores:
        return episode_scores(record)
