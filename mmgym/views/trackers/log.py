"""Log a finished run directory to a tracker: read it, write its artifacts into a temporary folder, hand both over.

Everything comes from the run directory's own files (`results.json`, `config.yaml`), so logging at the end of
`mmgym run` and logging a finished run later read the same things and log the same names.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from rich.console import Console
from rich.measure import Measurement

from mmgym.results.run_dir import RunDir
from mmgym.results.summary import RunResults
from mmgym.views.table import MIN_WIDTH, UNBOUNDED, results_table
from mmgym.views.trackers.base import TrackedRun, Tracker
from mmgym.views.trackers.flatten import SKIPPED_KEYS, flat_params, metric_values

TABLE_FILE = "results.txt"
REPORT_DIR = "report"


def log_run(tracker: Tracker, run_dir: Path, name: str, group: str | None = None) -> str:
    """Log the finished run in `run_dir` as one tracker run named `name` (in sweep `group`); returns where it went."""
    opened = RunDir.open(run_dir)
    results = opened.results()  # RunNotFinished before anything is written
    with tempfile.TemporaryDirectory(prefix="mmgym-tracker-") as folder:
        artifacts = Path(folder)
        table = table_text(results)
        (artifacts / TABLE_FILE).write_text(table)
        for path in (opened.results_path, opened.config_path):
            if path.exists():
                shutil.copyfile(path, artifacts / path.name)
        if tracker.report:
            write_quiet_report(opened.path, artifacts / REPORT_DIR)
        config = opened.config()
        run = TrackedRun(
            name=name,
            group=group,
            run_dir=opened.path,
            config={key: value for key, value in config.items() if key not in SKIPPED_KEYS},
            params=flat_params(config),
            metrics=metric_values(results),
            step=results.episodes,
            artifacts=artifacts,
            table=table,
            tags={"run_dir": str(opened.path.resolve()), "suite": results.suite},
        )
        return tracker.log(run)


def table_text(results: RunResults) -> str:
    """The results table as `mmgym run` prints it into a log: plain text, every column whole."""
    table = results_table(results)
    text = io.StringIO()
    probe = Console(file=text, width=UNBOUNDED)
    width = max(MIN_WIDTH, Measurement.get(probe, probe.options, table).maximum)
    Console(file=text, width=width, color_system=None, force_terminal=False).print(table)
    return text.getvalue()


def write_quiet_report(run_dir: Path, output: Path) -> None:
    """`mmgym report RUN_DIR -o output`, without its progress lines (they would read as the run's own)."""
    from mmgym.views.report import write_report

    with contextlib.redirect_stderr(io.StringIO()):
        write_report([run_dir], output)
