"""The rollout's view of an environment: awaitable reset and step, wherever the env runs.

A cheap env runs in the rollout's own process and its calls return at once; a heavy one runs in
a Ray actor and its calls cross processes. The rollout awaits both the same way, so one loop
serves both and the same spec gives the same episode either way.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import gymnasium as gym

from mmgym.core.agent import ExpertAdvice
from mmgym.core.language_env import env_traits
from mmgym.core.spec import EpisodeSpec
from mmgym.errors import ConfigError, MmgymError

EnvFactory = Callable[[EpisodeSpec], gym.Env]
StepResult = tuple[dict[str, Any], float, bool, bool, dict[str, Any]]


class EnvWorkerLost(MmgymError):
    """The process hosting an episode's env died; the episode can be replayed from its seed elsewhere."""


@dataclass(frozen=True)
class EnvDescription:
    """What an agent learns about an env at reset: its rules, action grammar and listed actions (or their bounds)."""

    rules: str = ""
    action_grammar: str = ""
    valid_actions: tuple[str, ...] = ()
    action_vector: tuple[tuple[int, int], ...] = ()  # inclusive bounds per element when actions are integer vectors
    full_render: bool = False  # render() shows more than the observation (e.g. a third-person view)
    has_expert: bool = False  # the env offers `expert_plan()`
    numbers_every_reply: bool = False  # its step numbers count unparseable replies too (`EnvTraits`)


def make_env(spec: EpisodeSpec) -> gym.Env:
    """Build the spec's env in this process, with the wrappers its registration adds."""
    return gym.make(spec.env_id, **spec.env_kwargs)


def env_key(spec: EpisodeSpec) -> str:
    """Specs with the same key can share one env: the same id and constructor arguments."""
    return json.dumps([spec.env_id, spec.env_kwargs], sort_keys=True, default=str)


def is_reusable(env: gym.Env) -> bool:
    """Whether the env says a `reset` restores any episode (its `traits.reusable`), so it may serve many."""
    return env_traits(env).reusable


@dataclass(frozen=True)
class EnvMaker:
    """`make_env` after importing the user modules that register envs (the run's `env_modules`).

    It imports them in whichever process builds the env, the driver or a Ray env worker, so an env
    registered by a user's module can be named by its plain id everywhere.
    """

    modules: tuple[str, ...] = ()

    def __call__(self, spec: EpisodeSpec) -> gym.Env:
        import_env_modules(self.modules)
        return make_env(spec)


def import_env_modules(modules: Sequence[str]) -> None:
    """Import each module (its import registers its envs); a failure is one line naming the module."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(
                f"env_modules: {module!r} cannot be imported ({reason}); "
                "name a module importable from the working directory or installed"
            ) from None


def steps_are_cheap(env_id: str) -> bool:
    """Whether the env's class says its steps cost microseconds (its `traits.cheap_steps`).

    Across processes a step costs about a millisecond of the driver's time, so such envs are
    best stepped in the rollout's own process; the Ray runner's `env_workers=auto` reads this.
    """
    try:
        creator = gym.envs.registration.load_env_creator(gym.spec(env_id).entry_point)
    except Exception:  # an env that cannot be looked up here is not known to be cheap
        return False
    return env_traits(creator).cheap_steps


def describe_env(env: gym.Env) -> EnvDescription:
    """Rules, grammar, listed actions and action-vector bounds of `env`, looked up through any wrappers around it."""
    candidates = _wrapper_attr(env, "candidate_actions", None)
    bounds = _wrapper_attr(env, "action_vector", ())
    return EnvDescription(
        rules=_wrapper_attr(env, "rules", ""),
        action_grammar=_wrapper_attr(env, "action_grammar", ""),
        valid_actions=tuple(candidates()) if candidates is not None else (),
        action_vector=tuple((int(low), int(high)) for low, high in (() if bounds is None else bounds)),
        full_render=env_traits(env).full_render,
        has_expert=_wrapper_attr(env, "expert_plan", None) is not None,
        numbers_every_reply=env_traits(env).numbers_every_reply,
    )


def expert_plan(env: gym.Env) -> ExpertAdvice:
    """The env's own expert plan from its true state, with its `expert_reasoning()` when it has one
    (privileged; see core.language_env)."""
    reasoning = _wrapper_attr(env, "expert_reasoning", None)
    return ExpertAdvice(list(env.get_wrapper_attr("expert_plan")()), reasoning() if reasoning else "")


def _wrapper_attr(env: gym.Env, name: str, default: Any) -> Any:
    try:
        return env.get_wrapper_attr(name)
    except AttributeError:
        return default


class EnvSession(Protocol):
    """One episode's env: reset, describe, step, render, expert plan, close (each awaitable)."""

    async def reset(self, seed: int, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]: ...

    async def describe(self) -> EnvDescription: ...

    async def step(self, action: str) -> StepResult: ...

    async def render(self) -> Any: ...

    async def expert_plan(self) -> ExpertAdvice: ...

    async def close(self) -> None: ...


EnvOpener = Callable[[EpisodeSpec], Awaitable[EnvSession]]
