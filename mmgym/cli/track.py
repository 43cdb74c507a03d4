"""Log runs to an experiment tracker: at the end of each `mmgym run` job (`tracker=...`), or later with
`mmgym track RUN_DIR... tracker=mlflow [tracker.KEY=VALUE ...]`.

A tracker is told about a run only once the run's files are written, so a tracker that fails loses nothing:
the job prints one `mmgym: tracker: ...` line, the rest of a sweep still runs and logs, and the command exits
with `TRACKER_STATUS`; `mmgym track` can log the same run directories again later.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from mmgym.errors import ConfigError, MmgymError
from mmgym.results.run_dir import RunDir

# `mmgym run` and `mmgym track`'s exit status when a run could not be logged (2 config, 3 budget, 4 errors are taken).
TRACKER_STATUS = 5
# The tracker lines of this process's jobs.
TRACKER_STOPS: list[str] = []


def build_tracker(cfg: DictConfig) -> Any:
    """The `tracker` node's object, its client library imported (`TrackerError`, one line, when it is missing)."""
    from mmgym.cli.build import build_object

    tracker = build_object(cfg.tracker, "tracker")
    tracker.check()
    return tracker


def job_names() -> tuple[str, str | None]:
    """This Hydra job's tracker run name and sweep: a sweep's job is named by its overrides (as its folder is)
    and grouped under the sweep's folder; a single run is named after its run directory."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hydra = HydraConfig.get()
    run_dir = Path(hydra.runtime.output_dir)
    if hydra.mode == RunMode.MULTIRUN:
        return hydra.job.override_dirname or run_dir.name, str(hydra.sweep.dir)
    return run_dir.name, None


def track_job(cfg: DictConfig, run_dir: Path) -> None:
    """Log the job that just finished in `run_dir`; on any failure, one stderr line and a later exit status 5."""
    name, group = job_names()
    line = _log(cfg, run_dir, name, group)
    if line:
        TRACKER_STOPS.append(line)


def _log(cfg: DictConfig, run_dir: Path, name: str, group: str | None) -> str | None:
    """Log one run; the failure's line (already printed), or None when it was logged."""
    from mmgym.views.trackers.log import log_run

    try:
        where = log_run(build_tracker(cfg), run_dir, name, group)
    except MmgymError as exc:
        line = str(exc)
    except Exception as exc:  # a tracker's client fails in its own ways (network, database, disk)
        line = f"{run_dir}: not logged ({type(exc).__name__}: {' '.join(str(exc).split())[:300]})"
    else:
        print(f"tracker: {where}")
        return None
    print(f"mmgym: tracker: {line}", file=sys.stderr)
    return line


def add_parser(sub: argparse._SubParsersAction) -> None:
    track = sub.add_parser("track", help="log finished run directories to a tracker: RUN_DIR... tracker=mlflow ...")
    track.add_argument(
        "items",
        nargs="+",
        metavar="RUN_DIR|tracker=NAME",
        help="finished run directories, tracker=mlflow|wandb|tensorboard and its options (tracker.KEY=VALUE)",
    )
    track.add_argument("--group", help="the sweep name to group the runs under (default: none)")


def run(args: argparse.Namespace) -> int:
    """`mmgym track`: each run directory as one tracker run named after its folder."""
    overrides = [item for item in args.items if _is_tracker_override(item)]
    run_dirs = [Path(item) for item in args.items if not _is_tracker_override(item)]
    if not run_dirs:
        raise ConfigError("name at least one run directory: mmgym track RUN_DIR... tracker=NAME")
    cfg = _tracker_config(overrides)
    build_tracker(cfg)  # a missing library or a bad option: one line before any run is read
    for run_dir in run_dirs:
        RunDir.open(run_dir).results()  # not a run directory, or not finished: one line, nothing logged
    failed = [run_dir for run_dir in run_dirs if _log(cfg, run_dir, run_dir.name, args.group)]
    return TRACKER_STATUS if failed else 0


def _is_tracker_override(item: str) -> bool:
    key = item.split("=", 1)[0].lstrip("+~")
    return "=" in item and (key == "tracker" or key.startswith("tracker."))


def _tracker_config(overrides: list[str]) -> DictConfig:
    """The config with the chosen tracker, composed as `mmgym run` composes it; a bad name or key is one line."""
    from hydra import compose, initialize_config_module
    from hydra.errors import HydraException

    from mmgym.cli.catalogue import CONFIG_MODULE, config_options
    from mmgym.errors import unknown_name

    names = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0] == "tracker"]
    if len(names) != 1:
        raise ConfigError("choose one tracker: tracker=mlflow, tracker=wandb or tracker=tensorboard")
    if names[0] not in config_options("tracker"):
        raise unknown_name("tracker", names[0], config_options("tracker"))
    with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
        try:
            return compose("config", overrides=overrides)
        except HydraException as exc:
            raise ConfigError(str(exc).splitlines()[0]) from None
