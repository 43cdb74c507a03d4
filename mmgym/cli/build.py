"""Build a run's suite, agents and runner from its Hydra config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig, MissingMandatoryValue, OmegaConf
from omegaconf.errors import InterpolationKeyError

from mmgym.cli.catalogue import config_options
from mmgym.construct import factory_from_dict
from mmgym.core.agent import Agent
from mmgym.errors import ConfigError
from mmgym.runners.env_session import EnvMaker, import_env_modules


@dataclass(frozen=True)
class Components:
    suite: Any
    agent_factory: Callable[[], Agent]
    runner: Any
    agent_name: str
    record: Any
    env_factory: EnvMaker
    budget: Any = None


def build_components(cfg: DictConfig) -> Components:
    """The suite, a per-episode agent factory, the runner and the env factory that `cfg` describes.

    The user's `env_modules` are imported first, so that a suite may name the envs they register.
    """
    check_error_settings(cfg)
    env_modules = tuple(str(module) for module in cfg.get("env_modules") or ())
    import_env_modules(env_modules)
    suite = build_object(cfg.suite, "suite")
    runner = build_object(cfg.runner, "runner")
    agent_factory = object_factory(cfg.agent, "agent", drop=("name",))
    agent_name = str(cfg.agent.get("name", "agent"))
    agent_factory()  # fail now, not in the first episode, if the agent's arguments are wrong
    record = build_object(cfg.record, "record") if "record" in cfg else None
    budget = build_object(cfg.budget, "budget") if "budget" in cfg else None
    return Components(suite, agent_factory, runner, agent_name, record, EnvMaker(env_modules), budget)


def check_error_settings(cfg: DictConfig) -> None:
    """`max_error_rate` is a fraction in [0, 1] and `fail_fast` a count >= 0 (0: off)."""
    rate, after = cfg.get("max_error_rate", 0.0), cfg.get("fail_fast", 0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise ConfigError(f"max_error_rate must be a fraction from 0 to 1 (0.05: 5% of episodes); got {rate!r}")
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise ConfigError(f"fail_fast must be a whole number of episodes >= 0 (0: never stop early); got {after!r}")


def build_object(node: DictConfig, group: str) -> Any:
    return object_factory(node, group)()


def object_factory(node: DictConfig, group: str, drop: tuple[str, ...] = ()) -> Callable[[], Any]:
    """A zero-argument constructor for the node's `_target_` with the node's other keys."""
    try:
        data = dict(OmegaConf.to_container(node, resolve=True, throw_on_missing=True))  # type: ignore[arg-type]
    except MissingMandatoryValue as exc:
        key = str(exc.full_key) if exc.full_key else f"{group}.{exc.key}"
        raise ConfigError(f"{key} is required; set it with {key}=...") from None
    except InterpolationKeyError as exc:
        reason = str(exc).splitlines()[0]
        raise ConfigError(f"{group} config refers to a missing key ({reason}); {_model_hint()}") from None
    return factory_from_dict(data, group, drop)


def _model_hint() -> str:
    return f"choose a model with model=<name>; valid: {', '.join(config_options('model'))}"
