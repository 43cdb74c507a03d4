"""Episode specs: plain, hashable data that says exactly which episode to run and by which rules of play."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

ActionsPerReply = Literal["one", "plan", "solution"]
Observation = Literal["image_text", "image", "text"]
Unparseable = Literal["step", "free", "random", "ends"]


class OmitsLaterDefaults(BaseModel):
    """A model that leaves fields added after its records were first written out of its dumps while they
    hold their defaults, so that spec ids (a hash of the dump) and stored records stay byte-identical."""

    later_fields: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_later_defaults(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.later_fields:
                if getattr(self, name) == type(self).model_fields[name].default:
                    data.pop(name, None)
        return data


class PromptProtocol(BaseModel):
    """A benchmark's own way of prompting a model and reading its reply, which model-backed agents follow
    instead of mmgym's (scripted agents act directly).

    Each turn is one user message: the image, then `opening` (formatted with the highest action id,
    the listed actions as `action id i: <name>` and the examples), the instruction, every past step
    (`Step i, action id k, <name>, env feedback: ...`), the text observation when the play rules show
    it, `closing_first` or `closing_later` (formatted with `max_id` and `instruction`) and
    `reply_format`. The reply is a JSON object whose `plan_key` lists `{"action_id": k, ...}` items,
    executed in order by id. With `actions: vectors` (an env whose actions are integer vectors) the
    plan lists the vectors themselves (`[a, b, ...]` or `{"action": [a, b, ...]}`), the opening gets
    the number of elements and their ranges instead of the list, and history shows each vector.
    - `empty_plan`: an empty list `ends` the episode, or is `unparseable` (the play rules' `unparseable`
      then says what it costs);
    - `unknown_id`: an id not listed `truncates` the plan there (unparseable when it is the first), or
      `ends` the episode after the actions before it.
    `source` says whose wording the texts are: `mmgym`, or the authors' files they were read from.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    opening: str
    actions: Literal["ids", "vectors"] = "ids"
    examples: tuple[str, ...] = ()
    closing_first: str
    closing_later: str
    reply_format: str
    plan_key: str = "executable_plan"
    thought_keys: tuple[str, ...] = ("visual_state_description", "reasoning_and_reflection", "language_plan")
    empty_plan: Literal["ends", "unparseable"] = "unparseable"
    unknown_id: Literal["truncates", "ends"] = "truncates"
    source: str = "mmgym"


class PlayRules(OmitsLaterDefaults):
    """How a turn works, whatever the benchmark; a suite maps its own settings onto these.

    - `actions_per_reply`: `one` executes a reply's first action; `plan` executes its actions in
      order until one is invalid, so the agent can react; `solution` executes every action (an
      invalid one changes nothing), the reply being meant to solve the task.
    - `observation`: what of the env's observation reaches the agent (the instruction always does).
    - `history`: whether past steps (action, validity, feedback) are shown.
    - `max_steps`: env steps before the episode is cut.
    - `single_reply`: the agent replies once, then the episode ends and is scored (a decision).
    - `hidden_info`: info keys the agent must not see (a solver's distance to the goal, say).
    - `unparseable`: what a reply without actions costs: a `step` that changes nothing (mmgym's
      default), nothing but a count toward `max_invalid` (`free`), a uniformly `random` listed
      action, marked as such in its step record (some benchmarks' fallback; never mmgym's default),
      or the episode (`ends`: it stops there, a failure).
    - `max_invalid`: the episode ends once this many actions were refused and replies unparseable,
      in all (None: no such limit).
    - `protocol`: a benchmark's own prompt and reply schema (`PromptProtocol`), else mmgym's.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    later_fields: ClassVar[tuple[str, ...]] = ("unparseable", "max_invalid", "protocol")

    actions_per_reply: ActionsPerReply = "plan"
    observation: Observation = "image_text"
    history: bool = True
    max_steps: int = Field(default=50, ge=1)
    single_reply: bool = False
    hidden_info: tuple[str, ...] = ("progress",)
    unparseable: Unparseable = "step"
    max_invalid: int | None = Field(default=None, ge=1)
    protocol: PromptProtocol | None = None

    @model_validator(mode="after")
    def _free_replies_are_bounded(self) -> PlayRules:
        if self.unparseable == "free" and self.max_invalid is None:
            raise ValueError("unparseable='free' costs no step, so it needs max_invalid to bound an episode")
        return self

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
