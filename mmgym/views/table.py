"""Print a run's aggregates as a results table."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def results_table(results: dict[str, Any], grouping: str = "game/setting") -> Table:
    """One row per group (default game x setting), then per game, per setting, and overall."""
    metrics = results["metrics"]
    table = Table(title=f"{results['suite']}: {results['episodes']} episodes, {results['errors']} errors")
    table.add_column("group", no_wrap=True)
    table.add_column("n", justify="right")
    for metric in metrics:
        table.add_column(f"{metric} [95% CI]", justify="right", no_wrap=True)
    groups = results["groups"]
    for name in (grouping, "game", "setting", "overall"):
        for group, summaries in groups.get(name, {}).items():
            first = summaries[metrics[0]]
            table.add_row(group, str(first["n"]), *(_cell(summaries[m]) for m in metrics))
        table.add_section()
    return table


def _cell(summary: dict[str, float]) -> str:
    return f"{summary['mean']:.1f} [{summary['low']:.1f}, {summary['high']:.1f}]"


def print_results(results: dict[str, Any], console: Console | None = None) -> None:
    """Print the table at least 140 columns wide: results are read more often in logs than in terminals."""
    console = console or Console(width=max(Console().width, 140))
    console.print(results_table(results))
