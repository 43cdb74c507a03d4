"""`mmgym calibrate suite=X [suite options]`: a suite's floor, ceiling, and how its score falls as play worsens.

It plays the suite's episodes with the random agent (the floor), the expert (the ceiling) and the
noisy expert (`agent=noisy_oracle`: the expert, each action random with probability p) at each p
of `--epsilons`, into one run folder per agent under `--output`. Then, for the suite's headline
metric, per group of each grouping and overall, it prints the floor, the ceiling and the score at
each p with its 95% interval, whether the score falls as p rises (monotone: no later score's
interval lies wholly above an earlier one's), and the resolution: the smallest difference in p
whose two scores' intervals do not overlap (the finest change in play the suite can tell apart).
The figures (`mmgym.results.calibration`) go to `calibration.json` in `--output`, with the chance
level a single-decision suite computes from its items (PCA's `notes.chance_level`), and a report
of the random agent's and the expert's runs with the calibration (its floor and ceiling rows and its
plot of the score against p, `mmgym report --calibration`) to `report/index.html` in `--output`.
Runs resume like any run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mmgym.errors import ConfigError
from mmgym.results.calibration import Band, Calibration, format_epsilon

EPSILONS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)


def add_parser(sub: argparse._SubParsersAction) -> None:
    calibrate = sub.add_parser("calibrate", help="a suite's floor, ceiling and score as the expert's play worsens")
    calibrate.add_argument("overrides", nargs="+", help="suite=<name> and any suite.<key>=<value>")
    default = ",".join(f"{e:g}" for e in EPSILONS)
    calibrate.add_argument("--epsilons", default=default, help="the noisy expert's p values (default: %(default)s)")
    calibrate.add_argument(
        "--metric", help="the metric to calibrate (default: the one the suite's floor bound names, else its first)"
    )
    calibrate.add_argument("-o", "--output", type=Path, help="folder for the runs (default: runs/<suite>-calibration)")
    calibrate.add_argument("--concurrency", type=int, default=16, help="episodes at once (default: 16)")


def run(args: argparse.Namespace) -> int:
    from mmgym.cli.configs import HydraConfigs
    from mmgym.cli.paths import check_writable_dir
    from mmgym.results.calibration import save
    from mmgym.runners.calibrate import calibrated_metric, play_calibration

    epsilons = _epsilons(args.epsilons)
    if not any(o.startswith("suite=") for o in args.overrides):
        raise ConfigError("mmgym calibrate needs suite=<name>, e.g. mmgym calibrate suite=eb_nav")
    configs = HydraConfigs()
    suite = configs.build(configs.compose(list(args.overrides)).suite, "suite")
    metric = calibrated_metric(suite, args.metric)  # checked before anything is played
    output = args.output or Path("runs") / f"{suite.name}-calibration"
    check_writable_dir(output, "-o")
    figures = play_calibration(suite, epsilons, output, metric, args.concurrency)
    _print(figures)
    path = save(figures, output)
    print(f"calibration written to {path}")
    print(f"report written to {_report(output, path, figures)}")
    return 0


def _report(output: Path, path: Path, figures: Calibration) -> Path:
    """The floor's and the ceiling's runs with their calibration, as `mmgym report --calibration` shows them."""
    from mmgym.views.report import SuiteCalibration, write_report

    runs = [output / "random", output / "oracle"]
    return write_report(runs, output / "report", [SuiteCalibration(path, figures)]) / "index.html"


def _epsilons(text: str) -> list[float]:
    try:
        values = sorted({float(v) for v in text.split(",") if v.strip()})
    except ValueError:
        raise ConfigError(f"--epsilons must be numbers between 0 and 1, comma-separated; got {text!r}") from None
    if not values or not all(0.0 <= v <= 1.0 for v in values):
        raise ConfigError(f"--epsilons must be numbers between 0 and 1, comma-separated; got {text!r}")
    return values


def _print(figures: Calibration) -> None:
    from rich.console import Console
    from rich.table import Table

    def cell(band: Band | None) -> str:
        return "-" if band is None else f"{band.mean:.1f} [{band.low:.1f}, {band.high:.1f}]"

    console = Console(width=200)
    if figures.chance_level:
        console.print(f"chance level (the floor computed from the items): {figures.chance_level['overall']:.1f}")
    if figures.declared_floor is not None:
        within = "within" if figures.floor_within_bound() else "ABOVE"
        console.print(
            f"the random floor is {within} the suite's declared bound, at most {figures.declared_floor.most:g}: "
            f"{figures.declared_floor.reason}"
        )
    for grouping, groups in figures.groups.items():
        table = Table(title=f"{figures.suite}: {figures.metric} by {grouping} (floor: random, ceiling: expert)")
        for column in ("group", "floor", "ceiling", *(f"p={format_epsilon(e)}" for e in figures.epsilons),
                       "monotone", "resolution"):  # fmt: skip
            table.add_column(column)
        for group, f in groups.items():
            by_e = [cell(f.by_epsilon[format_epsilon(e)]) for e in figures.epsilons]
            step = "-" if f.resolution is None else f"{f.resolution:g}"
            table.add_row(group, cell(f.floor), cell(f.ceiling), *by_e, "yes" if f.monotone else "NO", step)
        console.print(table)
