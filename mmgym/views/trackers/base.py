"""What every tracker is given and must do, and the one-line error for a client library that is not installed."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from mmgym.errors import MmgymError


class TrackerError(MmgymError):
    """A tracker that cannot be used (its client library is missing) or that failed to log a run."""


@dataclass(frozen=True)
class TrackedRun:
    """One run as a tracker logs it: its name and sweep, its config, its metrics and a folder of files.

    `group` names the sweep the run was a job of (None for a single run); `step` is the number of episodes the
    results cover, so a resumed run's larger results land at a later step. `artifacts` is a folder that exists
    only while the tracker logs (the results table, `results.json`, `config.yaml` and the HTML report)."""

    name: str
    group: str | None
    run_dir: Path
    config: dict[str, Any]
    params: dict[str, str | int | float | bool]
    metrics: dict[str, float]
    step: int
    artifacts: Path
    table: str
    tags: dict[str, str] = field(default_factory=dict)


class Tracker(Protocol):
    """A tracker option's object (`mmgym/conf/tracker/*.yaml` builds one through its `_target_`)."""

    report: bool  # whether the HTML report goes with the artifacts (it links the run's videos)

    def check(self) -> None:
        """Import the client library now, so that a missing one stops the command before the run, not after."""

    def log(self, run: TrackedRun) -> str:
        """Log `run` as one tracker run; returns where it went (a run id or URI, a folder), for one line of output."""
        ...


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import a tracker's client library, or raise `TrackerError` naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise TrackerError(
            f"tracker={extra} needs {what}, which is not installed ({exc}); pip install 'mmgym[{extra}]'"
        ) from None
