"""Episode specs: plain, hashable data that says exactly which episode to run and by which rules of play."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ActionsPerReply = Literal["one", "plan", "solution"]
Observation = Literal["image_text", "image", "text"]


class PlayRules(BaseModel):
    """How a turn works, whatever the benchmark; a suite maps its own settings onto these.

    - `actions_per_reply`: `one` executes a reply's first action; `plan` executes its actions in
      order until one is invalid, so the agent can react; `solution` executes every action (an
      invalid one changes nothing), the reply being meant to solve the task.
    - `observation`: what of the env's observation reaches the agent (the instruction always does).
    - `history`: whether past steps (action, validity, feedback) are shown.
    - `max_steps`: env steps before the episode is cut.
    - `single_reply`: the agent replies once, then the episode ends and is scored (a decision).
    - `hidden_info`: info keys the agent must not see (a solver's distance to the goal, say).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    actions_per_reply: ActionsPerReply = "plan"
    observation: Observation = "image_text"
    history: bool = True
    max_steps: int = Field(default=50, ge=1)
    single_reply: bool = False
    hidden_info: tuple[str, ...] = ("progress",)

    @property
    def sees_image(self) -> bool:
        return self.observation in ("image", "image_text")

    @property
    def sees_text(self) -> bool:
        return self.observation in ("text", "image_text")


class EpisodeSpec(BaseModel):
    """One episode: env, its kwargs and reset options, seed, play rules, and what the suite keeps and knows.

    `target` holds an answer key (scorers read it, agents never see it); `metadata` anything else
    the suite wants to group or score by (subset, game, reference reasoning); `step_data` names the
    info keys each step record keeps beyond the standard ones.

    The id is readable and carries a hash of the whole spec, so changing anything that affects the
    episode (a kwarg, the step limit) makes it a new episode rather than a resumed one.
    """

    model_config = ConfigDict(frozen=True)

    suite: str
    task: str  # readable name of the episode within the suite, e.g. "<subset>/007" or "<setting>/<game>/007"
    env_id: str
    env_kwargs: dict[str, Any] = {}
    reset_options: dict[str, Any] = {}
    seed: int
    rules: PlayRules = PlayRules()
    target: Any = None
    metadata: dict[str, Any] = {}
    step_data: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The readable part of the id: suite, task and seed."""
        return f"{self.suite}/{self.task}/s{self.seed}"

    @functools.cached_property
    def id(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:10]
        return f"{self.name}-{digest}"
