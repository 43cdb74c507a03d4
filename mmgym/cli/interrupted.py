"""The one line `mmgym run` prints on Ctrl-C: what is saved, where, and the command that resumes.

Every finished episode is already in its run directory (one line each in `episodes.jsonl`), and
rerunning the same command plays only the rest; a user who pressed Ctrl-C needs to know that, not
read the traceback of whichever await was cancelled.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from mmgym.results.run_dir import RunDir


def interrupted_line(args: list[str]) -> str:
    """`N episodes saved in DIR; rerun the same command to resume: mmgym run ARGS` (one directory per sweep job)."""
    command = shlex.join(["mmgym", "run", *args])
    try:
        saved = [(folder, saved_episodes(folder)) for folder in run_directories(args)]
    except Exception:  # reading back what was saved must not end an interrupt in a traceback
        return f"episodes finished so far are saved; rerun the same command to resume: {command}"
    saved = [(folder, count) for folder, count in saved if count is not None]
    if not saved:
        return f"no episode was saved yet; rerun the same command to start again: {command}"
    if len(saved) == 1:
        where = f"{_episodes(saved[0][1])} saved in {saved[0][0]}"
    else:
        each = ", ".join(f"{count} in {folder}" for folder, count in saved)
        where = f"{_episodes(sum(count for _, count in saved))} saved ({each})"
    return f"{where}; rerun the same command to resume: {command}"


def _episodes(count: int) -> str:
    return f"{count} episode{'' if count == 1 else 's'}"


def saved_episodes(run_dir: Path) -> int | None:
    """Finished episodes in `run_dir` (an episode whose latest record is an error is played again); None if none
    was ever written there."""
    run = RunDir(run_dir)
    if not run.is_run_dir():
        return None
    latest = {record.id: record.status for record in run.records()}
    return sum(status == "done" for status in latest.values())


def run_directories(args: list[str]) -> list[Path]:
    """The run directory of each job `mmgym run ARGS` starts, as the up-front check composes them."""
    from hydra import initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    from mmgym.cli.app import compose_job, sweep_combinations
    from mmgym.cli.catalogue import CONFIG_MODULE
    from mmgym.cli.paths import job_dir

    overrides = [a for a in args if not a.startswith("-")]
    multirun = any(a in ("-m", "--multirun") for a in args)
    hydra_overrides = [o for o in overrides if o.lstrip("+~").startswith("hydra.")]
    GlobalHydra.instance().clear()  # the interrupted job's Hydra may still hold it
    with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
        return [
            job_dir(compose_job([*combo, *hydra_overrides], with_hydra=True), multirun)
            for combo in sweep_combinations(overrides)
        ]
