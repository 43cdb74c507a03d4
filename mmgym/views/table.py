"""Print a run's aggregates as a results table: the suite's own groupings and metrics, whatever they are."""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from mmgym.results.summary import RunResults, Summary


def results_table(results: RunResults) -> Table:
    """One section per declared grouping, the finest first and `overall` last, then the macro means.

    A run with failed episodes gets an `errors` column beside `n`: where they failed shows next to the
    scores they lowered. A person's run (`mmgym play`) says under the table how long the person took.
    """
    metrics = results.metric_names
    caption = time_line(results.usage) if played_by_person(results.usage) else None
    table = Table(title=f"{results.suite}: {results.episodes} episodes, {results.errors} errors", caption=caption)
    table.add_column("group", no_wrap=True)
    table.add_column("n", justify="right")
    errors = bool(results.errors)
    if errors:
        table.add_column("errors", justify="right", style="red")
    for metric in metrics:
        table.add_column(f"{metric} [95% CI]", justify="right", no_wrap=True)
    for grouping, groups in reversed(list(results.groups.items())):
        failed = results.group_errors.get(grouping, {})
        for group, summaries in groups.items():
            counts = [_n(summaries, metrics), *([str(failed.get(group, 0))] if errors else [])]
            table.add_row(escape(group), *counts, *(_cell(summaries.get(m)) for m in metrics))
        table.add_section()
    for grouping, summaries in results.macro.items():
        label = f"macro mean over {grouping}"
        counts = [_n(summaries, metrics), *(["-"] if errors else [])]
        table.add_row(escape(label), *counts, *(_cell(summaries.get(m)) for m in metrics))
    return table


TIME_COLUMNS = ("answers", "s per answer", "total time")


def played_by_person(usage: dict[str, float]) -> bool:
    """Whether a person answered the run's turns (`mmgym play` records `human_seconds`): its cost is time,
    not tokens."""
    return "human_seconds" in usage


def person_time(usage: dict[str, float]) -> dict[str, str]:
    """A person's answers, mean seconds per answer and total time, as cells (`TIME_COLUMNS`)."""
    answers, seconds = int(usage.get("model_calls", 0)), usage.get("human_seconds", usage.get("latency_s", 0.0))
    return {
        "answers": str(answers),
        "s per answer": f"{seconds / answers:.1f}" if answers else "-",
        "total time": duration(seconds),
    }


def time_line(usage: dict[str, float]) -> str:
    """A person's time over a run, in one line."""
    cells = person_time(usage)
    return f"time: {cells['s per answer']} s per answer over {cells['answers']} answers, {cells['total time']} in all"


def duration(seconds: float) -> str:
    """Seconds as a person reads them: `42 s`, `3 min 05 s`, `1 h 02 min`."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _n(summaries: dict[str, Summary], metrics: list[str]) -> str:
    first = summaries.get(metrics[0]) if metrics else None
    return str(first.n) if first else "-"


def _cell(summary: Summary | None) -> str:
    return str(summary) if summary is not None else "-"


def print_results(results: RunResults, console: Console | None = None) -> None:
    """Print the results table; see `print_tables` for its width."""
    if console is not None:
        console.print(results_table(results))
    else:
        print_tables(results_table(results))


MIN_WIDTH = 140
UNBOUNDED = 100_000


def print_tables(*renderables: RenderableType) -> None:
    """Print tables with every column whole, whatever the terminal's width.

    Results are read in logs more often than in terminals, and rich fits a table to the console: piped
    it assumed 80 columns (140 here), shortened every cell and dropped whole columns (`n` went first).
    Piped, each table now gets the width it wants; on a terminal, the terminal's width or, for a table
    that cannot fit, its narrowest whole form (the terminal wraps the lines; no column is lost).
    """
    probe = Console()
    for renderable in renderables:
        wanted = Measurement.get(probe, probe.options.update_width(UNBOUNDED), renderable)
        width = max(probe.width, MIN_WIDTH, wanted.minimum) if probe.is_terminal else max(MIN_WIDTH, wanted.maximum)
        Console(width=width).print(renderable)
