"""MLflow: one MLflow run per mmgym run, in one experiment; a sweep's jobs carry the sweep's name as a tag.

The default store is a SQLite file in the working folder: MLflow 3 refuses its plain file store unless told
otherwise, and a database needs no server. Artifacts go where the experiment's artifact location says (for a
local store, `./mlruns/` beside it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mmgym.views.trackers.base import TrackedRun, require

SWEEP_TAG = "sweep"
JOB_TAG = "job"


@dataclass
class MlflowTracker:
    """`tracker=mlflow`: params, metrics and artifacts through `mlflow.tracking.MlflowClient`."""

    tracking_uri: str = "sqlite:///mlflow.db"
    experiment: str = "mmgym"
    group: str | None = None  # the sweep tag; by default the sweep's folder
    report: bool = True

    def check(self) -> None:
        require("mlflow.tracking", "mlflow", "MLflow")

    def log(self, run: TrackedRun) -> str:
        tracking = require("mlflow.tracking", "mlflow", "MLflow")
        entities = require("mlflow.entities", "mlflow", "MLflow")
        validation = require("mlflow.utils.validation", "mlflow", "MLflow")
        client = tracking.MlflowClient(tracking_uri=self.tracking_uri)
        found = client.get_experiment_by_name(self.experiment)
        experiment_id = found.experiment_id if found else client.create_experiment(self.experiment)
        group = self.group or run.group
        tags = {**run.tags, JOB_TAG: run.name, **({SWEEP_TAG: group} if group else {})}
        created = client.create_run(experiment_id, run_name=run.name, tags=tags)
        run_id = created.info.run_id
        try:
            now = int(time.time() * 1000)
            limit = validation.MAX_PARAM_VAL_LENGTH
            params = [entities.Param(key, str(value)[:limit]) for key, value in run.params.items()]
            metrics = [entities.Metric(key, value, now, run.step) for key, value in run.metrics.items()]
            client.log_batch(run_id, metrics=metrics, params=params)
            client.log_artifacts(run_id, str(run.artifacts))
        except BaseException:
            client.set_terminated(run_id, status="FAILED")
            raise
        client.set_terminated(run_id)
        return f"MLflow run {run_id} in experiment {self.experiment!r} at {self.tracking_uri}"
