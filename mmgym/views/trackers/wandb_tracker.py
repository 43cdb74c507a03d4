"""Weights & Biases: one W&B run per mmgym run; a sweep's jobs share a W&B group (the sweep's folder by default).

The config goes in as the nested config W&B shows flattened; the metrics are logged once, at the step of the
run's episode count, so they are also the run's summary; the artifacts are one W&B artifact of type
`mmgym-results`. `mode: offline` writes the run under `dir` for `wandb sync` later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmgym.views.trackers.base import TrackedRun, require

ARTIFACT_TYPE = "mmgym-results"


@dataclass
class WandbTracker:
    """`tracker=wandb`: through `wandb.init`, `run.log` and `wandb.Artifact`."""

    project: str = "mmgym"
    entity: str | None = None
    group: str | None = None  # by default the sweep's folder; none for a single run
    mode: str | None = None  # online, offline or disabled; None: W&B's own setting (WANDB_MODE, else online)
    dir: str | None = None  # where W&B writes its run folders; None: W&B's own (WANDB_DIR, else ./wandb)
    report: bool = True

    def check(self) -> None:
        require("wandb", "wandb", "Weights & Biases (wandb)")

    def log(self, run: TrackedRun) -> str:
        wandb = require("wandb", "wandb", "Weights & Biases (wandb)")
        if self.dir:
            Path(self.dir).mkdir(parents=True, exist_ok=True)
        logged = wandb.init(
            project=self.project,
            entity=self.entity,
            group=self.group or run.group,
            name=run.name,
            job_type="eval",
            config=run.config,
            mode=self.mode,
            dir=self.dir,
            tags=[run.tags["suite"]] if "suite" in run.tags else None,
            settings=wandb.Settings(console="off"),
        )
        where = f"W&B run {logged.id} in project {self.project!r} ({logged.settings.mode}, {logged.dir})"
        try:
            logged.log(run.metrics, step=run.step)
            artifact = wandb.Artifact(f"mmgym-{logged.id}", type=ARTIFACT_TYPE)
            artifact.add_dir(str(run.artifacts))
            logged.log_artifact(artifact)
        except BaseException:
            logged.finish(exit_code=1)
            raise
        logged.finish()
        return where
