"""After a Hydra `-m` sweep: one table across its jobs, printed and written next to them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from rich.markup import escape
from rich.table import Table

from mmgym.results.summary import RunResults
from mmgym.views.table import print_tables

SUMMARY_FILE = "sweep_results.json"


def collect(sweep_dir: Path, since: float = 0.0) -> list[dict[str, Any]]:
    """Each job's name (its overrides), suite, overall aggregates, model calls and cost, from results.json files
    written after `since`.

    The time filter keeps jobs of earlier sweeps into the same directory out of this sweep's table. A job
    folder may be nested: an override value with a slash (a URL) makes subfolders of its name.
    """
    rows = []
    for results_path in sorted(sweep_dir.rglob("results.json")):
        if results_path.stat().st_mtime < since:
            continue
        results = RunResults.model_validate_json(results_path.read_text())
        rows.append(
            {
                "job": str(results_path.parent.relative_to(sweep_dir)),
                "suite": results.suite,
                "episodes": results.episodes,
                "errors": results.errors,
                "metrics": results.metric_names,
                "overall": {name: summary.model_dump() for name, summary in results.overall().items()},
                "model_calls": int(results.usage.get("model_calls", 0)),
                "cost_usd": results.usage.get("cost_usd", 0.0),
                "stopped": results.stopped,
            }
        )
    return rows


def split_overrides(job: str) -> list[str]:
    """A job name (Hydra's override_dirname) back into its overrides; commas inside [...] stay."""
    parts, depth, current = [], 0, ""
    for char in job:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def job_labels(jobs: list[str]) -> tuple[list[str], str]:
    """Each job's overrides that vary across the sweep, and the overrides all jobs share."""
    split = [split_overrides(job) for job in jobs]
    shared = [o for o in split[0] if all(o in other for other in split)] if split else []
    labels = [",".join(o for o in overrides if o not in shared) or "(defaults)" for overrides in split]
    return labels, ",".join(shared)


def combined_table(rows: list[dict[str, Any]]) -> Table:
    metrics = rows[0]["metrics"] if rows else []
    labels, shared = job_labels([row["job"] for row in rows])
    captions = [f"all jobs: {shared}"] if shared else []
    if any(row["errors"] for row in rows):
        captions.append("errors !: jobs with failed episodes (rerun the sweep to retry them)")
    table = Table(title=f"sweep: {len(rows)} jobs, overall results", caption=escape("; ".join(captions)) or None)
    table.add_column("job", no_wrap=True)
    table.add_column("episodes", justify="right", min_width=8)
    table.add_column("errors", justify="right", min_width=6)
    for metric in metrics:
        table.add_column(f"{metric} [95% CI]", justify="right", no_wrap=True)
    table.add_column("model calls", justify="right")
    table.add_column("cost $", justify="right")
    for row, label in zip(rows, labels, strict=True):
        cells = [row["overall"].get(m) for m in metrics]
        table.add_row(
            escape(label),
            f"{row['episodes']}{' (budget)' if row.get('stopped') else ''}",
            f"[red]{row['errors']} ![/red]" if row["errors"] else "0",
            *(f"{c['mean']:.1f} [{c['low']:.1f}, {c['high']:.1f}]" if c else "-" for c in cells),
            f"{row.get('model_calls', 0):,}",
            f"{row.get('cost_usd', 0.0):.2f}",
        )
    return table


class CombinedTable(Callback):
    """Hydra callback: at the end of a multirun, print one table over its jobs and save it as JSON."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self.started_at = time.time()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        rows = collect(sweep_dir, since=getattr(self, "started_at", 0.0))
        if not rows:
            return
        (sweep_dir / SUMMARY_FILE).write_text(json.dumps(rows, indent=2) + "\n")
        print_tables(combined_table(rows))
        print(f"sweep summary: {sweep_dir / SUMMARY_FILE}")
