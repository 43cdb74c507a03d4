"""The language interface every mmgym env offers on top of `gymnasium.Env`: what agents read, how they act.

Observations are dicts with any of:
- `image`: H x W x 3 uint8, what the agent sees;
- `text`: a faithful text rendering of what the agent perceives;
- `instruction`: the task in words.
Which of image and text reach the agent is decided by the spec's play rules, never by the env.

Actions are strings in the env's own language. `step(action)` returns the usual five values, and
`info` holds at least the keys of `INFO_KEYS`:
- `valid` (bool): the action was well formed and possible; an invalid action never changes the state;
- `feedback` (str): what happened, or why the action was refused;
- `success` (bool): the task is done;
- `progress` (float in 0..1): how much of the task is done.
Envs add their own keys; a suite declares which of them its records keep for each step.

Read through any wrappers (`env.get_wrapper_attr`):
- `rules` and `action_grammar` (str): for prompts;
- `candidate_actions()`: every well-formed action in the current state, or `[]` when they cannot be listed;
  an env whose actions change from step to step (an option menu) also puts them in `info["candidate_actions"]`,
  which agents read each turn (`core.agent.current_actions`);
- `action_vector` (optional, `tuple[tuple[int, int], ...]`): actions are integer vectors written
  `[a, b, ...]` (`format_vector`), element i within the inclusive bounds `action_vector[i]`; such an
  env cannot list its actions, so `candidate_actions()` returns `[]`, and agents draw or parse vectors instead;
- `expert_plan()` (optional, privileged): actions that reach the goal from the true current state;
  `agent=oracle` follows it, one action per reply when the play rules allow one;
- `expert_reasoning()` (optional, privileged): why, in words; the oracle's reply carries it as its
  reasoning (a decision suite scores the reasoning too).

An env class declares what runners may assume of it in `traits` (`EnvTraits`), read through
`env_traits`; `metadata` keeps Gymnasium's own keys (`render_modes`, `render_fps`). mmgym's envs
derive from `LanguageEnvBase`, which holds what they all share.
"""

from __future__ import annotations

import numbers
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from mmgym.errors import ConfigError

INFO_KEYS = ("valid", "feedback", "success", "progress")
OBSERVATION_KEYS = ("image", "text", "instruction")
TEXT_CHARSET = frozenset(string.printable)
MAX_TEXT = 8192
MAX_ACTION = 256


MIN_IMAGE_SIZE = 32  # pixels: smaller frames show a model nothing


def check_image_sizes(**sizes: object) -> None:
    """Each named size an integer of at least `MIN_IMAGE_SIZE` pixels, or one line saying which is not."""
    for name, size in sizes.items():
        if not isinstance(size, int) or size < MIN_IMAGE_SIZE:
            raise ConfigError(f"{name} must be an integer of at least {MIN_IMAGE_SIZE} pixels, got {size!r}")


def language_spaces(image_size: int, observe_image: bool) -> tuple[spaces.Dict, spaces.Text]:
    """Observation and action spaces of a language env: text and instruction (plus a square image when
    observed), and actions as printable strings."""
    text = spaces.Text(MAX_TEXT, min_length=0, charset=TEXT_CHARSET)
    observation: dict[str, spaces.Space] = {"text": text, "instruction": text}
    if observe_image:
        observation["image"] = spaces.Box(0, 255, (image_size, image_size, 3), np.uint8)
    return spaces.Dict(observation), spaces.Text(MAX_ACTION, min_length=0, charset=TEXT_CHARSET)


def format_vector(values: Sequence[int | float]) -> str:
    """`[a, b, c]`: the one spelling of an integer-vector action, shared by envs, the parser and the random agent.

    Integers (numpy's too) are written as integers; a float keeps its own spelling, so a reply's
    57.5 reaches the env as 57.5 and is refused there rather than silently rounded here.
    """
    return "[" + ", ".join(str(int(v)) if isinstance(v, numbers.Integral) else str(v) for v in values) + "]"


