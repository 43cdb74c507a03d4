"""`mmgym compare RUN_A RUN_B [RUN_C ...]`: paired statistics between runs of one suite (`results.compare`).

Two runs: per grouping, a table of every metric's B - A difference with its paired bootstrap 95%
interval, the sign-flip p-value and B's wins, losses and ties. More runs: a pairwise matrix per
metric over all episodes (row run minus column run). Episodes in only one run are listed.
`--format json` prints every pair's full comparison, `--format csv` one row per pair, grouping, group
and metric (episodes in only one run then go to stderr): for scripts, not for reading.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from pathlib import Path

FORMATS = ("table", "json", "csv")
CSV_COLUMNS = ("run_a", "run_b", "grouping", "group", "metric", "n", "mean_a", "mean_b", "difference", "low", "high",
               "p_value", "wins", "losses", "ties")  # fmt: skip


def add_parser(sub: argparse._SubParsersAction) -> None:
    compare = sub.add_parser("compare", help="paired differences between runs of one suite (CIs, p-values)")
    compare.add_argument("run_dirs", type=Path, nargs="+", help="two or more run directories of the same suite")
    compare.add_argument("--metric", action="append", help="only these metrics (repeatable); default: all")
    compare.add_argument("--format", choices=FORMATS, default="table", help="table (default), json or csv")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from mmgym.errors import MmgymError
    from mmgym.results.compare import compare_runs
    from mmgym.results.run_dir import RunDir
    from mmgym.views.table import print_tables

    if len(args.run_dirs) < 2:
        raise MmgymError("compare needs two or more run directories")
    for run_dir in args.run_dirs:  # every one checked before any pair is compared
        RunDir.open(run_dir)
    comparisons = {(a, b): compare_runs(a, b) for a, b in itertools.combinations(args.run_dirs, 2)}
    if args.format != "table":
        _print_data(list(comparisons.values()), args.metric, args.format)
        return 0
    console = Console(soft_wrap=True)
    for comparison in comparisons.values():
        _print_missing(console, comparison)
    if len(args.run_dirs) == 2:
        print_tables(*_pair_tables(next(iter(comparisons.values())), args.metric))
        return 0
    metrics = args.metric or list(dict.fromkeys(s.metric for c in comparisons.values() for s in c.stats))
    print_tables(*(_matrix(args.run_dirs, comparisons, metric) for metric in metrics))
    return 0


def _print_data(comparisons: list, metrics: list[str] | None, form: str) -> None:
    """Every pair's statistics as JSON (with the episodes only one run has) or as CSV rows."""
    for comparison in comparisons:
        comparison.stats = [s for s in comparison.stats if not metrics or s.metric in metrics]
    if form == "json":
        print(json.dumps([c.model_dump(mode="json") for c in comparisons], indent=1))
        return
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for comparison in comparisons:
        for run, missing in ((comparison.run_a, comparison.only_a), (comparison.run_b, comparison.only_b)):
            if missing:
                print(f"mmgym: note: {len(missing)} episodes only in {run}, left out of the pairing", file=sys.stderr)
        for s in comparison.stats:
            stat = s.model_dump()
            writer.writerow([comparison.run_a, comparison.run_b, *(stat[c] for c in CSV_COLUMNS[2:])])


def _print_missing(console, comparison) -> None:
    for run, missing in ((comparison.run_a, comparison.only_a), (comparison.run_b, comparison.only_b)):
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            console.print(f"{len(missing)} episodes only in {run} (left out of the pairing): {shown}")
    console.print(f"{comparison.common} episodes in both {comparison.run_a} and {comparison.run_b}")


def _pair_tables(comparison, metrics: list[str] | None):
    from rich.table import Table

    groupings = list(dict.fromkeys(s.grouping for s in comparison.stats))
    for grouping in groupings:
        table = Table(title=f"B = {comparison.run_b} minus A = {comparison.run_a}, by {grouping}")
        for column in ("group", "metric", "n", "A", "B", "B - A [95% CI]", "p", "B won / lost / tied"):
            table.add_column(column, justify="left" if column in ("group", "metric") else "right")
        for s in comparison.stats:
            if s.grouping == grouping and (not metrics or s.metric in metrics):
                table.add_row(s.group, s.metric, str(s.n), f"{s.mean_a:.1f}", f"{s.mean_b:.1f}",
                              f"{s.difference:+.1f} [{s.low:+.1f}, {s.high:+.1f}]", _p(s.p_value),
                              f"{s.wins} / {s.losses} / {s.ties}")  # fmt: skip
        yield table


def _matrix(runs: list[Path], comparisons, metric: str):
    from rich.table import Table

    table = Table(title=f"{metric}, all episodes: row run minus column run [95% CI], p")
    table.add_column("run")
    for run in runs:
        table.add_column(str(run), justify="right")
    for row in runs:
        cells = []
        for column in runs:
            pair = comparisons.get((column, row)) or comparisons.get((row, column))
            stat = (
                next((s for s in pair.stats if s.metric == metric and s.grouping == "overall"), None) if pair else None
            )
            if row == column or stat is None:
                cells.append("-")
                continue
            sign = 1.0 if (column, row) in comparisons else -1.0  # stored as B - A with A the earlier run
            low, high = sorted((sign * stat.low, sign * stat.high))
            cells.append(f"{sign * stat.difference:+.1f} [{low:+.1f}, {high:+.1f}] p={_p(stat.p_value)}")
        table.add_row(str(row), *cells)
    return table


def _p(value: float) -> str:
    return f"{value:.3g}" if value >= 0.001 else "<0.001"
