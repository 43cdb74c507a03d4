"""The Hydra application behind `mmgym run`, and the up-front check of its overrides."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import hydra
from hydra import compose, initialize_config_module
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf

from mmgym.cli.build import build_components
from mmgym.cli.catalogue import CONFIG_MODULE, config_groups, config_options
from mmgym.cli.track import build_tracker, track_job
from mmgym.errors import ConfigError, MmgymError, unknown_name
from mmgym.results.run_config import check_resumable, restored_on_failure, save_run_config
from mmgym.runners.evaluate import evaluate
from mmgym.views.table import print_results


@hydra.main(config_path="pkg://" + CONFIG_MODULE, config_name="config", version_base="1.3")
def hydra_app(cfg: DictConfig) -> float:
    """One job: build the components, evaluate, print the table. Returns overall accuracy for sweepers.

    Nothing is written into the run directory until the start is accepted (the components build and
    the directory holds no other agent's run), and a run that fails before recording an episode
    puts its config files back as they were.
    """
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        with restored_on_failure(run_dir):
            components = build_components(cfg)
            check_resumable(run_dir, cfg, APPEND[0])
            save_run_config(run_dir, cfg, _hydra_files(cfg), APPEND[0])
            results = evaluate(
                components.suite,
                components.agent_factory,
                run_dir,
                components.runner,
                cfg.progress,
                components.record,
                components.env_factory,
                components.budget,
                fail_fast=cfg.fail_fast,
            )
    except MmgymError as exc:
        print(f"mmgym: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print_results(results)
    print(f"run directory: {run_dir}")
    if results.stopped:
        BUDGET_STOPS.append(results.stopped)
        print(f"mmgym: stopped: {results.stopped}", file=sys.stderr)
    if results.aborted or results.error_rate() > cfg.max_error_rate:
        ERROR_STOPS.append(results.error_line() or "")
        print(f"mmgym: failed: {results.error_line()}", file=sys.stderr)
    if cfg.get("tracker") is not None:
        track_job(cfg, run_dir)  # the run's files are written: a tracker that fails loses none of them
    return results.headline()


# Whether `mmgym run --append` asked to add episodes to a run directory made with other settings.
APPEND = [False]
# The budget lines of this process's jobs: `mmgym run` exits with status 3 when a budget left episodes unplayed
# (a sweep still runs every job).
BUDGET_STOPS: list[str] = []
# The error lines of jobs whose episodes failed past `max_error_rate` (or stopped early): exit status 4.
ERROR_STOPS: list[str] = []


def _hydra_files(cfg: DictConfig) -> dict[str, str]:
    """What Hydra itself would write into `.hydra/` at job start (turned off there: `hydra.output_subdir=null`)."""
    hydra_cfg = HydraConfig.instance().cfg
    return {
        "config.yaml": OmegaConf.to_yaml(cfg),
        "hydra.yaml": OmegaConf.to_yaml(hydra_cfg),
        "overrides.yaml": OmegaConf.to_yaml(HydraConfig.get().overrides.task),
    }


def check_overrides(overrides: list[str], multirun: bool = False) -> None:
    """Compose and build every sweep combination once, and check that its run directory can be written (before
    Hydra makes it); raise `MmgymError` with one line on the first problem."""
    from mmgym.cli.paths import check_writable_dir, job_dir

    hydra_overrides = [o for o in overrides if o.lstrip("+~").startswith("hydra.")]  # hydra.run.dir, hydra.sweep.dir
    with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
        for combo in sweep_combinations(overrides):
            cfg = compose_job([*combo, *hydra_overrides], with_hydra=True)
            check_writable_dir(job_dir(cfg, multirun), "output_dir")
            build_components(cfg).suite.specs()
            if cfg.get("tracker") is not None:
                build_tracker(cfg)  # a missing client library stops the command now, not after the run


def sweep_combinations(overrides: list[str]) -> list[list[str]]:
    """Each job's overrides (one job without sweeps); a bad override or an unknown option raises `ConfigError`."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as exc:
        raise ConfigError(str(exc).splitlines()[0]) from None
    choices = []
    for override in parsed:
        if override.key_or_group.startswith("hydra"):
            continue
        values = (
            list(override.sweep_string_iterator())
            if override.is_sweep_override()
            else [override.get_value_element_as_str()]
        )
        if override.key_or_group in config_groups():
            for value in values:
                if value not in config_options(override.key_or_group):
                    raise unknown_name(override.key_or_group, value, config_options(override.key_or_group))
        choices.append([f"{override.input_line.split('=', 1)[0]}={v}" for v in values])
    return [list(combo) for combo in itertools.product(*choices)]


def compose_job(overrides: list[str], with_hydra: bool = False) -> DictConfig:
    """The job's config (with Hydra's own node, for its run and sweep directories, if asked)."""
    try:
        return compose("config", overrides=overrides, return_hydra_config=with_hydra)
    except HydraException as exc:
        message = str(exc).splitlines()[0]
        if message.startswith("Could not override '"):
            key = message.split("'")[1]
            raise ConfigError(f"unknown key {key}; {_valid_keys(key, overrides)}") from None
        raise ConfigError(message) from None


def _valid_keys(key: str, overrides: list[str]) -> str:
    parent = key.rsplit(".", 1)[0] if "." in key else ""
    kept = [o for o in overrides if not o.startswith(key + "=")]
    try:
        base = compose("config", overrides=kept)
    except HydraException:  # another unknown key in the same command: list the keys as the config has them
        base = compose("config", overrides=[o for o in kept if "." not in o.split("=", 1)[0]])
    node = OmegaConf.select(base, parent) if parent else base
    if isinstance(node, DictConfig):
        return f"valid keys{' of ' + parent if parent else ''}: {', '.join(k for k in node if k != '_target_')}"
    return "prefix it with '+' to add a new key"