@runtime_checkable
class LanguageEnv(Protocol):
    """The attributes an agent-facing env provides (see the module docstring for observations and info)."""

    rules: str
    action_grammar: str

    def candidate_actions(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class EnvTraits:
    """What runners may assume of an env class, declared by the class, never guessed."""

    cheap_steps: bool = False  # a step costs microseconds: runners keep the env in their own process
    reusable: bool = False  # a `reset` restores any episode: one env serves many episodes, not one each
    full_render: bool = False  # `render()` shows more than the observation: recorded as a second video
    numbers_every_reply: bool = False  # the env numbers every reply as a step (to go back to one by number), so
    # the rollout also steps it with an empty action for a reply it could not read, keeping the numbers in line


def env_traits(env: Any) -> EnvTraits:
    """The traits of an env (through any wrappers) or of an env class; none declared, none assumed."""
    try:
        traits = env.traits if isinstance(env, type) else env.get_wrapper_attr("traits")
    except AttributeError:
        return EnvTraits()
    return traits if isinstance(traits, EnvTraits) else EnvTraits()


class LanguageEnvBase(gym.Env):
    """What every mmgym env shares: the constructor's image arguments, the language spaces, the rules and
    grammar from class constants, traits and `summary()`.

    A subclass sets `traits`, `RULES` and `GRAMMAR` (or overrides `rules` and `action_grammar` when they
    depend on its arguments), `SUMMARY` (or overrides `summary`), and `metadata["render_fps"]`.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 2}
    traits: ClassVar[EnvTraits] = EnvTraits()
    RULES: ClassVar[str] = ""
    GRAMMAR: ClassVar[str] = ""
    SUMMARY: ClassVar[str] = ""

    def __init__(
        self, image_size: int, observe_image: bool = True, render_mode: str | None = "rgb_array", **sizes: int
    ) -> None:
        """Check `image_size` and any other frame `sizes` (given by name), and set the spaces."""
        check_image_sizes(image_size=image_size, **sizes)
        self.image_size, self.observe_image, self.render_mode = image_size, observe_image, render_mode
        self.observation_space, self.action_space = language_spaces(image_size, observe_image)

    @classmethod
    def summary(cls, **_: object) -> str:
        """One line for `mmgym list` (given the registration's kwargs): `SUMMARY`, else the docstring's first line."""
        return cls.SUMMARY or (cls.__doc__ or "").strip().partition("\n")[0]

    @property
    def rules(self) -> str:
        return self.RULES

    @property
    def action_grammar(self) -> str:
        return self.GRAMMAR

    def candidate_actions(self) -> Sequence[str]:
        raise NotImplementedError


class ContractViolation(AssertionError):
    """An env does not follow the language interface (raised by `check_language_env`)."""


def check_language_env(env: Any, seed: int = 0, options: dict[str, Any] | None = None) -> None:
    """Reset `env` and step it once with each of up to three candidate actions; raise on any breach.

    A conformance check in the spirit of `gymnasium.utils.env_checker.check_env`, for the parts
    of the contract Gymnasium does not know about. It works through wrappers.
    """
    for name in ("rules", "action_grammar"):
        if not isinstance(_attr(env, name), str):
            raise ContractViolation(f"{name} must be a string")
    observation, info = env.reset(seed=seed, options=options)
    _check_observation(observation)
    candidates = list(_attr(env, "candidate_actions")())
    if not all(isinstance(action, str) for action in candidates):
        raise ContractViolation("candidate_actions() must return strings")
    _check_action_vector(env, candidates)
    for action in candidates[:3]:
        observation, _, terminated, truncated, info = env.step(action)
        _check_observation(observation)
        _check_info(info)
        if terminated or truncated:
            break


def _attr(env: Any, name: str) -> Any:
    try:
        return env.get_wrapper_attr(name)
    except AttributeError:
        raise ContractViolation(f"the env has no {name!r}") from None


def _check_action_vector(env: Any, candidates: list[str]) -> None:
    try:
        bounds = env.get_wrapper_attr("action_vector")
    except AttributeError:
        return  # optional: most envs list their actions
    pairs_ok = isinstance(bounds, Sequence) and all(
        isinstance(pair, Sequence) and len(pair) == 2 and all(isinstance(b, numbers.Integral) for b in pair)
        for pair in bounds
    )
    if not pairs_ok or not bounds or any(low > high for low, high in bounds):
        raise ContractViolation(f"action_vector must be (low, high) integer pairs with low <= high; got {bounds!r}")
    if candidates:
        raise ContractViolation("an env with an action_vector cannot list its actions: candidate_actions() must be []")


def _check_observation(observation: Any) -> None:
    if not isinstance(observation, dict) or not set(observation) & {"image", "text"}:
        raise ContractViolation(f"an observation must be a dict with 'image' and/or 'text'; got {type(observation)}")
    image = observation.get("image")
    if image is not None and not (
        isinstance(image, np.ndarray) and image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    ):
        raise ContractViolation("observation['image'] must be an H x W x 3 uint8 array")
    for key in ("text", "instruction"):
        if key in observation and not isinstance(observation[key], str):
            raise ContractViolation(f"observation[{key!r}] must be a string")


def _check_info(info: Any) -> None:
    missing = [key for key in INFO_KEYS if key not in info]
    if missing:
        raise ContractViolation(f"info lacks {', '.join(missing)}")
    if not 0.0 <= float(info["progress"]) <= 1.0:
        raise ContractViolation(f"info['progress'] must be in 0..1; got {info['progress']!r}")
    if not isinstance(info["feedback"], str):
        raise ContractViolation("info['feedback'] must be a string")
