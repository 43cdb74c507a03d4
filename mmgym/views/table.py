"""Print a run's aggregates as a results table: the suite's own groupings and metrics, whatever they are."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mmgym.results.summary import RunResults, Summary


def results_table(results: RunResults) -> Table:
    """One section per declared grouping, the finest first and `overall` last, then the macro means."""
    metrics = results.metric_names
    table = Table(title=f"{results.suite}: {results.episodes} episodes, {results.errors} errors")
    table.add_column("group", no_wrap=True)
    table.add_column("n", justify="right")
    for metric in metrics:
        table.add_column(f"{metric} [95% CI]", justify="right", no_wrap=True)
    for groups in reversed(list(results.groups.values())):
        for group, summaries in groups.items():
            table.add_row(escape(group), _n(summaries, metrics), *(_cell(summaries.get(m)) for m in metrics))
        table.add_section()
    for grouping, summaries in results.macro.items():
        label = f"macro mean over {grouping}"
        table.add_row(escape(label), _n(summaries, metrics), *(_cell(summaries.get(m)) for m in metrics))
    return table


def _n(summaries: dict[str, Summary], metrics: list[str]) -> str:
    first = summaries.get(metrics[0]) if metrics else None
    return str(first.n) if first else "-"


def _cell(summary: Summary | None) -> str:
    return str(summary) if summary is not None else "-"


def print_results(results: RunResults, console: Console | None = None) -> None:
    """Print the table at least 140 columns wide: results are read more often in logs than in terminals."""
    console = console or Console(width=max(Console().width, 140))
    console.print(results_table(results))
