"""TensorBoard: one event file per mmgym run, in `log_dir/<run>` or, for a sweep's job, `log_dir/<sweep>/<job>`.

Written with TensorBoard's own event writer and protocol buffers, which need neither TensorFlow nor PyTorch
(`tensorboard.summary.Writer` would too, but writes only scalars): each metric is a scalar at the step of the
run's episode count, the config is a session of the HParams dashboard plus a text summary, and the results
table is a text summary. TensorBoard has no artifact store, so the artifacts (the report included) are copied
into `artifacts/` beside the event file.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from mmgym.views.trackers.base import TrackedRun, require

ARTIFACTS_DIR = "artifacts"
CONFIG_TAG = "config"
TABLE_TAG = "results_table"


@dataclass
class TensorboardTracker:
    """`tracker=tensorboard`: event files under `log_dir`, read by `tensorboard --logdir log_dir`."""

    log_dir: str = "runs/tensorboard"
    group: str | None = None  # the sweep's subfolder; by default named after the sweep's folder
    report: bool = True

    def check(self) -> None:
        require("tensorboard.summary.writer.event_file_writer", "tensorboard", "TensorBoard")

    def log(self, run: TrackedRun) -> str:
        writer_module = require("tensorboard.summary.writer.event_file_writer", "tensorboard", "TensorBoard")
        group = self.group or run.group
        folder = Path(self.log_dir, *([_folder_name(group)] if group else []), _folder_name(run.name))
        folder.mkdir(parents=True, exist_ok=True)
        writer = writer_module.EventFileWriter(str(folder))
        try:
            for summary in self._summaries(run):
                writer.add_event(_event(summary, run.step))
        finally:
            writer.close()
        shutil.copytree(run.artifacts, folder / ARTIFACTS_DIR, dirs_exist_ok=True)
        return f"TensorBoard events in {folder}"

    def _summaries(self, run: TrackedRun) -> list[object]:
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.plugins.hparams import summary_v2 as hparams

        scalars = summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, simple_value=value) for tag, value in run.metrics.items()]
        )
        # A session per run and no experiment summary: TensorBoard expects one experiment summary in a whole log
        # folder and gathers the hparams of a sweep's jobs (which may differ: an LLM's job has model.*) itself.
        session = hparams.hparams_pb(run.params, trial_id=run.name)
        config_text = "\n".join(f"    {key}: {value}" for key, value in run.params.items())
        return [
            session,
            scalars,
            _text(CONFIG_TAG, config_text),
            _text(TABLE_TAG, "\n".join(f"    {line}" for line in run.table.splitlines())),
        ]


def _folder_name(name: str) -> str:
    """A run or sweep name as one folder name (a job named after an override with a URL holds slashes)."""
    return name.replace("/", "_") or "_"


def _text(tag: str, markdown: str) -> object:
    """A text summary (TensorBoard's Text dashboard renders it as Markdown; indented lines stay verbatim)."""
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.text import metadata
    from tensorboard.util import tensor_util

    return summary_pb2.Summary(
        value=[
            summary_pb2.Summary.Value(
                tag=tag,
                metadata=metadata.create_summary_metadata(display_name=tag, description=""),
                tensor=tensor_util.make_tensor_proto(markdown),
            )
        ]
    )


def _event(summary: object, step: int) -> object:
    from tensorboard.compat.proto import event_pb2

    return event_pb2.Event(wall_time=time.time(), step=step, summary=summary)
