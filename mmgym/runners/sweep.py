"""After a Hydra `-m` sweep: one table across its jobs, printed and written next to them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from rich.console import Console
from rich.markup import escape
from rich.table import Table

SUMMARY_FILE = "sweep_results.json"


def collect(sweep_dir: Path) -> list[dict[str, Any]]:
    """Each job's name (its overrides), agent, and overall aggregates, from its results.json."""
    rows = []
    for results_path in sorted(sweep_dir.glob("*/results.json")):
        results = json.loads(results_path.read_text())
        overall = results["groups"].get("overall", {}).get("all", {})
        rows.append(
            {
                "job": results_path.parent.name,
                "suite": results["suite"],
                "episodes": results["episodes"],
                "errors": results["errors"],
                "metrics": results["metrics"],
                "overall": overall,
            }
        )
    return rows


def combined_table(rows: list[dict[str, Any]]) -> Table:
    metrics = rows[0]["metrics"] if rows else []
    table = Table(title=f"sweep: {len(rows)} jobs, overall results")
    table.add_column("job", no_wrap=True)
    table.add_column("episodes", justify="right")
    table.add_column("errors", justify="right")
    for metric in metrics:
        table.add_column(f"{metric} [95% CI]", justify="right", no_wrap=True)
    for row in rows:
        cells = [row["overall"].get(m) for m in metrics]
        table.add_row(
            escape(row["job"]),
            str(row["episodes"]),
            str(row["errors"]),
            *(f"{c['mean']:.1f} [{c['low']:.1f}, {c['high']:.1f}]" if c else "-" for c in cells),
        )
    return table


class CombinedTable(Callback):
    """Hydra callback: at the end of a multirun, print one table over its jobs and save it as JSON."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        rows = collect(sweep_dir)
        if not rows:
            return
        (sweep_dir / SUMMARY_FILE).write_text(json.dumps(rows, indent=2) + "\n")
        Console(width=max(Console().width, 140)).print(combined_table(rows))
        print(f"sweep summary: {sweep_dir / SUMMARY_FILE}")
